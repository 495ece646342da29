"""The staff idle timeout: a therapist's or admin's session ends after
``THERAPIST_IDLE_MINUTES`` (``HEP_THERAPIST_IDLE_MINUTES``, default 30; 0 turns it off)
without a request. Patients are never timed out: their phones stay signed in.

The instant of the last request is kept in the (signed) session cookie, so checking it
costs no query. Requests a browser makes on its own do not count as activity: the service
worker's script update checks (``Service-Worker`` header), requests marked with the
``X-HEP-Background: 1`` header (the staff worker sends it), and the endpoints in
``PASSIVE_ENDPOINTS``. Staff never get a remember-me cookie, and a staff session restored
from one (no clock in the session, not fresh) counts as timed out, so nothing outlives the
limit.
"""
from __future__ import annotations

from flask import current_app, request, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from hep.people import audit
from hep.people.accounts import STAFF_ROLES
from hep.timeutil import utcnow

#: Session key: when (epoch seconds) the last request that counts as activity came.
ACTIVE_AT = "hep_active_at"
#: Session key: this browser was signed out for inactivity (said until the next sign-in).
IDLE_OUT = "hep_idle_out"
BACKGROUND_HEADER = "X-HEP-Background"
PASSIVE_ENDPOINTS = frozenset({"therapist.service_worker", "healthz"})


def limit_minutes() -> int:
    return int(current_app.config["THERAPIST_IDLE_MINUTES"])


def message() -> str:
    """What a timed-out therapist is told (API 401 detail and the sign-in page)."""
    return _("You were signed out after %(n)s minutes without activity. Sign in again.", n=limit_minutes())


def signed_out_idle() -> bool:
    """Whether this browser's last session ended for inactivity."""
    return bool(session.get(IDLE_OUT))


def check() -> None:
    """``before_request``: end a staff session idle for longer than the limit, else note the
    activity. The request then goes on signed out (401 or the sign-in page)."""
    if request.endpoint == "static" or limit_minutes() <= 0:
        return
    if not current_user.is_authenticated or current_user.role not in STAFF_ROLES:
        return
    now = utcnow().timestamp()
    last = session.get(ACTIVE_AT)
    if last is None and session.get("_fresh") is False:
        last = 0.0  # restored from a remember-me cookie: no clock to trust
    if last is not None and now - float(last) > limit_minutes() * 60:
        audit.record("session.idle_timeout", minutes=limit_minutes())
        logout_user()
        session[IDLE_OUT] = True
        return
    if _counts_as_activity():
        session[ACTIVE_AT] = now


def _counts_as_activity() -> bool:
    return (request.endpoint not in PASSIVE_ENDPOINTS and "Service-Worker" not in request.headers
            and request.headers.get(BACKGROUND_HEADER) != "1")


def on_login(_sender, user, **_extra) -> None:
    """flask-login ``user_logged_in``: start the staff clock; forget an earlier timeout."""
    session.pop(IDLE_OUT, None)
    if user.role in STAFF_ROLES:
        session[ACTIVE_AT] = utcnow().timestamp()


def on_logout(_sender, user, **_extra) -> None:
    """flask-login ``user_logged_out``: no clock without a session."""
    session.pop(ACTIVE_AT, None)
