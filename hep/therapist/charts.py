"""Charts for the therapist's pages as inline SVG: pure functions, data in, markup out.

No JavaScript and no chart library: the server draws each chart once, the browser scales it
(``viewBox``), and the page's CSS colours it (classes, so light and dark themes both work and
no inline style meets the content security policy). Every chart is an ``img`` to assistive
technology, named by its ``<title>`` and described by its ``<desc>``; the pages put the same
figures in a table beside it. Series differ by dash pattern and marker as well as colour, and
the legend names them in words.

Callers pass every word already translated (``labels``) and a ``day_label`` that formats a
date in the reader's locale, so these functions need no request and are tested as they are.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from markupsafe import Markup, escape

WIDTH = 560
#: Room for the y axis labels (left), the date axis (bottom) and the legend (top).
LEFT, RIGHT, TOP, BOTTOM = 34, 14, 30, 34
DayLabel = Callable[[date], str]


@dataclass(frozen=True)
class Series:
    """One line: ``points`` are (day, value or None); None days break the line."""

    label: str
    points: Sequence[tuple[date, float | None]]
    css: str = "s0"


@dataclass(frozen=True)
class Level:
    """A horizontal reference line (a threshold, a baseline) with its label."""

    label: str
    value: float
    css: str = "level"


@dataclass(frozen=True)
class Day:
    """One day of a calendar: ``done`` of ``target`` (None: outside the period or to come)."""

    day: date
    done: int | None
    target: int | None
    marks: tuple[str, ...] = field(default_factory=tuple)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _frame(chart_id: str, title: str, desc: str, height: float, body: Iterable[str], css: str) -> Markup:
    """The ``<svg>`` element: an image named by its title and described by its description."""
    head = (f'<svg class="chart {css}" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {_num(height)}" role="img" '
            f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
            f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")  # nosec B704: every text above is escaped


def _legend(entries: Sequence[tuple[str, str]], y: float = 14) -> list[str]:
    """Legend entries (css class, label) in a row at the top, each a short line of its series."""
    out, x = [], float(LEFT)
    for css, label in entries:
        out.append(f'<g class="legend {css}"><line x1="{_num(x)}" y1="{_num(y - 4)}" x2="{_num(x + 18)}" '
                   f'y2="{_num(y - 4)}"/><text x="{_num(x + 22)}" y="{_num(y)}">{escape(label)}</text></g>')
        x += 34 + 7 * len(label)
    return out


def _date_ticks(start: date, end: date, count: int = 6) -> list[date]:
    span = (end - start).days
    if span <= 0:
        return [start]
    step = max(1, round(span / (count - 1)))
    ticks = [start + timedelta(days=n) for n in range(0, span + 1, step)]
    if (end - ticks[-1]).days * 2 >= step:
        ticks.append(end)
    elif ticks[-1] != end:
        ticks[-1] = end
    return ticks


def line_chart(chart_id: str, title: str, desc: str, start: date, end: date, series: Sequence[Series], *,
               levels: Sequence[Level] = (), y_max: float = 10, day_label: DayLabel = date.isoformat,
               height: float = 220, value_label: Callable[[float], str] = _num) -> Markup:
    """Values over the days ``start``..``end`` (a date axis below, 0..``y_max`` on the left),
    with ``levels`` as dashed horizontal lines labelled at their right end. Each point is a
    marker with its own tooltip (``<title>``: the day and the value)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    days = max(1, (end - start).days)

    def x(day: date) -> float:
        return LEFT + plot_w * (day - start).days / days

    def y(value: float) -> float:
        return TOP + plot_h * (1 - min(max(value, 0), y_max) / y_max)

    body = _legend([(s.css, s.label) for s in series])
    step = 2 if y_max <= 10 else max(1, round(y_max / 5))
    for tick in range(0, int(y_max) + 1, step):
        body.append(f'<g class="grid"><line x1="{LEFT}" y1="{_num(y(tick))}" x2="{WIDTH - RIGHT}" y2="{_num(y(tick))}"/>'
                    f'<text x="{LEFT - 6}" y="{_num(y(tick) + 4)}" text-anchor="end">{_num(tick)}</text></g>')
    for tick in _date_ticks(start, end):
        # The first and last dates align with the plot's edges, so neither is cut off.
        anchor = "start" if tick == start else "end" if tick == end else "middle"
        body.append(f'<g class="axis"><line x1="{_num(x(tick))}" y1="{_num(TOP + plot_h)}" x2="{_num(x(tick))}" '
                    f'y2="{_num(TOP + plot_h + 4)}"/><text x="{_num(x(tick))}" y="{_num(TOP + plot_h + 18)}" '
                    f'text-anchor="{anchor}">{escape(day_label(tick))}</text></g>')
    for level in levels:
        body.append(f'<g class="{escape(level.css)}"><line x1="{LEFT}" y1="{_num(y(level.value))}" x2="{WIDTH - RIGHT}" '
                    f'y2="{_num(y(level.value))}"/><text x="{WIDTH - RIGHT - 2}" y="{_num(y(level.value) - 4)}" '
                    f'text-anchor="end">{escape(level.label)}</text></g>')
    for s in series:
        runs: list[list[tuple[date, float]]] = [[]]
        for day, value in sorted(s.points):
            if value is None:
                runs.append([])
            else:
                runs[-1].append((day, value))
        paths = ["M" + " L".join(f"{_num(x(d))} {_num(y(v))}" for d, v in run) for run in runs if len(run) > 1]
        body.append(f'<g class="series {escape(s.css)}">')
        body += [f'<path d="{p}"/>' for p in paths]
        body += [f'<circle cx="{_num(x(d))}" cy="{_num(y(v))}" r="3.5"><title>{escape(day_label(d))}: '
                 f'{escape(s.label)} {escape(value_label(v))}</title></circle>'
                 for d, v in s.points if v is not None and start <= d <= end]
        body.append("</g>")
    return _frame(chart_id, title, desc, height, body, "line-chart")


