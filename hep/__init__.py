"""hep: a self-hostable home exercise program platform.

``create_app(config=None)`` builds the Flask application; ``wsgi.py`` is the only module that
builds one at import time.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported by create_app only, so hep.clinical stays Flask-free
    from flask import Flask

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides defaults and ``HEP_*`` environment variables."""
    from flask import Flask

    from hep import config as settings

    instance = settings.instance_path(config)
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=False)
    app.config.update(settings.load(config, instance))
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from hep import db, i18n, security, static_files, worker
    from hep.extensions import SessionCookies, api, csrf, init_limiter
    from hep.people import audit, auth
    from hep.schemas.docs import SchemaPlugin

    app.session_interface = SessionCookies()
    db.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    audit.init_app(app)
    csrf.init_app(app)
    init_limiter(app)
    api.init_app(app, spec_kwargs={"marshmallow_plugin": SchemaPlugin(app.view_functions)})
    worker.init_app(app)
    static_files.init_app(app)  # inside the proxy fix
    security.init_app(app)


def register_blueprints(app: Flask) -> None:
    from flask import redirect, url_for
    from flask_login import current_user

    from hep import static_files
    from hep.api import register as register_api
    from hep.patient import bp as patient_bp
    from hep.schemas.fields import RecordIdConverter
    from hep.therapist import bp as therapist_bp

    app.url_map.converters["int"] = RecordIdConverter
    register_api(app)
    app.register_blueprint(therapist_bp)
    app.register_blueprint(patient_bp)
    static_files.register_favicon(app)

    @app.get("/")
    def home():
        if current_user.is_authenticated and current_user.role == "patient":
            return redirect("/app/")
        return redirect(url_for("therapist.patients"))

    @app.get("/healthz")
    def healthz():
        from hep.db import db

        db.execute_sql("SELECT 1")
        return {"status": "ok"}


def register_errorhandlers(app: Flask) -> None:
    from hep import errors

    # After flask-smorest's own handler, so problem+json wins.
    errors.register(app)


def register_commands(app: Flask) -> None:
    from hep.cli import register

    register(app)
