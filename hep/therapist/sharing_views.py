"""Sharing the join link from the patient's page (``therapist/share_panel.html``): e-mail it,
print a handout with a fresh QR, and preview the patient's Today read-only.

The handout and the preview are written in the patient's language (what the patient reads);
the preview's banner stays in the therapist's. Both read through the same services as the
API and the app (``hep.logbook.today``, ``hep.library.views``), so they show what the
patient's phone shows.
"""
from __future__ import annotations

import segno
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from marshmallow import ValidationError

from hep.errors import Conflict
from hep.i18n import DEFAULT_LOCALE, translate_errors
from hep.library.views import exercise_view
from hep.logbook.today import current_prescriptions, today_view
from hep.models import Patient
from hep.patient import THEME_COLOR
from hep.people import invite_mail
from hep.people import patients as patient_service
from hep.people.access import therapist_patient
from hep.people.auth import require_role
from hep.programs.versions import dose_of
from hep.schemas.people import InviteIn
from hep.therapist import forms, patient_words
from hep.therapist.views import JOIN_LINK_KEY, bp
from hep.timeutil import today_in

#: Session key holding the link issued for a handout, shown by the handout page.
HANDOUT_LINK_KEY = "therapist_handout_link"


@bp.post("/patients/<int:patient_id>/invites/email")
@require_role("therapist")
def email_invite(patient_id: int):
    """E-mail a new join link (the form is prefilled with the patient's address)."""
    patient = therapist_patient(patient_id)
    address = request.form.get("send_to", "").strip()
    try:
        body = InviteIn().load({"send_to": address or None})
        if not body["send_to"]:
            raise ValidationError({"send_to": [_("Enter the e-mail address to send the link to.")]})
        url, _invite = invite_mail.send_invite(patient, current_user, body["send_to"])
    except ValidationError as exc:
        messages = translate_errors(forms.flatten(exc.messages)) or {}
        flash(" ".join(messages.get("send_to", [])), "error")
    except (Conflict, invite_mail.MailNotSent) as exc:
        flash(exc.detail, "error")
    else:
        session[JOIN_LINK_KEY] = {"patient_id": patient.id, "url": url}
        flash(_("Join link sent to %(address)s. Earlier links no longer work.", address=body["send_to"]), "success")
    return redirect(url_for("therapist.patient", patient_id=patient.id, _anchor="join-link"))


@bp.post("/patients/<int:patient_id>/handout")
@require_role("therapist")
def new_handout(patient_id: int):
    """Issue a new join link for a printed handout (earlier links stop working), then show it."""
    patient = therapist_patient(patient_id)
    url, _invite = patient_service.issue_invite(patient, current_user, purpose="handout")
    session[HANDOUT_LINK_KEY] = {"patient_id": patient.id, "url": url}
    return redirect(url_for("therapist.handout", patient_id=patient.id))


@bp.get("/patients/<int:patient_id>/handout")
@require_role("therapist")
def handout(patient_id: int):
    """The printable handout: the program with pictures, doses and notes, and the join QR of
    the link just issued for it (without one, the page offers to make one)."""
    patient = therapist_patient(patient_id)
    # Shown once, like the join link on the patient's page: a reload must not show a link
    # that a newer one may have revoked since.
    link = session.pop(HANDOUT_LINK_KEY, None)
    url = link["url"] if link and link.get("patient_id") == patient.id else None
    locale = invite_mail.patient_locale(patient)
    with force_locale(locale):
        items, notes = _program(patient, locale)
        html = render_template("therapist/handout.html", patient=patient, items=items, notes=notes, join_url=url,
                               qr_svg=_qr(url) if url else None,
                               printed_on=today_in(patient.timezone), ttl_days=current_app.config["INVITE_TTL_DAYS"])
    return html


@bp.get("/patients/<int:patient_id>/preview")
@require_role("therapist")
def preview(patient_id: int):
    """Today as the patient's app shows it, read-only, in the patient's language; the
    therapist stays signed in as themselves and nothing here can write."""
    patient = therapist_patient(patient_id)
    locale = invite_mail.patient_locale(patient)
    banner = _("Preview: what %(name)s sees on Today in the app. Read-only: nothing here is logged or sent.",
               name=patient.display_name)
    back = _("Back to the patient's page")
    banner_lang = str(get_locale() or DEFAULT_LOCALE)
    with force_locale(locale):
        today = today_view(patient, locale)
        for item in today["items"]:
            item["dose_text"] = patient_words.dose_text(item["dose"])
            item["ceiling_text"] = patient_words.pain_ceiling_text(item["dose"].get("pain_ceiling"))
            item["count_text"] = patient_words.count_text(item["done_today"], item["target_today"])
        html = render_template("therapist/preview.html", patient=patient, today=today, banner=banner, back=back,
                               banner_lang=banner_lang, theme_color=THEME_COLOR,
                               phase=patient_words.phase_name(today["phase"]))
    return html


def _program(patient: Patient, locale: str) -> tuple[list[dict], str]:
    """The current program's items, with their exercise (in ``locale``) and dose wording,
    and its notes for the patient."""
    prescriptions = current_prescriptions(patient)
    items = []
    for p in prescriptions:
        dose = dose_of(p)
        days = sorted(dose.get("days_of_week") or range(1, 8))
        items.append({"exercise": exercise_view(p.exercise, locale), "dose": dose,
                      "dose_text": patient_words.dose_text(dose),
                      "ceiling_text": patient_words.pain_ceiling_text(dose.get("pain_ceiling")),
                      "every_day": len(days) == 7, "days": days})
    return items, (prescriptions[0].version.notes if prescriptions else "")


def _qr(url: str) -> Markup:
    # A viewBox and no fixed size (omitsize): handout.css sizes the code in millimetres, and an
    # SVG with a fixed width and height would be cropped to that box instead of scaled to it.
    svg = segno.make(url).svg_inline(scale=4, light="#fff", omitsize=True, title=_("QR code of the join link"))
    # segno writes the SVG itself (paths, fixed colours, the title escaped): see views._pop_join_link.
    return Markup(svg)  # nosec B704
