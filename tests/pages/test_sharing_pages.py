"""Sharing the join link from the patient's page: the share panel, e-mailing the link through a
real local SMTP server, the printable handout with a fresh QR, "Preview as patient", and a join
link opened in a therapist's browser."""
from __future__ import annotations

import re

import pytest

from hep.models import AuditEvent, Invite
from tests.support.pages import csrf_from, post_form, sign_in, text_of

from conftest import exercise_id

LINK = re.compile(r"http://localhost/join/[A-Za-z0-9_-]+")


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url}


@pytest.fixture
def browser(app, therapist):
    return sign_in(app, therapist["email"])


@pytest.fixture
def patient(therapist_api):
    """A patient with an e-mail address and a two-exercise program with notes: its JSON."""
    created = therapist_api.post("/api/v1/patients", {"display_name": "Ana García", "timezone": "Europe/Madrid",
                                                      "email": "ana@example.test"}).get_json()
    saved = therapist_api.post(f"/api/v1/patients/{created['id']}/program", {
        "phase": "calm", "notes": "Little and often beats a lot at once.",
        "items": [
            {"exercise_id": exercise_id(therapist_api, "seated-sciatic-nerve-slider"), "sets": 2, "reps": 10,
             "frequency_per_day": 2, "pain_ceiling": 3, "notes": "Small range first."},
            {"exercise_id": exercise_id(therapist_api, "prone-on-elbows"), "sets": 3, "reps": 1, "hold_seconds": 60,
             "days_of_week": [1, 3, 5]},
        ],
    })
    assert saved.status_code == 201, saved.get_json()
    return created


def _page(browser, patient):
    return text_of(browser.get(f"/t/patients/{patient['id']}"))


def _joins(api, url) -> int:
    return api().post("/api/v1/auth/join", {"token": url.rsplit("/", 1)[-1]}).status_code


def _panel(page):
    start = page.index('id="join-link"')
    return page[start:page.index("</section>", start)]


def test_the_share_panel_offers_copy_email_handout_and_preview(app, browser, patient):
    page_path = f"/t/patients/{patient['id']}"
    made = post_form(browser, f"{page_path}/invites", {}, form_page=page_path)
    panel = _panel(text_of(browser.get(made.headers["Location"])))
    assert re.search(r'<input id="join-url" class="join-url" type="text" readonly value="http://localhost/join/', panel)
    assert 'class="secondary copy-link" data-copy="join-url" hidden' in panel  # shown by share.js
    panel = _panel(_page(browser, patient))
    assert "copy-link" not in panel  # the link is shown once
    assert 'name="send_to" type="email"' in panel and 'value="ana@example.test"' in panel
    assert "Print handout (makes a new join link)" in panel
    assert f'href="/t/patients/{patient["id"]}/preview"' in panel
    assert "therapist/share.js" in panel

    app.config["SMTP_URL"] = None
    panel = _panel(_page(browser, patient))
    assert "E-mail is not set up on this server (HEP_SMTP_URL)." in panel
    assert re.search(r'<button type="submit" disabled>Send by e-mail', panel)


def test_email_the_link_from_the_page(app, api, browser, smtp, patient):
    path = f"/t/patients/{patient['id']}/invites/email"
    sent = post_form(browser, path, {"send_to": "ana@example.test"}, form_page=f"/t/patients/{patient['id']}")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("#join-link")
    page = text_of(browser.get(sent.headers["Location"]))
    assert "Join link sent to ana@example.test. Earlier links no longer work." in page
    [mail] = smtp.messages
    [link] = LINK.findall(mail.message.get_body(preferencelist=("plain",)).get_content())
    assert f'value="{link}"' in page  # also shown once, to copy
    assert _joins(api, patient["invite_url"]) == 410
    assert _joins(api, link) == 200


def test_a_bad_address_or_no_smtp_is_said_on_the_page_and_changes_nothing(app, api, browser, smtp, patient):
    path, page_path = f"/t/patients/{patient['id']}/invites/email", f"/t/patients/{patient['id']}"
    bad = post_form(browser, path, {"send_to": "not-an-address"}, form_page=page_path)
    assert "Not a valid email address." in text_of(browser.get(bad.headers["Location"]))
    app.config["SMTP_URL"] = None
    off = post_form(browser, path, {"send_to": "ana@example.test"}, form_page=page_path)
    assert "E-mail is not set up on this server" in text_of(browser.get(off.headers["Location"]))
    assert smtp.messages == []
    with app.app_context():
        assert Invite.select().where(Invite.patient == patient["id"]).count() == 1
    assert _joins(api, patient["invite_url"]) == 200


