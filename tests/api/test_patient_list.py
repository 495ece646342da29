"""The patient list (API and page) is read in a fixed number of statements: 200 patients
with 90 days of logs cost what 5 patients cost, and the rows say what the logs say."""
from __future__ import annotations

import time

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
