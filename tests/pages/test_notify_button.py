"""The "Notify me in this browser" button on the therapist pages and the staff service worker."""
from __future__ import annotations

import re

from tests.support.pages import sign_in, text_of

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)


def test_the_button_is_on_the_therapist_pages_with_an_external_script_only(app, therapist):
    client = sign_in(app, therapist["email"])
    page = text_of(client.get("/t/patients"))
    button = re.search(r'<button type="button" class="link" id="notify-me"[^>]*>([^<]*)</button>', page, re.S)
    assert button and button.group(1) == "Notify me in this browser"
    assert 'data-csrf="' in button.group(0) and " hidden" in button.group(0)
    scripts = SCRIPT.findall(page)
    assert scripts == [(' src="/static/therapist/notify.js" defer', "")]  # no inline script (CSP)
    script = client.get("/static/therapist/notify.js")
    assert script.status_code == 200
    script.close()


def test_the_button_speaks_spanish(app, therapist):
    client = sign_in(app, therapist["email"])
    page = text_of(client.get("/t/patients", headers={"Accept-Language": "es"}))
    assert ">Avisarme en este navegador</button>" in page
    assert 'data-label-off="Dejar de avisar en este navegador"' in page


def test_signed_out_pages_have_no_button(app):
    page = text_of(app.test_client().get("/t/login"))
    assert "notify-me" not in page and "notify.js" not in page


def test_the_staff_worker_is_served_for_the_t_scope(app):
    response = app.test_client().get("/t/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    assert 'const FALLBACK_TITLE = "A patient needs your attention";' in body
    assert "addEventListener('push'" in body and "addEventListener('notificationclick'" in body
    assert "caches." not in body  # staff browsers keep no patient data
