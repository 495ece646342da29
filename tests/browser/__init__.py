"""Browser tests of the patient PWA (a package so its conftest does not shadow tests/conftest.py)."""
