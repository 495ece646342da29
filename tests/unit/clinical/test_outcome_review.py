"""Outcome measures over time: PSFS per activity, NPRS 2 points or 30 %, FABQ labels, EARS
scoring, and the not_improving flag."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from hep.clinical import load_instruments, score
from hep.clinical.outcome_review import Administration, not_improving, review_measure, review_outcomes

INSTRUMENTS = load_instruments()
DAY0 = date(2026, 3, 2)


def psfs(*rounds: dict[str, int]) -> list[Administration]:
    """One administration per mapping of activity -> rating, a week apart."""
    return [Administration(DAY0 + timedelta(weeks=n), {str(i): v for i, v in enumerate(r.values(), 1)},
                           tuple(r)) for n, r in enumerate(rounds)]


def nprs(*values: int) -> list[Administration]:
    return [Administration(DAY0 + timedelta(weeks=n), {"1": v}) for n, v in enumerate(values)]


@pytest.mark.parametrize("rounds, baseline, latest, change, meaningful, improved", [
    # same activities, mean +2: meaningful
    (({"walk": 2, "sit": 3, "lift": 4}, {"walk": 4, "sit": 5, "lift": 6}), 3, 5, 2, True, True),
    # same activities, mean +1.67 and no single activity +3: not meaningful
    (({"walk": 2, "sit": 3, "lift": 4}, {"walk": 4, "sit": 5, "lift": 5}), 3, 4.67, 1.67, False, False),
    # one activity +3, mean +1: meaningful by the single-activity line
    (({"walk": 2, "sit": 3, "lift": 4}, {"walk": 5, "sit": 3, "lift": 4}), 3, 4, 1, True, True),
    # one activity -3: meaningful, but worse
    (({"walk": 5, "sit": 3, "lift": 4}, {"walk": 2, "sit": 3, "lift": 4}), 4, 3, -1, True, False),
    # matched by text whatever the case and spacing
    (({"Walk  the dog": 2, "sit": 3, "lift": 4}, {"walk the DOG": 5, "sit": 3, "lift": 4}), 3, 4, 1, True, True),
    # different activities: a first-vs-latest total would say +5; each is its own line, no change
    (({"walk": 1, "sit": 1, "lift": 1}, {"run": 6, "jump": 6, "swim": 6}), 1, 1, None, None, False),
])
def test_psfs_is_read_per_activity(rounds, baseline, latest, change, meaningful, improved):
    review = review_measure(INSTRUMENTS["psfs"], psfs(*rounds))
    assert (review.baseline, review.latest, review.change) == (baseline, latest, change)
    assert review.meaningful is meaningful and review.improved is improved


def test_a_new_activity_starts_its_own_line():
    review = review_measure(INSTRUMENTS["psfs"], psfs(
        {"walk": 2, "sit": 3, "lift": 4},
        {"walk": 3, "sit": 3, "lift": 4, "garden": 1},
        {"walk": 3, "sit": 4, "lift": 4, "garden": 5}))
    lines = {a.activity: a for a in review.activities}
    assert lines["garden"].first_on == DAY0 + timedelta(weeks=1) and not lines["garden"].in_baseline
    assert lines["garden"].ratings == (1, 5) and lines["garden"].change.meaningful
    # the mean reads only the baseline activities: 3 -> 3.67
    assert (review.baseline, review.latest, review.change) == (3, 3.67, 0.67)
    assert review.improved and "garden: 1 -> 5 (+4)." in review.reason


def test_an_activity_not_re_rated_is_left_out_of_the_mean():
    review = review_measure(INSTRUMENTS["psfs"], psfs(
        {"walk": 2, "sit": 3, "lift": 4}, {"walk": 4, "sit": 5}))
    assert review.change == 2 and review.meaningful
    assert {a.activity: a.ratings for a in review.activities}["lift"] == (4,)


def test_a_single_psfs_has_a_baseline_and_no_change():
    review = review_measure(INSTRUMENTS["psfs"], psfs({"walk": 2, "sit": 3, "lift": 4}))
    assert (review.baseline, review.change, review.meaningful, review.improved) == (3, None, None, False)


@pytest.mark.parametrize("values, meaningful, direction", [
    ((3, 2), True, "better"),      # 1 point but 33 %
    ((10, 8), True, "better"),     # 2 points
    ((10, 9), False, "better"),    # 10 %
    ((10, 7), True, "better"),     # 30 % exactly
    ((6, 5), False, "better"),     # 17 %
    ((2, 3), True, "worse"),       # 50 % up
    ((0, 1), False, "worse"),      # no percentage of 0; 1 point
    ((4, 4), False, "same"),
    ((7, 9, 5), True, "better"),   # first -> latest, not the middle
])
def test_nprs_two_points_or_thirty_percent(values, meaningful, direction):
    review = review_measure(INSTRUMENTS["nprs"], nprs(*values))
    assert review.meaningful is meaningful and review.direction == direction
    assert review.improved is (meaningful and direction == "better")


def fabq(pa: int, work: int) -> dict[str, int]:
    answers = dict.fromkeys(map(str, range(1, 17)), 0)
    for ids, total in ((("2", "3", "4", "5"), pa), (("6", "7", "9", "10", "11", "12", "15"), work)):
        for item in ids:
            answers[item] = min(6, total)
            total -= answers[item]
    return answers


@pytest.mark.parametrize("pa, work, labels", [
    (14, 29, ()),
    (15, 29, ("physical_activity:elevated",)),
    (14, 30, ("work:elevated",)),
    (0, 34, ("work:elevated",)),
    (0, 35, ("work:elevated", "work:return_to_work_risk")),
    (24, 42, ("physical_activity:elevated", "work:elevated", "work:return_to_work_risk")),
])
def test_fabq_labels(pa, work, labels):
    assert score(INSTRUMENTS["fabq"], fabq(pa, work)).interpretation == labels
    review = review_measure(INSTRUMENTS["fabq"], [Administration(DAY0, fabq(20, 40)),
                                                   Administration(DAY0 + timedelta(weeks=4), fabq(pa, work))])
    assert review.labels == labels  # the latest response's labels
    assert review.scales["physical_activity"].delta == pa - 20
    assert review.meaningful is None and not review.improved  # no published change line


@pytest.mark.parametrize("answers, total", [
    # 0 = completely agree .. 4 = completely disagree; 1, 4, 6 positively worded (reversed)
    ({"1": 0, "2": 4, "3": 4, "4": 0, "5": 4, "6": 0}, 24),  # does them all, never forgets
    ({"1": 4, "2": 0, "3": 0, "4": 4, "5": 0, "6": 4}, 0),   # the opposite
    ({"1": 2, "2": 2, "3": 2, "4": 2, "5": 2, "6": 2}, 12),  # neutral throughout
    ({"1": 1, "2": 3, "3": 4, "4": 0, "5": 3, "6": 1}, 20),
])
def test_ears_scoring_reverses_items_1_4_6(answers, total):
    ears = INSTRUMENTS["ears"]
    assert {i.id for i in ears.items if i.reverse} == {"1", "4", "6"}
    assert score(ears, answers).total == total


def review_all(**rounds):
    return review_outcomes(INSTRUMENTS, rounds)


@pytest.mark.parametrize("weeks, rounds, raised", [
    # week 6, NPRS steady 6 -> 6: flagged
    (6, {"nprs": nprs(6, 6)}, True),
    # week 5: too early
    (5, {"nprs": nprs(6, 6)}, False),
    # NPRS 3 -> 2 (33 %): improved, not flagged
    (6, {"nprs": nprs(3, 2)}, False),
    # worse is not improving
    (6, {"nprs": nprs(4, 7)}, True),
    # one measure improved is enough
    (6, {"nprs": nprs(6, 6), "psfs": psfs({"walk": 2, "sit": 3, "lift": 4}, {"walk": 5, "sit": 3, "lift": 4})}, False),
    # FABQ and EARS have no change line: they neither raise nor clear it
    (6, {"fabq": [Administration(DAY0, fabq(20, 40)), Administration(DAY0 + timedelta(weeks=4), fabq(0, 0))]}, True),
    # only one administration, no repeat by week 6: flagged
    (6, {"psfs": psfs({"walk": 2, "sit": 3, "lift": 4})}, True),
    # no measure at all: no baseline, nothing to say
    (8, {}, False),
])
def test_not_improving(weeks, rounds, raised):
    today = DAY0 + timedelta(weeks=weeks)
    found = not_improving(review_all(**rounds), INSTRUMENTS, today=today, review_week=6)
    assert (found is not None) is raised
    if found:
        assert (found.level, found.code) == ("caution", "not_improving")
        assert found.evidence[0] == f"not_improving:{DAY0.isoformat()}"


def test_not_improving_week_is_a_setting():
    reviews = review_all(nprs=nprs(6, 6))
    assert not_improving(reviews, INSTRUMENTS, today=DAY0 + timedelta(weeks=4), review_week=4)
    assert not not_improving(reviews, INSTRUMENTS, today=DAY0 + timedelta(weeks=4), review_week=6)


def test_translations_only_where_the_licence_allows():
    from hep.clinical import InstrumentError, parse_instrument

    base = {"code": "x", "name": "X", "version": "1", "licence": "own", "text_source": "original",
            "items": [{"id": "1", "text": "Pain?", "min": 0, "max": 10}],
            "scoring": {"total": {"method": "sum", "range": [0, 10]}}}
    es = {"es": {"title": "X es", "items": {"1": "¿Dolor?"}, "labels": {0: "Nada"}}}
    assert parse_instrument({**base, "translation_allowed": True, "translations": es}).translations == es
    with pytest.raises(InstrumentError, match="translation_allowed"):
        parse_instrument({**base, "translations": es})
    with pytest.raises(InstrumentError, match="translations.es.items"):
        parse_instrument({**base, "translation_allowed": True, "translations": {"es": {"items": {"9": "?"}}}})
    assert {c: i.translation_allowed for c, i in INSTRUMENTS.items()} == {
        "psfs": True, "nprs": True, "fabq": False, "ears": False}
