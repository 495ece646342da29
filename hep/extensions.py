"""Flask extensions, created unbound here and bound to an app in ``create_app``."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
api = Api()


def login_rate_limit() -> str:
    """The limit on sign-in attempts per client (``LOGIN_RATE_LIMIT``), read per request."""
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]
