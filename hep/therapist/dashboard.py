"""The charts of a patient's dashboard page, from what the care services already computed.

Nothing is counted here: the pain lines are the summary's ``pain_series``, the thresholds its
``settings``, the calendar the one count of sessions (``hep.logbook.sessions.sessions_done``),
the outcome lines the stored responses (``hep.care.outcomes.history``) with the instrument's
meaningful-change line, and the monitoring days the summary's current RTM period. Each chart
comes with the table of the same figures (``columns``, ``rows``) the page shows behind a toggle.
"""
from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _

from hep.care import outcomes as outcome_measures
from hep.logbook.sessions import sessions_done
from hep.models import Patient
from hep.therapist import charts


def _day_label():
    locale = str(get_locale())
    return lambda day: format_date(day, "d MMM", locale=locale)


def _score(value) -> str:
    return "—" if value is None else f"{value:g}"


def dashboard_charts(patient: Patient, summary: dict) -> list[dict]:
    """The dashboard's charts, in page order: each ``{id, title, svg, columns, rows}``."""
    day_label = _day_label()
    start, end = date.fromisoformat(summary["start"]), date.fromisoformat(summary["end"])
    return [
        session_pain_chart(summary, start, end, day_label),
        morning_pain_chart(summary, start, end, day_label),
        adherence_chart(patient, start, end, day_label),
        *outcome_charts(patient, summary, day_label),
        monitoring_chart(summary, day_label),
    ]


def session_pain_chart(summary: dict, start: date, end: date, day_label) -> dict:
    """The day's highest pain during and after sessions, with the progress and regress lines."""
    points = summary["pain_series"]
    settings = summary["settings"]
    during = [(date.fromisoformat(p["date"]), p["pain_during_max"]) for p in points]
    after = [(date.fromisoformat(p["date"]), p["pain_after_max"]) for p in points]
    levels = [charts.Level(_("progress at or below %(n)s", n=settings["pain_during_progress_max"]),
                           settings["pain_during_progress_max"], "level level-ok"),
              charts.Level(_("regress above %(n)s", n=settings["pain_during_regress_above"]),
                           settings["pain_during_regress_above"], "level level-stop")]
    if (settings["pain_after_progress_max"], settings["pain_after_regress_above"]) != (
            settings["pain_during_progress_max"], settings["pain_during_regress_above"]):
        levels += [charts.Level(_("after: progress at or below %(n)s", n=settings["pain_after_progress_max"]),
                                settings["pain_after_progress_max"], "level level-ok level-after"),
                   charts.Level(_("after: regress above %(n)s", n=settings["pain_after_regress_above"]),
                                settings["pain_after_regress_above"], "level level-stop level-after")]
    logged = [p for p in points if p["pain_during_max"] is not None]
    if logged:
        worst = max(p["pain_during_max"] for p in logged)
        desc = _("Highest pain during sessions on %(days)s days from %(start)s to %(end)s: at most %(worst)s/10, "
                 "%(latest)s/10 on the latest day. The patient's progress line is %(low)s/10, the regress line "
                 "above %(high)s/10.", days=len(logged), start=day_label(start), end=day_label(end), worst=worst,
                 latest=logged[-1]["pain_during_max"], low=settings["pain_during_progress_max"],
                 high=settings["pain_during_regress_above"])
    else:
        desc = _("No sessions logged from %(start)s to %(end)s.", start=day_label(start), end=day_label(end))
    title = _("Pain during and after sessions")
    svg = charts.line_chart("chart-session-pain", title, desc, start, end, [
        charts.Series(_("during (highest)"), during, "s0"), charts.Series(_("after (highest)"), after, "s1"),
    ], levels=levels, day_label=day_label)
    return {"id": "chart-session-pain", "title": title, "svg": svg,
            "columns": [_("Day"), _("Pain during (mean)"), _("Pain during (highest)"), _("Pain after (highest)")],
            "rows": [[day_label(date.fromisoformat(p["date"])), _score(p["pain_during_mean"]),
                      _score(p["pain_during_max"]), _score(p["pain_after_max"])] for p in logged]}


def morning_pain_chart(summary: dict, start: date, end: date, day_label) -> dict:
    """The morning check-in: the overall rating, and back and leg pain where rated."""
    points = [p for p in summary["pain_series"] if p["morning_pain"] is not None]
    series = [charts.Series(_("overall"), [(date.fromisoformat(p["date"]), p["morning_pain"]) for p in points], "s0")]
    for key, label, css in (("back_pain", _("back"), "s1"), ("leg_pain", _("leg"), "s2")):
        if any(p.get(key) is not None for p in points):
            series.append(charts.Series(label, [(date.fromisoformat(p["date"]), p.get(key)) for p in points], css))
    if points:
        last = points[-1]
        parts = [_("overall %(n)s/10", n=last["morning_pain"])]
        parts += [_("back %(n)s/10", n=last["back_pain"])] if last.get("back_pain") is not None else []
        parts += [_("leg %(n)s/10", n=last["leg_pain"])] if last.get("leg_pain") is not None else []
        desc = _("Morning pain on %(days)s mornings from %(start)s to %(end)s; on the latest, %(latest)s.",
                 days=len(points), start=day_label(start), end=day_label(end), latest=", ".join(parts))
    else:
        desc = _("No morning check-ins from %(start)s to %(end)s.", start=day_label(start), end=day_label(end))
    title = _("Morning pain: overall, back and leg")
    svg = charts.line_chart("chart-morning-pain", title, desc, start, end, series, day_label=day_label)
    return {"id": "chart-morning-pain", "title": title, "svg": svg,
            "columns": [_("Day"), _("Overall"), _("Back"), _("Leg")],
            "rows": [[day_label(date.fromisoformat(p["date"])), _score(p["morning_pain"]),
                      _score(p.get("back_pain")), _score(p.get("leg_pain"))] for p in points]}


