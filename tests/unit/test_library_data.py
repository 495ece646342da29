"""The shipped library's ladders, tags and texts follow the documented rules (docs/clinical.md, Library)."""
import re
from collections import Counter

import pytest

from hep.library.catalog import ENTRY_CATEGORIES, PHASES, load_exercises

# Any pain figure out of ten, however written, in English or Spanish.
PAIN_FIGURE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:/\s*10\b|out of 10\b|sobre 10\b|de cada 10\b|de 10\b)", re.IGNORECASE)
RULE_EN = re.compile(r"up to 5/10 is acceptable when it settles by the next morning")
RULE_ES = re.compile(r"hasta 5/10 .*si se calma a la mañana siguiente")


@pytest.fixture(scope="module")
def library():
    return {e["slug"]: e for e in load_exercises()}


def _texts(exercise):
    """Every patient-facing text of an exercise: (language, field, text)."""
    for language, texts in [("en", exercise), *exercise["translations"].items()]:
        for field in ("name", "summary", "safety"):
            yield language, field, texts[field]
        for field in ("steps", "cues"):
            for text in texts[field]:
                yield language, field, text


def test_neighbours_exist_point_the_right_way_and_stay_in_the_family(library):
    for slug, exercise in library.items():
        if exercise["harder"]:
            harder = library[exercise["harder"]]
            assert harder["easier"] == slug and harder["family"] == exercise["family"], slug
            assert PHASES.index(harder["phase"]) >= PHASES.index(exercise["phase"]), slug
        if exercise["easier"]:
            easier = library[exercise["easier"]]
            assert easier["harder"] == slug and easier["family"] == exercise["family"], slug


def test_each_family_is_one_ladder_without_cycles(library):
    families = Counter(e["family"] for e in library.values())
    for family, size in families.items():
        [bottom] = [e for e in library.values() if e["family"] == family and e["easier"] is None]
        seen, current = [], bottom
        while current is not None:
            assert current["slug"] not in seen, family
            seen.append(current["slug"])
            current = library.get(current["harder"])
        assert len(seen) == size, family


def test_the_ladders_the_clinic_relies_on(library):
    def ladder(start):
        slugs, current = [], library[start]
        while current:
            slugs.append(current["slug"])
            current = library.get(current["harder"])
        return slugs

    hinge = ladder("hip-hinge-to-box")
    assert hinge[:5] == ["hip-hinge-to-box", "reach-to-table", "reach-to-chair-seat", "reach-to-low-step", "reach-to-floor"]
    nerve = ladder("seated-ankle-and-neck-slider")
    categories = [library[s]["category"] for s in nerve]
    assert categories == sorted(categories, key=["nerve-slider", "nerve-tensioner"].index), "tensioners come after sliders"
    assert ladder("kettlebell-deadlift-from-blocks")[:3] == ["kettlebell-deadlift-from-blocks", "kettlebell-deadlift-from-floor",
                                                             "trap-bar-deadlift"]
    assert ladder("side-plank-from-knees") == ["side-plank-from-knees", "side-plank", "side-plank-with-hip-lifts"]
    assert ladder("glute-bridge") == ["glute-bridge", "single-leg-bridge", "hip-thrust"]
    assert library["side-glide-at-wall"]["harder"] == "press-up-hips-off-centre"
    assert library["walking-little-and-often"]["harder"] == "brisk-walking"


def test_every_phase_has_at_least_25_exercises(library):
    counts = Counter(e["phase"] for e in library.values())
    assert all(counts[phase] >= 25 for phase in PHASES), counts


def test_impact_plyometric_and_running_work_has_an_entry_criterion(library):
    gated = [e for e in library.values() if e["category"] in ENTRY_CATEGORIES]
    assert len(gated) >= 10
    for exercise in gated:
        assert exercise["tags"]["entry"] is not None, exercise["slug"]


def test_tags_are_consistent_with_the_exercise(library):
    for slug, exercise in library.items():
        tags = exercise["tags"]
        if {"kettlebell", "dumbbell", "barbell", "trap-bar"} & set(exercise["equipment"]):
            assert tags["loaded"], slug
        if exercise["phase"] == "calm":
            assert "high" in tags["irritability"] or "moderate" in tags["irritability"], slug
    assert library["prone-press-up"]["tags"]["direction"] == "extension"
    assert library["side-glide-at-wall"]["tags"]["direction"] == "lateral-shift"


def test_pain_ceilings_follow_the_one_rule(library):
    for slug, exercise in library.items():
        for language, field, text in _texts(exercise):
            figures = PAIN_FIGURE.findall(text)
            assert set(figures) <= {"5"}, (slug, language, field, text)
            if figures and field == "safety":
                assert (RULE_ES if language == "es" else RULE_EN).search(text), (slug, language, text)


def test_the_ankle_and_neck_slider_slides(library):
    """A slider loads one end as the other unloads: toes back with the head up, toes away with the chin down."""
    steps = library["seated-ankle-and-neck-slider"]["steps"]
    assert any("toes back" in s and "look up" in s for s in steps)
    assert any("toes away" in s and "chin down" in s for s in steps)
    assert not any("toes back" in s and "chin down" in s for s in steps)
    spanish = library["seated-ankle-and-neck-slider"]["translations"]["es"]["steps"]
    assert any("hacia ti" in s and "techo" in s for s in spanish)
    assert any("alejándola" in s and "barbilla" in s for s in spanish)
