"""Sign-in: flask-login wiring, the login id scheme, and role checks.

``current_user.get_id()`` is ``"<user id>:<session version>:<device id>"``: a session or
remember-me cookie whose version no longer matches the stored one, or whose device was
signed out (``hep.people.devices``), is treated as signed out. A two-part id from before
devices were recorded is upgraded on first sight. Staff sessions also end after a while
without a request (``hep.people.idle``), and an admin who has to turn on two-factor sign-in
first (``REQUIRE_2FA``) is treated as signed out.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, g
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, user_logged_in, user_logged_out

from hep.errors import Problem
from hep.models import User
from hep.people import devices, idle, two_factor

login_manager = LoginManager()
login_manager.session_protection = "basic"
login_manager.login_view = "therapist.login"


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    parts = login_id.split(":")
    if len(parts) not in (2, 3) or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    user_id, version = int(parts[0]), int(parts[1])
    if len(parts) == 3:
        user = devices.load(user_id, version, parts[2])
    else:
        user = User.get_or_none(User.id == user_id)
        if user is None or not user.is_active or user.session_version != version:
            return None
        user = devices.upgrade_legacy(user)
    if user is None or two_factor.required(user):  # REQUIRE_2FA: nothing but the enrolment step until it is on
        return None
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    from flask import flash, redirect, request, session, url_for

    if request.path.startswith("/api/"):
        raise Problem(401, _signed_out_detail())
    if session.pop(idle.IDLE_OUT, None):
        flash(idle.message(), "info")
    return redirect(url_for("therapist.login", next=request.path))


def _signed_out_detail() -> str:
    if idle.signed_out_idle():
        return idle.message()
    if g.get("device_signed_out"):
        return _("This device was signed out. Open a new invitation link to sign in again.")
    return _("Sign in first.")


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    # Global signals; connecting the same receivers again (another app) is a no-op.
    user_logged_in.connect(devices.on_login)
    user_logged_in.connect(idle.on_login)
    user_logged_out.connect(devices.on_logout)
    user_logged_out.connect(idle.on_logout)
    app.before_request(idle.check)


def require_role(*roles: str) -> Callable:
    """View decorator: 401 when signed out, 403 when signed in with another role."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                raise Problem(403, _("This account cannot do that."))
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # the API document lists its 401 and 403 (hep.schemas.docs)
        return wrapper

    return decorate
