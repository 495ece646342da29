"""Pain-monitoring rules: stop, regress, hold or progress one prescription, with the reasons.

The rules read the whole window, never only the last sessions (CLINICAL.md, "Pain-monitoring
rules"; docs/clinical.md states each rule with its default and source):

- the *window* is every local day since the current dose (``prescribed_from``), at most
  ``settings.window_days`` ending ``today``; its last ``settings.recent_days`` are *recent*;
- *sessions* are this prescription's completions in the window; *mornings* are all the
  patient's check-ins in the window (rest-day mornings included) answered after the current
  dose started; the *reference* mornings for the patient's own median may reach back
  ``window_days`` more, but never before the current dose (so after a regress the same bad days
  do not count twice);
- the *trend* reads this prescription's sessions of the last ``settings.trend_days`` (not
  before the current dose).

Status: ``stop`` if an emergency or urgent alert is open (``open_alert``) or an emergency answer
(red flag, weakness getting worse, both legs) is in the window and not older than the last
resolution; else ``regress`` if any regress rule fires; else ``hold`` if any hold rule fires or a
progress condition is unmet; else ``progress``. Reasons are ordered stop, regress, hold, progress
in rule order; a recommendation lists every rule that fired at or above its status (stop lists
regress and hold rules too, regress lists hold rules), plus the centralisation note when the leg
is centralising. Inputs are sorted internally (ties broken by id), so the order in which logs
arrive never matters. The therapist decides; this only proposes.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import Literal
from zoneinfo import ZoneInfo

from .adherence import Adherence, session_adherence
from .records import CheckInRecord, CompletionRecord, Dose, OpenAlert
from .settings import ClinicalSettings

Status = Literal["stop", "regress", "hold", "progress"]
STATUSES: tuple[Status, ...] = ("stop", "regress", "hold", "progress")
Trend = Literal["centralising", "peripheralising", "further_once", "stable", "unknown"]


@dataclass(frozen=True)
class Reason:
    """One rule that fired: a stable ``rule`` code, the status it argues for, a short English
    ``detail`` for the therapist, the ids of the logs it read, and the figures it compared."""

    rule: str
    status: Status
    detail: str
    evidence: tuple[str, ...] = ()
    values: Mapping[str, float | int | str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "status": self.status, "detail": self.detail,
                "evidence": list(self.evidence), "values": dict(self.values)}


@dataclass(frozen=True)
class Recommendation:
    """The proposal for one prescription; ``reasons`` ordered stop, regress, hold, progress."""

    status: Status
    reasons: tuple[Reason, ...]
    prescription_id: int | None = None

    def rules(self) -> tuple[str, ...]:
        return tuple(r.rule for r in self.reasons)

    def reason(self, rule: str) -> Reason | None:
        return next((r for r in self.reasons if r.rule == rule), None)

    def to_dict(self) -> dict[str, object]:
        return {"prescription_id": self.prescription_id, "status": self.status,
                "reasons": [r.to_dict() for r in self.reasons]}


# ---- where the symptoms are -----------------------------------------------------------------

@dataclass(frozen=True)
class DistalMove:
    """A move of the most distal symptom away from the spine.

    ``kind`` is ``peripheralisation`` (further on two mornings in a row, or by two levels at
    once) or ``further_once`` (one level further on the latest morning only). ``before`` is
    the morning whose level it moved away from; ``mornings`` the mornings further than it."""

    kind: Literal["peripheralisation", "further_once"]
    before: CheckInRecord
    mornings: tuple[CheckInRecord, ...]

    @property
    def to_symptom(self) -> str:
        return max(self.mornings, key=lambda c: c.distal_rank).distal_symptom


def distal_moves(checkins: Iterable[CheckInRecord]) -> tuple[DistalMove, ...]:
    """Every move of the most distal symptom away from the spine, morning by morning.

    Each morning is compared with the one before it: two or more levels further at once is
    peripheralisation; one level further is peripheralisation when the next morning is still
    further than the level before the move, ``further_once`` when it is the latest morning, and
    a fluctuation (nothing) when the next morning is back."""
    ordered = sorted(checkins, key=CheckInRecord.sort_key)
    moves: list[DistalMove] = []
    for i in range(1, len(ordered)):
        before, cur = ordered[i - 1], ordered[i]
        if cur.distal_rank <= before.distal_rank:
            continue
        if cur.distal_rank - before.distal_rank >= 2:
            moves.append(DistalMove("peripheralisation", before, (cur,)))
        elif i + 1 < len(ordered) and ordered[i + 1].distal_rank > before.distal_rank:
            moves.append(DistalMove("peripheralisation", before, (cur, ordered[i + 1])))
        elif i + 1 == len(ordered):
            moves.append(DistalMove("further_once", before, (cur,)))
    return tuple(moves)


def centralisation(checkins: Iterable[CheckInRecord]) -> Trend:
    """Where the most distal symptom is heading over these check-ins (by date, id).

    'peripheralising' when any move is peripheralisation (see :func:`distal_moves`);
    'further_once' when the latest morning is one level further than the one before;
    'centralising' when the latest is closer to the spine than the earliest; 'stable' when
    the same; 'unknown' with fewer than two check-ins. foot -> buttock -> below knee is
    'further_once', not centralising."""
    ordered = sorted(checkins, key=CheckInRecord.sort_key)
    if len(ordered) < 2:
        return "unknown"
    moves = distal_moves(ordered)
    if any(m.kind == "peripheralisation" for m in moves):
        return "peripheralising"
    if moves:
        return "further_once"
    first, last = ordered[0].distal_rank, ordered[-1].distal_rank
    return "centralising" if last < first else "stable"


# ---- the recommendation ---------------------------------------------------------------------

def recommend(dose: Dose, completions: Iterable[CompletionRecord],
              checkins: Iterable[CheckInRecord], settings: ClinicalSettings | None = None, *,
              today: date, tz: ZoneInfo, prescribed_from: date | None = None,
              prescription_id: int | None = None, open_alert: OpenAlert | str | None = None,
              resolved_on: date | None = None, baseline_morning_pain: int | None = None,
              calming: bool = False, loaded: bool | None = None,
              program_changed_on: Collection[date] = ()) -> Recommendation:
    """Propose stop / regress / hold / progress for one prescription (see the module docstring).

    - ``completions`` are this prescription's (when ``prescription_id`` is given, others are
      ignored); ``checkins`` are the patient's;
    - ``prescribed_from``: the local day the current dose started (a new exercise or a dose
      change); the window and the morning reference start there, and a bad morning after that
      day names the change as its likely cause;
    - ``open_alert``: an open stored alert (or just its level); emergency or urgent -> ``stop``
      for every prescription, naming the alert;
    - ``resolved_on``: the local day an alert was last resolved: emergency answers up to that
      day no longer stop, and nothing progresses until ``resolution_hold_days`` days of new
      data;
    - ``baseline_morning_pain``: the reference for the first mornings (e.g. the assessment's
      pain now), blended with the first check-ins until there are enough of them;
    - ``calming``: an exercise calming by nature (breathing, a position of ease): a morning
      response alone holds it, never regresses it;
    - ``loaded``: the reps-in-reserve rule applies (default: the dose has a weight);
    - ``program_changed_on``: the days any other prescription of the program started or
      changed: a bad morning after such a day (and not after a change of this one) names that
      change and holds this exercise instead of regressing it.
    """
    settings = settings or ClinicalSettings()
    if isinstance(open_alert, str):
        open_alert = OpenAlert(open_alert, "open_alert")  # type: ignore[arg-type]
    ctx = _Context.build(dose, completions, checkins, settings, today=today, tz=tz,
                         prescribed_from=prescribed_from, prescription_id=prescription_id,
                         open_alert=open_alert, resolved_on=resolved_on,
                         baseline=baseline_morning_pain, calming=calming,
                         loaded=dose.load_value is not None if loaded is None else loaded,
                         program_changed_on=frozenset(program_changed_on))
    by_status: dict[Status, list[Reason]] = {s: [] for s in STATUSES}
    notes: list[Reason] = []
    for reason in ctx.evaluate():
        if reason.rule == "distal_centralising":
            notes.append(reason)
        else:
            by_status[reason.status].append(reason)
    for status in STATUSES[:-1]:
        if by_status[status]:
            reasons = [r for s in STATUSES[STATUSES.index(status):-1] for r in by_status[s]]
            return Recommendation(status, tuple(reasons + notes), prescription_id)
    return Recommendation("progress", tuple(by_status["progress"] + notes), prescription_id)


def _ids(records: Iterable[CompletionRecord | CheckInRecord]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.id for r in records))


def _dates(days: Iterable[date]) -> str:
    return ", ".join(d.isoformat() for d in sorted(set(days)))


def _where(distal: object) -> str:
    return str(distal).replace("_", " ")


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 2)


@dataclass
class _Context:
    settings: ClinicalSettings
    dose: Dose
    today: date
    tz: ZoneInfo
    start: date                      # first day of the window
    recent_start: date
    prescribed_from: date | None
    sessions: list[CompletionRecord]  # this prescription, in the window
    trend_sessions: list[CompletionRecord]
    mornings: list[CheckInRecord]     # judged: in the window, after the current dose started
    pool: list[CheckInRecord]         # reference mornings (include the judged ones)
    emergency_checkins: list[CheckInRecord]
    all_checkins: list[CheckInRecord]
    adherence: Adherence | None
    open_alert: OpenAlert | None
    resolved_on: date | None
    baseline: int | None
    calming: bool
    loaded: bool
    program_changed_on: frozenset[date]

    @classmethod
    def build(cls, dose: Dose, completions: Iterable[CompletionRecord],
              checkins: Iterable[CheckInRecord], settings: ClinicalSettings, *, today: date,
              tz: ZoneInfo, prescribed_from: date | None, prescription_id: int | None,
              open_alert: OpenAlert | None, resolved_on: date | None, baseline: int | None,
              calming: bool, loaded: bool, program_changed_on: frozenset[date]) -> _Context:
        window_start = today - timedelta(days=settings.window_days - 1)
        start = max(window_start, prescribed_from) if prescribed_from else window_start
        mine = sorted((c for c in completions
                       if prescription_id is None or c.prescription_id == prescription_id),
                      key=CompletionRecord.sort_key)
        all_checkins = sorted((c for c in checkins if c.date <= today), key=CheckInRecord.sort_key)
        trend_start = today - timedelta(days=settings.trend_days - 1)
        if prescribed_from:
            trend_start = max(trend_start, prescribed_from)
        pool_start = start - timedelta(days=settings.window_days)
        if prescribed_from:
            pool_start = max(pool_start, prescribed_from)
        return cls(
            settings=settings, dose=dose, today=today, tz=tz, start=start,
            recent_start=max(start, today - timedelta(days=settings.recent_days - 1)),
            prescribed_from=prescribed_from,
            sessions=[c for c in mine if start <= c.local_date(tz) <= today],
            trend_sessions=[c for c in mine if trend_start <= c.local_date(tz) <= today],
            mornings=[c for c in all_checkins if c.date >= start
                      and (prescribed_from is None or c.date > prescribed_from)],
            pool=[c for c in all_checkins if c.date >= pool_start],
            # a later dose change never lifts a stop: the window here ignores prescribed_from
            emergency_checkins=[c for c in all_checkins if c.emergency and c.date >= window_start
                                and (resolved_on is None or c.date > resolved_on)],
            all_checkins=all_checkins,
            adherence=(session_adherence(dose, [c for c in mine if start <= c.local_date(tz)],
                                         start=start, end=today, tz=tz, today=today)
                       if start <= today else None),
            open_alert=open_alert, resolved_on=resolved_on, baseline=baseline, calming=calming,
            loaded=loaded, program_changed_on=program_changed_on)

    # -- helpers --

    def day(self, c: CompletionRecord) -> date:
        return c.local_date(self.tz)

    @property
    def session_days(self) -> set[date]:
        return {self.day(c) for c in self.sessions}

    def sessions_on(self, days: Collection[date]) -> list[CompletionRecord]:
        return [c for c in self.sessions if self.day(c) in days]

    def _cause(self, after_days: Collection[date]) -> tuple[str, dict[str, str]]:
        """The likely cause of bad mornings reporting on ``after_days``: a change of this
        exercise, or of another one, on one of those days."""
        if self.prescribed_from is not None and self.prescribed_from in after_days:
            on = self.prescribed_from.isoformat()
            return ((f" Likely cause: this exercise's current dose started on {on} (a dose "
                     "change or a new exercise)."),
                    {"likely_cause": "this_exercise_changed", "changed_on": on})
        others = sorted(d for d in self.program_changed_on if d in after_days)
        if others:
            on = others[-1].isoformat()
            return (f" Likely cause: another exercise started or changed on {on}.",
                    {"likely_cause": "other_exercise_changed", "changed_on": on})
        return "", {}

    def _morning_only(self, rule: str, detail: str, evidence: tuple[str, ...],
                      values: dict[str, float | int | str], after_days: Collection[date],
                      done_before: bool) -> Reason:
        """A regress argued by mornings alone: held instead for a calming exercise, for an
        exercise not done the day before, and when another exercise's change is the likely
        cause."""
        cause, cause_values = self._cause(after_days)
        values = values | cause_values
        status: Status = "regress"
        if not done_before:
            status, detail = "hold", detail + " This exercise was not done the day before."
        elif self.calming:
            status, detail = "hold", detail + " A calming exercise: held, not regressed."
            values["calming"] = 1
        elif cause_values.get("likely_cause") == "other_exercise_changed":
            status = "hold"
        return Reason(rule, status, detail + cause, evidence, values)

    # -- the rules, in reporting order --

    def evaluate(self) -> list[Reason]:
        reasons: list[Reason] = []
        for check in (self._open_alert, self._emergency, self._resolution, self._pain,
                      self._pain_share, self._trend, self._settled, self._morning_rating,
                      self._distal, self._neuro, self._silence, self._effort, self._adherence,
                      self._counts):
            reasons.extend(check())
        return reasons

    def _open_alert(self) -> list[Reason]:
        a = self.open_alert
        if a is None or not a.stops:
            return []
        since = f" since {a.date.isoformat()}" if a.date else ""
        values: dict[str, float | int | str] = {"alert_level": a.level, "alert_code": a.code}
        if a.id:
            values["alert_id"] = a.id
        return [Reason("open_alert", "stop",
                       f"An {a.level} alert ({a.code.replace('_', ' ')}) is open{since}: stop "
                       "and contact the clinic until the therapist resolves it.",
                       (a.id,) if a.id else (), values)]

    def _emergency(self) -> list[Reason]:
        reasons = []
        for attr, rule, what in (
                ("red_flag_change", "red_flag_reported",
                 "a change in bladder or bowel control or saddle sensation (possible cauda equina)"),
                ("weakness_worse", "weakness_worse",
                 "weakness getting worse (trouble lifting the foot, heel or toe walking, tripping)"),
                ("both_legs", "both_legs_symptoms", "symptoms in both legs")):
            flagged = [c for c in self.emergency_checkins if getattr(c, attr)]
            if flagged:
                reasons.append(Reason(
                    rule, "stop", f"Reported {what} on {_dates(c.date for c in flagged)}: an "
                    "emergency; stop until the therapist has resolved it.", _ids(flagged),
                    {"checkins": len(flagged), "first": min(c.date for c in flagged).isoformat(),
                     "level": "emergency"}))
        return reasons

    def _resolution(self) -> list[Reason]:
        if self.resolved_on is None or self.resolved_on > self.today:
            return []
        days = ({self.day(c) for c in self.sessions if self.day(c) > self.resolved_on}
                | {c.date for c in self.all_checkins if c.date > self.resolved_on})
        needed = self.settings.resolution_hold_days
        if len(days) >= needed:
            return []
        return [Reason("alert_recently_resolved", "hold",
                       f"An alert was resolved on {self.resolved_on.isoformat()}: {len(days)} of "
                       f"{needed} days of new data since.", (),
                       {"resolved_on": self.resolved_on.isoformat(), "days_of_new_data": len(days),
                        "days_needed": needed})]

    def _pain(self) -> list[Reason]:
        reasons = []
        for kind in ("during", "after"):
            reasons += self._pain_lines(kind)
        return reasons

    def _pain_lines(self, kind: str) -> list[Reason]:
        s = self.settings
        low = getattr(s, f"pain_{kind}_progress_max")
        high = getattr(s, f"pain_{kind}_regress_above")
        values_of = [(c, getattr(c, f"pain_{kind}")) for c in self.sessions]
        over = [c for c, v in values_of if v > high]
        reasons = []
        if over:
            over_days = {self.day(c) for c in over}
            unsettled = [m for m in self.all_checkins
                         if m.after_day in over_days and m.settled == "no"]
            worst = max(v for _, v in values_of)
            values: dict[str, float | int | str] = {
                f"max_pain_{kind}": worst, "sessions_above": len(over), "regress_above": high,
                "dates": _dates(over_days)}
            label = f"Pain {kind} above {high}/10"
            if len(over) >= 2 or unsettled:
                why = (f"on {len(over)} sessions" if len(over) >= 2
                       else "once, with an unsettled morning after it")
                reasons.append(Reason(
                    f"pain_{kind}_above_regress", "regress",
                    f"Pain {kind} reached {worst}/10 ({label.lower()} {why}: {_dates(over_days)}).",
                    _ids(over + unsettled), values))
            else:
                recent = max(over_days) >= self.recent_start
                values["recent"] = int(recent)
                reasons.append(Reason(
                    f"pain_{kind}_above_once", "hold",
                    f"Pain {kind} reached {worst}/10 once, on {_dates(over_days)}"
                    f"{' (in the last ' + str(s.recent_days) + ' days)' if recent else ''}: "
                    "no session may be above "
                    f"{high} to progress.", _ids(over), values))
        band = [c for c, v in values_of if low < v <= high and self.day(c) >= self.recent_start]
        if band:
            worst = max(getattr(c, f"pain_{kind}") for c in band)
            reasons.append(Reason(
                f"pain_{kind}_hold_band", "hold",
                f"Pain {kind} reached {worst}/10 in the last {s.recent_days} days "
                f"({low + 1}-{high} holds).", _ids(band),
                {f"max_pain_{kind}": worst, "progress_max": low, "regress_above": high,
                 "sessions": len(band), "recent_days": s.recent_days}))
        return reasons

    def _pain_share(self) -> list[Reason]:
        s = self.settings
        n = len(self.sessions)
        if not n:
            return []
        ok = [c for c in self.sessions if c.pain_during <= s.pain_during_progress_max
              and c.pain_after <= s.pain_after_progress_max]
        values = {"sessions": n, "sessions_within": len(ok),
                  "percent_within": round(len(ok) * 100 / n, 1),
                  "share_needed_percent": s.progress_share_percent,
                  "max_pain_during": max(c.pain_during for c in self.sessions),
                  "max_pain_after": max(c.pain_after for c in self.sessions),
                  "progress_max_during": s.pain_during_progress_max,
                  "progress_max_after": s.pain_after_progress_max}
        if len(ok) * 100 < s.progress_share_percent * n:
            return [Reason("pain_share_below", "hold",
                           f"{len(ok)} of {n} sessions in the window had pain during <= "
                           f"{s.pain_during_progress_max} and after <= "
                           f"{s.pain_after_progress_max} ({s.progress_share_percent:g} % needed).",
                           _ids(self.sessions), values)]
        return [Reason("pain_within_progress", "progress",
                       f"{len(ok)} of {n} sessions in the window within the progress lines "
                       f"(pain during at most {values['max_pain_during']}/10, after at most "
                       f"{values['max_pain_after']}/10).", _ids(self.sessions), values)]

    def _trend(self) -> list[Reason]:
        s = self.settings
        points = self.trend_sessions
        if len(points) < 4:
            return []
        days = [self.day(c) for c in points]
        span = (max(days) - min(days)).days
        if span < s.trend_min_span_days:
            return []
        origin = min(days)
        xs = [(d - origin).days + _day_fraction(c.performed_at, self.tz)
              for d, c in zip(days, points, strict=False)]
        reasons = []
        for kind in ("during", "after"):
            ys = [getattr(c, f"pain_{kind}") for c in points]
            slope = _slope(xs, ys) * 7
            if slope >= s.trend_slope_per_week:
                reasons.append(Reason(
                    f"pain_{kind}_rising_trend", "hold",
                    f"Pain {kind} rising by {slope:.1f} points a week over {span + 1} days "
                    f"({len(points)} sessions; {s.trend_slope_per_week:g} a week holds).",
                    _ids(points),
                    {"slope_per_week": round(slope, 2), "threshold_per_week":
                     s.trend_slope_per_week, "span_days": span + 1, "sessions": len(points),
                     "first": origin.isoformat(), "last": max(days).isoformat()}))
        return reasons

    def _settled(self) -> list[Reason]:
        days = self.session_days
        reasons = []
        red_after = [m for m in self.mornings if m.settled == "no" and m.after_day in days]
        red_rest = [m for m in self.mornings if m.settled == "no" and m.after_day not in days]
        amber = [m for m in self.mornings if m.settled == "partly"]
        if red_after:
            after = {m.after_day for m in red_after}
            reasons.append(self._morning_only(
                "morning_not_settled",
                f"Symptoms had not settled by the morning after a session ({_dates(m.date for m in red_after)}).",
                _ids(red_after + self.sessions_on(after)),
                {"mornings_not_settled": len(red_after), "dates": _dates(m.date for m in red_after)},
                after, True))
        if red_rest:
            reasons.append(Reason(
                "morning_not_settled_rest_day", "hold",
                f"Symptoms had not settled on a morning after a rest day "
                f"({_dates(m.date for m in red_rest)}).", _ids(red_rest),
                {"mornings_not_settled": len(red_rest), "dates": _dates(m.date for m in red_rest)}))
        if amber:
            reasons.append(Reason(
                "morning_partly_settled", "hold",
                f"Symptoms had only partly settled by the morning ({_dates(m.date for m in amber)}).",
                _ids(amber), {"mornings_partly_settled": len(amber),
                              "dates": _dates(m.date for m in amber)}))
        if not reasons and self.mornings:
            reasons.append(Reason("mornings_settled", "progress",
                                  f"Symptoms settled on all {len(self.mornings)} mornings.",
                                  _ids(self.mornings), {"mornings": len(self.mornings)}))
        return reasons

    # mornings against the patient's own median

    @property
    def centralising(self) -> bool:
        return centralisation(self.mornings) == "centralising"

    def _rating(self, m: CheckInRecord) -> int:
        if self.centralising and m.leg_pain is not None:
            return m.leg_pain
        return m.morning_pain

    def _reference(self, m: CheckInRecord) -> float | None:
        s = self.settings
        previous = [self._rating(p) for p in self.pool if p.sort_key() < m.sort_key()]
        previous = previous[-s.morning_reference_mornings:]
        if len(previous) < s.morning_reference_min and self.baseline is not None:
            previous.append(self.baseline)
        return median(previous) if previous else None

    def _morning_rating(self) -> list[Reason]:
        s = self.settings
        judged = []
        for m in self.mornings:
            ref = self._reference(m)
            if ref is not None:
                judged.append((m, ref, self._rating(m) - ref >= s.morning_rise_points))
        above = [(m, ref) for m, ref, hit in judged if hit]
        if not above:
            return []
        in_a_row = [(a, b) for (a, _, ha), (b, _, hb) in zip(judged, judged[1:], strict=False) if ha and hb]
        last5 = [(m, ref) for m, ref, hit in judged[-5:] if hit]
        which = "leg pain" if self.centralising and any(m.leg_pain is not None for m, _ in above) \
            else "morning pain"
        values: dict[str, float | int | str] = {
            "rating": which, "rise_points": s.morning_rise_points,
            "mornings_above": len(above),
            "ratings": ", ".join(f"{m.date.isoformat()}: {self._rating(m)} vs {_num(ref)}"
                                 for m, ref in above)}
        if in_a_row or len(last5) >= 3:
            triggering = sorted({m for pair in in_a_row for m in pair} if in_a_row
                                else {m for m, _ in last5}, key=CheckInRecord.sort_key)
            after = {m.after_day for m in triggering}
            how = "on two mornings in a row" if in_a_row else f"on {len(last5)} of the last 5 mornings"
            values["pattern"] = "two_in_a_row" if in_a_row else "three_of_five"
            return [self._morning_only(
                "morning_rating_above_median",
                f"The {which} rating was {s.morning_rise_points:g}+ points above the patient's "
                f"median {how} ({_dates(m.date for m in triggering)}).",
                _ids(triggering + self.sessions_on(after)), values, after,
                bool(self.sessions_on(after)))]
        m, ref = above[-1]
        values["pattern"] = "once"
        return [Reason("morning_rating_above_median_once", "hold",
                       f"The {which} rating on {m.date.isoformat()} was {self._rating(m)}, "
                       f"{s.morning_rise_points:g}+ points above the median {_num(ref)}.",
                       _ids(mm for mm, _ in above), values)]

    def _distal(self) -> list[Reason]:
        in_window = [m for m in self.pool if m.date >= self.start]
        moves = [mv for mv in distal_moves(self.pool)
                 if any(m in in_window and m in self.mornings for m in mv.mornings)]
        periph = [mv for mv in moves if mv.kind == "peripheralisation"]
        reasons = []
        if periph:
            mornings = sorted({m for mv in periph for m in mv.mornings}, key=CheckInRecord.sort_key)
            after = {m.after_day for m in mornings}
            done = self.sessions_on(after)
            values: dict[str, float | int | str] = {
                "trend": "peripheralising", "from": periph[0].before.distal_symptom,
                "to": periph[-1].to_symptom, "dates": _dates(m.date for m in mornings),
                "done_in_previous_24h": int(bool(done))}
            detail = (f"Most distal symptom moved down the leg ({_where(values['from'])} to "
                      f"{_where(values['to'])}) on {values['dates']}.")
            if done:
                detail += f" This exercise was done the day before ({_dates(self.day(c) for c in done)})."
            reasons.append(self._morning_only(
                "peripheralisation", detail,
                _ids([mv.before for mv in periph] + mornings + done), values, after, bool(done)))
        once = [mv for mv in moves if mv.kind == "further_once"]
        if once and not periph:
            mv = once[-1]
            reasons.append(Reason(
                "distal_further_once", "hold",
                f"Most distal symptom one level further down the leg on {mv.mornings[0].date.isoformat()} "
                f"({_where(mv.before.distal_symptom)} to {_where(mv.to_symptom)}); not centralising.",
                _ids((mv.before, *mv.mornings)),
                {"trend": "further_once", "from": mv.before.distal_symptom, "to": mv.to_symptom}))
        if reasons:
            return reasons
        if len(self.mornings) < 2:
            return [Reason("distal_trend_unknown", "hold",
                           "Fewer than two morning check-ins to tell where symptoms are heading.",
                           _ids(self.mornings), {"trend": "unknown"})]
        first, last = self.mornings[0], self.mornings[-1]
        values = {"trend": centralisation(self.mornings), "from": first.distal_symptom,
                  "to": last.distal_symptom}
        if values["trend"] == "centralising":
            return [Reason("distal_centralising", "progress",
                           f"Leg symptoms centralising ({_where(first.distal_symptom)} to "
                           f"{_where(last.distal_symptom)}): a good response even if back pain rises; "
                           "the morning rule reads leg pain meanwhile.", (first.id, last.id), values)]
        return [Reason("distal_stable", "progress",
                       f"Most distal symptom the same ({_where(last.distal_symptom)}).",
                       (first.id, last.id), values)]

    def _neuro(self) -> list[Reason]:
        flagged = [c for c in self.mornings if c.new_numbness_or_weakness]
        if not flagged:
            return []
        return [Reason("new_numbness_or_weakness", "hold",
                       f"New numbness or weakness reported on {_dates(c.date for c in flagged)}: "
                       "no progress until the therapist has seen it.", _ids(flagged),
                       {"mornings": len(flagged), "dates": _dates(c.date for c in flagged)})]

    def _silence(self) -> list[Reason]:
        if not self.sessions:
            return []
        last = max((c.date for c in self.all_checkins), default=None)
        since = last if last is not None else self.day(self.sessions[0]) - timedelta(days=1)
        silent = (self.today - since).days
        after = [c for c in self.sessions if self.day(c) >= since]
        needed = self.settings.no_checkin_alert_days
        if silent < needed or not after:
            return []
        return [Reason("no_recent_checkins", "hold",
                       f"Sessions logged but no morning check-in for {silent} days"
                       f"{' (last on ' + last.isoformat() + ')' if last else ''}.",
                       _ids(after), {"days_without_checkin": silent, "alert_days": needed})]

    def _effort(self) -> list[Reason]:
        if not self.sessions or not self.loaded:
            return []
        limit = self.settings.max_effort_for_progress
        worst = max(c.effort for c in self.sessions)
        values = {"max_effort": worst, "max_effort_for_progress": limit,
                  "min_reps_in_reserve": self.settings.min_reps_in_reserve}
        if worst > limit:
            high = [c for c in self.sessions if c.effort > limit]
            return [Reason("effort_above_reserve", "hold",
                           f"Effort reached RPE {worst}: fewer than "
                           f"{self.settings.min_reps_in_reserve} reps in reserve.",
                           _ids(high), values)]
        return [Reason("effort_leaves_reserve", "progress",
                       f"Effort at most RPE {worst}: at least {10 - worst} reps in reserve.",
                       _ids(self.sessions), values)]

    def _adherence(self) -> list[Reason]:
        a, target = self.adherence, self.settings.adherence_target_percent
        if a is None or a.prescribed_sessions == 0:
            return [Reason("adherence_unknown", "hold",
                           "No sessions were prescribed in the window yet.", (), {})]
        values = {"completed_sessions": a.completed_sessions,
                  "prescribed_sessions": a.prescribed_sessions,
                  "percent": a.percent or 0.0, "target_percent": target}
        if a.completed_sessions * 100 < target * a.prescribed_sessions:
            return [Reason("adherence_below_target", "hold",
                           f"Did {a.completed_sessions} of {a.prescribed_sessions} sessions "
                           f"({a.percent:g} %, target {target:g} %).", a.evidence, values)]
        return [Reason("adherence_at_target", "progress",
                       f"Did {a.completed_sessions} of {a.prescribed_sessions} sessions "
                       f"({a.percent:g} %).", a.evidence, values)]

    def _counts(self) -> list[Reason]:
        s = self.settings
        reasons = []
        n = len(self.sessions)
        if n < s.min_sessions:
            reasons.append(Reason("too_few_sessions", "hold",
                                  f"{n} session(s) at the current dose in the window; "
                                  f"{s.min_sessions} needed to judge.", _ids(self.sessions),
                                  {"sessions": n, "min_sessions": s.min_sessions}))
        k = len(self.mornings)
        if k < s.min_checkins:
            reasons.append(Reason("too_few_checkins", "hold",
                                  f"{k} morning check-in(s) at the current dose in the window; "
                                  f"{s.min_checkins} needed to judge.", _ids(self.mornings),
                                  {"checkins": k, "min_checkins": s.min_checkins}))
        return reasons


def _day_fraction(at: datetime, tz: ZoneInfo) -> float:
    local = at.astimezone(tz)
    return (local.hour * 3600 + local.minute * 60 + local.second) / 86400


def _slope(xs: list[float], ys: list[int]) -> float:
    """Least-squares slope of ys on xs (0 when xs do not vary)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=False)) / sxx
