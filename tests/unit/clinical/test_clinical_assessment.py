"""The structured assessment spec, its validation and the reassessment comparison."""
from __future__ import annotations

import pytest

from hep.clinical import (
    ASSESSMENT_FIELDS,
    CAUDA_EQUINA_FLAGS,
    EMERGENCY_FLAGS,
    FIELDS_BY_NAME,
    SECTIONS,
    classify_red_flags,
    compare_assessments,
    red_flags_present,
    validate_assessment,
)

RED_FLAGS = [f.name for f in ASSESSMENT_FIELDS if f.section == "red_flags" and f.kind == "bool"]
MINIMAL = {"irritability": "moderate", "most_distal_symptom": "thigh"} | dict.fromkeys(RED_FLAGS, False)


def test_spec_is_complete_and_consistent():
    names = [f.name for f in ASSESSMENT_FIELDS]
    assert len(names) == len(set(names))
    sections = {code for code, _ in SECTIONS}
    for spec in ASSESSMENT_FIELDS:
        assert spec.section in sections and spec.label
        assert bool(spec.choices) == (spec.kind in ("choice", "multi")), spec.name
        if spec.kind == "int":
            assert spec.minimum is not None and spec.maximum is not None
        if spec.better and spec.kind in ("choice",):
            assert len(spec.choices) >= 2
    for needed in ("flexion_leg_effect", "extension_leg_effect", "side_glide_left_leg_effect",
                   "hip_flexion_degrees", "hip_abduction_strength", "weekly_training_minutes",
                   "aggravating", "easing", "pattern_24h", "irritability", "most_distal_symptom",
                   "numbness", "weakness", "psfs_activities", "saddle_numbness",
                   "bladder_or_bowel_change", "progressive_weakness"):
        assert needed in FIELDS_BY_NAME
    assert FIELDS_BY_NAME["flexion_leg_effect"].choices == ("reproduces", "eases", "no_effect")
    assert set(CAUDA_EQUINA_FLAGS) <= set(RED_FLAGS)


def test_minimal_assessment_is_valid():
    assert validate_assessment(MINIMAL) == {}
    assert validate_assessment({}, partial=True) == {}


@pytest.mark.parametrize("field, value, message", [
    ("bogus", 1, "Unknown field."),
    ("flexion_leg_effect", "hurts", "Must be one of"),
    ("aggravating", ["sitting", "flying"], "Unknown choice"),
    ("aggravating", ["sitting", "sitting"], "must not repeat"),
    ("aggravating", "sitting", "Must be a list."),
    ("hip_abduction_strength", 6, "between 0 and 5"),
    ("hip_abduction_strength", True, "whole number"),
    ("numbness", "yes", "true or false"),
    ("psfs_activities", ["walk", "sit"], "between 3 and 5"),
    ("psfs_activities", ["walk", "sit", "bend", "lift", "run", "jump"], "between 3 and 5"),
    ("psfs_activities", ["walk", "sit", " "], "non-empty"),
    ("spinal_movement_notes", "x" * 2001, "at most 2000"),
])
def test_invalid_values_are_reported_by_field(field, value, message):
    errors = validate_assessment(MINIMAL | {field: value})
    assert list(errors) == [field]
    assert any(message in m for m in errors[field])


def test_required_fields():
    errors = validate_assessment({})
    assert set(errors) == {"irritability", "most_distal_symptom", *RED_FLAGS}
    assert validate_assessment(MINIMAL | {"saddle_numbness": None}) == {"saddle_numbness": ["Required."]}


def test_red_flags_present():
    assert red_flags_present(MINIMAL) == ()
    assert red_flags_present(MINIMAL | {"saddle_numbness": True, "history_of_cancer": True}) == (
        "saddle_numbness", "history_of_cancer")


def test_compare_assessments_side_by_side():
    before = MINIMAL | {"most_distal_symptom": "foot", "irritability": "high",
                        "hip_abduction_strength": 3, "flexion_leg_effect": "reproduces",
                        "aggravating": ["sitting", "bending"], "psfs_activities": ["a", "b", "c"],
                        "numbness": True}
    after = MINIMAL | {"most_distal_symptom": "buttock", "irritability": "moderate",
                       "hip_abduction_strength": 2, "flexion_leg_effect": "no_effect",
                       "aggravating": ["bending", "sitting"], "psfs_activities": ("a", "b", "c"),
                       "numbness": False, "saddle_numbness": True, "pain_now": 3}
    changes = {c.name: c for c in compare_assessments(before, after)}
    assert {k: c.direction for k, c in changes.items()} == {
        "most_distal_symptom": "better", "irritability": "better",
        "hip_abduction_strength": "worse", "flexion_leg_effect": "changed",
        "aggravating": "same", "psfs_activities": "same", "numbness": "better",
        "saddle_numbness": "worse", "pain_now": "changed",  # not assessed before
        **{f: "same" for f in RED_FLAGS if f != "saddle_numbness"},
    }
    assert changes["most_distal_symptom"].before == "foot"
    assert changes["most_distal_symptom"].after == "buttock"
    assert list(changes) == [f.name for f in ASSESSMENT_FIELDS if f.name in changes]


