"""Outcome measures as data: shipped definitions, the loader's validation, scoring."""
from __future__ import annotations

import pytest
import yaml

from hep.clinical import InstrumentError, ScoringError, load_instruments, parse_instrument, score, score_change
from hep.clinical.instruments import SHIPPED_DIR

INSTRUMENTS = load_instruments()


def fabq_answers(pa_total: int = 0, work_total: int = 0) -> dict[str, int]:
    """All 16 items answered; physical activity and work subscales summing to the totals."""
    answers = dict.fromkeys(map(str, range(1, 17)), 0)
    for ids, total in ((("2", "3", "4", "5"), pa_total),
                       (("6", "7", "9", "10", "11", "12", "15"), work_total)):
        for item in ids:
            answers[item] = min(6, total)
            total -= answers[item]
    answers["1"] = answers["8"] = 6  # unscored items must not leak into subscales
    return answers


def test_shipped_instruments():
    assert set(INSTRUMENTS) == {"psfs", "fabq", "nprs", "ears"}
    fabq = INSTRUMENTS["fabq"]
    assert len(fabq.items) == 16 and fabq.text_source == "paraphrased"
    assert all((i.minimum, i.maximum) == (0, 6) for i in fabq.items)
    assert {s.code: (s.items, s.range) for s in fabq.subscales} == {
        "physical_activity": (("2", "3", "4", "5"), (0, 24)),
        "work": (("6", "7", "9", "10", "11", "12", "15"), (0, 42))}
    assert INSTRUMENTS["ears"].text_source == "paraphrased"
    assert INSTRUMENTS["nprs"].minimal_important_change == {"total": 2}
    assert INSTRUMENTS["psfs"].minimal_important_change == {"total": 2, "item": 3}


@pytest.mark.parametrize("pa, work, expected", [
    (14, 29, ()),
    (15, 29, ("physical_activity:elevated",)),
    (14, 30, ("work:elevated",)),
    (24, 42, ("physical_activity:elevated", "work:elevated", "work:return_to_work_risk")),
    (0, 0, ()),
])
def test_fabq_cutoffs(pa, work, expected):
    result = score(INSTRUMENTS["fabq"], fabq_answers(pa, work))
    assert result.subscales == {"physical_activity": pa, "work": work}
    assert result.interpretation == expected
    assert result.complete and result.total is None


def test_fabq_missing_item_leaves_that_subscale_empty():
    answers = fabq_answers(15, 10)
    del answers["7"]
    result = score(INSTRUMENTS["fabq"], answers)
    assert result.subscales == {"physical_activity": 15, "work": None}
    assert result.interpretation == ("physical_activity:elevated",) and not result.complete


@pytest.mark.parametrize("answers, field", [
    ({"17": 1}, "17"), ({"2": 7}, "2"), ({"2": -1}, "2"), ({"2": 2.5}, "2"),
    ({"2": True}, "2"), ({"2": "3"}, "2"),
])
def test_invalid_answers_raise_scoring_error(answers, field):
    with pytest.raises(ScoringError) as info:
        score(INSTRUMENTS["fabq"], answers)
    assert list(info.value.errors) == [field]


def test_nprs_and_ears():
    assert score(INSTRUMENTS["nprs"], {"1": 7}).total == 7
    ears = INSTRUMENTS["ears"]
    best = {"1": 0, "2": 4, "3": 4, "4": 0, "5": 4, "6": 0}   # agrees with the positive items
    assert score(ears, best).total == 24
    assert score(ears, {k: 4 - v for k, v in best.items()}).total == 0


def test_psfs_items_named_per_patient():
    psfs = INSTRUMENTS["psfs"]
    assert score(psfs, {"walking": 4, "sitting": 6, "bending": 5}).total == 5
    two = score(psfs, {"walking": 4, "sitting": 6})
    assert two.total is None and not two.complete
    with pytest.raises(ScoringError):
        score(psfs, {str(n): 5 for n in range(6)})
    mine = psfs.with_patient_items(["Walk the dog", "Sit through a film", "Lift my child", "Garden"])
    assert [i.text for i in mine.items] == ["Walk the dog", "Sit through a film", "Lift my child", "Garden"]
    assert score(mine, {"1": 2, "2": 4, "3": 6, "4": 7}).total == 4.75
    assert not score(mine, {"1": 2, "2": 4, "3": 6}).complete
    with pytest.raises(ScoringError) as info:
        score(mine, {"walking": 3})
    assert "walking" in info.value.errors
    with pytest.raises(ScoringError):
        psfs.with_patient_items(["one", "two"])
    with pytest.raises(ValueError):
        INSTRUMENTS["nprs"].with_patient_items(["a", "b", "c"])


