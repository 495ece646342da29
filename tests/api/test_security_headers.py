"""Security headers on every response, errors included; HSTS only over https; trusted proxies.

The routes are enumerated from ``app.url_map`` and classified by ``test_access``, so a new
route is checked here without being listed.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_access import _audience, _routes, _url

from hep.models import AuditEvent
from hep.security import CONTENT_SECURITY_POLICY, DATA_HEADERS, PERMISSIONS_POLICY

from conftest import exercise_id

EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "X-Frame-Options": "DENY",
}
# The join and password-reset pages send no referrer at all (their URLs hold a token); everything else same-origin.
REFERRER_POLICIES = {"same-origin", "no-referrer"}


def assert_secured(response, where, *, https=False):
    response.close()  # static files are streamed
    if where.startswith("/static/") and response.mimetype != "image/svg+xml" and response.status_code < 400:
        return assert_subresource(response, where, https=https)
    if response.is_json:  # data, never a page: nothing may load or frame it
        for name, value in DATA_HEADERS.items():
            assert response.headers.get(name) == value, (where, response.status_code, name)
        assert "Permissions-Policy" not in response.headers, where
    else:
        for name, value in EXPECTED.items():
            assert response.headers.get(name) == value, (where, response.status_code, name)
    assert response.headers.get("Referrer-Policy") in REFERRER_POLICIES, (where, response.status_code)
    assert response.headers["Referrer-Policy"] == "same-origin" or where.startswith(("/join/", "/t/reset/")), where
    assert ("Strict-Transport-Security" in response.headers) is https, (where, response.status_code)


def assert_subresource(response, where, *, https=False):
    """A script, stylesheet or picture a page loads: only the headers that act on it."""
    response.close()
    assert response.headers["X-Content-Type-Options"] == "nosniff", where
    assert response.headers["Referrer-Policy"] == "same-origin", where
    for name in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options"):
        assert name not in response.headers, (where, name)
    assert ("Strict-Transport-Security" in response.headers) is https, where


def test_static_files_get_the_headers_that_act_on_them(app):
    client = app.test_client()
    for path in ("/static/js/app.js", "/static/css/app.css", "/static/icons/icon-192.png"):
        assert_subresource(client.get(path), path)
        assert_subresource(client.get(path, base_url="https://localhost"), path, https=True)
    # An SVG opened on its own is a document; a missing file is an error page.
    for path in ("/static/icons/icon.svg", "/static/js/no-such-file.js"):
        response = client.get(path)
        response.close()
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["X-Frame-Options"] == "DENY", path
    first = client.get("/static/js/app.js")
    first.close()
    cached = client.get("/static/js/app.js", headers={"If-None-Match": first.headers["ETag"]})
    cached.close()
    assert cached.status_code == 304 and cached.headers["X-Content-Type-Options"] == "nosniff"
    # A revalidated SVG keeps the policy stored with its 200; the 304 need not repeat it.
    svg = client.get("/static/icons/icon.svg")
    svg.close()
    again = client.get("/static/icons/icon.svg", headers={"If-None-Match": svg.headers["ETag"]})
    again.close()
    assert again.status_code == 304 and "Content-Security-Policy" not in again.headers


def test_a_json_answer_is_data_that_nothing_may_load_or_frame(api, enrolled):
    patient, _patient_id, _program = enrolled
    for response in (patient.get("/api/v1/today"), api().get("/api/v1/today"), patient.get("/i18n/en.json")):
        assert response.is_json
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert response.headers["X-Frame-Options"] == "DENY" and response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Permissions-Policy" not in response.headers


def test_the_policy_allows_no_inline_code():
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    denied = {part.split("=")[0] for part in PERMISSIONS_POLICY.split(", ") if part.endswith("=()")}
    assert {"camera", "microphone", "geolocation", "payment", "usb"} <= denied
    assert "screen-wake-lock" not in PERMISSIONS_POLICY  # the exercise timer keeps the screen on
    assert "autoplay" not in PERMISSIONS_POLICY  # and beeps


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_every_get_route_carries_the_headers(app, api, enrolled, therapist_api, https):
    from hep.people.accounts import create_or_update_therapist

    patient, patient_id, _program = enrolled
    base_url = "https://localhost" if https else "http://localhost"
    with app.app_context():
        create_or_update_therapist("boss@clinic.test", "an admin's long password", "Bo Admin", "Clinic A", admin=True)
    admin = api()
    assert admin.post("/api/v1/auth/login", {"email": "boss@clinic.test", "password": "an admin's long password"}
                      ).status_code == 200
    clients = {"public": api(), "signed-in": therapist_api, "patient": patient, "therapist": therapist_api,
               "per-patient": therapist_api, "either": therapist_api, "sign-in-step": api(), "staff": therapist_api,
               "admin": admin}
    checked = set()
    for method, rule in _routes(app):
        if method != "GET":
            continue
        url = _url(rule, patient_id=patient_id)
        response = clients[_audience(rule)].get(url, base_url=base_url)
        assert response.status_code < 500, (url, response.status_code)
        assert_secured(response, url, https=https)
        checked.add(response.status_code)
    assert 200 in checked and len([1 for m, _r in _routes(app) if m == "GET"]) >= 30


def test_error_responses_carry_the_headers(api, enrolled):
    patient, _patient_id, _program = enrolled
    anonymous = api()
    cases = {
        "html 404": anonymous.get("/no/such/page", headers={"Accept": "text/html"}),
        "api 404": anonymous.get("/api/v1/no/such/thing"),
        "api 401": anonymous.get("/api/v1/today"),
        "api 403": patient.get("/api/v1/patients"),
        "api 422": patient.post("/api/v1/checkins", {"id": "not a uuid"}),
        "api 405": anonymous.request("PUT", "/healthz"),
        "csrf 400": anonymous.http.post("/api/v1/auth/login", json={}),
        "redirect 302": anonymous.get("/t/patients"),
    }
    statuses = {where: response.status_code for where, response in cases.items()}
    assert statuses == {"html 404": 404, "api 404": 404, "api 401": 401, "api 403": 403, "api 422": 422,
                        "api 405": 405, "csrf 400": 400, "redirect 302": 302}
    for where, response in cases.items():
        assert_secured(response, where)
    assert cases["api 422"].headers["Content-Type"] == "application/problem+json"
    assert "errors" in cases["api 422"].get_json()
    assert "<h1>404" in cases["html 404"].get_data(as_text=True)


def login(app, forwarded_for=None):
    """One sign-in attempt with a wrong password from a client of its own."""
    client = app.test_client()
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    headers = {"X-CSRF-Token": token}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    return client.post("/api/v1/auth/login", json={"email": "a@b.test", "password": "wrong password"},
                       headers=headers).status_code


def migrated(app):
    from hep import migrations
    from hep.db import db

    with app.app_context():
        migrations.upgrade(db.obj)
    return app


def test_behind_one_proxy_each_client_has_its_own_login_bucket(make_app):
    app = migrated(make_app(LOGIN_RATE_LIMIT="2 per minute", PROXY_COUNT=1))
    first = [login(app, "198.51.100.7") for _ in range(3)]
    assert first == [401, 401, 429]
    assert login(app, "203.0.113.9") == 401  # another client behind the same proxy
    # The proxy appends the address it saw: a client's own X-Forwarded-For cannot escape its bucket.
    assert login(app, "203.0.113.50, 198.51.100.7") == 429


def test_without_a_trusted_proxy_a_spoofed_address_is_ignored(make_app):
    app = migrated(make_app(LOGIN_RATE_LIMIT="2 per minute"))
    assert [login(app, "198.51.100.7"), login(app, "198.51.100.8"), login(app, "198.51.100.9")] == [401, 401, 429]
    client = app.test_client()
    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"})
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("app_config, recorded", [({"PROXY_COUNT": 1}, "198.51.100.7"), ({}, "127.0.0.1")],
                         ids=["one-proxy", "no-proxy"])
def test_the_audit_trail_records_the_address_the_proxy_saw(app, app_config, recorded, enrolled, therapist_api):
    _patient, patient_id, _program = enrolled
    response = therapist_api.post(f"/api/v1/patients/{patient_id}/program",
                                  {"phase": "calm", "items": [{"exercise_id": exercise_id(therapist_api, "prone-on-elbows")}]},
                                  headers={"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https",
                                           "Referer": "https://localhost/t/patients"})  # the https CSRF check wants it
    assert response.status_code == 201
    assert ("Strict-Transport-Security" in response.headers) is bool(app_config)
    with app.app_context():
        event = AuditEvent.select().where(AuditEvent.action == "program.assign").order_by(AuditEvent.id.desc()).get()
    assert event.ip == recorded


def test_create_app_trusts_the_configured_proxies(make_app):
    from werkzeug.middleware.proxy_fix import ProxyFix

    assert not isinstance(make_app().wsgi_app, ProxyFix)
    fixed = make_app(PROXY_COUNT=2).wsgi_app
    assert isinstance(fixed, ProxyFix)
    assert (fixed.x_for, fixed.x_proto, fixed.x_host, fixed.x_port, fixed.x_prefix) == (2, 2, 0, 0, 0)


# --- no inline code in what the server sends or the client builds ----------------------

HEP = Path(__file__).resolve().parents[2] / "hep"
INLINE_IN_TEMPLATES = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}
INLINE_IN_SCRIPTS = {
    "style attribute in markup": re.compile(r"<[a-z][^<>]*\sstyle\s*=", re.I),
    "style attribute through h()": re.compile(r"\bh\(\s*'[^']+'\s*,\s*\{[^{}]*\bstyle\s*:"),
    "style attribute set": re.compile(r"setAttribute\(\s*['\"](style|on[a-z]+)['\"]"),
    "event handler attribute in markup": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "eval": re.compile(r"\b(eval|new Function)\s*\("),
}


def test_templates_and_scripts_hold_no_inline_code():
    found = []
    for path in sorted((HEP / "templates").rglob("*.html")):
        text = path.read_text()
        found += [(path.name, what) for what, pattern in INLINE_IN_TEMPLATES.items() if pattern.search(text)]
    scripts = [*(HEP / "static").rglob("*.js"), *(HEP / "templates").rglob("*.js")]
    for path in sorted(scripts):
        text = path.read_text()
        found += [(path.name, what) for what, pattern in INLINE_IN_SCRIPTS.items() if pattern.search(text)]
    assert found == []
    assert len(scripts) >= 15


def test_the_join_qr_code_has_no_style_attribute(app, therapist):
    from tests.support.pages import post_form, sign_in

    client = sign_in(app, therapist["email"])
    created = post_form(client, "/t/patients", {"display_name": "Qr Patient", "timezone": "UTC"})
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    # Every SVG on the page (the QR code and the dashboard's charts) is styled by classes only.
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert any('class="segno"' in svg for svg in svgs) and not any(re.search(r"\sstyle\s*=", svg) for svg in svgs)
