"""Signing a therapist or an admin in through the sign-in page, as the browser tests do."""
from __future__ import annotations


def sign_in(page, email: str, password: str, landing: str = "Patients") -> None:
    """Sign in on ``page`` (of a context whose base URL is the live server) and wait for the
    page the account lands on: "Patients" for a therapist, "Clinic" for an admin."""
    from playwright.sync_api import expect

    page.goto("/t/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=landing, level=1)).to_be_visible()
