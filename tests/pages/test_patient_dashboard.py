"""The patient's page as a dashboard: what comes first, the charts with their text and
tables, the log behind a toggle with its filter, and alerts that name their exercise once."""
from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from hep.care.summary import refresh_alerts
from hep.models import Alert, Patient
from tests.support.pages import sign_in, text_of

from conftest import exercise_id


@pytest.fixture
def demo(app):
    """The demo's data and its therapist signed in through the login form: (client, patient id)."""
    from hep.demo import prepare

    with app.test_request_context():
        credentials = prepare("http://127.0.0.1:5000")
        patient_id = Patient.select(Patient.id).order_by(Patient.id).scalar()
    return sign_in(app, credentials.email, credentials.password), patient_id


def positions(page: str, *markers: str) -> list[int]:
    return [page.index(marker) for marker in markers]


def test_alerts_come_first_then_recommendations_charts_program_and_the_log(demo):
    client, patient_id = demo
    page = text_of(client.get(f"/t/patients/{patient_id}"))
    order = positions(page, 'id="alerts"', 'id="recommendations"', 'id="charts"', 'id="program"', 'id="log"',
                      'id="join-link"', 'id="devices"')
    assert order == sorted(order)
    alerts = page.split('id="alerts"')[1].split('id="recommendations"')[0]
    assert "Regress proposed" in alerts and "(Sit to stand)" in alerts and "Acknowledge" in alerts
    recommendations = page.split('id="recommendations"')[1].split('id="charts"')[0]
    assert "Sit to stand" in recommendations and '<span class="badge badge-regress">Regress</span>' in recommendations
    assert "Pain during reached 6/10" in recommendations and ">Apply</a>" in recommendations
    # The log is collapsed until asked for.
    assert re.search(r'<details class="log">\s*<summary>Sessions and morning check-ins</summary>', page)


def test_regress_proposed_names_the_exercise_once_however_often_alerts_are_refreshed(app, demo):
    client, patient_id = demo
    with app.app_context():
        patient = Patient.get_by_id(patient_id)
        for _ in range(3):
            refresh_alerts(patient)
        regress = list(Alert.select().where((Alert.patient == patient_id) & (Alert.code == "regress_recommended")))
    assert len(regress) == 1 and regress[0].prescription_id is not None
    alerts = text_of(client.get(f"/t/patients/{patient_id}")).split('id="alerts"')[1].split('id="recommendations"')[0]
    assert alerts.count("Regress proposed") == 1 and alerts.count("(Sit to stand)") == 1


def test_charts_are_images_with_a_text_alternative_and_a_table_behind_a_toggle(demo):
    client, patient_id = demo
    page = text_of(client.get(f"/t/patients/{patient_id}"))
    charts = page.split('id="charts"')[1].split('id="program"')[0]
    svgs = re.findall(r'<svg class="chart [^"]+" id="([a-z-]+)"[^>]*role="img" aria-labelledby="\1-title \1-desc"', charts)
    assert svgs == ["chart-session-pain", "chart-morning-pain", "chart-adherence", "chart-outcome-nprs",
                    "chart-monitoring"]
    for chart_id in svgs:
        assert re.search(rf'<title id="{chart_id}-title">[^<]+</title><desc id="{chart_id}-desc">[^<]+</desc>', charts)
    assert charts.count('<details class="chart-data">') == 5
    assert charts.count("<summary>Show the figures as a table</summary>") == 5
    # The patient's own lines, from their settings, on the session pain chart.
    assert "progress at or below 3" in charts and "regress above 5" in charts
    assert "The patient's progress line is 3/10, the regress line above 5/10." in charts
    # Morning back and leg pain are drawn when the patient rates them.
    assert re.search(r"on the latest, overall \d+/10, back \d+/10, leg \d+/10\.", charts)
    # The calendar reads the one count of sessions: "done/target" in each day of the period.
    assert re.search(r"\d+ of \d+ planned sessions done from", charts)
    assert re.search(r'<g class="cell cell-(all|part|none)[^"]*"><rect[^>]*><title>[^<]+</title></rect><text[^>]*>\d+/\d+</text>', charts)
    # The demo's weekly pain rating, easing by half: a meaningful change.
    assert "4 responses: 6 at baseline, 3 now. A meaningful change." in charts
    # Monitoring: the RTM period's days with data.
    assert re.search(r"Period 1, [^:]+: \d+ days with data so far\.", charts)


