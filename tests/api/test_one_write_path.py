"""Every action the therapist pages and the JSON API both offer goes through one service: done
once through each, it leaves the same rows and the same audit events.

Two therapists of one clinic do the same work, one through the API and one through the
pages; the rows each leaves (ids and times aside) must match, audit events included.
"""
from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from hep.clinical import ASSESSMENT_FIELDS
from hep.models import (
    Assessment,
    AuditEvent,
    ExposureSession,
    HierarchyItem,
    Invite,
    Patient,
    Prescription,
    Program,
    ProgramVersion,
    User,
)
from hep.people.accounts import create_or_update_therapist
from tests.support.pages import post_form, sign_in, text_of

from conftest import PASSWORD, ApiClient, exercise_id

RED_FLAGS = [f.name for f in ASSESSMENT_FIELDS if f.section == "red_flags" and f.kind == "bool"]
DOSE = {"sets": 3, "reps": 8, "hold_seconds": 5, "rest_seconds": 30, "side": "left", "load": "",
        "frequency_per_day": 2, "days_of_week": [1, 3, 5], "pain_ceiling": 4, "notes": "Slowly"}


def snapshot(email: str) -> dict:
    """What a therapist's work left in the database, without ids or times."""
    user = User.get(User.email == email)
    patient = Patient.get(Patient.therapist == user)
    versions = list(ProgramVersion.select().join(Program)
                    .where(Program.patient == patient).order_by(ProgramVersion.number))
    return {
        "signed_in": user.last_login_at is not None,
        "session_version": user.session_version,
        "patient": (patient.display_name, patient.timezone, patient.email, patient.clinical_settings),
        "invites": sorted((i.revoked_at is not None, i.used_at is not None)
                          for i in Invite.select().where(Invite.patient == patient)),
        "program": [(v.number, v.phase, v.notes, [
            (p.exercise_id, p.position, p.sets, p.reps, p.hold_seconds, p.rest_seconds, p.side,
             p.load, p.frequency_per_day, p.days_of_week, p.pain_ceiling, p.notes)
            for p in Prescription.select().where(Prescription.version == v).order_by(Prescription.position)])
            for v in versions],
        "assessments": [(a.kind, a.assessed_on, a.data, a.created_by_id == user.id)
                        for a in Assessment.select().where(Assessment.patient == patient)],
        "hierarchy": [(h.activity, h.harm_rating, [(s.feared_outcome, s.prediction, s.fear_before, s.outcome_happened, s.fear_after,
                                                    s.safety_behaviour, s.note) for s in
                                                   ExposureSession.select().where(ExposureSession.item == h)])
                      for h in HierarchyItem.select().where(HierarchyItem.patient == patient)],
        # Reads differ (the pages show a form before each post); each change is one event.
        "audit": [(e.action, e.patient_id == patient.id, sorted(e.detail)) for e in
                  AuditEvent.select().where((AuditEvent.actor == user) & (AuditEvent.action != "read"))
                  .order_by(AuditEvent.id)],
    }


