"""Progress on one's own at a phone viewport: the step offered on Today (axe clean in light
and dark mode, in Spanish too) and accepted (a new version by the patient), nothing offered
while the recommendation is hold, and "What changed" shown once after the therapist's new
version."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from hep.models import CheckIn, Completion, Prescription, Program, ProgramVersion
from hep.timeutil import local_date, to_storage, utcnow

from .test_patient_pwa import expect, join

pytestmark = pytest.mark.browser

BOUNDS = {"reps_max": 15, "reps_step": 2}


@pytest.fixture
def bounded_patient(therapist_http):
    created = therapist_http.post("/api/v1/patients", {"display_name": "Sol Paciente", "timezone": "Europe/Madrid"}).json()
    exercises = {row["slug"]: row["id"] for row in therapist_http.get("/api/v1/exercises").json()}
    program = therapist_http.post(f"/api/v1/patients/{created['id']}/program", {"phase": "load", "items": [
        {"exercise_id": exercises["hip-hinge-to-box"], "sets": 2, "reps": 10, "frequency_per_day": 1,
         "self_progression": BOUNDS}]})
    assert program.status_code == 201, program.text
    return {"id": created["id"], "join_url": created["invite_url"], "program": program.json(), "exercises": exercises}


def lived_steady_days(app, patient_id: int, days: int = 8) -> None:
    """The program started ``days`` days ago and every day since went well: a quiet session
    (pain 1/1) and a settled morning at 2, stored as the services would store them."""
    now = utcnow()
    with app.app_context():
        program = Program.get(Program.patient == patient_id)
        ProgramVersion.update(created_at=to_storage(now - timedelta(days=days + 1))).where(
            ProgramVersion.program == program).execute()
        rx = Prescription.select().join(ProgramVersion).where(ProgramVersion.program == program).get()
        for day in range(days, 0, -1):
            at = now - timedelta(days=day)
            when, local = to_storage(at), local_date(at, "Europe/Madrid")
            Completion.create(id=str(uuid.uuid4()), patient=patient_id, prescription=rx, performed_at=when, local_date=local,
                              sets_done=2, reps_done=10, pain_during=1, pain_after=1, effort=4, note="",
                              recorded_at=when, request_hash="0" * 64)
            CheckIn.create(id=str(uuid.uuid4()), patient=patient_id, date=local, morning_pain=2, settled="yes",
                           distal_symptom="back", new_numbness_or_weakness=False, red_flag_change=False,
                           recorded_at=when, request_hash="0" * 64)


def test_the_next_step_is_offered_and_taken(phone, app, bounded_patient, therapist_http):
    from axe_playwright_python.sync_playwright import Axe

    lived_steady_days(app, bounded_patient["id"])
    page = phone.new_page()
    join(page, bounded_patient)
    expect()(page.get_by_role("group", name="Ready for 12 reps?")).to_be_visible()
    axe = Axe()
    found = {}
    for dark in (False, True):
        page.emulate_media(color_scheme="dark" if dark else "light")
        found[dark] = [(v["id"], len(v["nodes"])) for v in axe.run(page).response["violations"]
                       if v["impact"] in ("serious", "critical")]
    assert found == {False: [], True: []}

    page.evaluate("localStorage.setItem('hep_locale', 'es')")
    page.reload()
    offer = page.get_by_role("group", name="¿Listo para 12 repeticiones?")
    expect()(offer).to_be_visible()
    offer.get_by_role("button", name="Sí").click()
    expect()(page.get_by_text("12 repeticiones")).to_be_visible()
    expect()(page.get_by_role("group", name="¿Listo para 12 repeticiones?")).to_have_count(0)
    expect()(page.get_by_role("heading", name="Qué cambió")).to_have_count(0)  # the patient's own step

    history = therapist_http.get(f"/api/v1/patients/{bounded_patient['id']}/program").json()["history"]
    assert [(v["number"], v["created_by_role"], v["items"][0]["reps"]) for v in history] == [
        (2, "patient", 12), (1, "therapist", 10)]
    row = next(r for r in therapist_http.get("/api/v1/patients").json() if r["id"] == bounded_patient["id"])
    assert row["self_progressed"] is True


def test_nothing_is_offered_on_hold_and_what_changed_shows_once(phone, bounded_patient, therapist_http):
    page = phone.new_page()
    join(page, bounded_patient)  # no history yet: the recommendation is hold
    expect()(page.get_by_text("2 sets · 10 reps")).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect()(page.get_by_text("Ready for", exact=False)).to_have_count(0)
    rx = bounded_patient["program"]["items"][0]["id"]
    status = page.evaluate("""async (rx) => {
        const me = await (await fetch('/api/v1/me')).json();
        const res = await fetch(`/api/v1/today/${rx}/progress`, {method: 'POST', headers: {
            'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token},
            body: JSON.stringify({id: crypto.randomUUID(), direction: 'harder'})});
        const body = await res.json();
        return [res.status, body.reason, body.recommendation];
    }""", rx)
    assert status == [409, "status", "hold"]
    program_url = f"/api/v1/patients/{bounded_patient['id']}/program"
    assert [v["number"] for v in therapist_http.get(program_url).json()["history"]] == [1]  # refused: no new version

    hinge = bounded_patient["exercises"]["hip-hinge-to-box"]
    saved = therapist_http.post(f"/api/v1/patients/{bounded_patient['id']}/program", {
        "phase": "load", "notes": "Slower on the way down.", "confirm_volume_increase": True, "items": [
            {"exercise_id": hinge, "sets": 3, "reps": 10, "frequency_per_day": 1, "self_progression": BOUNDS}]})
    assert saved.status_code == 201, saved.text
    page.reload()
    notice = page.get_by_role("region", name="What changed")
    expect()(notice).to_be_visible()
    expect()(notice.get_by_text("3 sets", exact=False)).to_be_visible()
    expect()(notice.get_by_text("Slower on the way down.", exact=False)).to_be_visible()
    from axe_playwright_python.sync_playwright import Axe

    for dark in (False, True):
        page.emulate_media(color_scheme="dark" if dark else "light")
        assert not [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    # The notice says what the server's history holds for the new version.
    newest = therapist_http.get(program_url).json()["history"][0]
    assert (newest["number"], newest["created_by_role"], newest["notes"]) == (2, "therapist", "Slower on the way down.")
    assert [(c["change"], c["field"], c["before"], c["after"]) for c in newest["changes"]] == [
        ("changed", "notes", "", "Slower on the way down."), ("changed", "sets", 2, 3)]
    notice.get_by_role("button", name="Got it").click()
    page.reload()
    expect()(page.get_by_text("3 sets · 10 reps")).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect()(page.get_by_role("region", name="What changed")).to_have_count(0)
