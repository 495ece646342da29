"""One e-mail over SMTP (the standard library's ``smtplib``): plain text, optionally with an
HTML alternative (``html=``), for staff notices and patients' join links.

Configured by ``HEP_SMTP_URL`` and ``HEP_MAIL_FROM``; unset ``SMTP_URL`` means no e-mail:

- ``smtps://[user:password@]host[:465]``: TLS from the first byte (implicit TLS);
- ``smtp://[user:password@]host[:25]``: STARTTLS when the server offers it. A password is
  never sent over a connection that is not encrypted, except to a loopback host (a local
  relay); user and password are percent-decoded.

``send_mail`` either returns the Message-ID it sent or raises ``MailError`` whose
``temporary`` says whether a later retry may work (network trouble, timeouts, 4xx replies)
or not (5xx replies, refused recipients, a configuration that cannot work), so the caller
can record the outcome and retry. It never logs the message body.
"""
from __future__ import annotations

import ipaddress
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

DEFAULT_TIMEOUT = 10.0  # seconds, for connecting and for each reply
_PORTS = {"smtp": 25, "smtps": 465}


class MailError(Exception):
    """The message was not accepted; ``temporary`` says whether retrying may help."""

    def __init__(self, detail: str, *, temporary: bool):
        super().__init__(detail)
        self.detail = detail
        self.temporary = temporary


@dataclass(frozen=True)
class SmtpSettings:
    scheme: str  # "smtp" or "smtps"
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never show the password
        who = f"{self.username}:***@" if self.username else ""
        return f"SmtpSettings({self.scheme}://{who}{self.host}:{self.port})"


def parse_smtp_url(url: str) -> SmtpSettings:
    """``smtp://`` or ``smtps://`` URL -> settings; ``ValueError`` (no password in it) otherwise."""
    parts = urlsplit((url or "").strip())
    scheme = parts.scheme.lower()
    if scheme not in _PORTS:
        raise ValueError("HEP_SMTP_URL must start with smtp:// or smtps://")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("HEP_SMTP_URL is scheme://[user:password@]host[:port], nothing more")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("HEP_SMTP_URL has an invalid port") from None
    if not parts.hostname:
        raise ValueError("HEP_SMTP_URL has no host")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and not username:
        raise ValueError("HEP_SMTP_URL has a password but no user")
    return SmtpSettings(scheme, parts.hostname, port or _PORTS[scheme], username, password)


def settings_from(config: Mapping[str, Any]) -> SmtpSettings | None:
    """The app's SMTP settings, or None when e-mail is not configured."""
    url = config.get("SMTP_URL")
    return parse_smtp_url(url) if url else None


def build_message(sender: str, to: str, subject: str, body: str, html: str | None = None) -> EmailMessage:
    """The message: ``body`` as text/plain, and ``html`` as its text/html alternative if given."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send_mail(
    settings: SmtpSettings,
    sender: str,
    to: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    ssl_context: ssl.SSLContext | None = None,
) -> str:
    """Send one message (plain text, with ``html`` as an alternative part if given); returns
    its Message-ID or raises ``MailError``.

    ``ssl_context`` defaults to the system's trust store with host-name checking.
    """
    message = build_message(sender, to, subject, body, html)
    context = ssl_context or ssl.create_default_context()
    try:
        with _connect(settings, timeout, context) as client:
            if settings.username:
                client.login(settings.username, settings.password or "")
            refused = client.send_message(message, from_addr=sender, to_addrs=[to])
    except MailError:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        raise MailError(f"recipient refused: {_codes(exc.recipients)}",
                        temporary=all(400 <= c < 500 for c in codes)) from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise MailError(f"{exc.smtp_code} {text}"[:200], temporary=not 500 <= exc.smtp_code < 600) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"server does not support it: {exc}"[:200], temporary=False) from None
    except ssl.SSLCertVerificationError as exc:
        raise MailError(f"TLS certificate not trusted: {exc.verify_message}"[:200], temporary=False) from None
    except (smtplib.SMTPException, OSError) as exc:  # timeouts, refused connections, DNS, TLS
        raise MailError(f"{type(exc).__name__}: {exc}"[:200], temporary=True) from None
    if refused:  # some recipients refused (we send to one, so this is belt and braces)
        raise MailError(f"recipient refused: {_codes(refused)}", temporary=False)
    return str(message["Message-ID"])


def _connect(settings: SmtpSettings, timeout: float, context: ssl.SSLContext) -> smtplib.SMTP:
    if settings.scheme == "smtps":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
    client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    try:
        client.ehlo_or_helo_if_needed()
        if client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        elif settings.username and not _is_loopback(settings.host):
            raise MailError("the SMTP server does not offer STARTTLS; refusing to send the password "
                            "unencrypted (use smtps://)", temporary=False)
    except BaseException:
        client.close()
        raise
    return client


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _codes(recipients: Mapping[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{code}" for code, _text in recipients.values())[:200]


__all__ = ["MailError", "SmtpSettings", "parse_smtp_url", "settings_from", "send_mail", "build_message",
           "DEFAULT_TIMEOUT"]
