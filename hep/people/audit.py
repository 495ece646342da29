"""Writing the audit trail: every read or change of a patient's record leaves one event.

Changes are recorded by the service that makes them (``record("program.assign", patient)``).
Reads are recorded in one place: the ownership check (``hep.people.access``) marks the
patient whose record a request reaches (:func:`touch`), and after a successful response
:func:`_after_request` appends one event per patient marked and not already recorded by a
service in the same request: ``read`` for GET/HEAD, ``write`` for another method (a change
whose service records nothing of its own), with the endpoint, method and status in
``detail``. So a write is never recorded twice, and a read never goes unrecorded.
"""
from __future__ import annotations

from typing import Any

import peewee as pw
from flask import Flask, Response, g, has_request_context, request
from flask_login import current_user

from hep.models import AuditEvent, Patient, User
from hep.models.people import _now
from hep.models.prepared import Placeholder, Prepared

READ_METHODS = frozenset({"GET", "HEAD"})
BATCH = 500  # events per INSERT (well under SQLite's bound on statement variables)


def record(action: str, patient: Patient | None = None, **detail: Any) -> None:
    """Append an audit event for the signed-in user (or the system outside a request)."""
    actor, ip = _who()
    _append([{"actor": actor, "patient": patient, "action": action, "detail": detail, "ip": ip}])
    if patient is not None and has_request_context():
        _recorded().add(patient.id if isinstance(patient, Patient) else int(patient))


def record_erasure(patient_id: int, subject: str, **detail: Any) -> None:
    """Append the ``patient.erase`` event of a patient just erased (named by ``subject`` only);
    the request's read/write event for that patient is not written (there is no patient)."""
    actor, ip = _who()
    AuditEvent.create(actor=actor, patient=None, subject=subject, action="patient.erase", detail=detail, ip=ip)
    if has_request_context():
        _recorded().add(patient_id)


def trail(patient: Patient, before: int | None = None, limit: int = 50) -> dict[str, Any]:
    """One page of ``patient``'s audit trail, newest first: ``events`` (with who acted) and
    ``next_before`` (the id to pass as ``before`` for the next page; None on the last)."""
    rows = list(AuditEvent.of_patient(patient.id, before).select_extend(User)
                .join(User, pw.JOIN.LEFT_OUTER, on=(AuditEvent.actor == User.id)).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"events": [_event_view(row) for row in rows], "next_before": rows[-1].id if more else None}


def _event_view(row: AuditEvent) -> dict[str, Any]:
    actor = row.actor if row.actor_id is not None else None
    return {"id": row.id, "at": row.at, "action": row.action, "actor_id": row.actor_id,
            "actor_name": actor.display_name if actor else None, "actor_role": actor.role if actor else None,
            "ip": row.ip, "detail": row.detail or {}}


def touch(patient: Patient) -> None:
    """Note that this request reaches ``patient``'s record (called by the ownership checks)."""
    if has_request_context():
        g.setdefault("audit_touched", {})[patient.id] = patient


def init_app(app: Flask) -> None:
    app.before_request(_before_request)
    app.after_request(_after_request)


def _before_request() -> None:
    # g can outlive a request (an app context held open around several), so start clean.
    g.pop("audit_touched", None)
    g.pop("audit_recorded", None)


def _after_request(response: Response) -> Response:
    touched = g.pop("audit_touched", None)
    if not touched or response.status_code >= 400:
        return response  # refused or failed: nothing was read or changed
    done = _recorded()
    action = "read" if request.method in READ_METHODS else "write"
    actor, ip = _who()
    detail = {"endpoint": request.endpoint, "method": request.method, "status": response.status_code}
    rows = [{"actor": actor, "patient": patient_id, "action": action, "detail": detail, "ip": ip}
            for patient_id in touched if patient_id not in done]
    _append(rows)
    done.update(touched)
    return response


def _append(rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (actor, patient, action, detail, ip; ``at`` is now). One event, the
    usual case (a service's change, a request's read), goes through SQL built once: every read
    writes one, and building it was a sixth of ``today``'s time in process. More go one
    statement per batch, so a request that reaches many records (a report over a therapist's
    patients) writes its trail in a bounded number of statements."""
    if len(rows) == 1:
        _ONE_EVENT.execute(at=_now(), **rows[0])
        return
    for start in range(0, len(rows), BATCH):
        AuditEvent.insert_many(rows[start:start + BATCH]).execute()


_ONE_EVENT = Prepared(lambda _p: AuditEvent.insert({
    field: Placeholder(field.name, field.db_value)
    for field in (AuditEvent.at, AuditEvent.actor, AuditEvent.patient, AuditEvent.action, AuditEvent.detail,
                  AuditEvent.ip)}))


def _recorded() -> set[int]:
    return g.setdefault("audit_recorded", set())


def _who() -> tuple[int | None, str | None]:
    if not has_request_context():
        return None, None
    actor = current_user.id if current_user and current_user.is_authenticated else None
    return actor, request.remote_addr
