"""Password hashing (scrypt through werkzeug) and the rules a new password must meet."""
from __future__ import annotations

from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
# werkzeug's scrypt at its default cost (n=2**15, r=8, p=1): about a tenth of a second a hash,
# which is the point. Verifying reads the cost from the stored hash, so a change here only
# affects new hashes. The test suite lowers it (tests/conftest.py): it hashes thousands.
DEFAULT_HASH_METHOD = "scrypt"
HASH_METHOD = DEFAULT_HASH_METHOD
# A stored hash to compare against when the email is unknown, so a login attempt takes the
# same time whether or not the account exists.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=DEFAULT_HASH_METHOD)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(stored_hash, password)


def password_problems(password: str) -> list[str]:
    """Why a password is not acceptable, in the user's language (empty when it is)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least %(n)s characters.", n=MIN_LENGTH))
    if password.strip() != password or not password.strip():
        problems.append(_("Do not start or end with spaces."))
    return problems
