"""The shipped exercise library and education cards validate, and the validator rejects bad files."""

import ast
import copy
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from hep.library import catalog
from hep.library.catalog import (
    CATEGORIES,
    DOSE_KEYS,
    DOSE_LIMITS,
    EXERCISE_KEYS,
    MEDIA_DIR,
    PHASES,
    CatalogError,
    load_education,
    load_exercises,
)

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def exercises():
    return load_exercises()


@pytest.fixture(scope="module")
def cards():
    return load_education()


# -- the shipped library ---------------------------------------------------------------------


def test_library_has_enough_exercises_with_unique_slugs(exercises):
    assert len(exercises) >= 60
    slugs = [e["slug"] for e in exercises]
    assert len(slugs) == len(set(slugs))


def test_every_exercise_has_every_key(exercises):
    for exercise in exercises:
        assert tuple(exercise) == EXERCISE_KEYS
        assert tuple(exercise["dose"]) == DOSE_KEYS
        assert set(exercise["translations"]["es"]) == {"name", "summary", "steps", "cues", "safety"}


def test_every_phase_and_category_is_represented(exercises):
    assert {e["phase"] for e in exercises} == set(PHASES)
    assert {e["category"] for e in exercises} == set(CATEGORIES)
    counts = Counter(e["category"] for e in exercises)
    for family in ("position-of-ease", "graded-bending", "lifting", "carry", "impact", "trunk-strength", "hip-strength"):
        assert counts[family] >= 3, family


def test_sliders_outnumber_tensioners_and_tensioners_come_later(exercises):
    sliders = [e for e in exercises if e["category"] == "nerve-slider"]
    tensioners = [e for e in exercises if e["category"] == "nerve-tensioner"]
    assert len(sliders) >= 3 and 1 <= len(tensioners) < len(sliders)
    assert all(e["phase"] == "calm" for e in sliders[:3])
    assert all(e["phase"] != "calm" for e in tensioners)


def test_named_exercises_are_present(exercises):
    slugs = {e["slug"] for e in exercises}
    for slug in (
        "seated-sciatic-nerve-slider", "prone-lying", "childs-pose", "cat-camel", "side-glide-at-wall",
        "hip-hinge-to-box", "sit-to-stand", "kettlebell-deadlift-from-floor", "mcgill-curl-up",
        "bird-dog", "pallof-press", "single-leg-bridge", "farmer-carry", "pogo-hops",
    ):
        assert slug in slugs


def test_spanish_texts_are_translated_not_copied(exercises, cards):
    for exercise in exercises:
        assert exercise["translations"]["es"]["name"] != exercise["name"], exercise["slug"]
        assert exercise["translations"]["es"]["steps"] != exercise["steps"], exercise["slug"]
    for card in cards:
        assert card["translations"]["es"]["title"] != card["title"], card["slug"]


def test_education_cards_cover_the_topics(cards):
    assert len(cards) >= 8
    slugs = {c["slug"] for c in cards}
    assert {"hurt-does-not-mean-harm", "when-to-seek-urgent-care", "pain-during-exercise"} <= slugs
    urgent = next(c for c in cards if c["slug"] == "when-to-seek-urgent-care")
    assert "bladder" in " ".join(urgent["body"])


def test_education_cards_carry_the_clinical_review_content(cards):
    """The pain card's week-on-week rule, red flags beyond cauda equina, and the cards on the
    natural history of sciatica and on centralisation, in English and in Spanish."""
    by_slug = {c["slug"]: c for c in cards}

    def text(slug, locale=None):
        card = by_slug[slug]
        body = card["translations"][locale]["body"] if locale else card["body"]
        return " ".join(body).lower()

    assert "week on week" in text("pain-during-exercise") and "semana a semana" in text("pain-during-exercise", "es")
    urgent = text("when-to-seek-urgent-care")
    assert all(sign in urgent for sign in ("fever", "weight loss", "history of cancer", "both legs"))
    assert all(sign in text("when-to-seek-urgent-care", "es") for sign in ("fiebre", "pérdida de peso", "cáncer"))
    assert "most people get better over weeks to months" in text("sciatica-usually-gets-better")
    assert "bed rest does not help" in text("sciatica-usually-gets-better")
    assert "centralisation" in text("centralisation-is-a-good-sign")
    assert "peripheralisation" in text("centralisation-is-a-good-sign")
    for slug in ("sciatica-usually-gets-better", "centralisation-is-a-good-sign"):
        assert by_slug[slug]["translations"]["es"]["title"] and by_slug[slug]["reading_minutes"] <= 3


