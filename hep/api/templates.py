"""Program templates, shared by the therapists of a clinic."""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from hep.people.auth import require_role
from hep.programs import templates
from hep.schemas.programs import TemplateIn, TemplateOut

bp = Blueprint("templates", __name__, url_prefix="/api/v1", description="Program templates (therapists)")


@bp.get("/templates")
@require_role("therapist")
@bp.response(200, TemplateOut(many=True))
def list_templates():
    """The clinic's templates, by name."""
    return templates.templates_of(current_user)


@bp.post("/templates")
@require_role("therapist")
@bp.arguments(TemplateIn)
@bp.response(201, TemplateOut)
def create_template(body):
    """Save a template for the clinic (422 naming ``items.N.exercise_id`` for an exercise
    outside the clinic's library). Start a program from it with ``template_id``."""
    template = templates.create_template(current_user, body["name"], body["phase"], body["notes"], body["items"])
    return templates.template_view(template)