# ---- red flags weighed in clusters (IFOMPT) ---------------------------------------------------



def _screen(**answers):
    data = MINIMAL | answers
    assert validate_assessment(data) == {}
    return classify_red_flags(data)


@pytest.mark.parametrize("answers, level, codes", [
    ({}, None, []),
    ({"history_of_cancer": True}, "caution", ["history_of_cancer"]),
    ({"history_of_cancer": True, "constant_night_pain": True}, "urgent", ["suspected_malignancy"]),
    ({"history_of_cancer": True, "new_spinal_pain": True}, "urgent", ["suspected_malignancy"]),
    ({"history_of_cancer": True, "unexplained_weight_loss": True}, "urgent",
     ["suspected_malignancy"]),
    ({"history_of_cancer": True, "numbness": True}, "urgent", ["suspected_malignancy"]),
    ({"history_of_cancer": True, "no_improvement_4_6_weeks": True}, "urgent",
     ["suspected_malignancy"]),
    ({"saddle_numbness": True}, "emergency", ["saddle_numbness"]),
    ({"bilateral_leg_symptoms": True}, "emergency", ["bilateral_leg_symptoms"]),
    ({"progressive_weakness": True, "history_of_cancer": True}, "emergency",
     ["progressive_weakness", "suspected_malignancy"]),
    ({"minor_trauma": True}, "caution", ["minor_trauma"]),
    ({"minor_trauma": True, "osteoporosis": True}, "urgent", ["suspected_fracture"]),
    ({"minor_trauma": True, "age_years": 70}, "urgent", ["suspected_fracture"]),
    ({"minor_trauma": True, "age_years": 60}, "caution", ["minor_trauma"]),
    ({"minor_trauma": True, "long_term_corticosteroids": True}, "urgent", ["suspected_fracture"]),
    ({"recent_significant_trauma": True}, "urgent", ["suspected_fracture"]),
    ({"fever_or_unwell": True, "injected_drug_use": True}, "urgent", ["suspected_infection"]),
    ({"immunosuppression": True}, "caution", ["immunosuppression"]),
    ({"age_years": 55, "new_spinal_pain": True}, "caution", ["age_over_50_new_pain"]),
    ({"thoracic_pain": True}, "caution", ["thoracic_pain"]),
])
def test_red_flags_are_weighed_in_clusters(answers, level, codes):
    screen = _screen(**answers)
    assert screen.level == level
    assert [i.code for i in screen.items] == codes
    assert screen.stops == (level in ("emergency", "urgent"))
    for item in screen.items:
        assert set(item.fields) <= set(FIELDS_BY_NAME) and item.detail


def test_a_cancer_history_in_a_cluster_is_not_repeated_as_a_caution():
    screen = _screen(history_of_cancer=True, constant_night_pain=True)
    assert [i.code for i in screen.items] == ["suspected_malignancy"]
    assert screen.items[0].fields == ("history_of_cancer", "constant_night_pain")
    assert screen.to_dict()["level"] == "urgent"


def test_changes_between_assessments():
    before = MINIMAL | {"hip_abduction_strength": 5, "reflexes_reduced": False}
    after = MINIMAL | {"hip_abduction_strength": 4, "reflexes_reduced": True}
    codes = {i.code: i.tier for i in classify_red_flags(after, before).items}
    assert codes == {"strength_drop": "urgent", "reflex_lost": "caution"}
    assert classify_red_flags(after).items == ()  # a baseline deficit is not new


def test_new_risk_factor_fields_are_optional():
    assert validate_assessment(MINIMAL) == {}  # an assessment stored before them stays valid
    assert set(EMERGENCY_FLAGS) >= {"saddle_numbness", "bladder_or_bowel_change",
                                    "bilateral_leg_symptoms", "progressive_weakness"}
    assert validate_assessment(MINIMAL | {"age_years": 121}) == {"age_years": ["Must be between 0 and 120."]}
