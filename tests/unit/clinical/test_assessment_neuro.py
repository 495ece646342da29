"""The neurological exam by level and side, and the reassessment's motor-loss comparison
(CLINICAL.md "Alerts"): baseline deficits are not new."""
from __future__ import annotations

from pathlib import Path

import pytest

from hep.clinical import ASSESSMENT_FIELDS, FIELDS_BY_NAME, classify_red_flags, validate_assessment
from hep.clinical.assessment import LEVELS, motor_drops, new_signs, reflexes_lost
from hep.clinical.instruments import load_instruments, parse_instrument

RED_FLAGS = [f.name for f in ASSESSMENT_FIELDS if f.section == "red_flags" and f.kind == "bool"]
MINIMAL = {"irritability": "moderate", "most_distal_symptom": "below_knee"} | dict.fromkeys(RED_FLAGS, False)
#: A normal exam with an L5 weakness on the left found at the first assessment.
NORMAL = {f"myotome_{lv.lower()}_{side}": 5 for lv in LEVELS for side in ("left", "right")} | {
    "myotome_l5_left": 4, "reflex_patellar_left": "normal", "reflex_patellar_right": "normal",
    "reflex_achilles_left": "normal", "reflex_achilles_right": "normal",
    "babinski_left": "absent", "babinski_right": "absent", "clonus_left": "absent", "clonus_right": "absent"}
BASE = MINIMAL | NORMAL


def codes(after, previous=BASE, baseline=None):
    return {i.code: i.tier for i in classify_red_flags(MINIMAL | after, previous, baseline).items}


@pytest.mark.parametrize("case, change, expected", [
    ("one grade drop in one myotome", {"myotome_l4_left": 4}, {"strength_drop": "urgent"}),
    ("two grades in one myotome", {"myotome_s1_right": 3}, {"strength_drop": "urgent"}),
    ("a per-side strength grade", {"hip_abduction_strength_right": 3}, {}),  # not graded before
    ("two muscle groups", {"myotome_l4_left": 4, "myotome_s1_left": 4},
     {"strength_drop_multiple": "emergency"}),
    ("one level on both sides", {"myotome_l3_left": 4, "myotome_l3_right": 4},
     {"strength_drop_multiple": "emergency"}),
    ("new Babinski sign", {"babinski_right": "present"}, {"new_babinski": "emergency"}),
    ("new clonus", {"clonus_left": "present"}, {"new_clonus": "emergency"}),
    ("reflex reduced alone", {"reflex_achilles_left": "reduced"}, {"reflex_lost": "caution"}),
    ("reflex absent alone", {"reflex_patellar_right": "absent"}, {"reflex_lost": "caution"}),
    ("baseline deficit unchanged", {}, {}),
    ("baseline deficit improved", {"myotome_l5_left": 5}, {}),
    ("improvement elsewhere", {"myotome_l2_left": 5, "reflex_achilles_left": "normal"}, {}),
    ("a brisk reflex is not a loss", {"reflex_patellar_left": "brisk"}, {}),
])
def test_motor_loss_comparison(case, change, expected):
    assert codes(NORMAL | change) == expected, case


def test_a_deficit_present_at_baseline_is_not_new_even_after_recovery_and_relapse():
    recovered = BASE | {"myotome_l5_left": 5}
    # back to the baseline grade: lower than the previous one, not lower than the baseline
    assert motor_drops(BASE | {"myotome_l5_left": 4}, recovered, BASE) == ()
    # below the baseline and the previous: a confirmed drop
    assert motor_drops(BASE | {"myotome_l5_left": 3}, recovered, BASE) == ("myotome_l5_left",)


def test_signs_and_reflexes_present_at_baseline_are_not_new():
    baseline = BASE | {"babinski_left": "present", "reflex_achilles_left": "reduced"}
    now = BASE | {"babinski_left": "present", "reflex_achilles_left": "reduced"}
    assert new_signs(now, baseline, baseline) == ()
    assert reflexes_lost(now, baseline, baseline) == ()
    assert reflexes_lost(now | {"reflex_achilles_left": "absent"}, baseline, baseline) == ("reflex_achilles_left",)


def test_the_first_assessment_raises_no_comparison_finding():
    assert codes(NORMAL | {"myotome_l4_left": 2, "babinski_left": "present"}, None) == {}


def test_the_finding_names_the_level_side_and_grades():
    item = classify_red_flags(BASE | {"myotome_l4_right": 3}, BASE).items[0]
    assert item.fields == ("myotome_l4_right",)
    assert "L4 ankle dorsiflexion (Oxford 0-5), right 5 -> 3" in item.detail


def test_neuro_fields_by_level_and_side():
    for level in LEVELS:
        for side in ("left", "right"):
            grade = FIELDS_BY_NAME[f"myotome_{level.lower()}_{side}"]
            assert (grade.minimum, grade.maximum, grade.side, grade.level) == (0, 5, side, level)
            assert FIELDS_BY_NAME[f"sensation_{level.lower()}_{side}"].choices == ("normal", "reduced", "absent")
    assert FIELDS_BY_NAME["reflex_achilles_left"].choices == ("normal", "reduced", "absent", "brisk")
    assert FIELDS_BY_NAME["slr_angle_right"].maximum == 90


@pytest.mark.parametrize("field, value", [
    ("myotome_l4_left", 6), ("slr_angle_left", 91), ("reflex_patellar_right", "hyper"),
    ("babinski_left", True), ("sitting_hours_per_day", 25), ("lateral_shift", "up"),
])
def test_bad_neuro_values_are_named(field, value):
    assert field in validate_assessment(BASE | {field: value})


def test_old_one_sided_fields_stay_valid_and_compare():
    old = MINIMAL | {"hip_abduction_strength": 5, "hip_flexion_degrees": 110, "straight_leg_raise": "positive_leg"}
    assert validate_assessment(old) == {}
    assert codes({"hip_abduction_strength": 4}, old) == {"strength_drop": "urgent"}
    assert FIELDS_BY_NAME["hip_flexion_degrees"].legacy and not FIELDS_BY_NAME["hip_flexion_degrees_left"].legacy


EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "instruments" / "stratification.example.yaml"


def test_the_stratification_example_is_valid_data_and_not_loaded_by_default():
    import yaml

    instrument = parse_instrument(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")), source=str(EXAMPLE))
    assert len(instrument.items) == 9 and all("[licensed item text" in i.text for i in instrument.items)
    assert "stratification_example" not in load_instruments()
    assert "stratification_example" in load_instruments([EXAMPLE.parent])
