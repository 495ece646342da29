"""``hep.push.mail`` against a real local SMTP server (aiosmtpd on 127.0.0.1)."""
from __future__ import annotations

import socket
import time

import pytest

from hep.config import ConfigError, load
from hep.push.mail import MailError, SmtpSettings, parse_smtp_url, send_mail, settings_from
from tests.support.smtp_server import SmtpServer


def test_a_message_is_delivered_as_plain_text(smtp):
    message_id = send_mail(parse_smtp_url(smtp.url), "hep@clinic.test", "pt@clinic.test",
                           "A patient needs your attention", "https://hep.example/t/patients/7\n")
    [got] = smtp.messages
    assert got.mail_from == "hep@clinic.test" and got.rcpt_tos == ("pt@clinic.test",)
    assert got["Subject"] == "A patient needs your attention"
    assert got["From"] == "hep@clinic.test" and got["To"] == "pt@clinic.test"
    assert got["Message-ID"] == message_id and message_id.endswith("@clinic.test>")
    assert got["Auto-Submitted"] == "auto-generated"
    assert got.message.get_content_type() == "text/plain"
    assert got.body.strip() == "https://hep.example/t/patients/7"


def test_non_ascii_subject_and_body_survive(smtp):
    send_mail(parse_smtp_url(smtp.url), "hep@clinic.test", "pt@clinic.test", "Un paciente necesita tu atención",
              "Ábrelo aquí: https://hep.example/t/patients/7")
    [got] = smtp.messages
    assert got["Subject"] == "Un paciente necesita tu atención"
    assert got.body.strip() == "Ábrelo aquí: https://hep.example/t/patients/7"


@pytest.mark.parametrize("reply, temporary", [
    ("451 4.3.0 Try again later", True),
    ("421 4.7.0 Too busy", True),
    ("554 5.7.1 Rejected", False),
])
def test_a_refusal_says_whether_a_retry_may_help(smtp, reply, temporary):
    smtp.reply(reply)
    with pytest.raises(MailError) as raised:
        send_mail(parse_smtp_url(smtp.url), "hep@clinic.test", "pt@clinic.test", "s", "b")
    assert raised.value.temporary is temporary
    assert reply.split()[0] in raised.value.detail
    assert smtp.messages == []
    # The next message goes through.
    send_mail(parse_smtp_url(smtp.url), "hep@clinic.test", "pt@clinic.test", "s", "b")
    assert len(smtp.messages) == 1


def test_nothing_listening_is_temporary():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(MailError) as raised:
        send_mail(SmtpSettings("smtp", "127.0.0.1", port), "hep@clinic.test", "pt@clinic.test", "s", "b", timeout=2)
    assert raised.value.temporary is True


def test_a_server_that_never_answers_times_out():
    with socket.socket() as silent:  # accepts connections (the backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        started = time.monotonic()
        with pytest.raises(MailError) as raised:
            send_mail(SmtpSettings("smtp", "127.0.0.1", silent.getsockname()[1]), "hep@clinic.test",
                      "pt@clinic.test", "s", "b", timeout=0.5)
    assert raised.value.temporary is True
    assert time.monotonic() - started < 5


def test_login_with_the_url_credentials():
    with SmtpServer(credentials=("mailer", "p@ss word")) as smtp:
        url = f"smtp://mailer:{'p%40ss%20word'}@127.0.0.1:{smtp.port}"
        send_mail(parse_smtp_url(url), "hep@clinic.test", "pt@clinic.test", "s", "b")
        assert [m.login for m in smtp.messages] == ["mailer"]
        with pytest.raises(MailError) as raised:
            send_mail(parse_smtp_url(f"smtp://mailer:wrong@127.0.0.1:{smtp.port}"), "hep@clinic.test",
                      "pt@clinic.test", "s", "b")
        assert raised.value.temporary is False and "535" in raised.value.detail


def test_smtps_verifies_the_certificate():
    with SmtpServer(tls=True) as smtp:
        settings = parse_smtp_url(smtp.url)
        assert settings.scheme == "smtps"
        send_mail(settings, "hep@clinic.test", "pt@clinic.test", "s", "b", ssl_context=smtp.client_context)
        assert len(smtp.messages) == 1
        with pytest.raises(MailError) as raised:  # the system trust store does not know this certificate
            send_mail(settings, "hep@clinic.test", "pt@clinic.test", "s", "b")
        assert raised.value.temporary is False and "certificate" in raised.value.detail
        assert len(smtp.messages) == 1


def test_starttls_is_used_when_offered():
    with SmtpServer(starttls=True, credentials=("mailer", "secret")) as smtp:
        # The server requires TLS before AUTH: logging in only works after STARTTLS.
        send_mail(parse_smtp_url(smtp.url), "hep@clinic.test", "pt@clinic.test", "s", "b",
                  ssl_context=smtp.client_context)
        assert [m.login for m in smtp.messages] == ["mailer"]


def test_a_password_is_not_sent_in_the_clear_to_a_remote_host(monkeypatch):
    import smtplib

    class Plain:  # a server without STARTTLS somewhere on the network
        def __init__(self, *args, **kwargs):
            self.logged_in = False

        def ehlo_or_helo_if_needed(self):
            pass

        def has_extn(self, name):
            return False

        def login(self, *args):
            raise AssertionError("sent the password")

        def close(self):
            pass

    monkeypatch.setattr(smtplib, "SMTP", Plain)
    with pytest.raises(MailError) as raised:
        send_mail(parse_smtp_url("smtp://u:p@mail.example.org"), "hep@clinic.test", "pt@clinic.test", "s", "b")
    assert raised.value.temporary is False and "STARTTLS" in raised.value.detail


@pytest.mark.parametrize("url, expected", [
    ("smtp://mail.example.org", SmtpSettings("smtp", "mail.example.org", 25)),
    ("smtps://mail.example.org", SmtpSettings("smtps", "mail.example.org", 465)),
    ("smtp://u%40x:p%3Aw@[::1]:2525", SmtpSettings("smtp", "::1", 2525, "u@x", "p:w")),
    ("SMTPS://a:b@mail.example.org:587/", SmtpSettings("smtps", "mail.example.org", 587, "a", "b")),
])
def test_parse_smtp_url(url, expected):
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "smtp://host/path", "smtp://host:x",
                                 "smtp://:pw@host", "mail.example.org:25"])
def test_bad_smtp_urls_are_refused(url):
    with pytest.raises(ValueError):
        parse_smtp_url(url)


def test_settings_never_show_the_password():
    assert "secret" not in repr(parse_smtp_url("smtp://me:secret@mail.example.org"))


def test_configuration(tmp_path, monkeypatch):
    monkeypatch.setenv("HEP_SMTP_URL", "smtps://me:pw@mail.example.org")
    monkeypatch.setenv("HEP_MAIL_FROM", "clinic@example.org")
    config = load({}, tmp_path)
    assert settings_from(config) == SmtpSettings("smtps", "mail.example.org", 465, "me", "pw")
    assert config["MAIL_FROM"] == "clinic@example.org"
    assert settings_from(load({"SMTP_URL": None}, tmp_path)) is None
    monkeypatch.delenv("HEP_MAIL_FROM")
    assert load({}, tmp_path)["MAIL_FROM"] == "hep@localhost"
    with pytest.raises(ConfigError):
        load({"SMTP_URL": "smtp://host/oops"}, tmp_path)