def test_every_exercise_has_its_own_drawing(exercises):
    """Each exercise has ITS OWN drawing (docs/library-format): start and end position, light, CSP-safe."""
    used = [e["media"] for e in exercises]
    assert all(m == f"exercises/{e['slug']}.svg" for m, e in zip(used, exercises, strict=True)), "media is exercises/<slug>.svg"
    assert len(set(used)) == len(used), "no drawing is shared by two exercises"
    shipped = {f"exercises/{p.name}" for p in (MEDIA_DIR / "exercises").glob("*.svg")}
    assert shipped == set(used), "every drawing is used by exactly one exercise"
    contents: dict[bytes, str] = {}
    for name in used:
        path = MEDIA_DIR / name
        data = path.read_bytes()
        assert len(data) < 1500, f"{name} is {len(data)} bytes"
        assert data not in contents, f"{name} is identical to {contents.get(data)}"
        contents[data] = name
        text = data.decode("utf-8")
        assert "style=" not in text and "<style" not in text and "<script" not in text, name
        assert "href" not in text and "url(" not in text and "<text" not in text, name
        root = ET.fromstring(text)
        assert root.tag == f"{SVG_NS}svg" and root.get("viewBox") == "0 0 240 100" and root.get("role") == "img", name
        title = root.find(f"{SVG_NS}title")
        assert title is not None and title.text.strip(), name
        classes = {g.get("class") for g in root.iter(f"{SVG_NS}g")}
        assert {"start", "end"} <= classes, name
        assert "currentColor" in text, name


