"""RTM 30-day periods and monthly management codes, table-driven: periods across month
ends and leap years, the either/or day codes, and minutes to codes."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from hep.clinical import current_period, management_month, monitoring_periods, period_anchor


def d(text: str) -> date:
    return date.fromisoformat(text)


def span(first: str, count: int) -> list[date]:
    return [d(first) + timedelta(days=i) for i in range(count)]


# anchor, today, expected period number, start, end, day of period
@pytest.mark.parametrize("anchor, today, number, start, end, day", [
    ("2026-01-15", "2026-01-15", 1, "2026-01-15", "2026-02-13", 1),
    ("2026-01-15", "2026-02-13", 1, "2026-01-15", "2026-02-13", 30),
    ("2026-01-15", "2026-02-14", 2, "2026-02-14", "2026-03-15", 1),  # across February (28 days)
    ("2028-02-01", "2028-03-02", 2, "2028-03-02", "2028-03-31", 1),  # leap year: Feb has 29
    ("2028-01-31", "2028-02-29", 1, "2028-01-31", "2028-02-29", 30),  # ends on 29 February
    ("2028-01-31", "2028-03-01", 2, "2028-03-01", "2028-03-30", 1),
    ("2026-12-17", "2027-01-15", 1, "2026-12-17", "2027-01-15", 30),  # across the year end
    ("2026-12-17", "2027-01-16", 2, "2027-01-16", "2027-02-14", 1),
    ("2026-01-01", "2026-12-31", 13, "2026-12-27", "2027-01-25", 5),  # a year: 12 x 30 + 5
])
def test_periods_run_back_to_back_from_the_anchor(anchor, today, number, start, end, day):
    result = current_period([d(anchor)], today=d(today))
    period = result.period
    assert (period.number, period.start, period.end) == (number, d(start), d(end))
    assert period.day_of_period(d(today)) == day
    served = result.to_dict()
    assert (served["period_number"], served["day_of_period"]) == (number, day)
    assert (served["window_start"], served["window_end"]) == (start, end)


# data days (first, count), today, days in the current period, code, band
@pytest.mark.parametrize("first, count, today, days, code, band", [
    ("2026-02-01", 1, "2026-02-10", 1, None, None),
    ("2026-02-01", 2, "2026-02-10", 2, "98985", "2-15"),
    ("2026-02-01", 15, "2026-02-20", 15, "98985", "2-15"),
    ("2026-02-01", 16, "2026-02-20", 16, "98977", "16-30"),
    ("2026-02-01", 30, "2026-03-02", 30, "98977", "16-30"),  # all 30 days, across month end
    ("2026-02-01", 31, "2026-03-03", 1, None, None),  # day 31 starts period 2
    ("2028-02-15", 40, "2028-03-25", 10, "98985", "2-15"),  # leap year; period 2 from 16 March
])
def test_days_per_period_reach_one_day_code(first, count, today, days, code, band):
    data = span(first, count)
    result = current_period(data + data, today=d(today))  # duplicates count once
    period = result.period
    assert (period.count, period.code, period.band) == (days, code, band)
    assert result.to_dict()["codes"] == ([code] if code else [])
    assert str(days) in period.reason
    if code == "98977":
        assert "either/or with 98985" in period.reason


def test_every_period_is_listed_with_its_own_code():
    data = span("2026-01-20", 16) + span("2026-02-19", 3)  # period 1: 16 days; period 2: 3
    periods = monitoring_periods(data, anchor=d("2026-01-20"), today=d("2026-03-25"))
    assert [(p.number, p.count, p.code) for p in periods] == [
        (1, 16, "98977"), (2, 3, "98985"), (3, 0, None)]
    assert periods[1].start == d("2026-02-19") and periods[2].start == d("2026-03-21")


def test_program_start_anchor_ignores_data_before_it_and_no_data_means_no_period():
    data = span("2026-03-01", 10)
    assert period_anchor(data) == d("2026-03-01")
    assert period_anchor(data, start="program_start", program_start=d("2026-03-05")) == d("2026-03-05")
    result = current_period(data, today=d("2026-03-10"), start="program_start",
                            program_start=d("2026-03-05"))
    assert result.period.count == 6 and result.to_dict()["period_start"] == "program_start"
    empty = current_period([], today=d("2026-03-10")).to_dict()
    assert empty["count"] == 0 and empty["period_number"] is None and empty["codes"] == []
    assert monitoring_periods(data, anchor=d("2026-04-01"), today=d("2026-03-10")) == ()


# entries (day, minutes, contact), codes, words in the reason
@pytest.mark.parametrize("entries, codes, words", [
    ([], (), "below the 10 minutes"),
    ([("2026-03-02", 9, True)], (), "below the 10 minutes"),
    ([("2026-03-02", 10, True)], ("98979",), "98979 (10-19 minutes)"),
    ([("2026-03-02", 10, False), ("2026-03-20", 9, True)], ("98979",), "either/or with 98980"),
    ([("2026-03-02", 20, True)], ("98980",), "98980 (20+ minutes)"),
    ([("2026-03-02", 39, True)], ("98980",), "either/or with 98979"),
    ([("2026-03-02", 40, True)], ("98980", "98981"), "98981 x1"),
    ([("2026-03-02", 30, True), ("2026-03-31", 35, False)], ("98980", "98981", "98981"), "98981 x2"),
    ([("2026-03-02", 45, False)], (), "no real-time interactive contact"),
    ([("2026-02-28", 30, True), ("2026-04-01", 30, True), ("2026-03-15", 5, True)], (), "5 minute"),
])
def test_management_minutes_per_calendar_month(entries, codes, words):
    result = management_month([(d(day), m, c) for day, m, c in entries], month=d("2026-03-01"))
    assert result.codes == codes
    assert words in " ".join(result.reasons)
    assert result.to_dict()["month"] == "2026-03"


def test_leap_february_is_its_own_month():
    entries = [(d("2028-02-29"), 25, True), (d("2028-03-01"), 25, True)]
    assert management_month(entries, month=d("2028-02-01")).minutes == 25
    assert management_month(entries, month=d("2028-03-01")).minutes == 25