def adherence_chart(patient: Patient, start: date, end: date, day_label) -> dict:
    """A calendar of the summary's days: sessions done (counted towards the target) of those
    planned, by ``sessions_done``; days before the first program are outside."""
    counts = sessions_done([patient.id], [start + timedelta(days=n) for n in range((end - start).days + 1)])
    days = [charts.Day(day, None, None) if count.version_id is None
            else charts.Day(day, count.counted, count.sessions_target, ("today",) if day == end else ())
            for (_pid, day), count in sorted(counts.items())]
    planned = sum(d.target or 0 for d in days)
    done = sum(min(d.done or 0, d.target or 0) for d in days)
    title = _("Sessions done, day by day")
    desc = (_("%(done)s of %(planned)s planned sessions done from %(start)s to %(end)s; today counts only what is "
              "done so far.", done=done, planned=planned, start=day_label(start), end=day_label(end))
            if planned else _("No sessions planned from %(start)s to %(end)s.", start=day_label(start), end=day_label(end)))
    labels = {"all": _("all done"), "part": _("some done"), "none": _("none done"), "rest": _("nothing planned"),
              "out": _("no program")}
    weekdays = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    svg = charts.calendar("chart-adherence", title, desc, days, weekday_labels=weekdays, labels=labels,
                          day_label=day_label)
    return {"id": "chart-adherence", "title": title, "svg": svg,
            "columns": [_("Day"), _("Sessions done"), _("Sessions planned")],
            "rows": [[day_label(d.day), d.done, d.target] for d in days if d.target is not None]}


def outcome_charts(patient: Patient, summary: dict, day_label) -> list[dict]:
    """One chart per outcome measure answered at least twice: the score at each response, the
    baseline, and the meaningful-change line in the better direction (the instrument's minimal
    important change, or its share of the baseline when that is smaller)."""
    history = outcome_measures.history(patient) if summary["outcomes"] else {}
    known = outcome_measures.instruments()
    found = []
    for code, review in summary["outcomes"].items():
        inst = known.get(code)
        responses = history.get(code, {}).get("responses", [])
        points = [(date.fromisoformat(r["recorded_at"][:10]), (r["score"] or {}).get("total")) for r in responses]
        points = [(d, v) for d, v in points if v is not None]
        if inst is None or inst.total is None or len(points) < 2:
            continue
        baseline = review["baseline"] if review["baseline"] is not None else points[0][1]
        high = inst.total.range[1]
        levels = [charts.Level(_("baseline %(n)s", n=_score(baseline)), baseline, "level level-base")]
        step = _meaningful_step(inst, baseline)
        if step and inst.better:
            target = baseline - step if inst.better == "lower" else baseline + step
            levels.append(charts.Level(_("meaningful change %(n)s", n=_score(target)), target, "level level-ok"))
        chart_id = f"chart-outcome-{code}"
        title = _("%(name)s over time", name=review["name"])
        desc = _("%(name)s from %(first)s to %(latest)s on %(count)s responses: %(baseline)s at baseline, "
                 "%(last)s now.", name=review["name"], first=day_label(points[0][0]), latest=day_label(points[-1][0]),
                 count=len(points), baseline=_score(baseline), last=_score(points[-1][1]))
        if review["meaningful"] is not None:
            desc += " " + (_("A meaningful change.") if review["meaningful"] else _("Not yet a meaningful change."))
        svg = charts.line_chart(chart_id, title, desc, points[0][0], max(points[-1][0], points[0][0] + timedelta(days=1)),
                                [charts.Series(review["name"], points, "s0")], levels=levels,
                                y_max=max(high, *(v for _d, v in points)), day_label=day_label,
                                value_label=_score)
        found.append({"id": chart_id, "title": title, "svg": svg, "columns": [_("Day"), _("Score")],
                      "rows": [[day_label(d), _score(v)] for d, v in points]})
    return found


def _meaningful_step(inst, baseline: float) -> float | None:
    """The smallest change of the total that counts as meaningful from ``baseline``."""
    steps = [inst.minimal_important_change.get("total")]
    percent = inst.minimal_important_percent.get("total")
    if percent is not None and baseline:
        steps.append(abs(baseline) * percent / 100)
    steps = [s for s in steps if s]
    return min(steps) if steps else None


def monitoring_chart(summary: dict, day_label) -> dict:
    """The current RTM period's days, those with data filled."""
    period = summary["monitoring_days"]
    start, end = date.fromisoformat(period["window_start"]), date.fromisoformat(period["window_end"])
    today = date.fromisoformat(summary["end"])
    marked = [date.fromisoformat(d) for d in period["dates"]]
    title = _("Monitoring days this period")
    if period["period_number"]:
        desc = _("Period %(n)s, %(start)s to %(end)s: %(count)s days with data so far.", n=period["period_number"],
                 start=day_label(start), end=day_label(end), count=period["count"])
    else:
        desc = _("No period yet: the first day of data starts period 1.")
    labels = {"marked": _("data sent"), "empty": _("no data"), "future": _("to come")}
    svg = charts.day_strip("chart-monitoring", title, desc, start, end, marked, today=today, labels=labels,
                           day_label=day_label)
    return {"id": "chart-monitoring", "title": title, "svg": svg, "columns": [_("Day with data")],
            "rows": [[day_label(d)] for d in marked]}
