"""Sending a patient's join link by e-mail (``POST /api/v1/patients/{id}/invites`` with
``send_to``, and the patient page's e-mail form).

``send_invite`` makes a fresh token, mails its link through the one sender
(:mod:`hep.push.mail`, ``HEP_SMTP_URL``) and only then stores it, revoking the earlier links:
when e-mail is not set up (409 ``Conflict``) or the mail server refuses the message (502
``MailNotSent``), nothing changes and the links already given out keep working.

The message is plain text with an HTML alternative, in the patient's language (their saved
choice, else the language the therapist is working in: a patient who has not joined has not
chosen one). It carries the link and nothing clinical: no name, no program, no diagnosis,
since mailboxes are read on lock screens and by scanners.
"""
from __future__ import annotations

import logging

from flask import current_app, render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from hep.errors import Conflict, DomainError
from hep.i18n import DEFAULT_LOCALE, normalize_locale
from hep.models import Invite, Patient, User
from hep.people import invites
from hep.people.patients import invite_url, issue_invite
from hep.push.mail import MailError, send_mail, settings_from

log = logging.getLogger(__name__)


class MailNotSent(DomainError):
    """The mail server did not take the message (nothing was stored)."""

    status = 502


def send_invite(patient: Patient, created_by: User, send_to: str) -> tuple[str, Invite]:
    """E-mail a new join link for ``patient`` to ``send_to``, then store it (earlier open
    links revoked, audited as ``invite.issue`` with ``sent_to``): (url, invite).

    Raises ``Conflict`` when e-mail is not configured and ``MailNotSent`` when the server
    refuses or cannot be reached; in both cases nothing is written."""
    settings = settings_from(current_app.config)
    if settings is None:
        raise Conflict(_("E-mail is not set up on this server (HEP_SMTP_URL), so nothing was sent. "
                         "The earlier join links still work."), title=_("E-mail not configured"))
    token = invites.new_token()
    subject, text, html = invite_email(invite_url(token), patient_locale(patient),
                                       current_app.config["INVITE_TTL_DAYS"])
    try:
        send_mail(settings, current_app.config.get("MAIL_FROM") or "hep@localhost", send_to, subject, text,
                  html=html)
    except MailError as exc:
        log.warning("join link for patient %s not sent: %s", patient.id, exc.detail)
        raise MailNotSent(_("The mail server did not accept the message, so no new link was made and the "
                            "earlier join links still work. Try again later."),
                          title=_("E-mail not sent")) from None
    return issue_invite(patient, created_by, token, sent_to=send_to)


def patient_locale(patient: Patient) -> str:
    """The language to write to the patient in: theirs, else the reader's, else the default."""
    return (normalize_locale(patient.user.locale) or normalize_locale(str(get_locale() or ""))
            or DEFAULT_LOCALE)


def invite_email(link: str, locale: str, ttl_days: int) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the join-link e-mail in ``locale``."""
    with force_locale(locale):
        subject = _("Your home exercise program")
        intro = _("Your therapist has set up your home exercise program. Open this link on your phone to see "
                  "your exercises, log how they went and check in each morning. No password is needed.")
        button = _("Open my exercises")
        note = _("The link works once and expires in %(n)s days. If you did not expect this e-mail, ignore it.",
                 n=ttl_days)
        html = render_template("mail/invite.html", lang=locale, subject=subject, intro=intro, link=link,
                               button=button, note=note)
    text = "\n\n".join([intro, link, note]) + "\n"
    return subject, text, html
