"""Writing the audit trail."""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from hep.models import AuditEvent, Patient


def record(action: str, patient: Patient | None = None, **detail: Any) -> None:
    """Append an audit event for the signed-in user (or the system outside a request)."""
    actor = None
    ip = None
    if has_request_context():
        ip = request.remote_addr
        if current_user and current_user.is_authenticated:
            actor = current_user.id
    AuditEvent.create(actor=actor, patient=patient, action=action, detail=detail, ip=ip)
