"""Questionnaires in the patient app at a phone viewport: PSFS activities named then re-rated,
EARS answered by labelled radio buttons (mouse and keyboard), errors next to their field,
Spanish where the licence allows (and "English only" said in Spanish where not), offline
through the outbox, and axe clean in light and dark mode."""
from __future__ import annotations

import re

import pytest

from .test_patient_pwa import READ_OUTBOX, expect, join, wait_saved_for_offline
from .waiting import wait_until

pytestmark = pytest.mark.browser


def responses(therapist_http, patient_id, code):
    history = therapist_http.get(f"/api/v1/patients/{patient_id}/questionnaires").json()
    return history.get(code, {}).get("responses", [])


def open_questionnaire(page, code, heading):
    page.goto(f"/app/#/questionnaire/{code}")
    expect()(page.get_by_role("heading", name=heading, level=1)).to_be_visible()


def test_psfs_activities_are_named_then_re_rated(phone, live_server, invited_patient, therapist_http):
    page = phone.new_page()
    join(page, invited_patient)
    open_questionnaire(page, "psfs", "Patient-Specific Functional Scale")
    expect()(page.get_by_role("textbox")).to_have_count(3)

    # Sent empty: each field says what is missing, next to it; fixing one clears its message.
    page.get_by_role("button", name="Send answers").click()
    expect()(page.locator(".field-error:visible", has_text="Name the activity.")).to_have_count(3)
    expect()(page.locator(".field-error:visible", has_text="Choose an answer.")).to_have_count(3)
    first = page.get_by_role("textbox", name="Activity 1")
    expect()(first).to_be_focused()
    expect()(first).to_have_attribute("aria-describedby", "f-activity-0-error")
    for n, (text, rating) in enumerate([("Sit through a film", "2"), ("Lift my toddler", "3"), ("Walk to work", "4")]):
        page.get_by_role("textbox", name=f"Activity {n + 1}").fill(text)
        group = page.get_by_role("group", name=f"How well can you do activity {n + 1} today?")
        group.get_by_role("radio", name=re.compile(f"^{rating}\\b")).check()
    expect()(page.locator(".field-error:visible")).to_have_count(0)
    page.get_by_role("button", name="Send answers").click()
    expect()(page.get_by_role("heading", name="Progress", level=1)).to_be_visible()
    [stored] = responses(therapist_http, invited_patient["id"], "psfs")
    assert stored["items"] == ["Sit through a film", "Lift my toddler", "Walk to work"]
    assert stored["score"]["total"] == 3

    # The next time: the same activities to re-rate, by keyboard (arrows move the choice).
    open_questionnaire(page, "psfs", "Patient-Specific Functional Scale")
    expect()(page.get_by_text("Rate the same activities as last time.")).to_be_visible()
    expect()(page.get_by_role("textbox")).to_have_count(0)
    for n, name in enumerate(["Sit through a film", "Lift my toddler", "Walk to work"]):
        group = page.get_by_role("group", name=name)
        group.get_by_role("radio", name=re.compile(r"^0\b")).check()
        for _ in range(5 + n):
            page.keyboard.press("ArrowRight")
    expect()(page.get_by_role("group", name="Sit through a film").get_by_role("radio", name=re.compile(r"^5\b"))).to_be_checked()
    page.get_by_role("button", name="Send answers").click()
    expect()(page.get_by_role("heading", name="Progress", level=1)).to_be_visible()
    later = responses(therapist_http, invited_patient["id"], "psfs")[-1]
    assert later["items"] == stored["items"] and later["score"]["total"] == 6
    summary = therapist_http.get(f"/api/v1/patients/{invited_patient['id']}/summary").json()
    assert summary["outcomes"]["psfs"]["change"] == 3 and summary["outcomes"]["psfs"]["improved"]


def test_ears_is_answered_with_labelled_buttons(phone, live_server, invited_patient, therapist_http):
    page = phone.new_page()
    join(page, invited_patient)
    open_questionnaire(page, "ears", re.compile("Exercise Adherence Rating Scale"))
    groups = page.get_by_role("group")
    expect()(groups).to_have_count(6)
    expect()(groups.first.get_by_role("radio")).to_have_count(5)
    # a tap on the label for most, the keyboard for the last
    answers = ["Completely agree", "Completely disagree", "Disagree", "Agree", "Completely disagree"]
    for n, label in enumerate(answers):
        groups.nth(n).locator("label.choice", has=page.get_by_role("radio", name=re.compile(f"– {label}$"))).click()
    last = groups.nth(5).get_by_role("radio").first
    last.focus()
    page.keyboard.press("Space")
    expect()(groups.nth(0).get_by_role("radio", name=re.compile("Completely agree"))).to_be_checked()
    page.get_by_role("button", name="Send answers").click()
    expect()(page.get_by_role("heading", name="Progress", level=1)).to_be_visible()
    [stored] = responses(therapist_http, invited_patient["id"], "ears")
    # items 1, 4, 6 reversed: 4 + 4 + 3 + 3 + 4 + 4
    assert stored["score"]["total"] == 22