def calendar(chart_id: str, title: str, desc: str, days: Sequence[Day], *, weekday_labels: Sequence[str],
             labels: dict[str, str], day_label: DayLabel = date.isoformat) -> Markup:
    """Days in weeks (rows, Monday first), each cell ``done/target`` and shaded by how much of
    the target was done: ``all``, ``part``, ``none``, ``rest`` (nothing planned) or ``out``
    (outside the period or still to come). ``labels`` names those five for the legend and the
    tooltips; ``weekday_labels`` are seven short names, Monday first."""
    if not days:
        return _frame(chart_id, title, desc, 40, [], "calendar")
    first = days[0].day - timedelta(days=days[0].day.weekday())
    weeks = (days[-1].day - first).days // 7 + 1
    cell, gap = 44, 4
    left = LEFT + 60
    height = TOP + 20 + weeks * (cell + gap) + 6
    body = _legend([(f"cell-{k}", labels[k]) for k in ("all", "part", "none", "rest")])
    for n, name in enumerate(weekday_labels):
        body.append(f'<text class="weekday" x="{left + n * (cell + gap) + cell / 2}" y="{TOP + 12}" '
                    f'text-anchor="middle">{escape(name)}</text>')
    for week in range(weeks):
        monday = first + timedelta(days=7 * week)
        body.append(f'<text class="week" x="{left - 8}" y="{_num(TOP + 20 + week * (cell + gap) + cell / 2 + 4)}" '
                    f'text-anchor="end">{escape(day_label(monday))}</text>')
    for d in days:
        state = _day_state(d)
        col, row = d.day.weekday(), (d.day - first).days // 7
        cx, cy = left + col * (cell + gap), TOP + 20 + row * (cell + gap)
        text = f"{d.done}/{d.target}" if d.target else ("·" if d.done is not None else "")
        tip = f"{day_label(d.day)}: {labels[state]}" + (f" ({d.done}/{d.target})" if d.target else "")
        body.append(f'<g class="cell cell-{state}{" " + " ".join(map(str, d.marks)) if d.marks else ""}">'
                    f'<rect x="{cx}" y="{cy}" width="{cell}" height="{cell}" rx="4"><title>{escape(tip)}</title></rect>'
                    f'<text x="{cx + cell / 2}" y="{cy + cell / 2 + 5}" text-anchor="middle">{escape(text)}</text></g>')
    return _frame(chart_id, title, desc, height, body, "calendar")


def _day_state(d: Day) -> str:
    if d.done is None or d.target is None:
        return "out"
    if d.target == 0:
        return "rest"
    return "all" if d.done >= d.target else "part" if d.done else "none"


def day_strip(chart_id: str, title: str, desc: str, start: date, end: date, marked: Iterable[date], *,
              today: date, labels: dict[str, str], day_label: DayLabel = date.isoformat) -> Markup:
    """Every day of ``start``..``end`` as a cell in one row, filled on the ``marked`` days,
    outlined today, faint after today; ``labels`` names ``marked``, ``empty`` and ``future``."""
    count = (end - start).days + 1
    if count < 1:
        return _frame(chart_id, title, desc, 40, [], "strip")
    marked = set(marked)
    plot_w = WIDTH - LEFT - RIGHT
    width = plot_w / count
    height = TOP + 40 + 24
    body = _legend([("cell-marked", labels["marked"]), ("cell-empty", labels["empty"])])
    for n in range(count):
        day = start + timedelta(days=n)
        state = "marked" if day in marked else "future" if day > today else "empty"
        x = LEFT + n * width
        body.append(f'<g class="cell cell-{state}{" today" if day == today else ""}"><rect x="{_num(x + 1)}" '
                    f'y="{TOP}" width="{_num(width - 2)}" height="40" rx="2"><title>{escape(day_label(day))}: '
                    f'{escape(labels[state])}</title></rect></g>')
        if n in (0, count - 1) or (day == today and 4 < n < count - 5):
            anchor = "start" if n == 0 else "end" if n == count - 1 else "middle"
            tx = x + 1 if n == 0 else x + width - 1 if n == count - 1 else x + width / 2
            body.append(f'<text class="axis" x="{_num(tx)}" y="{TOP + 58}" text-anchor="{anchor}">'
                        f'{escape(day_label(day))}</text>')
    return _frame(chart_id, title, desc, height, body, "strip")
