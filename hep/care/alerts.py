"""Stored alerts: raised once per finding, never expiring, acknowledged and resolved by a
therapist.

The clinical engine says what it finds now (``hep.clinical.alerts_for``); :func:`record_findings`
stores each finding that is new: one without an unresolved alert of the same key (code and
prescription), carrying evidence no earlier alert of that key carried (so a resolved red flag
is not raised again by the same check-in, while a new one is). Alerts are then read from the
database, never recomputed: they stay until a therapist resolves them.

An emergency or urgent alert stops every prescription until it is resolved, and tells the
therapist at once (``hep.push.alert_notices``).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import peewee as pw
from flask_babel import gettext as _

from hep.clinical.records import OpenAlert
from hep.db import db
from hep.errors import Conflict
from hep.models import Alert, Patient, User
from hep.models.alerts import OUTCOMES, STOPPING_LEVELS
from hep.people import audit
from hep.timeutil import from_storage, local_date, to_storage, utcnow

#: Most urgent first, for lists.
LEVEL_RANK = {"emergency": 0, "urgent": 1, "warning": 2, "caution": 3}
STATUS_RANK = {"open": 0, "acknowledged": 1, "resolved": 2}


def key_of(code: str, prescription_id: int | None) -> str:
    return code if prescription_id is None else f"{code}:{prescription_id}"


def record_findings(patient: Patient, findings: Iterable) -> list[Alert]:
    """Store the engine's findings (``hep.clinical.Alert``) that are new; returns the alerts
    raised. Emergency and urgent ones notify the therapist."""
    stored = list(Alert.select().where(Alert.patient == patient))
    unresolved = {a.key for a in stored if a.status != "resolved"}
    seen: dict[str, set[str]] = {}
    for alert in stored:
        seen.setdefault(alert.key, set()).update(alert.evidence or ())
    raised = []
    for finding in findings:
        key = key_of(finding.code, finding.prescription_id)
        evidence = list(finding.evidence) or [f"{finding.code}@{finding.date.isoformat()}"]
        if key in unresolved or set(evidence) <= seen.get(key, set()):
            continue
        try:
            with db.atomic():
                alert = Alert.create(patient=patient, key=key, code=finding.code, level=finding.level,
                                     prescription=finding.prescription_id, detail=finding.detail,
                                     evidence=evidence)
        except pw.IntegrityError:
            continue  # raised meanwhile by a concurrent request (the partial unique index)
        unresolved.add(key)
        audit.record("alert.raise", patient=patient, alert=alert.id, code=alert.code, level=alert.level)
        raised.append(alert)
    for alert in raised:
        if alert.level in STOPPING_LEVELS:
            from hep.push.alert_notices import alert_raised

            alert_raised(alert)
    return raised


def alerts_of(patient: Patient, *, unresolved_only: bool = False) -> list[Alert]:
    """The patient's alerts: open first, then acknowledged, then resolved; most urgent and
    newest first within each."""
    query = Alert.select().where(Alert.patient == patient)
    if unresolved_only:
        query = query.where(Alert.status != "resolved")
    return sorted(query, key=lambda a: (STATUS_RANK[a.status], LEVEL_RANK.get(a.level, 9),
                                        -a.created_at.timestamp(), -a.id))


def engine_inputs(patient: Patient, alerts: list[Alert] | None = None) -> tuple[OpenAlert | None, date | None]:
    """What the rules need to know of the stored alerts: the most urgent unresolved one, and
    the local day an alert was last resolved."""
    alerts = alerts if alerts is not None else alerts_of(patient)
    unresolved = [a for a in alerts if a.status != "resolved"]
    # The most urgent one, acknowledged or not: an acknowledged emergency still stops.
    top = min(unresolved, key=lambda a: LEVEL_RANK.get(a.level, 9)) if unresolved else None
    open_alert = (OpenAlert(level=top.level, code=top.code, id=str(top.id),
                            date=local_date(from_storage(top.created_at), patient.timezone))
                  if top is not None else None)
    # An alert the system cleared on its own (``clear``) was a review flag, not a safety event:
    # it does not hold the program.
    resolved = [a.resolved_at for a in alerts if a.resolved_at is not None and not _self_cleared(a)]
    resolved_on = local_date(from_storage(max(resolved)), patient.timezone) if resolved else None
    return open_alert, resolved_on


#: Codes of review flags the system resolves itself once their cause is gone.
SELF_CLEARING = frozenset({"not_improving"})


def _self_cleared(alert: Alert) -> bool:
    return alert.code in SELF_CLEARING and alert.resolved_by_id is None and alert.outcome == "cleared"


def clear(patient: Patient, code: str, note: str) -> list[Alert]:
    """Resolve the patient's unresolved alerts of ``code`` (one of ``SELF_CLEARING``) as
    cleared by the system (no person), with ``note`` saying why; returns them."""
    if code not in SELF_CLEARING:
        raise ValueError(f"{code} is not cleared automatically")
    rows = list(Alert.select().where((Alert.patient == patient) & (Alert.code == code)
                                     & (Alert.status != "resolved")))
    now = to_storage(utcnow())
    cleared = []
    for alert in rows:
        changed = (Alert.update(status="resolved", resolved_at=now, resolve_note=note, outcome="cleared")
                   .where((Alert.id == alert.id) & (Alert.status != "resolved")).execute())
        if changed == 1:
            audit.record("alert.clear", patient=patient, alert=alert.id, code=code)
            cleared.append(Alert.get_by_id(alert.id))
    return cleared


def acknowledge(alert: Alert, by: User, note: str) -> Alert:
    """Mark an open alert seen; raises ``Conflict`` unless it is open."""
    if alert.status != "open":
        raise Conflict(_("This alert was already acknowledged."))
    now = to_storage(utcnow())
    changed = (Alert.update(status="acknowledged", acknowledged_by=by.id, acknowledged_at=now,
                            acknowledge_note=note)
               .where((Alert.id == alert.id) & (Alert.status == "open")).execute())
    if changed != 1:
        raise Conflict(_("This alert was already acknowledged."))
    audit.record("alert.acknowledge", patient=alert.patient, alert=alert.id)
    return Alert.get_by_id(alert.id)


def resolve(alert: Alert, by: User, note: str, outcome: str) -> Alert:
    """Close an alert with its outcome (one of ``OUTCOMES``); an open one is acknowledged at
    the same time. Raises ``Conflict`` when it is already resolved. The program stops no
    more for it, and holds for the days the settings say before anything progresses."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    if alert.status == "resolved":
        raise Conflict(_("This alert was already resolved."))
    now = to_storage(utcnow())
    values = {"status": "resolved", "resolved_by": by.id, "resolved_at": now, "resolve_note": note,
              "outcome": outcome}
    if alert.status == "open":
        values.update(acknowledged_by=by.id, acknowledged_at=now)
    changed = (Alert.update(**values)
               .where((Alert.id == alert.id) & (Alert.status != "resolved")).execute())
    if changed != 1:
        raise Conflict(_("This alert was already resolved."))
    audit.record("alert.resolve", patient=alert.patient, alert=alert.id, outcome=outcome)
    return Alert.get_by_id(alert.id)


def alert_views(alerts: list[Alert], names: dict[int, str] | None = None) -> list[dict]:
    """The alerts as the API and pages show them (``note``: the latest note); the people who
    acknowledged or resolved them are read in one query."""
    ids = {i for a in alerts for i in (a.acknowledged_by_id, a.resolved_by_id) if i}
    people = dict(User.select(User.id, User.display_name).where(User.id.in_(sorted(ids))).tuples()) if ids else {}
    return [{
        "id": alert.id, "code": alert.code, "level": alert.level, "status": alert.status,
        "detail": alert.detail, "evidence": list(alert.evidence or ()),
        "prescription_id": alert.prescription_id,
        "exercise_name": (names or {}).get(alert.prescription_id),
        "created_at": alert.created_at,
        "acknowledged_by": people.get(alert.acknowledged_by_id), "acknowledged_at": alert.acknowledged_at,
        "resolved_by": people.get(alert.resolved_by_id), "resolved_at": alert.resolved_at,
        "outcome": alert.outcome,
        "note": alert.resolve_note or alert.acknowledge_note,
        "stops": alert.stops,
    } for alert in alerts]
