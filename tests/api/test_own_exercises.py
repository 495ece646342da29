"""The clinic's own exercises and their pictures and videos: validated, shared within the
clinic only, type told by content, size limited, served with ranges and caching headers to
the clinic's staff and to the patients who have the exercise in their program."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from hep.models import AuditEvent, Exercise
from hep.people.accounts import create_or_update_therapist
from tests.support import media_files

from conftest import PASSWORD, exercise_id

BODY = {"name": "Towel hamstring slide", "phase": "calm", "category": "nerve-slider", "regions": ["leg"],
        "equipment": ["towel"], "summary": "Slide the towel under your heel, gently.",
        "steps": ["Sit tall.", "Slide the heel forward.", "Slide it back."], "cues": ["Breathe out."],
        "safety": "Stop if the leg tingles more.", "default_dose": {"sets": 2, "reps": 8}}


@pytest.fixture
def app_config():
    return {"MEDIA_MAX_MB": 1}


def sign_in(app, api, email, clinic):
    with app.app_context():
        create_or_update_therapist(email, PASSWORD, email.split("@")[0].title(), clinic)
    client = api()
    assert client.post("/api/v1/auth/login", {"email": email, "password": PASSWORD}).status_code == 200
    return client


def upload(client, exercise, data: bytes, filename="picture.png", content_type="application/octet-stream"):
    """POST ``data`` as the multipart ``file`` (encoded in memory: the test client's own
    encoder leaves a temporary file open when the app refuses the body unread)."""
    if client.csrf is None:
        client.refresh_csrf()
    file = FileStorage(io.BytesIO(data), filename, content_type=content_type)
    boundary, body = encode_multipart(MultiDict([("file", file)]))
    return client.http.post(f"/api/v1/exercises/{exercise}/media", data=body, headers={"X-CSRF-Token": client.csrf},
                            content_type=f"multipart/form-data; boundary={boundary}")


def fetch(client, url, **kwargs):
    """GET ``url``, its body read and the file it streams closed."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def create(client, **extra):
    response = client.post("/api/v1/exercises", {**BODY, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def stored_files(app) -> list[Path]:
    return sorted(p for p in (Path(app.instance_path) / "media").rglob("*") if p.is_file())


def test_an_own_exercise_is_shared_within_the_clinic_only(app, api, therapist_api):
    easier = exercise_id(therapist_api, "seated-sciatic-nerve-slider")
    created = create(therapist_api, easier=easier)
    assert created["slug"] == "towel-hamstring-slide" and created["clinic_id"] is not None
    assert created["default_dose"] == {"sets": 2, "reps": 8, "hold_seconds": 0, "rest_seconds": 30, "side": "both",
                                       "frequency_per_day": 1, "load": None}
    assert created["easier"] == easier and created["harder"] is None and created["image_url"] is None
    assert create(therapist_api)["slug"] == "towel-hamstring-slide-2"  # unique within the clinic
    with app.app_context():
        row = Exercise.get_by_id(created["id"])
        assert row.clinic.name == "Clinic A" and row.steps == BODY["steps"] and row.is_active
        assert AuditEvent.select().where(AuditEvent.action == "exercise.create").count() == 2

    colleague = sign_in(app, api, "colleague@clinic.test", "Clinic A")
    assert "towel-hamstring-slide" in {e["slug"] for e in colleague.get("/api/v1/exercises?q=towel").get_json()}
    stranger = sign_in(app, api, "stranger@other.test", "Clinic B")
    assert stranger.get("/api/v1/exercises?q=towel").get_json() == []
    assert upload(stranger, created["id"], media_files.png()).status_code == 404
    assert stranger.post(f"/api/v1/exercises/{created['id']}/archive").status_code == 404
    # Another clinic cannot use it as a neighbour either.
    refused = stranger.post("/api/v1/exercises", {**BODY, "harder": created["id"]})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"harder"}

    patient_id = therapist_api.post("/api/v1/patients", {"display_name": "O1", "timezone": "UTC"}).get_json()["id"]
    assigned = therapist_api.post(f"/api/v1/patients/{patient_id}/program",
                                  {"phase": "calm", "items": [{"exercise_id": created["id"]}]})
    assert assigned.status_code == 201 and assigned.get_json()["items"][0]["reps"] == 8

    archived = therapist_api.post(f"/api/v1/exercises/{created['id']}/archive")
    assert archived.status_code == 200
    assert "towel-hamstring-slide" not in {e["slug"] for e in therapist_api.get("/api/v1/exercises").get_json()}
    shipped = therapist_api.post(f"/api/v1/exercises/{easier}/archive")
    assert shipped.status_code == 409


def test_an_own_exercise_is_changed_field_by_field(app, api, therapist_api):
    created = create(therapist_api)
    url = f"/api/v1/exercises/{created['id']}"
    changed = therapist_api.patch(url, {"name": "Towel slide, seated", "default_dose": {"reps": 12}})
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["name"] == "Towel slide, seated" and body["slug"] == "towel-hamstring-slide"  # the slug stays
    assert body["default_dose"]["reps"] == 12 and body["default_dose"]["sets"] == 2 and body["steps"] == BODY["steps"]
    with app.app_context():
        assert Exercise.get_by_id(created["id"]).default_dose["reps"] == 12
    refused = therapist_api.patch(url, {"harder": created["id"], "steps": []})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"steps"}
    itself = therapist_api.patch(url, {"harder": created["id"]})
    assert itself.status_code == 422 and set(itself.get_json()["errors"]) == {"harder"}
    shipped = exercise_id(therapist_api, "prone-on-elbows")
    assert therapist_api.patch(f"/api/v1/exercises/{shipped}", {"name": "Mine"}).status_code == 409
    stranger = sign_in(app, api, "stranger@other.test", "Clinic B")
    assert stranger.patch(url, {"name": "Theirs"}).status_code == 404
    with app.app_context():
        assert Exercise.get_by_id(created["id"]).name == "Towel slide, seated"


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"name", "phase", "category", "regions", "summary", "steps"}),
    ({**BODY, "name": ""}, {"name"}),
    ({**BODY, "phase": "sprint", "regions": ["elbow"]}, {"phase", "regions"}),
    ({**BODY, "steps": []}, {"steps"}),
    ({**BODY, "default_dose": {"reps": 0}}, {"default_dose"}),
    ({**BODY, "easier": 999999}, {"easier"}),
])
def test_bad_own_exercises_are_422_naming_the_fields(app, therapist_api, body, fields):
    response = therapist_api.post("/api/v1/exercises", body)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert set(response.get_json()["errors"]) == fields
    with app.app_context():
        assert Exercise.select().where(Exercise.clinic.is_null(False)).count() == 0


