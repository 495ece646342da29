"""The therapist's two busiest pages run a bounded number of SQL statements: the patient list
and one patient's dashboard, the same with four patients of two days as with 200 patients of
90 days of logs each (``pytest -s`` prints the counts)."""
from __future__ import annotations

import pytest

from hep.people.accounts import create_or_update_therapist
from tests.support.bulk import add_patients
from tests.support.pages import sign_in
from tests.support.queries import statements

from conftest import PASSWORD

SMALL = {"patients": 4, "days": 2}
LARGE = {"patients": 200, "days": 90}
#: The most statements each page may run, whatever the history (the dashboard runs 35 before the
#: messages and sharing panels join it: room for theirs).
BUDGET = {"list": 15, "dashboard": 45}


def _world(app, size: dict) -> tuple:
    email = f"pages{size['patients']}@clinic.test"
    with app.app_context():
        user, _ = create_or_update_therapist(email, PASSWORD, "Page Therapist", f"Clinic {size['patients']}")
        ids = add_patients(user.id, size["patients"], days=size["days"], exercises=3, versions=2,
                           name=f"Q{size['patients']}", alert_every=10)
    return sign_in(app, email), ids[0]


def _count(client, path: str) -> int:
    with statements() as seen:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    return len(seen)


@pytest.mark.slow
def test_the_patient_list_and_a_dashboard_run_bounded_statements(app):
    counts = {}
    for name, size in (("small", SMALL), ("large", LARGE)):
        client, patient_id = _world(app, size)
        _count(client, f"/t/patients/{patient_id}")  # the first request warms per-process caches
        counts[name] = {"list": _count(client, "/t/patients"), "dashboard": _count(client, f"/t/patients/{patient_id}")}
    print(f"\nstatements: {counts}")
    for page in ("list", "dashboard"):
        assert counts["large"][page] <= counts["small"][page], (page, counts)
        assert counts["large"][page] <= BUDGET[page], (page, counts)
