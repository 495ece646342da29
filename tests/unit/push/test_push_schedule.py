"""Reminder slots: local times across DST, quiet hours, week days and window edges."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hep.push.schedule import Schedule, Slot, due_slots, next_slot

UTC = UTC
EVERY_DAY = range(1, 8)
HALF_HOURS = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def schedule(times, zone="America/New_York", days=EVERY_DAY, quiet=(None, None)) -> Schedule:
    return Schedule(times=tuple(times), days=frozenset(days), timezone=zone, quiet_start=quiet[0], quiet_end=quiet[1])


def slots_on(sched: Schedule, day: date) -> list[Slot]:
    """Every slot whose local date is ``day`` (a window generous enough for any offset)."""
    start = datetime.combine(day, datetime.min.time(), UTC) - timedelta(days=2)
    return [s for s in due_slots(sched, start, start + timedelta(days=5)) if s.local_date == day]


# -- spring forward: the nonexistent time fires once, when the clocks jump ---------------------
@pytest.mark.parametrize(
    "zone, day, slot, due",
    [
        ("America/New_York", date(2025, 3, 9), "02:30", utc(2025, 3, 9, 7, 0)),  # 02:00 EST -> 03:00 EDT
        ("America/New_York", date(2025, 3, 9), "02:00", utc(2025, 3, 9, 7, 0)),
        ("Australia/Sydney", date(2025, 10, 5), "02:30", utc(2025, 10, 4, 16, 0)),  # 02:00 AEST -> 03:00 AEDT
        ("Pacific/Auckland", date(2025, 9, 28), "02:59", utc(2025, 9, 27, 14, 0)),  # 02:00 NZST -> 03:00 NZDT
    ],
)
def test_time_in_spring_forward_gap_fires_once_at_the_jump(zone, day, slot, due):
    sched = schedule(["01:30", slot, "03:00", "09:00"], zone)
    found = slots_on(sched, day)
    assert [s.slot for s in found] == ["01:30", slot, "03:00", "09:00"]
    gap_slot = next(s for s in found if s.slot == slot)
    assert gap_slot.due_at == due
    assert gap_slot.due_at.astimezone(ZoneInfo(zone)).strftime("%H:%M") == "03:00"


# -- fall back: the repeated time fires once, at its first occurrence -------------------------
@pytest.mark.parametrize(
    "zone, day, slot, first_occurrence",
    [
        ("America/New_York", date(2025, 11, 2), "01:30", utc(2025, 11, 2, 5, 30)),  # EDT, not EST
        ("Australia/Sydney", date(2025, 4, 6), "02:30", utc(2025, 4, 5, 15, 30)),  # AEDT, not AEST
        ("Pacific/Auckland", date(2025, 4, 6), "02:00", utc(2025, 4, 5, 13, 0)),  # NZDT, not NZST
    ],
)
def test_time_repeated_at_fall_back_fires_once_at_first_occurrence(zone, day, slot, first_occurrence):
    sched = schedule([slot], zone)
    # A window that contains both occurrences of the wall-clock time.
    window = due_slots(sched, first_occurrence - timedelta(hours=3), first_occurrence + timedelta(hours=3))
    assert window == [Slot(day, slot, first_occurrence)]


@pytest.mark.parametrize(
    "zone, day",
    [
        ("America/New_York", date(2025, 3, 9)),
        ("America/New_York", date(2025, 11, 2)),
        ("Australia/Sydney", date(2025, 4, 6)),
        ("Australia/Sydney", date(2025, 10, 5)),
        ("Pacific/Auckland", date(2025, 4, 6)),
        ("Pacific/Auckland", date(2025, 9, 28)),
    ],
)
def test_on_change_days_every_chosen_time_fires_exactly_once(zone, day):
    found = slots_on(schedule(HALF_HOURS, zone), day)
    assert [s.slot for s in found] == list(HALF_HOURS)
    due = [s.due_at for s in found]
    assert due == sorted(due)


# -- properties over random schedules and windows ---------------------------------------------
ZONES = ["America/New_York", "Australia/Sydney", "Pacific/Auckland", "Europe/London", "Australia/Lord_Howe"]
CHANGE_INSTANTS = [
    utc(2025, 3, 9, 7), utc(2025, 11, 2, 6), utc(2025, 4, 5, 16), utc(2025, 10, 4, 16),
    utc(2025, 9, 27, 14), utc(2025, 4, 5, 14), utc(2025, 3, 30, 1), utc(2025, 10, 26, 1),
]
slot_times = st.lists(
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda hm: f"{hm[0]:02d}:{hm[1]:02d}"),
    min_size=1, max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(
    times=slot_times,
    zone=st.sampled_from(ZONES),
    around=st.sampled_from(CHANGE_INSTANTS),
    offset_minutes=st.integers(-3 * 24 * 60, 24 * 60),
    cuts=st.lists(st.integers(1, 4 * 24 * 60), max_size=8),
)
def test_splitting_a_window_neither_loses_nor_doubles_a_slot(times, zone, around, offset_minutes, cuts):
    sched = schedule(times, zone)
    start = around + timedelta(minutes=offset_minutes)
    end = start + timedelta(days=4)
    whole = due_slots(sched, start, end)
    bounds = [start] + sorted({start + timedelta(minutes=c) for c in cuts}) + [end]
    pieces = [s for a, b in zip(bounds, bounds[1:], strict=False) for s in due_slots(sched, a, b)]
    assert pieces == whole
    keys = [(s.local_date, s.slot) for s in whole]
    assert len(keys) == len(set(keys))
    assert all(start < s.due_at <= end for s in whole)


@settings(max_examples=150, deadline=None)
@given(
    times=slot_times,
    zone=st.sampled_from(ZONES),
    around=st.sampled_from(CHANGE_INSTANTS),
)
def test_a_slot_fires_at_its_wall_clock_time_or_at_the_jump_just_after_it(times, zone, around):
    tz = ZoneInfo(zone)
    for s in due_slots(schedule(times, zone), around - timedelta(days=2), around + timedelta(days=2)):
        nominal = datetime.combine(s.local_date, datetime.strptime(s.slot, "%H:%M").time())
        wall = s.due_at.astimezone(tz).replace(tzinfo=None)
        if wall != nominal:
            # Only a time that does not exist moves, and only forward to the end of the gap.
            assert nominal.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) != nominal
            assert nominal < wall <= nominal + timedelta(hours=1)
            assert (s.due_at - timedelta(seconds=1)).astimezone(tz).replace(tzinfo=None) < nominal


# -- quiet hours, week days, window edges -------------------------------------------------------
@pytest.mark.parametrize(
    "quiet, fired",
    [
        (("22:00", "07:00"), ["07:00", "12:00", "21:59"]),  # wraps midnight; end exclusive
        (("12:00", "14:00"), ["06:30", "07:00", "21:59", "22:00", "23:00"]),  # start inclusive
        (("00:00", "06:31"), ["07:00", "12:00", "21:59", "22:00", "23:00"]),
        (("08:00", "08:00"), ["06:30", "07:00", "12:00", "21:59", "22:00", "23:00"]),  # empty
        ((None, None), ["06:30", "07:00", "12:00", "21:59", "22:00", "23:00"]),
    ],
)
def test_slots_in_quiet_hours_are_skipped(quiet, fired):
    sched = schedule(["06:30", "07:00", "12:00", "21:59", "22:00", "23:00"], "Australia/Sydney", quiet=quiet)
    assert [s.slot for s in slots_on(sched, date(2025, 6, 11))] == fired


def test_only_chosen_week_days_fire():
    sched = schedule(["08:00"], "America/New_York", days=[1, 3, 5])  # Mon, Wed, Fri
    found = due_slots(sched, utc(2025, 6, 8, 12), utc(2025, 6, 15, 12))  # Sun .. Sun
    assert [(s.local_date.isoweekday(), s.local_date.day) for s in found] == [(1, 9), (3, 11), (5, 13)]


def test_week_day_is_the_local_one_not_utc():
    # 08:00 Monday in Auckland is still Sunday in UTC.
    sched = schedule(["08:00"], "Pacific/Auckland", days=[1])
    [found] = due_slots(sched, utc(2025, 6, 8, 0), utc(2025, 6, 9, 0))
    assert found == Slot(date(2025, 6, 9), "08:00", utc(2025, 6, 8, 20, 0))


def test_window_is_open_at_start_and_closed_at_end():
    sched = schedule(["08:00"], "America/New_York")
    due = utc(2025, 6, 10, 12, 0)  # 08:00 EDT
    assert due_slots(sched, due - timedelta(seconds=1), due) == [Slot(date(2025, 6, 10), "08:00", due)]
    assert due_slots(sched, due, due + timedelta(hours=1)) == []
    assert due_slots(sched, due, due) == []
    assert due_slots(sched, due + timedelta(hours=1), due) == []


def test_times_are_normalised_and_deduplicated():
    sched = schedule(["18:30", "08:00", "18:30"])
    assert sched.times == ("08:00", "18:30")
    assert len(slots_on(sched, date(2025, 6, 10))) == 2


def test_next_slot_skips_to_the_next_chosen_day():
    sched = schedule(["08:00", "18:30"], "America/New_York", days=[3])  # Wednesdays
    after = utc(2025, 6, 11, 22, 30)  # Wednesday 18:30 EDT, exactly: not "after"
    assert next_slot(sched, after) == Slot(date(2025, 6, 18), "08:00", utc(2025, 6, 18, 12, 0))
    assert next_slot(sched, after - timedelta(seconds=1)).slot == "18:30"


def test_next_slot_is_none_when_nothing_can_fire():
    assert next_slot(schedule(["23:00"], quiet=("22:00", "07:00")), utc(2025, 6, 1)) is None
    assert next_slot(schedule(["08:00"], days=[]), utc(2025, 6, 1)) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"times": ("8:00",)},
        {"times": ("24:00",)},
        {"times": ("12:60",)},
        {"times": ("noon!",)},
        {"days": (0,)},
        {"days": (8,)},
        {"zone": "Mars/Olympus_Mons"},
        {"quiet": ("22:00", None)},
    ],
)
def test_invalid_schedules_are_rejected(kwargs):
    args = {"times": ("08:00",), "zone": "America/New_York", "days": EVERY_DAY, "quiet": (None, None)}
    args.update(kwargs)
    with pytest.raises(ValueError):
        schedule(args["times"], args["zone"], args["days"], args["quiet"])


def test_naive_window_bounds_are_rejected():
    with pytest.raises(ValueError):
        due_slots(schedule(["08:00"]), datetime(2025, 6, 1), datetime(2025, 6, 2))
