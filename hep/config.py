"""Configuration: defaults, then ``HEP_*`` environment variables, then the mapping given to
``create_app``; secrets that are not configured live in the instance folder.

Every setting is an upper-case Flask config key; the environment variable is the same name
with a ``HEP_`` prefix (``DATABASE_URL`` <- ``HEP_DATABASE_URL``).
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hep.instance import private_folder
from hep.push.mail import parse_smtp_url
from hep.push.vapid import generate_private_key_pem

DEFAULTS: dict[str, Any] = {
    "ENV": "development",  # "production" refuses weak or missing secrets
    "DATABASE_URL": None,  # default: sqlite:///<instance>/hep.db
    "QUEUE_URL": None,  # default: sqlite:///<instance>/queue.db; "redis://..."; "immediate"
    "BASE_URL": None,  # public origin used in invite links; default: the request's host
    "VAPID_PRIVATE_KEY": None,  # PEM; default: <instance>/vapid_private.pem
    "VAPID_SUBJECT": "mailto:admin@localhost",
    "PUSH_ALLOWED_ORIGINS": "",  # extra push-service origins, comma separated
    "PUSH_TTL_SECONDS": 4 * 3600,
    # A reminder claim whose consumer has not beaten its heartbeat for this long is taken over.
    "REMINDER_CLAIM_LEASE_SECONDS": 30,
    # E-mail for staff notices: smtp://[user:password@]host[:port] or smtps://...; unset: no e-mail
    "SMTP_URL": None,
    "MAIL_FROM": "hep@localhost",
    # Largest picture or video a therapist may upload for a clinic's own exercise, in megabytes.
    "MEDIA_MAX_MB": 25,
    "RATELIMIT_STORAGE_URI": "memory://",
    "LOGIN_RATE_LIMIT": "10 per minute",  # sign-in and join attempts per client
    "PASSWORD_RESET_RATE_LIMIT": "5 per 15 minutes",  # reset requests, and confirmations, per client
    "SECOND_FACTOR_RATE_LIMIT": "5 per minute",  # second-factor codes per client and per account
    "REQUIRE_2FA": False,  # admins must turn on two-factor sign-in before they can do anything
    "INVITE_TTL_DAYS": 14,
    "CORRECTION_WINDOW_DAYS": 7,
    # A therapist's or admin's session ends after this many minutes without a request (0: never).
    "THERAPIST_IDLE_MINUTES": 30,
    # Compressed copies of the static files, one folder per version; default <instance>/static-cache
    "STATIC_CACHE_DIR": None,
    "EMBEDDED_CONSUMER": True,  # `hep serve` runs the queue consumer in-process
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed; 0: none
    "PROXY_COUNT": 0,
    # CSRF tokens live as long as the session, so an offline outbox replayed days later is
    # not refused for an expired token.
    "WTF_CSRF_TIME_LIMIT": None,
    "WTF_CSRF_HEADERS": ["X-CSRF-Token"],
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_DURATION": 180 * 24 * 3600,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "JSON_SORT_KEYS": False,
    # Remote monitoring: the code table (default: the shipped hep/library/rtm_codes.yaml) and
    # where a 30-day period starts: "first_data_day" (the first day of data) or
    # "program_start" (the day the first program began).
    "RTM_CODES_PATH": None,
    "RTM_PERIOD_START": "first_data_day",
    # flask-smorest / OpenAPI
    "API_TITLE": "hep",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}

_INT_KEYS = {"PUSH_TTL_SECONDS", "REMINDER_CLAIM_LEASE_SECONDS",
             "INVITE_TTL_DAYS", "CORRECTION_WINDOW_DAYS", "PROXY_COUNT", "THERAPIST_IDLE_MINUTES",
             "MEDIA_MAX_MB"}
_BOOL_KEYS = {"EMBEDDED_CONSUMER", "REQUIRE_2FA"}
_ENV_KEYS = (
    "ENV", "DATABASE_URL", "QUEUE_URL", "BASE_URL", "SECRET_KEY", "VAPID_PRIVATE_KEY",
    "VAPID_SUBJECT", "PUSH_ALLOWED_ORIGINS", "PUSH_TTL_SECONDS", "RATELIMIT_STORAGE_URI",
    "INVITE_TTL_DAYS", "CORRECTION_WINDOW_DAYS", "EMBEDDED_CONSUMER", "SMTP_URL", "MAIL_FROM",
    "LOGIN_RATE_LIMIT", "PASSWORD_RESET_RATE_LIMIT", "SECOND_FACTOR_RATE_LIMIT", "REQUIRE_2FA",
    "PROXY_COUNT", "THERAPIST_IDLE_MINUTES", "REMINDER_CLAIM_LEASE_SECONDS", "RTM_CODES_PATH",
    "RTM_PERIOD_START", "STATIC_CACHE_DIR", "MEDIA_MAX_MB",
)
RTM_PERIOD_STARTS = ("first_data_day", "program_start")
MIN_SECRET_LENGTH = 32
#: What a multipart body may add to the largest upload (boundaries, part headers, the form's fields).
MULTIPART_SLACK = 64 * 1024


class ConfigError(RuntimeError):
    """The configuration cannot be used (raised at start-up, never mid-request)."""


def instance_path(overrides: Mapping[str, Any] | None = None) -> Path:
    """The instance folder: ``INSTANCE_PATH`` override, ``HEP_INSTANCE_PATH``, or ./instance."""
    raw = (overrides or {}).get("INSTANCE_PATH") or os.environ.get("HEP_INSTANCE_PATH") or "instance"
    return Path(raw).resolve()


def from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The settings given as ``HEP_*`` variables, converted to their types."""
    found: dict[str, Any] = {}
    for key in _ENV_KEYS:
        value = environ.get("HEP_" + key)
        if value is None or value == "":
            continue
        if key in _INT_KEYS:
            value = int(value)
        elif key in _BOOL_KEYS:
            value = value.strip().lower() in {"1", "true", "yes", "on"}
        found[key] = value
    return found


