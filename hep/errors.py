"""The one error format: RFC 9457 problem details (``application/problem+json``).

API code raises ``Problem`` (or any werkzeug HTTPException); validation failures become 422
with ``errors``: field -> [messages]. HTML pages get a rendered error page instead.
"""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask, Response, json, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

PROBLEM_TYPE = "about:blank"


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
    ) -> None:
        super().__init__(description=detail)
        self.code = status
        self.errors = dict(errors) if errors else None
        self.title = title
        self.extra_headers = dict(headers or {})


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"type": PROBLEM_TYPE, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


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
        if isinstance(fields, dict) and location in {"json", "query", "form", "view_args", "headers"}:
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def handle_http_exception(exc: HTTPException):
    status = exc.code or 500
    title = getattr(exc, "title", None) or exc.name
    detail = exc.description if status != 500 else None
    if status == 422 and not isinstance(exc, Problem):
        detail = _("The request has invalid fields.")
    headers = dict(getattr(exc, "extra_headers", {}) or {})
    if exc.response is not None and "Retry-After" in exc.response.headers:
        headers["Retry-After"] = exc.response.headers["Retry-After"]
    if _wants_json():
        return problem_response(status, title, detail, _field_errors(exc), headers)
    return render_template("errors/error.html", status=status, title=title, detail=detail), status, headers


def handle_unexpected(exc: Exception):
    # Logged by Flask; the client gets no internals.
    return handle_http_exception(InternalServerError())


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