def test_the_handout_has_the_program_and_a_fresh_qr(app, api, browser, patient):
    page_path = f"/t/patients/{patient['id']}"
    made = post_form(browser, f"/t/patients/{patient['id']}/handout", {}, form_page=page_path)
    assert made.status_code == 302 and made.headers["Location"].endswith(f"/t/patients/{patient['id']}/handout")
    handout = text_of(browser.get(made.headers["Location"]))
    for shown in ("Your home exercise program", "Ana García", "Pat Therapist",
                  "Little and often beats a lot at once.", "Seated sciatic nerve slider", "2 sets · 10 reps",
                  "Small range first.", "Lying face down on your elbows", "3 sets · 1 rep · hold 60 s", "Mon, Wed, Fri",
                  "Keep pain at or below 3 out of 10", "/static/media/exercises/", "css/handout.css"):
        assert shown in handout, shown
    assert 'class="segno"' in handout
    [link] = set(LINK.findall(handout))
    assert _joins(api, patient["invite_url"]) == 410  # the handout's link replaced it
    with app.app_context():
        assert AuditEvent.select().where(AuditEvent.action == "invite.issue").order_by(
            AuditEvent.id.desc()).first().detail == {"purpose": "handout"}

    again = text_of(browser.get(made.headers["Location"]))  # shown once: a reload has no link
    assert 'class="segno"' not in again and not LINK.search(again)
    assert "Print handout (makes a new join link)" in again
    assert _joins(api, link) == 200


def test_the_handout_and_preview_speak_the_patients_language(app, api, browser, patient):
    phone = api()
    assert _joins(lambda: phone, patient["invite_url"]) == 200
    assert phone.patch("/api/v1/me", {"locale": "es"}).status_code == 200
    made = post_form(browser, f"/t/patients/{patient['id']}/handout", {}, form_page=f"/t/patients/{patient['id']}")
    handout = text_of(browser.get(made.headers["Location"]))
    assert 'lang="es"' in handout and "Tu programa de ejercicios en casa" in handout
    assert "2 series · 10 repeticiones" in handout and "De tu fisioterapeuta:" in handout
    preview = text_of(browser.get(f"/t/patients/{patient['id']}/preview"))
    assert "Hoy" in preview and "2 series · 10 repeticiones" in preview
    assert 'lang="en"' in preview and "Preview: what Ana García sees" in preview  # the banner is the therapist's


def test_preview_as_patient_is_read_only_and_keeps_the_therapist_signed_in(app, api, browser, therapist, patient):
    preview = browser.get(f"/t/patients/{patient['id']}/preview")
    assert preview.status_code == 200
    page = text_of(preview)
    assert "Preview: what Ana García sees on Today in the app. Read-only" in page
    assert "Seated sciatic nerve slider" in page and "2 sets · 10 reps" in page and "0 of 2 done today" in page
    assert "<form" not in page and "<script" not in page
    assert browser.get("/api/v1/me").get_json()["user"]["role"] == "therapist"
    assert _joins(api, patient["invite_url"]) == 200  # previewing used nothing up

    from hep.people.accounts import create_or_update_therapist

    with app.app_context():
        create_or_update_therapist("other@clinic.test", therapist["password"], "Other", "Clinic B")
    other = sign_in(app, "other@clinic.test")
    for path in ("preview", "handout"):
        assert other.get(f"/t/patients/{patient['id']}/{path}").status_code == 404
    token = csrf_from(other, "/t/patients")
    assert other.post(f"/t/patients/{patient['id']}/handout", data={"csrf_token": token}).status_code == 404
    assert other.post(f"/t/patients/{patient['id']}/invites/email",
                      data={"csrf_token": token, "send_to": "x@example.test"}).status_code == 404


def test_a_join_link_opened_by_a_therapist_is_not_used(app, api, browser, patient):
    token = patient["invite_url"].rsplit("/", 1)[-1]
    page = browser.get(f"/join/{token}")
    assert page.status_code == 200
    body = text_of(page)
    assert "You are signed in as a therapist; this link is for the patient's phone." in body
    assert 'id="join-form"' not in body and token not in body
    assert browser.get("/api/v1/me").get_json()["user"]["role"] == "therapist"
    assert _joins(api, patient["invite_url"]) == 200  # still works on the phone

    anonymous = text_of(app.test_client().get(f"/join/{token}"))
    assert 'id="join-form"' in anonymous


def test_handout_and_preview_statements_do_not_grow_with_the_program(app, browser, therapist_api, patient):
    from tests.support.queries import statements

    def counts():
        made = post_form(browser, f"/t/patients/{patient['id']}/handout", {}, form_page=f"/t/patients/{patient['id']}")
        with statements() as handout:
            assert browser.get(made.headers["Location"]).status_code == 200
        with statements() as preview:
            assert browser.get(f"/t/patients/{patient['id']}/preview").status_code == 200
        return len(handout), len(preview)

    small = counts()
    slugs = ("seated-sciatic-nerve-slider", "prone-on-elbows", "hip-hinge-to-box", "bird-dog")
    items = [{"exercise_id": exercise_id(therapist_api, slug), "sets": 2, "reps": 5} for slug in slugs]
    assert therapist_api.post(f"/api/v1/patients/{patient['id']}/program",
                              {"phase": "load", "items": items, "confirm_volume_increase": True}).status_code == 201
    assert counts() == small
