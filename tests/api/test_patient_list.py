"""The patient list (API and page) is read in a fixed number of statements: 200 patients
with 90 days of logs cost what 5 patients cost, and the rows say what the logs say."""
from __future__ import annotations

import time
import uuid

import pytest

from hep.timeutil import today_in
from tests.support.bulk import add_patients
from tests.support.queries import statements


def counted(client, path):
    with statements() as seen:
        response = client.get(path)
    assert response.status_code == 200
    return len(seen), response


def test_the_list_costs_the_same_for_5_and_200_patients_with_90_days_of_logs(app, therapist, therapist_api):
    with app.app_context():
        first = add_patients(therapist["id"], 5, days=90)
    small_api, _ = counted(therapist_api, "/api/v1/patients")
    small_page, _ = counted(therapist_api.http, "/t/patients")

    with app.app_context():
        add_patients(therapist["id"], 195, days=90, name="More")
    started = time.perf_counter()
    large_api, response = counted(therapist_api, "/api/v1/patients")
    elapsed = time.perf_counter() - started
    large_page, page = counted(therapist_api.http, "/t/patients")
    print(f"\npatient list: {small_api} statements for 5 patients, {large_api} for 200 (API); "
          f"page {small_page} / {large_page}; API {elapsed * 1000:.0f} ms for 200 x 90 days")
    assert large_api == small_api and large_page == small_page
    assert small_api <= 12

    rows = response.get_json()
    assert len(rows) == 200
    row = next(r for r in rows if r["id"] == first[0])
    today = today_in("Europe/Madrid").isoformat()
    assert row["joined"] is True and row["phase"] == "calm"
    assert row["last_activity"] == today
    assert row["sessions_today"] == {"done": 2, "target": 2}
    assert [f["code"] for f in row["flags"]] == ["low_adherence"]
    # Flagged patients come first.
    flagged = sum(1 for r in rows if r["flags"])
    assert flagged == 1 + 20  # every tenth of each batch
    assert all(r["flags"] for r in rows[:flagged]) and not any(r["flags"] for r in rows[flagged:])
    assert page.get_data(as_text=True).count("Bulk 0000") == 1


def _checkin(day: str) -> dict:
    return {"id": str(uuid.uuid4()), "date": day, "morning_pain": 2, "settled": "yes", "distal_symptom": "back",
            "new_numbness_or_weakness": False, "red_flag_change": False}


@pytest.fixture
def three(api, therapist_api, enrolled):
    """Jo Patient (joined, checked in today), Ángela Ruiz (never joined), bob smith (joined,
    nothing logged): {name: id}."""
    patient, jo, _program = enrolled
    assert patient.post("/api/v1/checkins", _checkin(today_in("Europe/Madrid").isoformat())).status_code == 201
    ids = {"Jo Patient": jo}
    for name, joins in (("Ángela Ruiz", False), ("bob smith", True)):
        created = therapist_api.post("/api/v1/patients", {"display_name": name, "timezone": "Europe/Madrid"}).get_json()
        ids[name] = created["id"]
        if joins:
            api().post("/api/v1/auth/join", {"token": created["invite_url"].rsplit("/", 1)[-1]})
    return ids


def _names(client, query=""):
    response = client.get("/api/v1/patients" + query)
    assert response.status_code == 200, response.get_json()
    return [row["display_name"] for row in response.get_json()]


def test_the_list_searches_names_ignoring_case_and_accents(therapist_api, three):
    assert _names(therapist_api, "?q=%C3%81NGELA") == ["Ángela Ruiz"]  # "ÁNGELA"
    assert _names(therapist_api, "?q=angela") == ["Ángela Ruiz"]
    assert _names(therapist_api, "?q=SMI") == ["bob smith"]
    assert _names(therapist_api, "?q=%20pat%20") == ["Jo Patient"]
    assert _names(therapist_api, "?q=nobody") == []


def test_the_list_filters_by_flag_and_never_joined_patients_are_flagged(therapist_api, three):
    assert _names(therapist_api, "?flag=not_joined") == ["Ángela Ruiz"]
    row = therapist_api.get("/api/v1/patients?flag=not_joined").get_json()[0]
    assert row["joined"] is False and [f["code"] for f in row["flags"]] == ["not_joined"]
    assert _names(therapist_api, "?flag=red_flag") == []


def test_the_list_sorts_by_name_by_last_activity_and_by_urgency(therapist_api, three):
    assert _names(therapist_api, "?sort=name") == ["Ángela Ruiz", "bob smith", "Jo Patient"]
    assert _names(therapist_api, "?sort=last_activity") == ["Jo Patient", "Ángela Ruiz", "bob smith"]
    rows = therapist_api.get("/api/v1/patients").get_json()  # urgency is the default
    assert rows[0]["display_name"] == "Ángela Ruiz"  # the only flag: not joined
    assert _names(therapist_api, "?sort=urgency") == [r["display_name"] for r in rows]


def test_each_row_has_its_last_check_in_and_last_activity(therapist_api, three):
    today = today_in("Europe/Madrid").isoformat()
    rows = {r["display_name"]: r for r in therapist_api.get("/api/v1/patients").get_json()}
    assert rows["Jo Patient"]["last_checkin"] == rows["Jo Patient"]["last_activity"] == today
    assert rows["bob smith"]["last_checkin"] is None and rows["bob smith"]["last_activity"] is None


@pytest.mark.parametrize("query, field", [("?flag=nope", "flag"), ("?sort=oldest", "sort"), ("?q=" + "x" * 201, "q")])
def test_unknown_list_values_are_422_naming_the_field(therapist_api, three, query, field):
    response = therapist_api.get("/api/v1/patients" + query)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_the_filtered_and_sorted_list_costs_what_the_whole_list_costs(app, therapist, therapist_api):
    with app.app_context():
        add_patients(therapist["id"], 30, days=10)
    whole, _ = counted(therapist_api, "/api/v1/patients")
    for query in ("?q=bulk&flag=low_adherence&sort=last_activity", "?sort=name", "?q=0001"):
        assert counted(therapist_api, "/api/v1/patients" + query)[0] <= whole


def test_every_flag_a_row_can_carry_can_be_filtered(app):
    from hep.care.attention import FLAG_CODES, _labels

    with app.test_request_context():
        assert set(_labels()) | {"assessment_red_flag", "not_joined", "self_progressed"} == set(FLAG_CODES)
