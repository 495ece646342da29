"""Outcome measures over time: baseline, latest, change, whether it is meaningful, labels,
and the ``not_improving`` review flag.

Pure: administrations in (dates and answers), frozen values out.

- Fixed-item instruments (NPRS, FABQ, EARS) compare the first scored administration with the
  latest one, on the total and on each subscale, with :func:`score_change` (so NPRS counts
  2 points or 30 %).
- PSFS is read per activity. The activities named at the first administration are the
  baseline set; each activity has its own line (first rating -> latest rating), matched by its
  text (case and spacing ignored). An activity first named later starts its own line from that
  day. The mean change is taken over the baseline activities that were re-rated (their first
  mean against their latest mean), never a first-versus-latest total across different
  activities; the change is meaningful when that mean moves by the instrument's ``total`` line
  (2) or any single activity by its ``item`` line (3).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from .alerts import Alert
from .instruments import Instrument, ScoreChange, score, score_change

#: The alert code of the review flag.
NOT_IMPROVING = "not_improving"


@dataclass(frozen=True)
class Administration:
    """One stored response: its local date, answers (item id -> value) and, for an instrument
    with patient-named items, the item texts (answers keyed "1".."n" in that order)."""

    on: date
    answers: Mapping[str, int]
    items: Sequence[str] = ()
    id: str = ""


@dataclass(frozen=True)
class Change:
    """One line: first value -> latest value, and what the change means."""

    baseline: float
    latest: float
    delta: float
    meaningful: bool | None
    direction: str

    @property
    def improved(self) -> bool:
        """A meaningful change in the better direction."""
        return bool(self.meaningful) and self.direction == "better"

    def to_dict(self) -> dict[str, object]:
        return {"baseline": self.baseline, "latest": self.latest, "change": self.delta,
                "meaningful": self.meaningful, "direction": self.direction}


@dataclass(frozen=True)
class ActivityLine:
    """A PSFS activity: when it was first named, its ratings in order, and its change."""

    activity: str
    first_on: date
    ratings: tuple[int, ...]
    in_baseline: bool
    change: Change | None

    def to_dict(self) -> dict[str, object]:
        return {"activity": self.activity, "first_on": self.first_on.isoformat(),
                "ratings": list(self.ratings), "in_baseline": self.in_baseline,
                **(self.change.to_dict() if self.change else
                   {"baseline": self.ratings[0], "latest": self.ratings[-1], "change": None,
                    "meaningful": None, "direction": None})}


@dataclass(frozen=True)
class MeasureReview:
    """One instrument over time. ``baseline``/``latest``/``change``/``meaningful`` describe the
    main line (the total, or the PSFS mean over the re-rated baseline activities); ``scales``
    holds every scored scale; ``labels`` are the latest score's cut-off labels
    (``"<scale>:<label>"``); ``activities`` the PSFS lines."""

    code: str
    first_on: date
    latest_on: date
    count: int
    baseline: float | None
    latest: float | None
    change: float | None
    meaningful: bool | None
    direction: str | None
    improved: bool
    labels: tuple[str, ...]
    scales: Mapping[str, Change] = field(default_factory=dict)
    activities: tuple[ActivityLine, ...] = ()
    reason: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "first_on": self.first_on.isoformat(),
                "latest_on": self.latest_on.isoformat(), "count": self.count,
                "baseline": self.baseline, "latest": self.latest, "change": self.change,
                "meaningful": self.meaningful, "direction": self.direction,
                "improved": self.improved, "labels": list(self.labels),
                "scales": {k: v.to_dict() for k, v in self.scales.items()},
                "activities": [a.to_dict() for a in self.activities], "reason": self.reason}


def activity_key(text: str) -> str:
    """How activities are matched across administrations: case and spacing ignored."""
    return " ".join(text.split()).casefold()


def review_measure(instrument: Instrument,
                   administrations: Iterable[Administration]) -> MeasureReview | None:
    """The instrument's review over ``administrations`` (by date; the same day in the order
    given); None when there are none."""
    rows = sorted(administrations, key=lambda a: a.on)  # stable: same-day order kept
    if not rows:
        return None
    if instrument.patient_items is not None:
        return _review_patient_items(instrument, rows)
    return _review_fixed(instrument, rows)


def _change(instrument: Instrument, before: float, after: float, scale: str) -> Change:
    found: ScoreChange = score_change(instrument, before, after, scale)
    return Change(before, after, found.delta, found.meaningful, found.direction)


def _review_fixed(instrument: Instrument, rows: list[Administration]) -> MeasureReview:
    scores = [score(instrument, r.answers) for r in rows]
    scales: dict[str, Change] = {}
    for code in ("total", *(s.code for s in instrument.subscales)):
        values = [s.total if code == "total" else s.subscales.get(code) for s in scores]
        present = [v for v in values if v is not None]
        if len(present) >= 2:
            scales[code] = _change(instrument, present[0], present[-1], code)
    totals = [s.total for s in scores if s.total is not None]
    main = scales.get("total")
    return MeasureReview(
        code=instrument.code, first_on=rows[0].on, latest_on=rows[-1].on, count=len(rows),
        baseline=totals[0] if totals else None, latest=totals[-1] if totals else None,
        change=main.delta if main else None, meaningful=main.meaningful if main else None,
        direction=main.direction if main else None,
        improved=any(c.improved for c in scales.values()),
        labels=scores[-1].interpretation, scales=scales)


def _review_patient_items(instrument: Instrument, rows: list[Administration]) -> MeasureReview:
    lines: dict[str, dict] = {}
    baseline_keys: list[str] = []
    for n, row in enumerate(rows):
        for index, text in enumerate(row.items, 1):
            value = row.answers.get(str(index))
            if not isinstance(value, int) or isinstance(value, bool):
                continue
            key = activity_key(text)
            line = lines.setdefault(key, {"activity": " ".join(text.split()), "first_on": row.on,
                                          "ratings": [], "in_baseline": n == 0})
            line["ratings"].append(value)
            if n == 0 and key not in baseline_keys:
                baseline_keys.append(key)
    activities = []
    for line in lines.values():
        ratings = tuple(line["ratings"])
        change = _change(instrument, ratings[0], ratings[-1], "item") if len(ratings) >= 2 else None
        activities.append(ActivityLine(line["activity"], line["first_on"], ratings,
                                       line["in_baseline"], change))
    rerated = [lines[k]["ratings"] for k in baseline_keys if len(lines[k]["ratings"]) >= 2]
    first_mean = _mean(lines[k]["ratings"][0] for k in baseline_keys) if baseline_keys else None
    mean_change = None
    if rerated:
        mean_change = _change(instrument, _mean(r[0] for r in rerated),
                              _mean(r[-1] for r in rerated), "total")
    single = [a for a in activities if a.change is not None and a.change.meaningful]
    meaningful = None
    if mean_change is not None or any(a.change for a in activities):
        meaningful = bool((mean_change and mean_change.meaningful) or single)
    improved = bool((mean_change and mean_change.improved)
                    or any(a.change and a.change.improved for a in single))
    reasons = []
    if mean_change is not None:
        reasons.append(f"Mean of {len(rerated)} re-rated activities {mean_change.baseline:g} -> "
                       f"{mean_change.latest:g} ({mean_change.delta:+g}).")
    reasons += [f"{a.activity}: {a.ratings[0]} -> {a.ratings[-1]} ({a.change.delta:+g})."
                for a in single if a.change]
    return MeasureReview(
        code=instrument.code, first_on=rows[0].on, latest_on=rows[-1].on, count=len(rows),
        baseline=mean_change.baseline if mean_change else first_mean,
        latest=mean_change.latest if mean_change else first_mean,
        change=mean_change.delta if mean_change else None, meaningful=meaningful,
        direction=mean_change.direction if mean_change else None,
        improved=improved, labels=(), scales={"total": mean_change} if mean_change else {},
        activities=tuple(activities), reason=" ".join(reasons))


def _mean(values: Iterable[float]) -> float:
    picked = list(values)
    return round(sum(picked) / len(picked), 2)


def review_outcomes(instruments: Mapping[str, Instrument],
                    administrations: Mapping[str, Iterable[Administration]]) -> dict[str, MeasureReview]:
    """A review per instrument code with at least one administration (unknown codes skipped)."""
    out = {}
    for code in sorted(administrations):
        inst = instruments.get(code)
        found = review_measure(inst, administrations[code]) if inst else None
        if found is not None:
            out[code] = found
    return out


def not_improving(reviews: Mapping[str, MeasureReview], instruments: Mapping[str, Instrument],
                  *, today: date, review_week: int, start: date | None = None) -> Alert | None:
    """The ``not_improving`` caution flag, or None.

    Raised once ``review_week`` weeks have passed since ``start`` (the first administration of
    any measure when not given) and no measure that has a meaningful-change line (PSFS, NPRS;
    not FABQ or EARS) has improved meaningfully. A measure that got meaningfully worse is not
    an improvement. Nothing is raised without a first administration: there is no baseline.
    The evidence names the start and the latest administration, so a flag resolved by the
    therapist is raised again only by a new response that still shows no improvement.
    """
    firsts = [r.first_on for r in reviews.values()]
    if start is None:
        if not firsts:
            return None
        start = min(firsts)
    due = start + timedelta(weeks=review_week)
    if today < due:
        return None
    measured = {c: r for c, r in reviews.items()
                if c in instruments and (instruments[c].minimal_important_change
                                         or instruments[c].minimal_important_percent)}
    if any(r.improved for r in measured.values()):
        return None
    repeated = [c for c, r in measured.items() if r.count >= 2]
    if repeated:
        detail = (f"No meaningful improvement on {', '.join(c.upper() for c in sorted(repeated))} "
                  f"by week {review_week} (since {start.isoformat()}).")
    else:
        detail = (f"No outcome measure repeated by week {review_week} (since {start.isoformat()}): "
                  "nothing shows an improvement.")
    latest = max((r.latest_on for r in reviews.values()), default=start)
    return Alert("caution", NOT_IMPROVING, detail,
                 (f"{NOT_IMPROVING}:{start.isoformat()}", f"outcomes:{latest.isoformat()}"), today)


def improved_codes(reviews: Mapping[str, MeasureReview]) -> tuple[str, ...]:
    """Codes of the measures that improved meaningfully (what clears ``not_improving``)."""
    return tuple(c for c, r in sorted(reviews.items()) if r.improved)
