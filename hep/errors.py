"""Errors: the domain's refusals, and the one format they reach clients in.

Services raise a :class:`DomainError` subclass (``NotFound``, ``Conflict``, ``Invalid`` with
field messages, ...); they know nothing of HTTP. The interfaces map them once: here, to RFC
9457 problem details (``application/problem+json``) for the JSON API and to the error page
for HTML; page views that show a form catch ``Invalid`` (and ``Conflict`` where a repeat is
harmless) to re-render the form with the messages. Interface code may raise ``Problem`` (or
any werkzeug HTTPException) directly for purely HTTP matters (sign-in required, wrong role).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import peewee as pw
from flask import Flask, Response, json, render_template, request
from flask_babel import gettext as _
from playhouse.pool import MaxConnectionsExceeded
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "about:blank"
DATABASE_RETRY_AFTER = 5  # seconds a client waits before trying again when the database is away

log = logging.getLogger(__name__)
# Not the database refusing data (IntegrityError and the like stay errors): the database being
# out of reach. SQLite's "database is locked" after its busy timeout is one too.
DATABASE_UNAVAILABLE = (pw.OperationalError, pw.InterfaceError, MaxConnectionsExceeded)


class DomainError(Exception):
    """A service refused the action; ``detail`` says why, ``errors`` maps fields to messages."""

    status = 400

    def __init__(self, detail: str | None = None, *, errors: Mapping[str, Any] | None = None,
                 title: str | None = None, extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail or title or self.__class__.__name__)
        self.detail = detail
        self.errors = {k: list(v) for k, v in errors.items()} if errors else None
        self.title = title
        self.extra = dict(extra or {})  # RFC 9457 extension members, e.g. the figures of a 409


class Unauthorized(DomainError):
    """Wrong credentials."""

    status = 401


class Forbidden(DomainError):
    """Signed in, but this account may not do that."""

    status = 403


class NotFound(DomainError):
    """No such record, or not one the caller may see (the two are not told apart)."""

    status = 404


class Conflict(DomainError):
    """The request clashes with what is stored (an id reused, a record already corrected)."""

    status = 409


class Gone(DomainError):
    """The thing asked for existed but can no longer be used (an expired join link)."""

    status = 410


class TooLarge(DomainError):
    """The upload is larger than the configured limit (``HEP_MEDIA_MAX_MB``)."""

    status = 413


class UnsupportedMedia(DomainError):
    """The upload's content is of a kind that is not accepted (told by its bytes, not its name)."""

    status = 415


class Invalid(DomainError):
    """The input breaks a rule; ``errors`` names each field (``items.0.exercise_id``)."""

    status = 422


class Problem(HTTPException):
    """An HTTP error with a problem+json body.

    ``Problem(409, "The id is already used for another record.")``;
    ``Problem(422, errors={"timezone": ["Unknown time zone."]})``.
    """

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        errors: Mapping[str, Any] | None = None,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(description=detail)
        self.code = status
        self.errors = dict(errors) if errors else None
        self.title = title
        self.extra_headers = dict(headers or {})
        self.extra = dict(extra or {})


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {**(extra or {}), "type": PROBLEM_TYPE, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = _text_keys(errors)
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _text_keys(errors: Any) -> Any:
    """``errors`` with every key as text: marshmallow keys a list's items by index, beside
    ``_schema`` for the list itself, and JSON (sorted) takes only one kind of key."""
    if isinstance(errors, Mapping):
        return {str(key): _text_keys(value) for key, value in errors.items()}
    return errors


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _field_errors(exc: HTTPException) -> dict[str, Any] | None:
    """Validation messages from a Problem or from webargs (keyed by location there)."""
    if isinstance(exc, Problem):
        return exc.errors
    data = getattr(exc, "data", None) or {}
    messages = data.get("errors") or data.get("messages")
    if not messages:
        return None
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict) and location in {"json", "query", "form", "files", "view_args", "headers"}:
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def handle_http_exception(exc: HTTPException):
    if isinstance(getattr(exc, "original_exception", None), DATABASE_UNAVAILABLE):
        # Raised where Flask calls no handler of its own (an after_request function, such as
        # the audit trail's): it reaches us wrapped in the 500.
        return handle_database_unavailable(exc.original_exception)
    status = exc.code or 500
    from hep.i18n import translate_title

    title = translate_title(getattr(exc, "title", None) or exc.name)
    detail = exc.description if status != 500 else None
    if status == 422 and not isinstance(exc, Problem):
        detail = _("The request has invalid fields.")
    headers = dict(getattr(exc, "extra_headers", {}) or {})
    if exc.response is not None and "Retry-After" in exc.response.headers:
        headers["Retry-After"] = exc.response.headers["Retry-After"]
    if status == 429:
        detail = _too_many(headers) or detail
    if _wants_json():
        return problem_response(status, title, detail, _field_errors(exc), headers, getattr(exc, "extra", None))
    return render_template("errors/error.html", status=status, title=title, detail=detail), status, headers


def _too_many(headers: dict[str, str]) -> str | None:
    """For a broken rate limit: set ``Retry-After`` (seconds) and say when to try again."""
    from hep.extensions import retry_after_seconds

    seconds = retry_after_seconds()
    if seconds is not None:
        headers.setdefault("Retry-After", str(seconds))
    if not headers.get("Retry-After", "").isdigit():
        return None
    return _("Too many attempts. Try again in %(seconds)s seconds.", seconds=headers["Retry-After"])


def handle_domain_error(exc: DomainError):
    from hep.i18n import translate_errors

    return handle_http_exception(Problem(exc.status, exc.detail, errors=translate_errors(exc.errors),
                                         title=exc.title, extra=exc.extra))


def handle_database_unavailable(exc: Exception):
    """The database could not be reached or dropped the connection (a restart, a failover,
    an exhausted pool): 503 with ``Retry-After``, so clients (the patient app's outbox) try
    again. The broken connection is discarded, not returned to the pool; the pool checks
    every connection it hands out, so requests succeed again once the database is back."""
    from hep.db import db

    log.warning("database unavailable: %s: %s", type(exc).__name__, exc)
    try:
        if not db.is_closed():
            manual_close = getattr(db.obj, "manual_close", None)
            manual_close() if manual_close else db.close()
    except Exception:  # noqa: BLE001 - the connection is broken; dropping it is all we want
        log.debug("closing the broken connection failed", exc_info=True)
    detail = _("The service is briefly unavailable. Try again in a few seconds.")
    return handle_http_exception(Problem(503, detail, headers={"Retry-After": str(DATABASE_RETRY_AFTER)}))


def register(app: Flask) -> None:
    """Map HTTP and domain errors to responses.

    An unexpected exception is deliberately not given a handler of its own: Flask then logs
    it with its traceback (``app.logger``) and answers the ``InternalServerError`` it wraps
    it in through ``handle_http_exception``, which says nothing about the cause. With
    ``PROPAGATE_EXCEPTIONS`` (on when testing) it reaches the caller instead.
    """
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    for unavailable in DATABASE_UNAVAILABLE:
        app.register_error_handler(unavailable, handle_database_unavailable)
