"""Alerts for the therapist: red flags, regress proposals, low adherence, silence.

A red-flag answer (possible cauda equina) is always ``urgent``; the patient app shows its own
"seek urgent care now" message at once and never waits for the therapist.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from .adherence import combined_adherence, session_adherence
from .records import CheckInRecord, CompletionRecord, Dose
from .rules import Recommendation, recommend
from .settings import ClinicalSettings

Level = Literal["urgent", "warning", "info"]
_LEVEL_ORDER = {"urgent": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Alert:
    """Something the therapist should see; ``evidence`` lists the log ids behind it."""

    level: Level
    code: str
    detail: str
    evidence: tuple[str, ...]
    date: date
    prescription_id: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {"level": self.level, "code": self.code, "detail": self.detail,
                "evidence": list(self.evidence), "date": self.date.isoformat(),
                "prescription_id": self.prescription_id}


def red_flag_alerts(checkin: CheckInRecord) -> tuple[Alert, ...]:
    """Alerts raised by one check-in.

    ``red_flag_change`` -> urgent ``red_flag_change``; ``new_numbness_or_weakness`` -> warning
    ``new_numbness_or_weakness``, urgent when reported together with a red flag.
    """
    alerts: list[Alert] = []
    if checkin.red_flag_change:
        alerts.append(Alert("urgent", "red_flag_change",
                            "Reported a change in bladder/bowel control or saddle sensation: "
                            "possible cauda equina, contact the patient now.",
                            (checkin.id,), checkin.date))
    if checkin.new_numbness_or_weakness:
        alerts.append(Alert("urgent" if checkin.red_flag_change else "warning",
                            "new_numbness_or_weakness", "Reported new numbness or weakness.",
                            (checkin.id,), checkin.date))
    return tuple(alerts)


def alerts_for(prescriptions: Mapping[int, Dose], completions: Iterable[CompletionRecord],
               checkins: Iterable[CheckInRecord], settings: ClinicalSettings | None = None, *,
               today: date, tz: ZoneInfo, program_start: date | None = None,
               recommendations: Mapping[int, Recommendation] | None = None,
               prescription_starts: Mapping[int, date | None] | None = None
               ) -> tuple[Alert, ...]:
    """Patient-level alerts over the lookback window, most urgent first (red flags leading),
    then newest.

    - red flags and new numbness/weakness from every check-in in the window;
    - ``regress_recommended`` (warning) per prescription whose recommendation is regress
      (``recommendations`` are computed with :func:`recommend` when not given);
    - ``low_adherence`` (warning) when session adherence over all prescriptions is below
      ``settings.low_adherence_alert_percent``;
    - ``no_recent_logs`` (info) when nothing was logged for ``settings.no_logs_alert_days``
      days (counting from ``program_start`` when there are no logs at all).
    """
    settings = settings or ClinicalSettings()
    completions = sorted(completions, key=CompletionRecord.sort_key)
    checkins = sorted(checkins, key=CheckInRecord.sort_key)
    start = today - timedelta(days=settings.lookback_days - 1)
    if program_start is not None:
        start = max(start, program_start)
    alerts: list[Alert] = []
    for checkin in checkins:
        if start <= checkin.date <= today:
            alerts.extend(red_flag_alerts(checkin))

    if recommendations is None:
        recommendations = {
            pid: recommend(dose, [c for c in completions if c.prescription_id == pid], checkins,
                           settings, today=today, tz=tz, prescribed_from=program_start,
                           prescription_id=pid)
            for pid, dose in prescriptions.items()}
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
            alerts.append(Alert("warning", "low_adherence",
                                f"Did {done} of {prescribed} prescribed sessions ({percent:g} %).",
                                tuple(i for p in parts for i in p.evidence), today))

    last_days = [c.local_date(tz) for c in completions] + [c.date for c in checkins]
    last = max((d for d in last_days if d <= today), default=None)
    since = last or program_start
    if prescriptions and since is not None and (today - since).days >= settings.no_logs_alert_days:
        detail = (f"Nothing logged since {last.isoformat()}." if last
                  else f"Nothing logged since the program started on {since.isoformat()}.")
        alerts.append(Alert("info", "no_recent_logs", detail, (), today))

    return tuple(sorted(alerts, key=_alert_order))


def _alert_order(alert: Alert) -> tuple[object, ...]:
    """Most urgent first, red flags before anything else at that level, then newest."""
    return (_LEVEL_ORDER[alert.level], alert.code != "red_flag_change", -alert.date.toordinal(),
            alert.code, alert.prescription_id or 0, alert.evidence)
