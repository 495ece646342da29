"""The SVG charts as pure functions: an image with its name and description, text escaped,
missing days breaking a line, and calendar cells shaded by how much was done."""
from __future__ import annotations

import re
from datetime import date, timedelta
from xml.etree import ElementTree

from hep.therapist import charts

D0 = date(2026, 11, 2)  # a Monday
NS = "{http://www.w3.org/2000/svg}"


def parse(svg) -> ElementTree.Element:
    return ElementTree.fromstring(str(svg))


def test_a_line_chart_is_a_named_image_and_escapes_every_text():
    svg = charts.line_chart("c1", "Pain <during>", "Highest & latest", D0, D0 + timedelta(days=6),
                            [charts.Series("a<b", [(D0, 2), (D0 + timedelta(days=1), 4)])],
                            levels=[charts.Level("regress > 5", 5)])
    root = parse(svg)  # well-formed XML: nothing unescaped got through
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{NS}title").text == "Pain <during>" and root.find(f"{NS}desc").text == "Highest & latest"
    assert "regress &gt; 5" in str(svg) and "a&lt;b" in str(svg)


def test_a_day_without_a_value_breaks_the_line_and_each_point_has_a_tooltip():
    points = [(D0, 1), (D0 + timedelta(days=1), 2), (D0 + timedelta(days=2), None),
              (D0 + timedelta(days=3), 3), (D0 + timedelta(days=4), 4)]
    svg = str(charts.line_chart("c", "t", "d", D0, D0 + timedelta(days=4), [charts.Series("pain", points)],
                                day_label=lambda d: d.strftime("%d %b")))
    assert len(re.findall(r'<path d="M', svg)) == 2
    assert svg.count("<circle") == 4 and "<title>05 Nov: pain 3</title>" in svg
    # The first and last dates align inside the plot (neither is cut off).
    assert 'text-anchor="start">02 Nov' in svg and 'text-anchor="end">06 Nov' in svg


def test_calendar_cells_say_done_of_target_and_are_shaded_by_it():
    days = [charts.Day(D0, 2, 2), charts.Day(D0 + timedelta(days=1), 1, 2), charts.Day(D0 + timedelta(days=2), 0, 2),
            charts.Day(D0 + timedelta(days=3), 0, 0), charts.Day(D0 + timedelta(days=4), None, None)]
    labels = {"all": "all done", "part": "some done", "none": "none done", "rest": "nothing planned", "out": "no program"}
    svg = str(charts.calendar("cal", "t", "d", days, weekday_labels=list("MTWTFSS"), labels=labels))
    parse(svg)
    cells = re.findall(r'<g class="cell cell-(\w+)"><rect[^>]*><title>([^<]+)</title></rect><text[^>]*>([^<]*)</text>', svg)
    assert [(state, text) for state, _tip, text in cells] == [
        ("all", "2/2"), ("part", "1/2"), ("none", "0/2"), ("rest", "·"), ("out", "")]
    assert cells[1][1] == "2026-11-03: some done (1/2)"


def test_the_day_strip_marks_days_with_data_and_today():
    svg = str(charts.day_strip("s", "t", "d", D0, D0 + timedelta(days=29), [D0, D0 + timedelta(days=2)],
                               today=D0 + timedelta(days=10), labels={"marked": "data", "empty": "none", "future": "to come"}))
    parse(svg)
    states = re.findall(r'<g class="cell cell-(\w+)( today)?">', svg)
    assert len(states) == 30 and [s for s, _t in states].count("marked") == 2
    assert [s for s, _t in states].count("future") == 19 and states[10] == ("empty", " today")
