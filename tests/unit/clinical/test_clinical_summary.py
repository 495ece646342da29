"""The one-call patient summary the API's summary endpoint serialises."""
from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

from clinical_factories import DAILY, TODAY, TZ, completion, green_logs

from hep.clinical import Dose, OpenAlert, patient_summary


def test_summary_gathers_everything_as_plain_json():
    comps, checks = green_logs()
    comps.append(completion("p2", TODAY - timedelta(days=1), pain_during=8, prescription_id=2))
    comps.append(completion("p1", TODAY - timedelta(days=2), pain_during=7, prescription_id=2))
    checks[-1] = dataclasses.replace(checks[-1], morning_pain=3)  # +1: daily variation
    summary = patient_summary({1: DAILY, 2: Dose(2, 8)}, comps, checks, today=TODAY, tz=TZ,
                              days=14, program_start=TODAY - timedelta(days=13))
    data = json.loads(json.dumps(summary.to_dict()))
    assert [r["status"] for r in data["recommendations"]] == ["progress", "regress"]
    assert data["adherence"]["prescriptions"]["1"]["session_percent"] == 100.0
    assert data["adherence"]["session_percent"] == round(15 / 26 * 100, 1)
    assert data["monitoring_days"]["count"] == 14 and data["monitoring_days"]["band"] == "2-15"
    assert {a["code"] for a in data["alerts"]} == {"regress_recommended"}
    last = data["pain_series"][-1]
    assert last == {"date": TODAY.isoformat(), "pain_during_mean": None, "pain_during_max": None,
                    "pain_after_max": None, "morning_pain": 3, "distal_symptom": "thigh",
                    "back_pain": None, "leg_pain": None}
    yesterday = data["pain_series"][-2]
    assert (yesterday["pain_during_mean"], yesterday["pain_during_max"]) == (5.0, 8)


def test_summary_passes_the_alert_state_and_exercise_flags_on():
    comps, checks = green_logs()
    common = dict(today=TODAY, tz=TZ, days=14, program_start=TODAY - timedelta(days=13))
    stopped = patient_summary({1: DAILY}, comps, checks, open_alert=OpenAlert("urgent", "x"),
                              **common)
    assert [r.status for r in stopped.recommendations] == ["stop"]
    checks[-1] = dataclasses.replace(checks[-1], settled="no")
    calm = patient_summary({1: DAILY}, comps, checks, calming={1}, **common)
    assert [r.status for r in calm.recommendations] == ["hold"]
