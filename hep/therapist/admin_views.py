"""The clinic admin's page (``/t/admin``): the clinic's therapists (invite, disable,
re-enable) and its patients (reassign). Forms post, then redirect back with a message
(post/redirect/get); a refused form is the page again with 422 and the fields marked.
``hep.people.clinic`` does the work."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from hep.errors import Conflict, Invalid
from hep.people import clinic
from hep.people.auth import require_role
from hep.schemas.clinic import ReassignIn, TherapistInviteIn
from hep.therapist.forms import flatten, number
from hep.therapist.views import bp

#: Session key holding a set-password link just issued, shown once on the admin page.
INVITE_LINK_KEY = "admin_invite_link"


@bp.get("/admin")
@require_role("admin")
def admin():
    return _admin_page(), 200


def _admin_page(values: dict | None = None, errors: dict | None = None, reassign_errors: dict | None = None):
    staff = clinic.staff_of(current_user)
    return render_template(
        "therapist/admin.html", staff=staff, patients=clinic.patients_of(current_user),
        therapists=[s for s in staff if s["role"] == "therapist" and s["active"]],
        values=values or {}, errors=errors or {}, reassign_errors=reassign_errors or {},
        invite_link=session.pop(INVITE_LINK_KEY, None))


@bp.post("/admin/therapists")
@require_role("admin")
def invite_therapist():
    values = {k: request.form.get(k, "").strip() for k in ("email", "display_name")}
    try:
        body = TherapistInviteIn().load(values)
        invitation = clinic.invite_therapist(current_user, body["email"], body["display_name"])
    except ValidationError as exc:
        return _admin_page(values, flatten(exc.messages)), 422
    except Invalid as exc:
        return _admin_page(values, exc.errors or {}), 422
    name = invitation.user.display_name
    if invitation.emailed:
        flash(_("%(name)s is invited: a link to choose a password is on its way by e-mail.", name=name), "success")
    else:
        # Only the token's hash is stored, so the link can be shown once, right after issuing it.
        session[INVITE_LINK_KEY] = {"name": name, "url": invitation.link}
        flash(_("%(name)s is invited. Send them the link below; it is shown only this once.", name=name), "success")
    return redirect(url_for("therapist.admin", _anchor="therapists"))


@bp.post("/admin/therapists/<int:user_id>/disable")
@require_role("admin")
def disable_therapist(user_id: int):
    try:
        user = clinic.disable_therapist(current_user, user_id)
    except Conflict as exc:
        flash(exc.detail, "error")
    else:
        flash(_("%(name)s is disabled and signed out everywhere.", name=user.display_name), "success")
    return redirect(url_for("therapist.admin", _anchor="therapists"))


@bp.post("/admin/therapists/<int:user_id>/enable")
@require_role("admin")
def enable_therapist(user_id: int):
    user = clinic.enable_therapist(current_user, user_id)
    flash(_("%(name)s can sign in again.", name=user.display_name), "success")
    return redirect(url_for("therapist.admin", _anchor="therapists"))


@bp.post("/admin/patients/<int:patient_id>/reassign")
@require_role("admin")
def reassign_patient(patient_id: int):
    try:
        body = ReassignIn().load({"therapist_id": number(request.form.get("therapist_id"))})
        patient = clinic.reassign_patient(current_user, patient_id, body["therapist_id"])
    except ValidationError as exc:
        return _admin_page(reassign_errors={patient_id: flatten(exc.messages).get("therapist_id", [])}), 422
    except Invalid as exc:
        return _admin_page(reassign_errors={patient_id: (exc.errors or {}).get("therapist_id", [])}), 422
    flash(_("%(patient)s is now with %(therapist)s.", patient=patient.display_name,
            therapist=patient.therapist.display_name), "success")
    return redirect(url_for("therapist.admin", _anchor="patients"))