@pytest.fixture
def spanish_phone(browser, live_server):
    from .conftest import phone_context

    with phone_context(browser, live_server, locale="es-ES") as context:
        yield context


def test_questionnaires_in_spanish(spanish_phone, live_server, invited_patient, therapist_http):
    from urllib.parse import urlparse

    page = spanish_phone.new_page()
    page.goto(urlparse(invited_patient["join_url"]).path)
    page.locator("form button[type=submit]").click()
    expect()(page.get_by_role("heading", name="Hoy", level=1)).to_be_visible()
    open_questionnaire(page, "nprs", "Escala numérica del dolor")
    group = page.get_by_role("group", name=re.compile("^¿Cuánto te duele ahora mismo"))
    expect()(group.get_by_role("radio")).to_have_count(11)
    expect()(group.get_by_text("Sin dolor")).to_be_visible()
    page.get_by_role("button", name="Enviar respuestas").click()
    expect()(page.get_by_text("Elige una respuesta.")).to_be_visible()
    group.get_by_role("radio", name=re.compile(r"^4\b")).check()
    expect()(page.get_by_text("Elige una respuesta.")).to_be_hidden()
    page.get_by_role("button", name="Enviar respuestas").click()
    expect()(page.get_by_role("heading", name="Progreso", level=1)).to_be_visible()
    assert responses(therapist_http, invited_patient["id"], "nprs")[0]["score"]["total"] == 4

    open_questionnaire(page, "psfs", "Escala funcional específica del paciente")
    expect()(page.get_by_role("textbox", name="Actividad 1")).to_be_visible()

    # FABQ may not be shown translated: the screen says so, in Spanish; its texts are marked English.
    page.goto("/app/#/questionnaire/fabq")
    expect()(page.get_by_text("Este cuestionario solo está disponible en inglés.")).to_be_visible()
    expect()(page.locator("legend[lang=en]").first).to_contain_text("Physical activity")
    expect()(page.get_by_role("button", name="Enviar respuestas")).to_be_visible()


def test_a_questionnaire_answered_offline_is_sent_once_back_online(phone, live_server, invited_patient, therapist_http):
    page = phone.new_page()
    join(page, invited_patient)
    wait_saved_for_offline(page)
    # Progress lists the questionnaires due and keeps what they need for offline use.
    page.goto("/app/#/progress")
    expect()(page.get_by_role("link", name="Numeric Pain Rating Scale")).to_be_visible()
    wait_until(page, "Promise.all(['/static/js/lazy/questionnaire.js', '/api/v1/questionnaires/nprs']"
                     ".map((u) => caches.match(u, { ignoreSearch: true })))"  # API copies are kept per language (?hl=)
                     ".then((found) => found.every(Boolean))")
    phone.set_offline(True)
    page.goto("/app/#/questionnaire/nprs")
    expect()(page.get_by_role("heading", name="Numeric Pain Rating Scale", level=1)).to_be_visible()
    page.get_by_role("radio", name=re.compile(r"^3\b")).check()
    page.get_by_role("button", name="Send answers").click()
    expect()(page.locator("#toast")).to_contain_text("Saved on this phone.")  # the app may also say it offline elsewhere
    queued = page.evaluate(READ_OUTBOX)
    assert [e["kind"] for e in queued] == ["questionnaire"] and queued[0]["body"]["answers"] == {"1": 3}
    assert responses(therapist_http, invited_patient["id"], "nprs") == []
    phone.set_offline(False)
    wait_until(page, f"fetch('/api/v1/questionnaires/nprs/activities').then(() => ({READ_OUTBOX})()).then(q => q.length === 0)")
    stored = responses(therapist_http, invited_patient["id"], "nprs")
    assert [r["score"]["total"] for r in stored] == [3]


def test_questionnaires_pass_axe_in_light_and_dark(phone, live_server, invited_patient):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = phone.new_page()
    join(page, invited_patient)
    found = {}
    for code in ("psfs", "ears", "nprs", "fabq"):
        page.goto(f"/app/#/questionnaire/{code}")
        expect()(page.locator("form button[type=submit]")).to_be_visible()
        page.get_by_role("button", name="Send answers").click()  # with its error messages shown
        expect()(page.locator(".field-error:visible").first).to_be_visible()
        for dark in (False, True):
            page.emulate_media(color_scheme="dark" if dark else "light")
            found[f"{code}{' dark' if dark else ''}"] = axe.run(page).response["violations"]
    bad = {where: [(v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")]
           for where, violations in found.items()}
    assert not {k: v for k, v in bad.items() if v}, bad
