"""Telling the other side of a thread that a message came: web push, and e-mail to staff.

``message_posted(message)`` (called by ``hep.messages.threads.post_message`` once the message
is stored) enqueues ``notify`` (the queued task ``hep.worker.notify_message``), which

1. CLAIMS the message's notice: ``notified_at`` is set by a compare-and-set on NULL, so
   however many consumers run and however often the task is queued, one of them sends it;
2. sends to the other side: a patient's message goes to every browser the patient's therapist
   subscribed (``StaffPushSubscription``) and, when ``HEP_SMTP_URL`` is set, to the therapist's
   e-mail address; a therapist's message goes to the patient's devices (``PushSubscription``);
3. deletes subscriptions the push service says are gone.

A notice says only "You have a new message" and links to the thread (the patient page, which
asks for sign-in, or the app's ``#/messages``): never the text, nor who wrote it, on a lock
screen or in a mailbox. It is sent once and not retried: the message itself waits in the
thread, and the unread counts on the patient list and in the app show it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from hep.i18n import DEFAULT_LOCALE, normalize_locale
from hep.models import Message, Patient, PushSubscription, StaffPushSubscription, User
from hep.push.mail import MailError, send_mail, settings_from
from hep.push.notification import notification_payload
from hep.push.sender import PushSender
from hep.timeutil import to_storage, utcnow

log = logging.getLogger(__name__)

PATIENT_URL = "/app/#/messages"
PUSH_TTL = 24 * 3600


@dataclass
class Report:
    pushed: int = 0
    mailed: int = 0
    failed: int = 0
    gone: int = 0

    def line(self) -> str:
        return f"pushed {self.pushed}, mailed {self.mailed}, failed {self.failed}, gone {self.gone}"


def message_posted(message: Message) -> None:
    """Enqueue the notice of a new ``message``. Never raises: the message is stored whatever
    happens to its notice."""
    try:
        from hep.worker import notify_message

        notify_message(message.id)
    except Exception:  # the queue is down (or, run inline, the send broke)
        log.exception("the notice of message %s was not sent", message.id)


def therapist_url(patient_id: int) -> str:
    return f"/t/patients/{patient_id}#messages"


def notify(message_id: str, *, sender: PushSender | None = None) -> Report:
    """Claim and send the notice of one message (what the queued task runs; needs an app context)."""
    report = Report()
    claimed = (Message.update(notified_at=to_storage(utcnow()))
               .where((Message.id == message_id) & Message.notified_at.is_null()).execute())
    if claimed != 1:
        return report  # unknown, or another consumer has it
    message = Message.get_by_id(message_id)
    patient = Patient.get_by_id(message.patient_id)
    if message.sender_role == "patient":
        therapist = User.get_by_id(patient.therapist_id)
        if not therapist.is_active:
            return report
        locale = normalize_locale(therapist.locale) or DEFAULT_LOCALE
        subs = list(StaffPushSubscription.select().where(StaffPushSubscription.user == therapist.id)
                    .order_by(StaffPushSubscription.id))
        url = therapist_url(patient.id)
        _push(subs, StaffPushSubscription, payload(url, f"hep-message-{patient.id}", locale), patient.id, sender,
              report)
        if therapist.email and settings_from(current_app.config) is not None:
            _mail(therapist.email, url, locale, report)
    else:
        account = User.get_by_id(patient.user_id)
        locale = normalize_locale(account.locale) or DEFAULT_LOCALE
        subs = list(PushSubscription.select().where(PushSubscription.patient == patient.id)
                    .order_by(PushSubscription.id))
        _push(subs, PushSubscription, payload(PATIENT_URL, "hep-message", locale), patient.id, sender, report)
    return report


def payload(url: str, tag: str, locale: str | None) -> bytes:
    """The notification: no text of the message, no name; shaped like the reminders' (the
    service worker's fields and a Declarative Web Push block)."""
    lang = normalize_locale(locale) or DEFAULT_LOCALE
    with force_locale(lang):
        title = _("New message")
        body = _("You have a new message.")
    return notification_payload(title, body, url, tag, lang)


def email(url: str, locale: str | None) -> tuple[str, str]:
    """(subject, body) of the therapist's e-mail: the link, nothing of the message."""
    lang = normalize_locale(locale) or DEFAULT_LOCALE
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    with force_locale(lang):
        subject = _("You have a new message")
        line = _("A patient wrote to you. Open this link and sign in to read it:")
    return subject, f"{line}\n{base}{url}\n"


def _push(subs, model, data: bytes, patient_id: int, sender: PushSender | None, report: Report) -> None:
    if not subs:
        return
    own = sender is None
    if own:
        from hep.push.reminders import make_sender

        sender = make_sender()
    try:
        for sub in subs:
            result = sender.send(sub.subscription_info(), data, ttl=PUSH_TTL, topic=f"message-{patient_id}")
            if result.outcome == "delivered":
                report.pushed += 1
            elif result.outcome == "gone":
                model.delete().where(model.id == sub.id).execute()
                report.gone += 1
            else:
                log.warning("message notice push %s: %s %s", sub.id, result.outcome, result.detail)
                report.failed += 1
    finally:
        if own:
            sender.close()


def _mail(address: str, url: str, locale: str, report: Report) -> None:
    cfg = current_app.config
    subject, text = email(url, locale)
    try:
        send_mail(settings_from(cfg), cfg.get("MAIL_FROM") or "hep@localhost", address, subject, text)
        report.mailed += 1
    except MailError as exc:
        log.warning("message notice e-mail failed: %s", exc.detail)
        report.failed += 1