def test_outcome_measures_are_charted_with_the_meaningful_change_line(app, enrolled, browser_client):
    phone, patient_id, _program = enrolled
    for rating in (6, 3):
        response = phone.post("/api/v1/questionnaires/nprs/responses", {"id": str(uuid.uuid4()), "answers": {"1": rating}})
        assert response.status_code == 201, response.get_json()
    page = text_of(browser_client.get(f"/t/patients/{patient_id}"))
    chart = page.split('id="chart-outcome-nprs"')[1].split("</svg>")[0]
    assert "Numeric Pain Rating Scale from" in chart and "6 at baseline, 3 now. A meaningful change." in chart
    # 2 points or 30 % of the baseline, whichever is smaller: 6 - 1.8.
    assert "baseline 6" in chart and "meaningful change 4.2" in chart


def test_the_log_is_filtered_by_exercise_and_days(app, enrolled, therapist_api, browser_client):
    phone, patient_id, program = enrolled
    slider, prone = (item["id"] for item in program["items"])
    now = datetime.now(UTC)
    for rx, hours in ((slider, 1), (prone, 2)):
        body = {"id": str(uuid.uuid4()), "prescription_id": rx, "performed_at": (now - timedelta(hours=hours)).isoformat(),
                "sets_done": 1, "reps_done": 1, "pain_during": 1, "pain_after": 1, "effort": 3, "note": f"rx {rx}"}
        assert phone.post("/api/v1/completions", body).status_code == 201
    today = phone.get("/api/v1/today").get_json()["date"]
    assert phone.post("/api/v1/checkins", {"id": str(uuid.uuid4()), "date": today, "morning_pain": 7, "settled": "no",
                                           "distal_symptom": "back", "new_numbness_or_weakness": False,
                                           "red_flag_change": False}).status_code == 201
    url = f"/t/patients/{patient_id}"
    everything = text_of(browser_client.get(url)).split('id="log-title"')[1]
    assert f"rx {slider}" in everything and f"rx {prone}" in everything and "<td>7/10</td>" in everything

    hinge = exercise_id(therapist_api, "prone-on-elbows")
    only = browser_client.get(url, query_string={"exercise": hinge})
    body = text_of(only)
    assert only.status_code == 200 and '<details class="log" open>' in body
    log = body.split('id="log-title"')[1]
    assert f"rx {prone}" in log and f"rx {slider}" not in log
    assert re.search(rf'<option value="{hinge}" selected>[^<]+</option>', body)

    tomorrow = (now + timedelta(days=2)).date().isoformat()
    later = text_of(browser_client.get(url, query_string={"from": tomorrow})).split('id="log-title"')[1]
    assert "rx " not in later.split('id="checkins-title"')[0] and "Nothing logged yet." in later
    assert "<td>7/10</td>" not in later and "No check-ins yet." in later  # check-ins follow the chosen days too


@pytest.mark.parametrize("query, field, message", [
    ({"from": "yesterday"}, "from", "Must be a date."),
    ({"from": "2026-12-05", "to": "2026-12-01"}, "to", "The first day must not be after the last."),
    ({"exercise": "slider"}, "exercise", "Must be a whole number."),
])
def test_a_bad_log_filter_is_422_naming_the_field(enrolled, browser_client, query, field, message):
    _phone, patient_id, _program = enrolled
    response = browser_client.get(f"/t/patients/{patient_id}", query_string=query)
    body = text_of(response)
    assert response.status_code == 422 and '<details class="log" open>' in body
    assert re.search(rf'id="log-{field}" [^>]*aria-invalid="true"', body)
    assert f'<p class="field-error" id="log-{field}-error">{message}</p>' in body


@pytest.fixture
def browser_client(app, therapist):
    return sign_in(app, therapist["email"])
