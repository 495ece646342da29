"""Password hashing: the cost hep stores passwords at, and verification across costs."""
from __future__ import annotations

from werkzeug.security import generate_password_hash

from hep.people import passwords


def test_the_default_is_scrypt_at_full_cost():
    assert passwords.DEFAULT_HASH_METHOD == "scrypt"
    stored = generate_password_hash("a long enough password", method=passwords.DEFAULT_HASH_METHOD)
    assert stored.startswith("scrypt:32768:8:1$")  # n=2**15: werkzeug's default, about 0.1 s a hash
    assert passwords.verify_password(stored, "a long enough password")
    assert not passwords.verify_password(stored, "a long enough passwore")


def test_a_hash_is_verified_at_the_cost_it_was_made_with():
    cheap = passwords.hash_password("a long enough password")  # the suite's lower cost
    assert cheap.startswith("scrypt:1024:8:1$")
    assert passwords.verify_password(cheap, "a long enough password")
    assert not passwords.verify_password(None, "a long enough password")
