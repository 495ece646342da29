"""The exercise library API serves each exercise's ladder (neighbours as ids) and tags, and the
seeder keeps the ladder right on every run."""
from __future__ import annotations

from hep.library import catalog
from hep.library.seed import seed_library
from hep.models import Exercise, User


def _snapshot():
    return sorted((e.id, e.slug, e.family, e.easier_id, e.harder_id, e.tags, e.is_active) for e in Exercise.select())


def test_the_api_serves_neighbours_as_ids_that_resolve(app, therapist_api):
    rows = therapist_api.get("/api/v1/exercises").get_json()
    by_id = {row["id"]: row for row in rows}
    shipped = {e["slug"]: e for e in catalog.load_exercises()}
    assert {row["slug"] for row in rows} == set(shipped)
    for row in rows:
        expected = shipped[row["slug"]]
        assert row["family"] == expected["family"] and row["tags"] == expected["tags"]
        for field in ("easier", "harder"):
            assert (by_id[row[field]]["slug"] if row[field] else None) == expected[field], (row["slug"], field)
    floor = next(row for row in rows if row["slug"] == "kettlebell-deadlift-from-floor")
    assert by_id[floor["easier"]]["slug"] == "kettlebell-deadlift-from-blocks"
    assert by_id[floor["harder"]]["slug"] == "trap-bar-deadlift"
    assert floor["tags"] == {"direction": "none", "irritability": ["low"], "loaded": True, "entry": None}
    with app.app_context():
        stored = Exercise.get(Exercise.slug == "kettlebell-deadlift-from-floor")
        assert (stored.easier.slug, stored.harder.slug, stored.family) == (
            "kettlebell-deadlift-from-blocks", "trap-bar-deadlift", "deadlift")


def test_filters_by_direction_irritability_and_family(app, therapist_api):
    extension = therapist_api.get("/api/v1/exercises?direction=extension").get_json()
    assert {"prone-lying", "prone-on-elbows", "prone-press-up"} <= {row["slug"] for row in extension}
    assert all(row["tags"]["direction"] == "extension" for row in extension)
    high = therapist_api.get("/api/v1/exercises?irritability=high").get_json()
    assert high and all("high" in row["tags"]["irritability"] for row in high)
    assert "barbell-deadlift" not in {row["slug"] for row in high}
    ladder = therapist_api.get("/api/v1/exercises?family=side-plank").get_json()
    assert sorted(row["slug"] for row in ladder) == ["side-plank", "side-plank-from-knees", "side-plank-with-hip-lifts"]
    bad = therapist_api.get("/api/v1/exercises?direction=sideways")
    assert bad.status_code == 422 and "direction" in str(bad.get_json()["errors"])


def test_a_clinics_own_exercise_has_no_ladder(app, therapist, therapist_api):
    with app.app_context():
        clinic_id = User.get_by_id(therapist["id"]).clinic_id
        Exercise.create(clinic=clinic_id, slug="our-own", name="Our own", phase="calm", category="breathing")
    rows = therapist_api.get("/api/v1/exercises?q=our own").get_json()
    assert [(r["slug"], r["family"], r["easier"], r["harder"], r["tags"]) for r in rows] == [("our-own", None, None, None, {})]
    assert therapist_api.get("/api/v1/exercises?q=our own&direction=none").get_json() == []


def test_the_openapi_schema_documents_the_ladder(app, therapist_api):
    spec = therapist_api.get("/api/v1/openapi.json").get_json()
    schema = spec["components"]["schemas"]["LibraryExerciseOut"]
    assert {"family", "easier", "harder", "tags"} <= set(schema["properties"])
    parameters = {p["name"] for p in spec["paths"]["/api/v1/exercises"]["get"]["parameters"]}
    assert {"phase", "q", "family", "direction", "irritability"} <= parameters


def test_seeding_twice_gives_the_same_rows_with_neighbours(app):
    with app.app_context():  # the app fixture seeded once already
        before = _snapshot()
        again = seed_library()
        assert (again.exercises_created, again.exercises_updated, again.exercises_retired) == (0, 0, 0)
        assert _snapshot() == before
        assert sum(1 for row in before if row[3] is not None) == sum(1 for e in catalog.load_exercises() if e["easier"])


def test_the_seeder_repairs_links_and_retires_out_of_the_ladder(app):
    with app.app_context():
        before = _snapshot()
        Exercise.update(easier=None, harder=None).where(Exercise.slug == "reach-to-chair-seat").execute()
        table = Exercise.get(Exercise.slug == "reach-to-table")
        gone = Exercise.create(slug="old-exercise", name="Old", phase="calm", category="breathing",
                               family="forward-bend", easier=table.id, harder=table.id)
        result = seed_library()
        assert (result.exercises_created, result.exercises_updated, result.exercises_retired) == (0, 1, 1)
        gone = Exercise.get_by_id(gone.id)
        assert (gone.is_active, gone.easier_id, gone.harder_id) == (False, None, None)
        assert [row for row in _snapshot() if row[0] != gone.id] == before
