"""The "Own exercises" page: add an exercise (422 with the fields marked, else post /
redirect / get), upload a picture (a renamed text file refused at the field), remove one;
asserted on what the page shows and what the database holds."""
from __future__ import annotations

import io

from hep.models import Exercise
from tests.support import media_files
from tests.support.pages import csrf_from, post_form, sign_in, text_of

FORM = {"name": "Towel hamstring slide", "phase": "calm", "category": "nerve-slider", "regions": ["leg"],
        "summary": "Slide the towel.", "steps": "Sit tall.\nSlide the heel.\n\n", "cues": "", "safety": "",
        "sets": "2", "reps": "8", "hold_seconds": ""}


def own(app):
    with app.app_context():
        return list(Exercise.select().where(Exercise.clinic.is_null(False)))


def test_an_exercise_is_added_and_given_a_picture(app, therapist):
    browser = sign_in(app, therapist["email"])
    assert 'href="/t/exercises"' in text_of(browser.get("/t/patients"))
    refused = post_form(browser, "/t/exercises", {**FORM, "name": "", "regions": [], "sets": "0"})
    assert refused.status_code == 422
    page = text_of(refused)
    assert 'id="x-name-error"' in page and 'id="x-regions-error"' in page and 'id="x-sets-error"' in page
    assert "Slide the towel." in page  # what was typed is kept
    assert own(app) == []

    added = post_form(browser, "/t/exercises", FORM)
    assert added.status_code == 302
    [exercise] = own(app)
    assert added.headers["Location"].endswith(f"/t/exercises#exercise-{exercise.id}")
    assert exercise.steps == ["Sit tall.", "Slide the heel."] and exercise.default_dose["reps"] == 8
    page = text_of(browser.get("/t/exercises"))
    assert "Added “Towel hamstring slide”" in page and f'id="exercise-{exercise.id}"' in page

    url = f"/t/exercises/{exercise.id}/media"
    token = csrf_from(browser, "/t/exercises")
    wrong = browser.post(url, data={"csrf_token": token, "file": (io.BytesIO(b"plain words"), "photo.png")})
    assert wrong.status_code == 415 and f'id="file-{exercise.id}-error"' in text_of(wrong)
    uploaded = browser.post(url, data={"csrf_token": token, "file": (io.BytesIO(media_files.png()), "photo.png")})
    assert uploaded.status_code == 302
    [exercise] = own(app)
    assert exercise.image and exercise.image.endswith(".png")
    page = text_of(browser.get("/t/exercises"))
    assert f'src="/api/v1/media/{exercise.image}"' in page
    served = browser.get(f"/api/v1/media/{exercise.image}")
    assert served.status_code == 200 and served.get_data() == media_files.png()
    served.close()

    removed = post_form(browser, f"/t/exercises/{exercise.id}/archive", {}, form_page="/t/exercises")
    assert removed.status_code == 302
    assert "No exercises of your own yet." in text_of(browser.get("/t/exercises"))
