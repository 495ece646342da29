"""Pain-monitoring rules: progress, hold or regress one prescription, with the reasons.

The window is the ``settings.lookback_days`` local days ending ``today`` (not before
``prescribed_from``). Within it:

- *recent sessions* are the last ``settings.min_sessions`` completions; the pain-during and
  effort rules read them, and their *mornings after* (check-ins dated the day after a recent
  session) give the settled rules;
- *window mornings* are check-ins dated the day after any session in the window; morning-pain
  trend, centralisation and new numbness/weakness read them ("new" is reported once, so it
  keeps counting for the whole window). A red-flag answer on any check-in in the window also
  regresses: nobody should be told to progress during a red-flag episode.

Regress if any regress rule fires; else hold if any hold rule fires or any progress condition
is unmet; else progress. A recommendation lists every rule that fired (regress and hold ones),
or for progress every condition met. Inputs are sorted internally (ties broken by id), so the
order in which logs arrive never matters. The therapist decides; this only proposes.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import fmean
from typing import Literal
from zoneinfo import ZoneInfo

from .adherence import Adherence, session_adherence
from .records import CheckInRecord, CompletionRecord, Dose
from .settings import ClinicalSettings

Status = Literal["progress", "hold", "regress"]
Trend = Literal["centralising", "peripheralising", "stable", "unknown"]


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
    """The proposal for one prescription; ``reasons`` ordered regress, hold, progress."""

    status: Status
    reasons: tuple[Reason, ...]
    prescription_id: int | None = None

    def rules(self) -> tuple[str, ...]:
        return tuple(r.rule for r in self.reasons)

    def to_dict(self) -> dict[str, object]:
        return {"prescription_id": self.prescription_id, "status": self.status,
                "reasons": [r.to_dict() for r in self.reasons]}


def centralisation(checkins: Iterable[CheckInRecord]) -> Trend:
    """Trend of the most distal symptom, latest check-in against the earliest (by date, id).

    Further down the leg -> 'peripheralising'; closer to the spine -> 'centralising';
    same -> 'stable'; fewer than two check-ins -> 'unknown'.
    """
    ordered = sorted(checkins, key=CheckInRecord.sort_key)
    if len(ordered) < 2:
        return "unknown"
    first, last = ordered[0].distal_rank, ordered[-1].distal_rank
    return "peripheralising" if last > first else "centralising" if last < first else "stable"


def recommend(dose: Dose, completions: Iterable[CompletionRecord],
              checkins: Iterable[CheckInRecord], settings: ClinicalSettings | None = None, *,
              today: date, tz: ZoneInfo, prescribed_from: date | None = None,
              prescription_id: int | None = None) -> Recommendation:
    """Propose progress / hold / regress for one prescription (see the module docstring).

    ``completions`` are this prescription's (when ``prescription_id`` is given, others are
    ignored); ``checkins`` are the patient's, and only the mornings after this prescription's
    session days count. ``prescribed_from`` (local date) keeps days before the prescription
    existed out of adherence.
    """
    settings = settings or ClinicalSettings()
    start = today - timedelta(days=settings.lookback_days - 1)
    if prescribed_from is not None:
        start = max(start, prescribed_from)
    sessions = sorted(
        (c for c in completions
         if (prescription_id is None or c.prescription_id == prescription_id)
         and start <= c.local_date(tz) <= today),
        key=CompletionRecord.sort_key)
    all_checkins = sorted((c for c in checkins if start <= c.date <= today),
                          key=CheckInRecord.sort_key)
    session_days = {c.local_date(tz) for c in sessions}
    recent = sessions[-settings.min_sessions:]
    recent_days = {c.local_date(tz) for c in recent}
    window_mornings = [c for c in all_checkins if c.after_day in session_days]
    recent_mornings = [c for c in window_mornings if c.after_day in recent_days]
    adherence = (session_adherence(dose, sessions, start=start, end=today, tz=tz, today=today)
                 if start <= today else None)

    ctx = _Context(settings, today, sessions, recent, recent_mornings, window_mornings,
                   all_checkins, adherence)
    regress, hold, progress = ctx.evaluate()
    if regress:
        return Recommendation("regress", tuple(regress + hold), prescription_id)
    if hold:
        return Recommendation("hold", tuple(hold), prescription_id)
    return Recommendation("progress", tuple(progress), prescription_id)


def _ids(records: Iterable[CompletionRecord | CheckInRecord]) -> tuple[str, ...]:
    return tuple(r.id for r in records)


@dataclass
class _Context:
    settings: ClinicalSettings
    today: date
    sessions: list[CompletionRecord]
    recent: list[CompletionRecord]
    recent_mornings: list[CheckInRecord]
    window_mornings: list[CheckInRecord]
    window_checkins: list[CheckInRecord]
    adherence: Adherence | None

    def evaluate(self) -> tuple[list[Reason], list[Reason], list[Reason]]:
        regress: list[Reason] = []
        hold: list[Reason] = []
        progress: list[Reason] = []
        for check in (self._pain_during, self._settled, self._morning_pain_trend,
                      self._distal, self._neuro, self._red_flag, self._effort,
                      self._adherence, self._sessions):
            for reason in check():
                {"regress": regress, "hold": hold, "progress": progress}[reason.status].append(reason)
        return regress, hold, progress

    def _pain_during(self) -> list[Reason]:
        s = self.settings
        if not self.recent:
            return []
        worst = max(c.pain_during for c in self.recent)
        values = {"max_pain_during": worst, "sessions": len(self.recent),
                  "progress_max": s.pain_during_progress_max,
                  "regress_above": s.pain_during_regress_above}
        evidence = _ids(self.recent)
        if worst > s.pain_during_regress_above:
            return [Reason("pain_during_above_regress", "regress",
                           f"Pain during reached {worst}/10 (above {s.pain_during_regress_above}).",
                           evidence, values)]
        if worst > s.pain_during_progress_max:
            return [Reason("pain_during_hold_band", "hold",
                           f"Pain during reached {worst}/10 ({s.pain_during_progress_max + 1}-"
                           f"{s.pain_during_regress_above} holds).", evidence, values)]
        if len(self.recent) < s.min_sessions:
            return []  # too few sessions to call it; _sessions says so
        return [Reason("pain_during_within_progress", "progress",
                       f"Pain during at most {worst}/10 on the last {len(self.recent)} sessions.",
                       evidence, values)]

    def _settled(self) -> list[Reason]:
        mornings = self.recent_mornings
        if not mornings:
            return [Reason("morning_response_unknown", "hold",
                           "No morning check-in after the recent sessions.", (),
                           {"sessions": len(self.recent)})] if self.recent else []
        reasons = []
        red = [c for c in mornings if c.settled == "no"]
        amber = [c for c in mornings if c.settled == "partly"]
        if red:
            reasons.append(Reason("morning_not_settled", "regress",
                                  "Symptoms had not settled by the next morning.", _ids(red),
                                  {"mornings_not_settled": len(red)}))
        if amber:
            reasons.append(Reason("morning_partly_settled", "hold",
                                  "Symptoms had only partly settled by the next morning.",
                                  _ids(amber), {"mornings_partly_settled": len(amber)}))
        if not reasons:
            reasons.append(Reason("mornings_settled", "progress",
                                  "Symptoms settled by the next morning after each session.",
                                  _ids(mornings), {"mornings": len(mornings)}))
        return reasons

    def _morning_pain_trend(self) -> list[Reason]:
        week_start = self.today - timedelta(days=6)
        this = [c for c in self.window_mornings if week_start <= c.date <= self.today]
        prev = [c for c in self.window_mornings
                if week_start - timedelta(days=7) <= c.date < week_start]
        if not this or not prev:
            return []
        this_mean = fmean(c.morning_pain for c in this)
        prev_mean = fmean(c.morning_pain for c in prev)
        rise = this_mean - prev_mean
        if rise < self.settings.morning_pain_rise_points:
            return []
        return [Reason("morning_pain_rising", "regress",
                       f"Morning pain rose from {prev_mean:.1f} to {this_mean:.1f} week on week.",
                       _ids(prev + this),
                       {"previous_week_mean": round(prev_mean, 2),
                        "this_week_mean": round(this_mean, 2),
                        "rise_threshold": self.settings.morning_pain_rise_points})]

    def _distal(self) -> list[Reason]:
        trend = centralisation(self.window_mornings)
        if not self.recent:
            return []
        if len(self.window_mornings) >= 2:
            first, last = self.window_mornings[0], self.window_mornings[-1]
            values = {"trend": trend, "from": first.distal_symptom, "to": last.distal_symptom}
            evidence = (first.id, last.id)
        else:
            values, evidence = {"trend": trend}, _ids(self.window_mornings)
        if trend == "peripheralising":
            return [Reason("peripheralisation", "regress",
                           f"Most distal symptom moved down the leg ({values['from']} to "
                           f"{values['to']}).", evidence, values)]
        if trend == "unknown":
            return [Reason("distal_trend_unknown", "hold",
                           "Fewer than two morning check-ins to tell where symptoms are heading.",
                           evidence, values)]
        word = "closer to the spine" if trend == "centralising" else "the same"
        return [Reason("distal_stable_or_centralising", "progress",
                       f"Most distal symptom {word} ({values['from']} to {values['to']}).",
                       evidence, values)]

    def _neuro(self) -> list[Reason]:
        flagged = [c for c in self.window_mornings if c.new_numbness_or_weakness]
        if not flagged:
            return []
        return [Reason("new_numbness_or_weakness", "regress",
                       "New numbness or weakness reported after a session.", _ids(flagged),
                       {"mornings": len(flagged)})]

    def _red_flag(self) -> list[Reason]:
        flagged = [c for c in self.window_checkins if c.red_flag_change]
        if not flagged:
            return []
        return [Reason("red_flag_reported", "regress",
                       "A red-flag change (bladder, bowel or saddle sensation) was reported.",
                       _ids(flagged), {"checkins": len(flagged)})]

    def _effort(self) -> list[Reason]:
        if not self.recent:
            return []
        limit = self.settings.max_effort_for_progress
        worst = max(c.effort for c in self.recent)
        values = {"max_effort": worst, "max_effort_for_progress": limit,
                  "min_reps_in_reserve": self.settings.min_reps_in_reserve}
        if worst > limit:
            return [Reason("effort_above_reserve", "hold",
                           f"Effort reached RPE {worst}: fewer than "
                           f"{self.settings.min_reps_in_reserve} reps in reserve.",
                           _ids(self.recent), values)]
        return [Reason("effort_leaves_reserve", "progress",
                       f"Effort at most RPE {worst}: at least {10 - worst} reps in reserve.",
                       _ids(self.recent), values)]

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

    def _sessions(self) -> list[Reason]:
        n, needed = len(self.sessions), self.settings.min_sessions
        if n < needed:
            return [Reason("too_few_sessions", "hold",
                           f"{n} session(s) logged in the window; {needed} needed to judge.",
                           _ids(self.sessions), {"sessions": n, "min_sessions": needed})]
        return []

