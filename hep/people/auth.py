"""Sign-in: flask-login wiring, the session-version scheme, and role checks.

``current_user.get_id()`` is ``"<user id>:<session version>"``; a session or remember-me
cookie whose version no longer matches the stored one is treated as signed out.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask
from flask_babel import gettext as _
from flask_login import LoginManager, current_user

from hep.errors import Problem
from hep.models import User

login_manager = LoginManager()
login_manager.session_protection = "basic"
login_manager.login_view = "therapist.login"


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    user_id, _, version = login_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = User.get_or_none(User.id == int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    from flask import redirect, request, url_for

    if request.path.startswith("/api/"):
        raise Problem(401, _("Sign in first."))
    return redirect(url_for("therapist.login", next=request.path))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)


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