@pytest.mark.parametrize(("make", "kind", "mimetype"), [
    (media_files.png, "image", "image/png"),
    (media_files.jpeg, "image", "image/jpeg"),
    (media_files.mp4, "video", "video/mp4"),
    (media_files.webm, "video", "video/webm"),
])
def test_pictures_and_videos_are_stored_and_served(app, therapist_api, make, kind, mimetype):
    exercise = create(therapist_api)
    data = make()
    # The name and the client's type say nothing: the content does.
    response = upload(therapist_api, exercise["id"], data, filename="clip.txt", content_type="text/plain")
    assert response.status_code == 201, response.get_json()
    url = response.get_json()[f"{kind}_url"]
    assert url.startswith("/api/v1/media/")
    served = fetch(therapist_api, url)
    assert served.status_code == 200 and served.data == data
    assert served.headers["Content-Type"] == mimetype
    assert "private" in served.headers["Cache-Control"] and "max-age" in served.headers["Cache-Control"]
    assert served.headers["ETag"] and served.headers["Accept-Ranges"] == "bytes"
    assert fetch(therapist_api, url, headers={"If-None-Match": served.headers["ETag"]}).status_code == 304
    [stored] = stored_files(app)
    assert stored.read_bytes() == data and stored.parent.name == str(exercise["clinic_id"])
    assert stored.stat().st_mode & 0o777 == 0o600
    with app.app_context():
        assert getattr(Exercise.get_by_id(exercise["id"]), kind) == stored.name