def load(overrides: Mapping[str, Any] | None, instance: Path) -> dict[str, Any]:
    """Resolve the full configuration for an app whose instance folder is ``instance``.

    Order: DEFAULTS < environment < ``overrides``. Missing secrets are created in the
    instance folder (mode 0600; the folder, when created, 0700) except in production, where a missing or short secret key
    raises ``ConfigError``.
    """
    config = dict(DEFAULTS)
    config.update(from_environment())
    config.update(overrides or {})
    private_folder(instance)
    production = config["ENV"] == "production"
    config.setdefault("DATABASE_URL", None)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{instance / 'hep.db'}"
    if not config["QUEUE_URL"]:
        config["QUEUE_URL"] = f"sqlite:///{instance / 'queue.db'}"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(
            instance / "secret_key", lambda: secrets.token_urlsafe(48), create=not production
        )
    _load_rtm(config)
    if production and len(str(config["SECRET_KEY"])) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"HEP_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters in production"
        )
    if not config["VAPID_PRIVATE_KEY"]:
        config["VAPID_PRIVATE_KEY"] = _instance_secret(
            instance / "vapid_private.pem", generate_private_key_pem, create=True
        )
    # Every request body is refused (413) past the largest upload: werkzeug stops reading at
    # this length, before the CSRF check or a view parses the form.
    config["MAX_CONTENT_LENGTH"] = int(config["MEDIA_MAX_MB"]) * 1024 * 1024 + MULTIPART_SLACK
    if config.get("SMTP_URL"):
        try:
            parse_smtp_url(config["SMTP_URL"])
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    if production:
        config.setdefault("SESSION_COOKIE_SECURE", True)
        config.setdefault("REMEMBER_COOKIE_SECURE", True)
    return config


def allowed_push_origins(config: Mapping[str, Any]) -> tuple[str, ...]:
    """Extra push-service origins from ``PUSH_ALLOWED_ORIGINS`` (comma separated)."""
    raw = config.get("PUSH_ALLOWED_ORIGINS") or ""
    if isinstance(raw, (list, tuple)):
        return tuple(raw)
    return tuple(part.strip().rstrip("/") for part in raw.split(",") if part.strip())


def _instance_secret(path: Path, make, *, create: bool) -> str:
    """Read a secret file, or write a new one readable by its owner only."""
    if path.exists():
        return path.read_text().strip()
    if not create:
        raise ConfigError(f"no secret configured: set HEP_SECRET_KEY or write {path}")
    value = make()
    # O_EXCL: two processes starting at once must not overwrite each other's secret.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def _load_rtm(config: dict[str, Any]) -> None:
    """Check the remote-monitoring settings and load the code table once, into
    ``RTM_CODES``; a bad file or setting stops start-up with what is wrong."""
    from hep.clinical.rtm_codes import RtmCodesError, load_rtm_codes

    if config["RTM_PERIOD_START"] not in RTM_PERIOD_STARTS:
        raise ConfigError(f"HEP_RTM_PERIOD_START must be one of {', '.join(RTM_PERIOD_STARTS)}")
    try:
        config["RTM_CODES"] = load_rtm_codes(config["RTM_CODES_PATH"])
    except RtmCodesError as exc:
        raise ConfigError(f"HEP_RTM_CODES_PATH: {exc}") from exc
