"""A real, local SMTP server for tests (aiosmtpd on 127.0.0.1), recording what it accepts.

    with SmtpServer() as smtp:
        send_mail(parse_smtp_url(smtp.url), ...)
        smtp.reply("451 4.3.0 Try again later")   # the next DATA gets this reply
        assert smtp.messages[0]["Subject"] == "..."

``SmtpServer(tls=True)`` speaks implicit TLS (``smtps://``) with a fresh self-signed
certificate for 127.0.0.1; ``client_context`` trusts it. ``SmtpServer(starttls=True)`` offers
STARTTLS instead. ``credentials=("user", "pw")`` requires AUTH with them.
"""
from __future__ import annotations

import datetime
import email
import email.policy
import ipaddress
import socket
import ssl
import tempfile
import threading
import warnings
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    login: str | None

    def __getitem__(self, header: str) -> str:
        return self.message[header]

    @property
    def body(self) -> str:
        return self.message.get_content()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_DATA(self, _server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.server._lock:
            if self.server._replies:
                return self.server._replies.pop(0)
            message = email.message_from_bytes(envelope.original_content or envelope.content,
                                               policy=email.policy.default)
            auth = session.auth_data if session.authenticated else None
            login = auth.login.decode() if auth is not None else None
            self.server._messages.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), message, login))
        return "250 2.0.0 OK"


class SmtpServer:
    def __init__(self, *, tls: bool = False, starttls: bool = False, credentials: tuple[str, str] | None = None):
        self._tls, self._starttls, self._credentials = tls, starttls, credentials
        self._lock = threading.Lock()
        self._messages: list[Received] = []
        self._replies: list[str] = []
        self._controller = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.client_context: ssl.SSLContext | None = None
        self.port = 0

    @property
    def url(self) -> str:
        scheme = "smtps" if self._tls else "smtp"
        who = f"{self._credentials[0]}:{self._credentials[1]}@" if self._credentials else ""
        return f"{scheme}://{who}127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._messages)

    def reply(self, *replies: str) -> None:
        """The next DATA commands get these replies instead of being accepted."""
        with self._lock:
            self._replies.extend(replies)

    def _authenticate(self, _server, _session, _envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (isinstance(auth_data, LoginPassword) and self._credentials is not None
              and (auth_data.login.decode(), auth_data.password.decode()) == self._credentials)
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    def start(self) -> SmtpServer:
        from aiosmtpd.controller import Controller

        kwargs: dict = {}
        if self._tls or self._starttls:
            self._tmp = tempfile.TemporaryDirectory()
            cert, key = _self_signed(Path(self._tmp.name))
            server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            server_context.load_cert_chain(cert, key)
            self.client_context = ssl.create_default_context(cafile=str(cert))
            kwargs["ssl_context" if self._tls else "tls_context"] = server_context
        if self._credentials:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=not self._tls and self._starttls)
        self.port = _free_port()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # aiosmtpd warns about AUTH without TLS, which loopback tests use
            self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **kwargs)
            self._controller.start()
        return self

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
