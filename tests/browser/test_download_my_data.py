"""The patient downloads their data from Settings: a JSON file saved on the phone."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .test_patient_pwa import expect, join

pytestmark = pytest.mark.browser


def test_download_my_data_saves_the_export_as_a_json_file(app, phone, live_server, invited_patient):
    from hep.models import AuditEvent, Patient

    page = phone.new_page()
    join(page, invited_patient)
    page.get_by_role("link", name="Settings").first.click()
    button = page.get_by_role("button", name="Download my data")
    expect()(button).to_be_visible()
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert re.fullmatch(r"my-data-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    expect()(page.locator("[role=status]").filter(has_text="Your data was saved as a file.").first).to_be_visible()

    assert data["format"] == "hep-patient-export" and data["patient_id"] == invited_patient["id"]
    assert data["tables"]["patient"][0]["display_name"] == "Ana Paciente"
    assert len(data["tables"]["prescription"]) == 2
    assert "token_hash" not in json.dumps(data)
    with app.app_context():
        user_id = Patient.get_by_id(invited_patient["id"]).user_id
        export = AuditEvent.select().where(AuditEvent.action == "patient.export").get()
    assert (export.actor_id, export.patient_id) == (user_id, invited_patient["id"])
    assert [e["id"] for e in data["tables"]["audit_event"] if e["action"] == "patient.export"] == [export.id]