def test_catalog_is_pure():
    tree = ast.parse(Path(catalog.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and node.module and node.module not in ("hep.clinical.limits", "hep.clinical.yaml_files")}  # both pure
    assert imported <= {"__future__", "re", "pathlib", "typing", "yaml"}


# -- the validator -----------------------------------------------------------------------------


def _exercise():
    return {
        "slug": "test-slider",
        "name": "Test slider",
        "phase": "calm",
        "category": "nerve-slider",
        "regions": ["lumbar", "leg"],
        "equipment": ["chair"],
        "summary": "A test.",
        "steps": ["Sit.", "Move.", "Rest."],
        "cues": ["Easy.", "Slow."],
        "safety": "Stop if it builds.",
        "dose": {"sets": 2, "reps": 10, "hold_seconds": 0, "rest_seconds": 30, "side": "both",
                 "frequency_per_day": 2, "load": None},
        "media": "exercises/seated-sciatic-nerve-slider.svg",
        "family": "test-family",
        "easier": None,
        "harder": None,
        "tags": {"direction": "none", "irritability": ["low", "moderate"], "loaded": False, "entry": None},
        "translations": {"es": {"name": "Prueba", "summary": "Una prueba.", "steps": ["Siéntate.", "Muévete.", "Descansa."],
                                "cues": ["Fácil.", "Lento."], "safety": "Para si aumenta."}},
    }


def _card():
    return {
        "slug": "test-card",
        "title": "Test",
        "summary": "A test card.",
        "body": ["One.", "Two.", "Three."],
        "reading_minutes": 2,
        "phase": "any",
        "translations": {"es": {"title": "Prueba", "summary": "Una tarjeta.", "body": ["Uno.", "Dos.", "Tres."]}},
    }


def _write(directory, entries, name="broken.yaml"):
    path = Path(directory) / name
    path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _set(path, value):
    """Return a mutator that sets the dotted `path` (creating nothing) to `value`."""
    def mutate(entry):
        *parents, last = path.split(".")
        for key in parents:
            entry = entry[key]
        entry[last] = value
    return mutate


def _delete(path):
    def mutate(entry):
        *parents, last = path.split(".")
        for key in parents:
            entry = entry[key]
        del entry[last]
    return mutate


def test_valid_example_loads(tmp_path):
    _write(tmp_path, [_exercise()])
    [loaded] = load_exercises(tmp_path)
    assert loaded == _exercise()


BROKEN_EXERCISES = [
    ("missing-key", _delete("name"), "name"),
    ("unknown-key", _set("colour", "red"), "colour"),
    ("bad-phase", _set("phase", "rehab"), "phase"),
    ("bad-category", _set("category", "yoga"), "category"),
    ("bad-region", _set("regions", ["neck"]), "regions"),
    ("empty-regions", _set("regions", []), "regions"),
    ("repeated-region", _set("regions", ["leg", "leg"]), "regions"),
    ("bad-equipment", _set("equipment", ["trampoline"]), "equipment"),
    ("equipment-not-list", _set("equipment", "chair"), "equipment"),
    ("too-few-steps", _set("steps", ["Sit.", "Move."]), "steps"),
    ("too-many-cues", _set("cues", ["a", "b", "c", "d", "e"]), "cues"),
    ("blank-step", _set("steps", ["Sit.", " ", "Rest."]), "steps[1]"),
    ("empty-summary", _set("summary", ""), "summary"),
    ("safety-not-text", _set("safety", False), "safety"),
    ("zero-sets", _set("dose.sets", 0), "dose.sets"),
    ("text-reps", _set("dose.reps", "ten"), "dose.reps"),
    ("negative-hold", _set("dose.hold_seconds", -5), "dose.hold_seconds"),
    ("float-rest", _set("dose.rest_seconds", 30.5), "dose.rest_seconds"),
    ("bool-frequency", _set("dose.frequency_per_day", True), "dose.frequency_per_day"),
    ("bad-side", _set("dose.side", "up"), "dose.side"),
    ("empty-load", _set("dose.load", ""), "dose.load"),
    ("dose-missing-key", _delete("dose.load"), "dose.load"),
    ("dose-unknown-key", _set("dose.tempo", "3-1-1"), "dose.tempo"),
    ("dose-not-mapping", _set("dose", [2, 10]), "dose"),
    ("media-missing", _set("media", "exercises/nope.svg"), "media"),
    ("media-escapes", _set("media", "../../catalog.py"), "media"),
    ("no-spanish", _set("translations", {"fr": {}}), "translations.es"),
    ("bad-language", _set("translations.Spanish", {}), "translations.Spanish"),
    ("translation-missing-name", _delete("translations.es.name"), "translations.es.name"),
    ("translation-step-count", _set("translations.es.steps", ["Uno.", "Dos.", "Tres.", "Cuatro."]), "translations.es.steps"),
    ("translation-cue-count", _set("translations.es.cues", ["Uno.", "Dos.", "Tres."]), "translations.es.cues"),
    ("missing-family", _delete("family"), "family"),
    ("missing-tags", _delete("tags"), "tags"),
    ("bad-family", _set("family", "Hinge Ladder"), "family"),
    ("easier-not-slug", _set("easier", 3), "easier"),
    ("harder-is-itself", _set("harder", "test-slider"), "harder"),
    ("unknown-easier", _set("easier", "no-such-exercise"), "easier"),
    ("unknown-harder", _set("harder", "no-such-exercise"), "harder"),
    ("new-category-ok-then-bad-equipment", lambda e: e.update(category="aerobic", equipment=["hoverboard"]), "equipment"),
    ("tags-missing-key", _delete("tags.loaded"), "tags.loaded"),
    ("tags-unknown-key", _set("tags.colour", "red"), "tags.colour"),
    ("bad-direction", _set("tags.direction", "rotation"), "tags.direction"),
    ("empty-irritability", _set("tags.irritability", []), "tags.irritability"),
    ("bad-irritability", _set("tags.irritability", ["severe"]), "tags.irritability"),
    ("loaded-not-bool", _set("tags.loaded", "yes"), "tags.loaded"),
    ("bad-entry-code", _set("tags.entry", {"criterion": "plank-seconds", "minimum": 30}), "tags.entry.criterion"),
    ("entry-zero-minimum", _set("tags.entry", {"criterion": "pain-free-hops", "minimum": 0}), "tags.entry.minimum"),
    ("entry-missing-minimum", _set("tags.entry", {"criterion": "pain-free-hops"}), "tags.entry.minimum"),
    ("impact-without-entry", _set("category", "impact"), "tags.entry"),
    ("plyometric-without-entry", _set("category", "plyometric"), "tags.entry"),
    ("running-without-entry", _set("category", "running"), "tags.entry"),
]


@pytest.mark.parametrize(("mutate", "field"), [c[1:] for c in BROKEN_EXERCISES], ids=[c[0] for c in BROKEN_EXERCISES])
def test_validator_rejects_broken_exercise(tmp_path, mutate, field):
    entry = _exercise()
    mutate(entry)
    _write(tmp_path, [_exercise() | {"slug": "fine-one", "family": "other"}, entry])
    with pytest.raises(CatalogError) as info:
        load_exercises(tmp_path)
    message = str(info.value)
    assert "broken.yaml" in message and "test-slider" in message
    assert f": {field}:" in message
    assert info.value.field == field and info.value.slug == "test-slider"


def test_new_categories_and_equipment_are_accepted(tmp_path):
    entry = _exercise() | {"category": "running", "equipment": ["cone", "car", "barbell", "trap-bar", "bike", "pool"]}
    entry["tags"] = entry["tags"] | {"entry": {"criterion": "brisk-walk-minutes", "minimum": 30}}
    _write(tmp_path, [entry])
    [loaded] = load_exercises(tmp_path)
    assert loaded["tags"]["entry"] == {"criterion": "brisk-walk-minutes", "minimum": 30}
    assert set(catalog.ENTRY_CRITERIA) == {"single-leg-heel-raises", "single-leg-sit-to-stand", "pain-free-hops",
                                           "brisk-walk-minutes", "side-plank-seconds"}


def _rung(slug, easier=None, harder=None, family="hinge", phase="calm"):
    return _exercise() | {"slug": slug, "family": family, "easier": easier, "harder": harder, "phase": phase}


GOOD_LADDER = [_rung("a", None, "b"), _rung("b", "a", "c", phase="exposure"), _rung("c", "b", None, phase="load")]
BROKEN_LADDERS = [
    # (id, entries, slug named, field named, problem)
    ("non-mutual-harder", [_rung("a", None, "b"), _rung("b", None, None)], "a", "harder", "not mutual"),
    ("non-mutual-easier", [_rung("a", None, None), _rung("b", "a", None)], "b", "easier", "not mutual"),
    ("other-family", [_rung("a", None, "b"), _rung("b", "a", None, family="squat")], "a", "harder", "family squat"),
    ("cycle", [_rung("a", "c", "b"), _rung("b", "a", "c"), _rung("c", "b", "a")], "a", "family", "cycle"),
    ("cycle-beside-ladder", [_rung("a", None, None), _rung("b", "c", "c"), _rung("c", "b", "b")], "a", "family", "cycle"),
    ("two-ladders", [_rung("a", None, "b"), _rung("b", "a", None), _rung("c", None, None)], "c", "family", "more than one ladder"),
    ("harder-in-earlier-phase", [_rung("a", None, "b", phase="load"), _rung("b", "a", None, phase="calm")], "a", "harder",
     "earlier phase"),
]


def test_a_linear_ladder_across_files_loads(tmp_path):
    _write(tmp_path, GOOD_LADDER[:1], name="one.yaml")
    _write(tmp_path, GOOD_LADDER[1:], name="two.yaml")
    loaded = {e["slug"]: e for e in load_exercises(tmp_path)}
    assert (loaded["a"]["harder"], loaded["b"]["easier"], loaded["b"]["harder"], loaded["c"]["easier"]) == ("b", "a", "c", "b")


@pytest.mark.parametrize(("entries", "slug", "field", "problem"), [c[1:] for c in BROKEN_LADDERS], ids=[c[0] for c in BROKEN_LADDERS])
def test_validator_rejects_broken_ladders(tmp_path, entries, slug, field, problem):
    _write(tmp_path, entries)
    with pytest.raises(CatalogError) as info:
        load_exercises(tmp_path)
    assert str(info.value).startswith(f"{tmp_path / 'broken.yaml'}: {slug}: {field}:")
    assert problem in str(info.value)
    assert (info.value.slug, info.value.field) == (slug, field)


def test_validator_names_entry_number_when_slug_is_unusable(tmp_path):
    _write(tmp_path, [_exercise() | {"slug": "fine-one"}, _exercise() | {"slug": "Not A Slug"}])
    with pytest.raises(CatalogError, match=r"broken\.yaml: #2: slug:"):
        load_exercises(tmp_path)


def test_validator_rejects_duplicate_slugs_across_files(tmp_path):
    _write(tmp_path, [_exercise()], name="a.yaml")
    _write(tmp_path, [_exercise()], name="b.yaml")
    with pytest.raises(CatalogError, match=r"b\.yaml: test-slider: slug: duplicate slug.*a\.yaml"):
        load_exercises(tmp_path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [("- slug: [unclosed\n", "cannot read YAML"), ("slug: not-a-list\n", "YAML list"), ("", "YAML list"), ("- 42\n", "mapping")],
    ids=["syntax", "mapping-at-top", "empty-file", "scalar-entry"],
)
def test_validator_rejects_malformed_files(tmp_path, text, problem):
    (tmp_path / "broken.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=problem) as info:
        load_exercises(tmp_path)
    assert "broken.yaml" in str(info.value)


def test_empty_directory_is_an_error(tmp_path):
    with pytest.raises(CatalogError, match="no \\*.yaml files"):
        load_exercises(tmp_path)


def test_media_is_checked_against_the_given_media_dir(tmp_path):
    (tmp_path / "media" / "exercises").mkdir(parents=True)
    (tmp_path / "media" / "exercises" / "own.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "lib").mkdir()
    _write(tmp_path / "lib", [_exercise() | {"media": "exercises/own.svg"}])
    assert load_exercises(tmp_path / "lib", media_dir=tmp_path / "media")[0]["media"] == "exercises/own.svg"
    with pytest.raises(CatalogError, match="media"):
        load_exercises(tmp_path / "lib")


BROKEN_CARDS = [
    ("missing-title", _delete("title"), "title"),
    ("bad-phase", _set("phase", "later"), "phase"),
    ("short-body", _set("body", ["One.", "Two."]), "body"),
    ("zero-minutes", _set("reading_minutes", 0), "reading_minutes"),
    ("text-minutes", _set("reading_minutes", "3"), "reading_minutes"),
    ("body-count", _set("translations.es.body", ["Uno.", "Dos.", "Tres.", "Cuatro."]), "translations.es.body"),
    ("translation-extra", _set("translations.es.steps", []), "translations.es.steps"),
]


@pytest.mark.parametrize(("mutate", "field"), [c[1:] for c in BROKEN_CARDS], ids=[c[0] for c in BROKEN_CARDS])
def test_validator_rejects_broken_card(tmp_path, mutate, field):
    entry = _card()
    mutate(entry)
    _write(tmp_path, [entry])
    with pytest.raises(CatalogError) as info:
        load_education(tmp_path)
    assert "broken.yaml" in str(info.value) and "test-card" in str(info.value)
    assert info.value.field == field


@settings(max_examples=40, deadline=None)
@given(field=st.sampled_from(sorted(DOSE_LIMITS)), value=st.integers(min_value=-50, max_value=800))
def test_dose_bounds_are_enforced_exactly(field, value):
    low, high = DOSE_LIMITS[field]
    entry = copy.deepcopy(_exercise())
    entry["dose"][field] = value
    with tempfile.TemporaryDirectory() as directory:
        _write(directory, [entry])
        if low <= value <= high:
            assert load_exercises(directory)[0]["dose"][field] == value
        else:
            with pytest.raises(CatalogError, match=f"dose.{field}"):
                load_exercises(directory)