@pytest.mark.parametrize("code, scale, before, after, meaningful, direction", [
    ("psfs", "total", 4.0, 5.9, False, "better"),
    ("psfs", "total", 4.0, 6.0, True, "better"),
    ("psfs", "item", 3, 6, True, "better"),
    ("psfs", "item", 3, 5, False, "better"),
    ("nprs", "total", 6, 4, True, "better"),
    ("nprs", "total", 4, 5, False, "worse"),
    ("ears", "total", 10, 10, None, "same"),
])
def test_score_change(code, scale, before, after, meaningful, direction):
    change = score_change(INSTRUMENTS[code], before, after, scale)
    assert (change.meaningful, change.direction) == (meaningful, direction)


LICENSED = """
code: clinic_odi_like
name: A clinic's licensed instrument
version: "2.1"
licence: Licensed to the clinic; texts not shown here.
text_source: licensed
better: lower
items:
  - {id: q1, text: first, min: 0, max: 5}
  - {id: q2, text: second, min: 0, max: 5}
scoring:
  total: {method: sum, range: [0, 10]}
  cutoffs: [{scale: total, label: severe, at_least: 8}]
  minimal_important_change: {total: 3}
"""


def test_a_clinic_drops_in_a_definition(tmp_path):
    (tmp_path / "odi.yaml").write_text(LICENSED)
    found = load_instruments([tmp_path])
    assert set(found) == set(INSTRUMENTS) | {"clinic_odi_like"}
    assert score(found["clinic_odi_like"], {"q1": 5, "q2": 3}).interpretation == ("total:severe",)


def test_a_duplicate_code_is_refused(tmp_path):
    (tmp_path / "nprs.yaml").write_text((SHIPPED_DIR / "nprs.yaml").read_text())
    with pytest.raises(InstrumentError) as info:
        load_instruments([tmp_path])
    assert "code" in info.value.errors


def test_not_yaml_is_refused(tmp_path):
    (tmp_path / "bad.yaml").write_text("code: [unclosed")
    with pytest.raises(InstrumentError):
        load_instruments([tmp_path])


def _broken(path: str, value):
    doc = yaml.safe_load(LICENSED)
    target = doc
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    target[keys[-1]] = value
    return doc


@pytest.mark.parametrize("path, value, error", [
    ("code", "Bad Code", "code"),
    ("text_source", "copied", "text_source"),
    ("better", "up", "better"),
    ("extra", 1, "extra"),
    ("items", [], "items"),
    ("items.0.max", 0, "items[0].max"),
    ("items.1.id", "q1", "items"),
    ("items.0.id", 1, "items[0].id"),
    ("items.0.anchors", {9: "x"}, "items[0].anchors"),
    ("scoring.total", {"method": "sum", "range": [0, 12]}, "scoring.total.range"),
    ("scoring.total", {"method": "median", "range": [0, 10]}, "scoring.total.method"),
    ("scoring.total", {"method": "sum", "items": ["q9"], "range": [0, 5]}, "scoring.total.items"),
    ("scoring.cutoffs", [{"scale": "nope", "label": "x", "above": 1}], "scoring.cutoffs[0]"),
    ("scoring.cutoffs", [{"scale": "total", "label": "x"}], "scoring.cutoffs[0]"),
    ("scoring.minimal_important_change", {"total": -1}, "scoring.minimal_important_change"),
])
def test_invalid_definitions_name_the_problem(path, value, error):
    with pytest.raises(InstrumentError) as info:
        parse_instrument(_broken(path, value))
    assert error in info.value.errors


def test_shipped_files_are_documented_as_yaml():
    for path in SHIPPED_DIR.glob("*.yaml"):
        assert path.read_text().startswith("#"), f"{path.name} should say where it comes from"
