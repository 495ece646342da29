"""The instance's VAPID key pair and the ``Authorization: vapid`` header (RFC 8292).

The private key is a P-256 key kept in the instance folder (or ``HEP_VAPID_PRIVATE_KEY``); its
public half is the *application server key* the browser binds each subscription to. A push
service accepts a message only with a JWT signed by that key whose ``aud`` is the service's
origin and whose ``exp`` is less than 24 hours away.

Signing is an ECDSA operation, so ``VapidSigner`` signs once per push-service origin and reuses
the header until shortly before it expires.
"""
from __future__ import annotations

import base64
import binascii
import re
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid.jwt import sign as sign_jwt

DEFAULT_LIFETIME = timedelta(hours=12)
# RFC 8292 forbids exp more than 24 h ahead; stay an hour short of it so a push service whose
# clock is behind ours still accepts the token.
MAX_LIFETIME = timedelta(hours=23)
# Renew this long before exp, so a token is never sent that expires in flight or is already
# expired by a push service whose clock runs ahead of ours.
RENEW_MARGIN = timedelta(minutes=30)
_MAX_CACHED_ORIGINS = 1024
_SUBJECT = re.compile(r"^(mailto:[^@\s]+@[^@\s]+|https://[^\s/]+(/\S*)?)$", re.IGNORECASE)


def generate_private_key_pem() -> str:
    """A new P-256 private key as PKCS#8 PEM text (for the instance folder on first run)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def load_private_key(private_pem: str) -> ec.EllipticCurvePrivateKey:
    """Parse the VAPID private key: PEM, or the raw base64url scalar web-push tools print.

    Raises ``ValueError`` if it is neither, or not a P-256 key.
    """
    text = private_pem.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
    else:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise ValueError("VAPID private key is neither PEM nor base64url") from None
        if len(raw) != 32:
            raise ValueError("VAPID private key is neither PEM nor a 32-byte base64url scalar")
        key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(
        key.curve, ec.SECP256R1
    ):
        raise ValueError("VAPID private key must be an EC P-256 key")
    return key


def application_server_key(private_pem: str) -> str:
    """The base64url (unpadded) uncompressed public key, for ``pushManager.subscribe``."""
    return _public_key_b64(load_private_key(private_pem))


def _public_key_b64(key: ec.EllipticCurvePrivateKey) -> str:
    raw = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class VapidSigner:
    """Builds ``Authorization: vapid t=<JWT>, k=<key>`` headers, cached per origin.

    ``subject`` is a ``mailto:`` or ``https:`` contact for push-service operators.
    ``clock`` returns Unix seconds (injectable for tests). Safe to share between threads:
    concurrent callers for the same origin cause one signature, not several.
    """

    def __init__(
        self,
        private_pem: str,
        subject: str,
        lifetime: timedelta = DEFAULT_LIFETIME,
        *,
        clock: Callable[[], float] = time.time,
    ):
        if not _SUBJECT.match(subject or ""):
            raise ValueError("VAPID subject must be a mailto: address or an https: URL")
        if not timedelta(0) < lifetime <= MAX_LIFETIME:
            raise ValueError(f"VAPID token lifetime must be positive and at most {MAX_LIFETIME}")
        self._key = load_private_key(private_pem)
        self.public_key = _public_key_b64(self._key)
        self.subject = subject
        self._lifetime = int(lifetime.total_seconds())
        self._renew_margin = int(min(RENEW_MARGIN, lifetime / 4).total_seconds())
        self._clock = clock
        self._cache: dict[str, tuple[float, str]] = {}  # origin -> (renew at, header)
        self._lock = threading.Lock()

    def header(self, origin: str) -> str:
        """The Authorization header value for a push service at ``origin``."""
        cached = self._cache.get(origin)
        if cached is not None and self._clock() < cached[0]:
            return cached[1]
        with self._lock:
            now = self._clock()
            cached = self._cache.get(origin)
            if cached is not None and now < cached[0]:
                return cached[1]
            exp = int(now) + self._lifetime
            value = self._sign(origin, exp)
            if len(self._cache) >= _MAX_CACHED_ORIGINS:
                self._evict(now)
            self._cache[origin] = (exp - self._renew_margin, value)
            return value

    def _sign(self, origin: str, exp: int) -> str:
        token = sign_jwt({"aud": origin, "exp": exp, "sub": self.subject}, self._key)
        return f"vapid t={token}, k={self.public_key}"

    def _evict(self, now: float) -> None:
        for origin, (renew_at, _value) in list(self._cache.items()):
            if renew_at <= now:
                del self._cache[origin]
        while len(self._cache) >= _MAX_CACHED_ORIGINS:
            del self._cache[next(iter(self._cache))]  # oldest first
