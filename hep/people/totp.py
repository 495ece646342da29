"""TOTP codes (RFC 6238 through pyotp), the stored secret's encryption, recovery codes.

The TOTP secret has to be readable to check a code, so it cannot be hashed: it is stored
encrypted (Fernet) under a key derived (HKDF-SHA256) from the app's ``SECRET_KEY``. A copy of
the database alone then gives nobody a second factor. Changing ``SECRET_KEY`` makes the stored
secrets unreadable: every code is refused and people sign in with a recovery code (or an
operator turns the second factor off with ``hep reset-2fa``).

Recovery codes are random (about 60 bits each), so a plain SHA-256 of them is enough, as for
join links and reset tokens.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from markupsafe import Markup

DRIFT_STEPS = 1  # a code from the step before or after the current one is accepted too
ISSUER = "hep"
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
RECOVERY_GROUPS, RECOVERY_GROUP_LENGTH = 3, 4


class SecretUnreadable(Exception):
    """The stored secret was encrypted under another ``SECRET_KEY``."""


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, account: str) -> str:
    """The ``otpauth://totp/...`` URI authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> Markup:
    """An inline SVG QR code of ``uri`` (segno, no image libraries)."""
    # segno writes the SVG itself: module paths, fixed colours and the title XML-escaped; the
    # URI is only encoded in the modules, never written as text.
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, light="#fff", title=title))  # nosec B704


def matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step ``code`` belongs to (within ``DRIFT_STEPS`` of ``at``), or None."""
    code = normalise_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=at, valid_window=DRIFT_STEPS)
    except pyotp.OTPVerificationError:
        return None


def normalise_code(code: str) -> str:
    """What was typed, without spaces or dashes, lower case (codes are copied in many ways)."""
    return "".join(ch for ch in (code or "").lower() if ch not in " -\t")


def looks_like_totp(code: str) -> bool:
    normalised = normalise_code(code)
    return len(normalised) == 6 and normalised.isdigit()


def new_recovery_code() -> str:
    groups = ("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH))
              for _ in range(RECOVERY_GROUPS))
    return "-".join(groups)


def recovery_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def _fernet(app_secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"hep totp secret").derive(app_secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, app_secret: str) -> str:
    return _fernet(app_secret).encrypt(secret.encode()).decode()


def unseal(sealed: str, app_secret: str) -> str:
    try:
        return _fernet(app_secret).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable() from None
