"""Alerts for the therapist: red flags, regress proposals, low adherence, silence.

Levels (CLINICAL.md "Alerts"): ``emergency`` (stop; the patient is sent to an emergency
department), ``urgent`` (stop; the therapist acts the same day), ``warning`` (look soon) and
``caution`` (a review flag). An emergency answer on a check-in (possible cauda equina, weakness
getting worse, symptoms in both legs) is always ``emergency``; the patient app shows its own
"go to an emergency department now, or call your local emergency number" message at once and
never waits for the therapist. These are computed alerts; storing them with an
open/acknowledged/resolved lifecycle is the caller's job (they never expire on their own).
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from .adherence import combined_adherence, session_adherence
from .records import ALERT_LEVELS, AlertLevel, CheckInRecord, CompletionRecord, Dose, OpenAlert
from .rules import Recommendation, recommend
from .settings import ClinicalSettings

Level = AlertLevel
_LEVEL_ORDER = {level: i for i, level in enumerate(ALERT_LEVELS)}
#: Levels used before the four tiers, mapped to their successor.
LEGACY_LEVELS: dict[str, AlertLevel] = {"info": "caution"}


def alert_level(level: str) -> AlertLevel:
    """``level`` as one of the four tiers (an old ``info`` reads as ``caution``)."""
    level = LEGACY_LEVELS.get(level, level)
    if level not in ALERT_LEVELS:
        raise ValueError(f"unknown alert level {level!r}")
    return level  # type: ignore[return-value]


@dataclass(frozen=True)
class Alert:
    """Something the therapist should see; ``evidence`` lists the log ids behind it."""

    level: Level
    code: str
    detail: str
    evidence: tuple[str, ...]
    date: date
    prescription_id: int | None = None

    @property
    def stops(self) -> bool:
        """Emergency and urgent alerts stop every prescription while open."""
        return self.level in ("emergency", "urgent")

    def to_dict(self) -> dict[str, object]:
        return {"level": self.level, "code": self.code, "detail": self.detail,
                "evidence": list(self.evidence), "date": self.date.isoformat(),
                "prescription_id": self.prescription_id}


def red_flag_alerts(checkin: CheckInRecord) -> tuple[Alert, ...]:
    """Alerts raised by one check-in.

    ``red_flag_change`` -> emergency ``red_flag``; ``weakness_worse`` -> emergency
    ``weakness_worse``; ``both_legs`` -> emergency ``both_legs``; ``new_numbness_or_weakness``
    -> warning ``new_neuro_signs`` (emergency when reported with an emergency answer).
    """
    alerts: list[Alert] = []
    if checkin.red_flag_change:
        alerts.append(Alert("emergency", "red_flag",
                            "Reported a change in bladder/bowel control or saddle sensation: "
                            "possible cauda equina, contact the patient now.",
                            (checkin.id,), checkin.date))
    if checkin.weakness_worse:
        alerts.append(Alert("emergency", "weakness_worse",
                            "Reported weakness getting worse (trouble lifting the foot, walking "
                            "on heels or toes, or tripping): contact the patient now.",
                            (checkin.id,), checkin.date))
    if checkin.both_legs:
        alerts.append(Alert("emergency", "both_legs",
                            "Reported symptoms in both legs: contact the patient now.",
                            (checkin.id,), checkin.date))
    if checkin.new_numbness_or_weakness:
        alerts.append(Alert("emergency" if checkin.emergency else "warning",
                            "new_neuro_signs", "Reported new numbness or weakness.",
                            (checkin.id,), checkin.date))
    return tuple(alerts)


def alerts_for(prescriptions: Mapping[int, Dose], completions: Iterable[CompletionRecord],
               checkins: Iterable[CheckInRecord], settings: ClinicalSettings | None = None, *,
               today: date, tz: ZoneInfo, program_start: date | None = None,
               recommendations: Mapping[int, Recommendation] | None = None,
               prescription_starts: Mapping[int, date | None] | None = None,
               open_alert: OpenAlert | None = None, resolved_on: date | None = None,
               calming: Collection[int] = ()) -> tuple[Alert, ...]:
    """Patient-level alerts, most urgent first (red flags leading), then newest.

    - emergency answers and new numbness/weakness from every check-in given up to ``today``
      and after ``resolved_on`` (a red flag does not expire with a window; resolving it is the
      therapist's act);
    - ``peripheralising`` (warning) when the symptoms spread down the leg (the rules'
      ``peripheralisation`` reason, with its mornings as evidence);
    - ``regress_recommended`` (warning) per prescription whose recommendation is regress
      (``recommendations`` are computed with :func:`recommend` when not given, with
      ``open_alert``, ``resolved_on`` and ``calming`` prescription ids passed on);
    - ``low_adherence`` (warning) when session adherence over all prescriptions in the last
      ``settings.trend_days`` is below ``settings.low_adherence_alert_percent``;
    - ``no_checkins`` (warning) when sessions are logged but no check-in came for
      ``settings.no_checkin_alert_days`` days (the red-flag questions go unasked);
    - ``no_logs`` (warning) when nothing at all was logged ``settings.no_logs_alert_days``
      days after ``program_start``; ``no_recent_logs`` (caution) when nothing was logged for
      that many days after earlier logs.
    """
    settings = settings or ClinicalSettings()
    completions = sorted(completions, key=CompletionRecord.sort_key)
    checkins = sorted(checkins, key=CheckInRecord.sort_key)
    start = today - timedelta(days=settings.trend_days - 1)
    if program_start is not None:
        start = max(start, program_start)
    alerts: list[Alert] = []
    for checkin in checkins:
        if checkin.date <= today and (resolved_on is None or checkin.date > resolved_on):
            alerts.extend(red_flag_alerts(checkin))

    if recommendations is None:
        starts_given = prescription_starts or {}
        recommendations = {
            pid: recommend(dose, [c for c in completions if c.prescription_id == pid], checkins,
                           settings, today=today, tz=tz,
                           prescribed_from=starts_given.get(pid) or program_start,
                           prescription_id=pid, open_alert=open_alert, resolved_on=resolved_on,
                           calming=pid in calming)
            for pid, dose in prescriptions.items()}
    spreading = [r for pid in sorted(recommendations) for r in recommendations[pid].reasons
                 if r.rule == "peripheralisation"]
    if spreading:
        alerts.append(Alert("warning", "peripheralising", spreading[0].detail,
                            tuple(dict.fromkeys(i for r in spreading for i in r.evidence)), today))
    for pid in sorted(recommendations):
        rec = recommendations[pid]
        if rec.status == "regress":
            fired = [r for r in rec.reasons if r.status == "regress"]
            evidence = tuple(dict.fromkeys(i for r in fired for i in r.evidence))
            alerts.append(Alert("warning", "regress_recommended",
                                "Regress proposed: " + " ".join(r.detail for r in fired),
                                evidence, today, pid))

    starts = {pid: max(start, (prescription_starts or {}).get(pid) or start) for pid in prescriptions}
    if prescriptions and start <= today:
        parts = [session_adherence(dose, [c for c in completions if c.prescription_id == pid],
                                   start=starts[pid], end=today, tz=tz, today=today)
                 for pid, dose in sorted(prescriptions.items()) if starts[pid] <= today]
        prescribed, done, percent = combined_adherence(parts)
        if prescribed and done * 100 < settings.low_adherence_alert_percent * prescribed:
            # Evidence is the ISO week, not the sessions done: doing more must not raise it again.
            iso = today.isocalendar()
            alerts.append(Alert("warning", "low_adherence",
                                f"Did {done} of {prescribed} prescribed sessions ({percent:g} %).",
                                (f"low_adherence:{iso.year}-W{iso.week:02d}",), today))

    sessions = [c for c in completions if c.local_date(tz) <= today]
    last_checkin = max((c.date for c in checkins if c.date <= today), default=None)
    if prescriptions and sessions:
        since = (last_checkin if last_checkin is not None
                 else sessions[0].local_date(tz) - timedelta(days=1))
        after = [c for c in sessions if c.local_date(tz) >= since]
        silent = (today - since).days
        if after and silent >= settings.no_checkin_alert_days:
            detail = (f"Sessions logged but no morning check-in since {last_checkin.isoformat()}."
                      if last_checkin else "Sessions logged but no morning check-in yet.")
            alerts.append(Alert("warning", "no_checkins", detail,
                                tuple(c.id for c in after), today))

    last_days = [c.local_date(tz) for c in sessions] + [c.date for c in checkins]
    last = max((d for d in last_days if d <= today), default=None)
    since = last or program_start
    if prescriptions and since is not None and (today - since).days >= settings.no_logs_alert_days:
        # Evidence names the silence, so one silence is raised once however long it lasts.
        if last:
            alerts.append(Alert("caution", "no_recent_logs", f"Nothing logged since {last.isoformat()}.",
                                (f"silent_since:{last.isoformat()}",), today))
        else:
            alerts.append(Alert("warning", "no_logs",
                                f"Nothing logged since the program started on {since.isoformat()}.",
                                (f"silent_since:{since.isoformat()}",), today))

    return tuple(sorted(alerts, key=_alert_order))


def _alert_order(alert: Alert) -> tuple[object, ...]:
    """Most urgent first, red flags before anything else at that level, then newest."""
    return (_LEVEL_ORDER[alert.level], alert.code != "red_flag", -alert.date.toordinal(),
            alert.code, alert.prescription_id or 0, alert.evidence)
