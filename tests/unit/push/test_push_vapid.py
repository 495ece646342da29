"""VAPID keys and the cached Authorization header."""
from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from hep.push.vapid import (
    MAX_LIFETIME,
    VapidSigner,
    application_server_key,
    generate_private_key_pem,
    load_private_key,
)

ORIGIN = "https://fcm.googleapis.com"
NOW = 1_800_000_000.0


class FakeClock:
    def __init__(self, now: float = NOW):
        self.now = now

    def __call__(self) -> float:
        return self.now


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse(header: str) -> tuple[dict, str, str]:
    """(claims, token, key) of a ``vapid t=..., k=...`` header."""
    scheme, _, params = header.partition(" ")
    assert scheme == "vapid"
    values = dict(part.strip().split("=", 1) for part in params.split(","))
    return json.loads(unb64(values["t"].split(".")[1])), values["t"], values["k"]


@pytest.fixture
def pem() -> str:
    return generate_private_key_pem()


def counting(signer: VapidSigner, monkeypatch) -> list:
    calls = []
    real = signer._sign

    def spy(origin, exp):
        calls.append(origin)
        return real(origin, exp)

    monkeypatch.setattr(signer, "_sign", spy)
    return calls


def test_generated_key_is_p256_pem(pem):
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key.curve, ec.SECP256R1)


def test_application_server_key_is_the_uncompressed_public_point(pem):
    raw = unb64(application_server_key(pem))
    assert len(raw) == 65 and raw[0] == 4
    public = load_private_key(pem).public_key()
    assert raw == public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert "=" not in application_server_key(pem)


def test_raw_base64url_private_key_is_accepted(pem):
    scalar = load_private_key(pem).private_numbers().private_value.to_bytes(32, "big")
    raw = base64.urlsafe_b64encode(scalar).rstrip(b"=").decode()
    assert application_server_key(raw) == application_server_key(pem)


@pytest.mark.parametrize("bad", ["", "not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"])
def test_bad_private_keys_are_rejected(bad):
    with pytest.raises(ValueError):
        application_server_key(bad)


def test_header_is_an_rfc8292_token_that_verifies(pem):
    clock = FakeClock()
    header = VapidSigner(pem, "mailto:ops@example.org", clock=clock).header(ORIGIN)
    claims, token, key = parse(header)
    assert claims == {"aud": ORIGIN, "exp": int(NOW) + 12 * 3600, "sub": "mailto:ops@example.org"}
    assert key == application_server_key(pem)
    assert json.loads(unb64(token.split(".")[0])) == {"typ": "JWT", "alg": "ES256"}
    # py_vapid's own verifier agrees (it wants "t=...,k=..." without the optional space).
    assert Vapid02.verify(header.replace(", ", ","))


def test_signs_once_per_origin_and_reuses_the_header(pem, monkeypatch):
    signer = VapidSigner(pem, "mailto:ops@example.org", clock=FakeClock())
    calls = counting(signer, monkeypatch)
    first = signer.header(ORIGIN)
    assert all(signer.header(ORIGIN) == first for _ in range(100))
    other = signer.header("https://web.push.apple.com")
    assert calls == [ORIGIN, "https://web.push.apple.com"]
    assert parse(other)[0]["aud"] == "https://web.push.apple.com"


def test_renews_shortly_before_expiry_never_after(pem, monkeypatch):
    clock = FakeClock()
    signer = VapidSigner(pem, "mailto:ops@example.org", timedelta(hours=12), clock=clock)
    calls = counting(signer, monkeypatch)
    first = signer.header(ORIGIN)
    exp = parse(first)[0]["exp"]
    clock.now = exp - 31 * 60  # more than the renewal margin left: still cached
    assert signer.header(ORIGIN) == first
    clock.now = exp - 30 * 60  # within the margin: a fresh token
    second = signer.header(ORIGIN)
    assert second != first and len(calls) == 2
    assert parse(second)[0]["exp"] == int(clock.now) + 12 * 3600


def test_short_lifetimes_renew_proportionally(pem, monkeypatch):
    clock = FakeClock()
    signer = VapidSigner(pem, "https://clinic.example.org", timedelta(minutes=8), clock=clock)
    calls = counting(signer, monkeypatch)
    signer.header(ORIGIN)
    clock.now += 5 * 60
    signer.header(ORIGIN)
    clock.now += 60  # 6 of 8 minutes gone: a quarter of the lifetime left
    signer.header(ORIGIN)
    assert len(calls) == 2


@pytest.mark.parametrize("lifetime", [timedelta(0), timedelta(hours=-1), MAX_LIFETIME + timedelta(seconds=1), timedelta(hours=24)])
def test_lifetime_must_stay_under_24_hours(pem, lifetime):
    with pytest.raises(ValueError):
        VapidSigner(pem, "mailto:ops@example.org", lifetime)


@pytest.mark.parametrize("subject", ["", "ops@example.org", "mailto:", "http://example.org", "https://"])
def test_subject_must_be_a_contact(pem, subject):
    with pytest.raises(ValueError):
        VapidSigner(pem, subject)


def test_concurrent_callers_share_one_signature(pem, monkeypatch):
    signer = VapidSigner(pem, "mailto:ops@example.org")
    calls = counting(signer, monkeypatch)
    start = threading.Barrier(16)
    headers = []

    def worker():
        start.wait()
        headers.extend(signer.header(ORIGIN) for _ in range(50))

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(set(headers)) == 1 and len(headers) == 800
