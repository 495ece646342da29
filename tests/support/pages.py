"""Driving the therapist pages like a browser: CSRF tokens read from the forms."""
from __future__ import annotations

import html
import re

from conftest import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(client, path):
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return CSRF.search(page.get_data(as_text=True)).group(1)


def sign_in(app, email, password=PASSWORD):
    """A browser-like client signed in through the login form."""
    client = app.test_client()
    token = csrf_from(client, "/t/login")
    response = client.post("/t/login", data={"csrf_token": token, "email": email, "password": password})
    assert response.status_code == 302 and response.headers["Location"].endswith("/t/patients")
    return client


def post_form(client, path, data, form_page=None):
    """Post ``data`` with the CSRF token read from ``form_page`` (default: ``path``)."""
    token = csrf_from(client, form_page or path)
    return client.post(path, data={"csrf_token": token, **data})


def text_of(response):
    return html.unescape(response.get_data(as_text=True))