def test_a_range_request_gets_206_with_those_bytes(app, therapist_api):
    exercise = create(therapist_api)
    data = media_files.mp4(payload=bytes(range(256)) * 8)
    url = upload(therapist_api, exercise["id"], data, filename="clip.mp4").get_json()["video_url"]
    part = fetch(therapist_api, url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert fetch(therapist_api, url, headers={"Range": f"bytes={len(data) + 10}-"}).status_code == 416


def test_a_new_upload_replaces_the_old_file_of_its_kind(app, therapist_api):
    exercise = create(therapist_api)
    first = upload(therapist_api, exercise["id"], media_files.png(rgb=(1, 2, 3))).get_json()["image_url"]
    upload(therapist_api, exercise["id"], media_files.mp4())
    second = upload(therapist_api, exercise["id"], media_files.png(rgb=(9, 9, 9))).get_json()
    assert second["image_url"] != first and second["video_url"]
    assert fetch(therapist_api, first).status_code == 404
    assert len(stored_files(app)) == 2


def test_a_renamed_text_file_is_refused_and_nothing_kept(app, therapist_api):
    exercise = create(therapist_api)
    response = upload(therapist_api, exercise["id"], b"just some notes\n" * 10, filename="photo.png",
                      content_type="image/png")
    assert response.status_code == 415
    assert response.headers["Content-Type"] == "application/problem+json"
    assert set(response.get_json()["errors"]) == {"file"}
    missing = therapist_api.http.post(f"/api/v1/exercises/{exercise['id']}/media", data={},
                                      headers={"X-CSRF-Token": therapist_api.csrf}, content_type="multipart/form-data")
    assert missing.status_code == 422 and set(missing.get_json()["errors"]) == {"file"}
    assert stored_files(app) == []
    with app.app_context():
        assert Exercise.get_by_id(exercise["id"]).image is None


@pytest.mark.parametrize("size", [1024 * 1024 + 1, 3 * 1024 * 1024])  # just over; far over (refused unread by werkzeug)
def test_over_the_limit_is_413(app, therapist_api, size):
    exercise = create(therapist_api)
    data = media_files.png()
    response = upload(therapist_api, exercise["id"], data + b"\x00" * (size - len(data)))
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert stored_files(app) == [] and not list((Path(app.instance_path) / "media").rglob(".*"))
    with app.app_context():
        assert Exercise.get_by_id(exercise["id"]).image is None


def test_the_shipped_library_takes_no_uploads(app, therapist_api):
    shipped = exercise_id(therapist_api, "prone-on-elbows")
    assert upload(therapist_api, shipped, media_files.png()).status_code == 409
    assert upload(therapist_api, 999999, media_files.png()).status_code == 404


def test_media_reach_the_clinic_and_only_patients_who_have_the_exercise(app, api, therapist_api, enrolled):
    patient, patient_id, program = enrolled
    exercise = create(therapist_api)
    data = media_files.png()
    url = upload(therapist_api, exercise["id"], data).get_json()["image_url"]

    assert fetch(patient, url).status_code == 404  # not in their program (yet)
    items = [{"exercise_id": i["exercise_id"]} for i in program["items"]] + [{"exercise_id": exercise["id"]}]
    program_url = f"/api/v1/patients/{patient_id}/program"
    assert therapist_api.post(program_url, {"phase": "calm", "items": items, "confirm_volume_increase": True}).status_code == 201
    served = fetch(patient, url)
    assert served.status_code == 200 and served.data == data
    today = patient.get("/api/v1/today").get_json()
    assert [i["exercise"]["image_url"] for i in today["items"]][-1] == url

    other = therapist_api.post("/api/v1/patients", {"display_name": "Other", "timezone": "UTC"}).get_json()
    stranger_patient = api()
    stranger_patient.post("/api/v1/auth/join", {"token": other["invite_url"].rsplit("/", 1)[-1]})
    assert fetch(stranger_patient, url).status_code == 404
    assert fetch(sign_in(app, api, "colleague@clinic.test", "Clinic A"), url).status_code == 200
    assert fetch(sign_in(app, api, "stranger@other.test", "Clinic B"), url).status_code == 404
    assert fetch(api(), url).status_code == 401
    assert fetch(therapist_api, "/api/v1/media/../../hep.db").status_code == 404
    assert fetch(therapist_api, "/api/v1/media/" + "0" * 32 + ".png").status_code == 404

    # Taken out of the program again: the patient no longer reaches it.
    assert therapist_api.post(f"/api/v1/patients/{patient_id}/program",
                              {"phase": "calm", "items": items[:1], "confirm_volume_increase": True}).status_code == 201
    assert fetch(patient, url).status_code == 404
