"""How the OpenAPI document describes what apispec cannot read from the schemas alone.

:class:`SchemaPlugin` (apispec's marshmallow plugin) also documents the errors of every
operation, once and for all routes, those added later included: each error is an
``application/problem+json`` body (:class:`ProblemOut`, see :mod:`hep.errors`), and each
operation names the statuses its decorators can answer — 400 on unsafe methods (a missing
CSRF token, a body that is not JSON), 401 and 403 behind ``require_role``, 404 with a path
parameter, 422 with parsed arguments — plus a ``default`` problem for the rest (409, 410, 429,
500...). An operation behind ``require_role`` also lists its roles as ``x-roles``. An error
a route documents by hand (``bp.alt_response(409, description=...)``) is served as
problem+json too: its own body schema if it gives one, else :class:`ProblemOut`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from http import HTTPStatus

from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from apispec.ext.marshmallow.common import resolve_schema_cls
from marshmallow import INCLUDE, Schema, fields

from hep.schemas.fields import MappingOut

PROBLEM_MEDIA_TYPE = "application/problem+json"
UNSAFE_METHODS = {"post", "put", "patch", "delete"}
_WHY = {
    400: "The request is malformed: no valid CSRF token (X-CSRF-Token), or a body that is not JSON.",
    401: "Not signed in.",
    403: "Signed in with an account that may not do this.",
    404: "No such record, or not one this account may see.",
    422: "Invalid input; `errors` names each field and its messages.",
}


class ProblemOut(Schema):
    """An error, as RFC 9457 problem details (``application/problem+json``). Extension members
    may follow, e.g. the figures of a 409."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), metadata={"description": "field -> messages (on 422)"})


def _problem_response(description: str) -> dict:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": "ProblemOut"}}}


class _Converter(OpenAPIConverter):
    def schema2jsonschema(self, schema):
        cls = resolve_schema_cls(schema)
        if isinstance(cls, type) and issubclass(cls, MappingOut):
            prop = self.field2property(cls.as_field())
            if cls.__doc__:
                prop["description"] = " ".join(cls.__doc__.split())
            return prop
        return super().schema2jsonschema(schema)


class SchemaPlugin(MarshmallowPlugin):
    """apispec's marshmallow plugin, knowing :class:`~hep.schemas.fields.MappingOut` and
    documenting every operation's problem+json errors.

    ``views`` is the app's ``view_functions`` (read when each blueprint is documented):
    a view wrapped by :func:`hep.people.auth.require_role` carries ``required_roles``.
    """

    Converter = _Converter

    def __init__(self, views: Mapping[str, Callable] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.views = views if views is not None else {}

    def init_spec(self, spec) -> None:
        super().init_spec(spec)
        spec.components.schema("ProblemOut", schema=ProblemOut)
        for status, why in _WHY.items():
            spec.components.response(f"Problem{status}", _problem_response(f"{HTTPStatus(status).phrase}. {why}"))
        spec.components.response("Problem", _problem_response(
            "Any other error (409 conflict, 410 gone, 429 too many requests, 500...) as problem details."))

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        super().operation_helper(path=path, operations=operations, **kwargs)
        rule = kwargs.get("rule")
        view = self.views.get(rule.endpoint) if rule is not None else None
        for method, operation in (operations or {}).items():
            if getattr(view, "required_roles", None):
                operation["x-roles"] = list(view.required_roles)
            # flask-smorest keys statuses by int here, apispec by text later: one key per status.
            responses = {str(code): response for code, response in operation.get("responses", {}).items()}
            operation["responses"] = responses
            for status in self._statuses(method, operation, rule, view):
                responses.setdefault(str(status), f"Problem{status}")
            for code, response in list(responses.items()):
                if code == "default":
                    responses[code] = "Problem"
                elif int(code) >= 400 and isinstance(response, str) and not response.startswith("Problem"):
                    # flask-smorest's own error responses (application/json, its Error schema)
                    responses[code] = f"Problem{code}" if int(code) in _WHY else "Problem"
                elif int(code) >= 400 and isinstance(response, dict):
                    # A route's own error: the body it documents, served as problem+json.
                    content = response.get("content") or {}
                    body = content.get(PROBLEM_MEDIA_TYPE) or content.get("application/json") or {"schema": "ProblemOut"}
                    response["content"] = {PROBLEM_MEDIA_TYPE: body}
                    response["description"] = response.get("description") or HTTPStatus(int(code)).phrase
            operation["responses"] = dict(sorted(responses.items(), key=lambda item: (item[0] == "default", item[0])))

    @staticmethod
    def _statuses(method: str, operation: dict, rule, view) -> list[int]:
        statuses = []
        if method in UNSAFE_METHODS:
            statuses.append(400)
        if getattr(view, "required_roles", None):
            statuses += [401, 403]
        if rule is not None and rule.arguments:
            statuses.append(404)
        if "422" in operation.get("responses", {}):
            statuses.append(422)
        return statuses
