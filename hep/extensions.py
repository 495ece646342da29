"""Flask extensions, created unbound here and bound to an app in ``create_app``."""
import math
import time

from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
api = Api()


def init_limiter(app) -> None:
    """Bind the limiter (memory storage unless ``RATELIMIT_STORAGE_URI`` says otherwise).

    Every hep limit is a decorator on its view, and a decorated view checks its own limits.
    Flask-Limiter's ``before_request`` check is there for default, application-wide and meta
    limits; hep sets none, so without them it is taken out: it found nothing to count on
    every request of the app, at a tenth of a small request's time."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    if not any(app.config.get(key) for key in ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")):
        app.before_request_funcs[None].remove(limiter._check_request_limit)


def _config_limit(key: str) -> str:
    from flask import current_app

    return current_app.config[key]


def login_rate_limit() -> str:
    """The limit on sign-in and join attempts per client (``LOGIN_RATE_LIMIT``), read per request."""
    return _config_limit("LOGIN_RATE_LIMIT")


def password_reset_rate_limit() -> str:
    """The limit on password-reset requests, and separately on confirmations, per client
    (``PASSWORD_RESET_RATE_LIMIT``)."""
    return _config_limit("PASSWORD_RESET_RATE_LIMIT")


def second_factor_rate_limit() -> str:
    """The limit on attempts with a second-factor code (``SECOND_FACTOR_RATE_LIMIT``), applied
    per client and per account."""
    return _config_limit("SECOND_FACTOR_RATE_LIMIT")


def retry_after_seconds() -> int | None:
    """Seconds until the limit this request broke lets the client try again (``Retry-After``)."""
    breached = limiter.current_limit
    if breached is None or not breached.breached:
        return None
    reset_time = breached.window[0]  # when the window ends (``reset_at`` adds a second to it)
    return max(1, math.ceil(reset_time - time.time()))


def account_key() -> str:
    """Rate-limit key of the account a second-factor code is for: the signed-in user, or the
    one half-way through sign-in; the client's address when there is neither."""
    from flask import session
    from flask_login import current_user

    from hep.people.accounts import PENDING_KEY

    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    pending = session.get(PENDING_KEY)
    if pending and pending.get("user"):
        return f"user:{pending['user']}"
    return get_remote_address()


def second_factor_limits(methods: list[str] | None = None):
    """Both limits on a route that takes a second-factor code: per client, and per account
    across every such route (so the API and the pages do not add up)."""
    per_client = limiter.limit(second_factor_rate_limit, methods=methods)
    per_account = limiter.shared_limit(second_factor_rate_limit, scope="second-factor", key_func=account_key,
                                       methods=methods)
    return lambda view: per_client(per_account(view))


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, with its signing serializer made once per secret key
    (and fallback keys) instead of once per request: Flask builds a new one in every
    ``open_session``, a noticeable part of a small request's time."""

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = app.extensions.get("hep.session_serializer")
        if cached is None or cached[0] != keys:
            cached = app.extensions["hep.session_serializer"] = (keys, super().get_signing_serializer(app))
        return cached[1]