def test_pages_and_api_leave_the_same_rows_and_audit(app, api):
    with app.app_context():
        for email in ("api@clinic.test", "pages@clinic.test"):
            create_or_update_therapist(email, PASSWORD, "Pat", "Clinic A")
    assessment = {"irritability": "moderate", "most_distal_symptom": "below_knee", "pain_now": 6,
                  **{name: False for name in RED_FLAGS}}

    # Through the JSON API.
    client = _login(api(), "api@clinic.test")
    slider = exercise_id(client, "seated-sciatic-nerve-slider")
    created = client.post("/api/v1/patients", {"display_name": "Ana", "timezone": "Europe/Madrid",
                                               "email": "ana@example.test"}).get_json()
    pid = created["id"]
    assert client.post(f"/api/v1/patients/{pid}/invites").status_code == 201
    assert client.post(f"/api/v1/patients/{pid}/program", {
        "phase": "calm", "notes": "Week 1", "items": [{"exercise_id": slider, **DOSE, "load": None}]}).status_code == 201
    assert client.post(f"/api/v1/patients/{pid}/assessments", {
        "kind": "initial", "assessed_on": "2026-11-02", "data": assessment}).status_code == 201
    item = client.post(f"/api/v1/patients/{pid}/hierarchy", {"activity": "Bend to the floor", "harm_rating": 60}).get_json()
    assert client.post(f"/api/v1/patients/{pid}/hierarchy/{item['id']}/sessions", {
        "id": str(uuid.uuid4()), "performed_at": datetime.now(UTC).isoformat(),
        "feared_outcome": "My back locks", "prediction": 60, "fear_before": 70, "outcome_happened": False,
        "fear_after": 30, "safety_behaviour": True, "note": "Went well"}).status_code == 201
    assert client.put(f"/api/v1/patients/{pid}/settings", {"adherence_target_percent": 90}).status_code == 200
    api_library = [e["id"] for e in client.get("/api/v1/exercises?phase=calm&q=nerve").get_json()]
    assert client.post("/api/v1/auth/logout").status_code == 200

    # Through the pages.
    browser = sign_in(app, "pages@clinic.test")
    assert post_form(browser, "/t/patients", {"display_name": "Ana", "timezone": "Europe/Madrid",
                                              "email": "ana@example.test"}).status_code == 302
    with app.app_context():
        pid = Patient.get(Patient.therapist == User.get(User.email == "pages@clinic.test").id).id
    assert post_form(browser, f"/t/patients/{pid}/invites", {}, form_page=f"/t/patients/{pid}").status_code == 302
    editor = f"/t/patients/{pid}/program"
    row = {f"items-0-{k}": str(v) for k, v in DOSE.items() if k != "days_of_week"}
    assert post_form(browser, editor, {"phase": "calm", "notes": "Week 1", "action": "save",
                                       "items-0-exercise_id": str(slider), **row,
                                       "items-0-days_of_week": ["1", "3", "5"]}).status_code == 302
    form = {k: ("yes" if v is True else "no" if v is False else str(v)) for k, v in assessment.items()}
    assert post_form(browser, f"/t/patients/{pid}/assessments/new",
                     {"kind": "initial", "assessed_on": "2026-11-02", **form}).status_code == 302
    hierarchy = f"/t/patients/{pid}/hierarchy"
    assert post_form(browser, hierarchy, {"action": "add", "activity": "Bend to the floor",
                                          "harm_rating": "60"}).status_code == 302
    page = text_of(browser.get(hierarchy))
    item_id, client_id = re.search(r'name="item_id" value="(\d+)">\s*<input type="hidden" name="id" value="([^"]+)"',
                                   page).groups()
    assert post_form(browser, hierarchy, {"action": "session", "item_id": item_id, "id": client_id,
                                          "feared_outcome": "My back locks", "prediction": "60",
                                          "fear_before": "70", "outcome_happened": "no", "fear_after": "30",
                                          "safety_behaviour": "yes", "note": "Went well"}).status_code == 302
    settings = f"/t/patients/{pid}/settings"
    values = dict(re.findall(r'name="([a-z_]+)" type="number" step="[^"]+" inputmode="decimal" value="([^"]*)"',
                             text_of(browser.get(settings))))
    assert post_form(browser, settings, {**values, "adherence_target_percent": "90"}).status_code == 302
    page = text_of(browser.get(f"{editor}?phase=calm&q=nerve"))
    page_library = [int(i) for i in re.findall(r'(?:id="add-|name="add" value=")(\d+)"', page)]
    assert post_form(browser, "/t/logout", {}, form_page="/t/patients").status_code == 302

    with app.app_context():
        through_api, through_pages = snapshot("api@clinic.test"), snapshot("pages@clinic.test")
    assert through_api == through_pages
    # The snapshot holds the work itself, so an empty one cannot pass.
    assert [a for a, _p, _d in through_api["audit"]] == [
        "login", "patient.create", "invite.issue", "invite.issue", "program.assign",
        "assessment.create", "hierarchy.add", "exposure.session", "settings.update", "logout"]
    assert through_api["signed_in"] and through_api["session_version"] == 2
    assert through_api["invites"] == [(False, False), (True, False)]
    assert through_api["patient"][3] == {"adherence_target_percent": 90.0}
    assert through_api["hierarchy"] == [("Bend to the floor", 60, [("My back locks", 60, 70, False, 30, True, "Went well")])]
    assert api_library == page_library and slider in api_library


def _login(client: ApiClient, email: str) -> ApiClient:
    assert client.post("/api/v1/auth/login", {"email": email, "password": PASSWORD}).status_code == 200
    return client
