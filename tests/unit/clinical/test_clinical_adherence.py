"""Adherence in the patient's own days, across DST changes and zones on both sides of UTC."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from clinical_factories import DAILY, completion
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from hep.clinical import CompletionRecord, Dose, local_date, session_adherence

ZONES = ("America/New_York", "Pacific/Auckland", "Asia/Kolkata", "Pacific/Kiritimati",
         "Pacific/Pago_Pago", "Europe/London", "Australia/Lord_Howe", "UTC")
# Windows that straddle DST changes in both hemispheres (and the Kiritimati date-line side).
PERIODS = (date(2025, 3, 1), date(2025, 3, 31), date(2025, 10, 20), date(2025, 11, 5),
           date(2025, 4, 1))


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("zone, instant, expected", [
    ("America/New_York", utc(2025, 3, 10, 3, 30), date(2025, 3, 9)),   # 23:30 EDT after spring forward
    ("America/New_York", utc(2025, 11, 2, 4, 30), date(2025, 11, 2)),  # 00:30 EDT, day clocks go back
    ("Pacific/Auckland", utc(2025, 4, 5, 11, 30), date(2025, 4, 6)),   # NZ DST ends 6 April
    ("Asia/Kolkata", utc(2025, 3, 9, 18, 29), date(2025, 3, 9)),
    ("Asia/Kolkata", utc(2025, 3, 9, 18, 30), date(2025, 3, 10)),
    ("Pacific/Kiritimati", utc(2025, 3, 9, 10, 0), date(2025, 3, 10)),  # UTC+14
])
def test_local_day_of_an_instant(zone, instant, expected):
    assert local_date(instant, ZoneInfo(zone)) == expected


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        local_date(datetime(2025, 3, 9, 12), ZoneInfo("UTC"))


def test_sessions_count_at_most_the_prescription_per_day_and_only_on_prescribed_days():
    tz = ZoneInfo("Europe/London")
    dose = Dose(3, 10, frequency_per_day=2, days_of_week=frozenset({1, 3, 5}))  # Mon, Wed, Fri
    monday = date(2025, 3, 17)
    comps = [completion(f"m{i}", monday, hour=8 + i) for i in range(4)]      # 4 on Monday
    comps.append(completion("t", monday + timedelta(days=1)))               # Tuesday: not prescribed
    comps.append(completion("w", monday + timedelta(days=2), sets=1, reps=5))
    a = session_adherence(dose, comps, start=monday, end=monday + timedelta(days=6), tz=tz)
    assert (a.prescribed_sessions, a.completed_sessions) == (6, 3)
    assert a.percent == 50.0
    assert a.evidence == ("m0", "m1", "w")
    assert a.dose_ratio == pytest.approx((30 + 30 + 5) / 180)
    assert a.performed_reps == 4 * 30 + 30 + 5


def test_today_in_progress_never_lowers_adherence():
    tz = ZoneInfo("UTC")
    today = date(2025, 3, 20)
    comps = [completion("y", today - timedelta(days=1), tz=tz)]
    a = session_adherence(DAILY, comps, start=today - timedelta(days=1), end=today, tz=tz,
                          today=today)
    assert (a.prescribed_sessions, a.completed_sessions, a.percent) == (1, 1, 100.0)
    b = session_adherence(DAILY, comps + [completion("t", today, tz=tz)],
                          start=today - timedelta(days=1), end=today, tz=tz, today=today)
    assert (b.prescribed_sessions, b.completed_sessions) == (2, 2)


def test_nothing_prescribed_is_undefined_not_perfect():
    dose = Dose(1, 1, days_of_week=frozenset({7}))
    a = session_adherence(dose, [], start=date(2025, 3, 17), end=date(2025, 3, 21),
                          tz=ZoneInfo("UTC"))
    assert a.ratio is None and a.percent is None and a.dose_ratio is None


def test_weeks_are_iso_weeks_clipped_to_the_period():
    a = session_adherence(DAILY, [], start=date(2024, 12, 28), end=date(2025, 1, 7),
                          tz=ZoneInfo("UTC"))
    assert [(w.iso_year, w.iso_week, w.start, w.end, w.prescribed_sessions) for w in a.weeks] == [
        (2024, 52, date(2024, 12, 28), date(2024, 12, 29), 2),
        (2025, 1, date(2024, 12, 30), date(2025, 1, 5), 7),
        (2025, 2, date(2025, 1, 6), date(2025, 1, 7), 2),
    ]


doses = st.builds(Dose, sets=st.integers(1, 5), reps=st.integers(1, 20),
                  hold_seconds=st.integers(0, 30), frequency_per_day=st.integers(1, 3),
                  days_of_week=st.frozensets(st.integers(1, 7), min_size=1))


@st.composite
def scenarios(draw):
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    start = draw(st.sampled_from(PERIODS))
    end = start + timedelta(days=draw(st.integers(0, 30)))
    base = datetime.combine(start, datetime.min.time(), UTC) - timedelta(days=1)
    comps = [CompletionRecord(f"c{i}", 1, base + timedelta(minutes=m), draw(st.integers(0, 6)),
                              draw(st.integers(0, 30)), 0, 0, 5)
             for i, m in enumerate(draw(st.lists(st.integers(0, 33 * 24 * 60), max_size=80)))]
    return draw(doses), comps, start, end, zone


@hsettings(max_examples=80, deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_adherence_stays_within_bounds_in_every_zone_and_order(scenario, rnd):
    dose, comps, start, end, zone = scenario
    a = session_adherence(dose, comps, start=start, end=end, tz=zone)
    assert 0 <= a.completed_sessions <= a.prescribed_sessions
    if a.prescribed_sessions:
        assert 0.0 <= a.ratio <= 1.0 and 0.0 <= a.percent <= 100.0
        assert 0.0 <= a.dose_ratio <= 1.0
    assert sum(w.prescribed_sessions for w in a.weeks) == a.prescribed_sessions
    assert sum(w.completed_sessions for w in a.weeks) == a.completed_sessions
    assert all(w.percent is None or 0 <= w.percent <= 100 for w in a.weeks)
    counted = {c.id: c for c in comps}
    assert all(start <= local_date(counted[i].performed_at, zone) <= end for i in a.evidence)
    rnd.shuffle(comps)
    assert session_adherence(dose, comps, start=start, end=end, tz=zone) == a
