"""Telling staff that a patient needs attention: claim each notice once, send, record.

When an emergency or urgent alert is stored, the code that raised it calls
``alert_raised(alert)`` (after its transaction commits, ideally), which enqueues ``notify``:

1. round 1 is CLAIMED: one ``AlertNotification`` per target, inserted under the unique key
   ``alert:round:channel:target`` (``ON CONFLICT DO NOTHING``); a row someone else inserted
   first is theirs, so however many consumers run, each notice is sent by one of them only.
   Targets are every ``StaffPushSubscription`` of the patient's therapist and, when
   ``HEP_SMTP_URL`` is set, the therapist's e-mail address;
2. each claimed notice is sent: a web push through ``PushSender`` (urgency high, one Topic
   per alert, the Declarative Web Push JSON reminders use) or an e-mail. Neither says who the
   patient is or what was found: only "a patient needs your attention" and the link to the
   patient's page, which asks for sign-in;
3. the outcome is recorded on the row (status, attempts, last error): ``sent``; ``retry``
   with ``next_attempt_at`` after a backoff; ``gone`` (the subscription is deleted);
   ``failed``; or ``cancelled`` when the alert was acknowledged before a retry was due.

``send_due_notices(now)`` runs every minute (a huey periodic task, ``hep send-alert-notices``):
it sends the retries that are due, claims round 1 for open alerts that have none yet (a task
lost between the alert's insert and the queue), and claims round 2, to the same therapist's
targets and the clinic's admins (their browsers and e-mail), for every emergency or urgent
alert still ``open`` ``ROUND_TWO_AFTER`` after it was created.

A claimed row is ``pending`` with ``next_attempt_at`` set to the end of its lease
(``LEASE``); a consumer that died before recording an outcome leaves it to be retried after
the lease (at-least-once for that rare case; the Topic makes a repeat replace the first push).
Retries are claimed by a compare-and-set on (status, next_attempt_at), so two consumers
never both take one.
"""
from __future__ import annotations

import hashlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from hep.db import db
from hep.i18n import DEFAULT_LOCALE, normalize_locale
from hep.models import Alert, AlertNotification, Patient, StaffPushSubscription, User
from hep.models.alerts import STOPPING_LEVELS
from hep.models.people import normalise_email
from hep.push.mail import MailError, send_mail, settings_from
from hep.push.notification import notification_payload
from hep.push.sender import PushSender, SendResult, backoff
from hep.timeutil import to_storage, utcnow

log = logging.getLogger(__name__)

#: Levels that notify staff at once (and again after ``ROUND_TWO_AFTER`` if not acknowledged).
NOTICE_LEVELS = STOPPING_LEVELS
ROUND_TWO_AFTER = timedelta(minutes=60)
#: How far back the periodic run looks for alerts still missing a round (a consumer was down).
SWEEP_WINDOW = timedelta(days=1)
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 10  # with the backoff (10 s doubling, at most 15 min) about an hour and a half
PUSH_TTL = 24 * 3600  # a notice is worth showing late: the alert stays open until acknowledged
CHUNK = 200
WORKERS = 8
KEY_LENGTH = 300


@dataclass
class Report:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    gone: int = 0
    cancelled: int = 0

    def line(self) -> str:
        return (f"notices {self.claimed}, sent {self.sent}, retrying {self.retrying}, "
                f"failed {self.failed}, gone {self.gone}, cancelled {self.cancelled}")

    def add(self, other: Report) -> None:
        for name in ("claimed", "sent", "retrying", "failed", "gone", "cancelled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True, slots=True)
class _Target:
    channel: str  # "push" | "email"
    target: str  # staff subscription id, or the e-mail address
    locale: str
    info: dict | None = None  # push subscription info


@dataclass(frozen=True, slots=True)
class _Notice:
    id: int
    alert_id: int
    patient_id: int
    target: _Target
    attempts: int  # attempts made before this one


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: str  # sent | retry | failed | gone
    detail: str = ""
    retry_after: float | None = None


# -- the entry points -----------------------------------------------------------------------

def alert_raised(alert: Alert) -> None:
    """Notify the patient's therapist of a new emergency or urgent ``alert`` (enqueues round 1).

    Never raises: the alert is already stored, and the periodic run sends round 1 within a
    minute if the queue is unavailable now. Other levels and alerts no longer open are ignored.
    """
    if alert.level not in NOTICE_LEVELS or alert.status != "open":
        return
    try:
        from hep.worker import notify_alert

        notify_alert(alert.id)
    except Exception:  # the queue is down (or, run inline, the send broke): the periodic run retries
        log.exception("the notices of alert %s were not sent now; send_due_notices will", alert.id)


def notify(alert_id: int, now: datetime | None = None, *, sender: PushSender | None = None) -> Report:
    """Claim and send round 1 of one alert (what the queued task runs; needs an app context)."""
    now = now or utcnow()
    alert = Alert.get_or_none(Alert.id == alert_id)
    if alert is None or alert.level not in NOTICE_LEVELS or alert.status != "open":
        return Report()
    return _send(_claim(alert, 1, now), now, sender)


def send_due_notices(now: datetime, *, sender: PushSender | None = None) -> Report:
    """Send the retries due at ``now`` and claim and send the rounds that are due."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    report = Report()
    notices = _claim_due(now, report)
    for alert in _open_alerts(now - SWEEP_WINDOW, now):
        notices += _claim(alert, 1, now)
    for alert in _open_alerts(now - ROUND_TWO_AFTER - SWEEP_WINDOW, now - ROUND_TWO_AFTER):
        notices += _claim(alert, 2, now)
    report.add(_send(notices, now, sender))
    if report.claimed:
        log.info("alert notices at %s: %s", now.isoformat(), report.line())
    return report


def alert_path(patient_id: int) -> str:
    return f"/t/patients/{patient_id}"


def alert_payload(alert_id: int, patient_id: int, locale: str | None) -> bytes:
    """The notification a staff browser shows: no name, no health details, only the link.

    Shaped like ``reminders.reminder_payload``: the service worker's fields and a Declarative
    Web Push block (``web_push: 8030``) Safari can show without running the worker.
    """
    lang = normalize_locale(locale) or DEFAULT_LOCALE
    with force_locale(lang):
        title = _("A patient needs your attention")
        body = _("Open hep to see who and why.")
    return notification_payload(title, body, alert_path(patient_id), f"hep-alert-{alert_id}", lang)


def alert_email(patient_id: int, locale: str | None) -> tuple[str, str]:
    """(subject, body) of the notice e-mail: the link and nothing about the patient."""
    lang = normalize_locale(locale) or DEFAULT_LOCALE
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    with force_locale(lang):
        subject = _("A patient needs your attention")
        line = _("Open this link and sign in to see who and why:")
    return subject, f"{line}\n{base}{alert_path(patient_id)}\n"


# -- targets and claims ---------------------------------------------------------------------

def _open_alerts(created_after: datetime, created_until: datetime) -> list[Alert]:
    return list(Alert.select()
                .where((Alert.status == "open") & Alert.level.in_(sorted(NOTICE_LEVELS))
                       & (Alert.created_at > to_storage(created_after))
                       & (Alert.created_at <= to_storage(created_until)))
                .order_by(Alert.id))


def _targets(alert: Alert, round_: int) -> list[_Target]:
    patient = Patient.get_by_id(alert.patient_id)
    people = list(User.select().where((User.id == patient.therapist_id) & User.is_active))
    if round_ >= 2:
        people += list(User.select().where((User.clinic == patient.clinic_id) & (User.role == "admin")
                                           & User.is_active & (User.id != patient.therapist_id))
                       .order_by(User.id))
    if not people:
        log.warning("alert %s: the patient's therapist account is disabled; nobody to notify in round %s",
                    alert.id, round_)
        return []
    locales = {u.id: normalize_locale(u.locale) or DEFAULT_LOCALE for u in people}
    found: dict[tuple[str, str], _Target] = {}
    for sub in (StaffPushSubscription.select()
                .where(StaffPushSubscription.user.in_(list(locales))).order_by(StaffPushSubscription.id)):
        found[("push", str(sub.id))] = _Target("push", str(sub.id), locales[sub.user_id], sub.subscription_info())
    if settings_from(current_app.config) is not None:
        for user in people:
            if user.email:
                address = normalise_email(user.email)
                found.setdefault(("email", address), _Target("email", address, locales[user.id]))
    if not found:
        log.warning("alert %s: no browser subscribed and no e-mail configured for round %s", alert.id, round_)
    return list(found.values())


def _key(alert_id: int, round_: int, target: _Target) -> str:
    key = f"{alert_id}:{round_}:{target.channel}:{target.target}"
    if len(key) > KEY_LENGTH:  # an absurdly long address: name it by its hash
        key = f"{alert_id}:{round_}:{target.channel}:sha256:{hashlib.sha256(target.target.encode()).hexdigest()}"
    return key


def _claim(alert: Alert, round_: int, now: datetime) -> list[_Notice]:
    """Insert one row per target; the ones this call inserted are its claims."""
    stamp, lease = to_storage(now), to_storage(now + LEASE)
    claimed = []
    for target in _targets(alert, round_):
        key = _key(alert.id, round_, target)
        query = (AlertNotification
                 .insert(key=key, alert=alert.id, round=round_, channel=target.channel, target=target.target,
                         status="pending", attempts=0, next_attempt_at=lease, created_at=stamp)
                 .on_conflict_ignore())
        with db.atomic():
            inserted = db.execute(query).rowcount == 1
        if not inserted:
            continue  # another consumer claimed it, or it was sent earlier
        row_id = AlertNotification.select(AlertNotification.id).where(AlertNotification.key == key).scalar()
        claimed.append(_Notice(row_id, alert.id, alert.patient_id, target, 0))
    return claimed


def _claim_due(now: datetime, report: Report) -> list[_Notice]:
    """Claim the retries due by ``now`` and the claims whose lease ran out (those that can
    no longer be sent are settled here and counted in ``report``)."""
    stamp, lease = to_storage(now), to_storage(now + LEASE)
    rows = list(AlertNotification
                .select(AlertNotification.id, AlertNotification.status, AlertNotification.next_attempt_at)
                .where(AlertNotification.status.in_(("retry", "pending"))
                       & (AlertNotification.next_attempt_at <= stamp))
                .order_by(AlertNotification.id).limit(CHUNK))
    mine = []
    for row in rows:
        won = (AlertNotification.update(status="pending", next_attempt_at=lease)
               .where((AlertNotification.id == row.id) & (AlertNotification.status == row.status)
                      & (AlertNotification.next_attempt_at == row.next_attempt_at))
               .execute())
        if won == 1:
            mine.append(row.id)
    notices = []
    mail_on = settings_from(current_app.config) is not None
    for row in (AlertNotification.select(AlertNotification, Alert)
                .join(Alert).where(AlertNotification.id.in_(mine)).order_by(AlertNotification.id)):
        alert = row.alert
        if alert.status != "open":
            _finish(row.id, "cancelled", f"alert {alert.status} before the retry")
            report.claimed += 1
            report.cancelled += 1
            continue
        target = _target_of(row, mail_on)
        if isinstance(target, str):
            _finish(row.id, "failed", target)
            report.claimed += 1
            report.failed += 1
            continue
        notices.append(_Notice(row.id, alert.id, alert.patient_id, target, row.attempts))
    return notices


def _target_of(row: AlertNotification, mail_on: bool) -> _Target | str:
    """What a claimed row sends to now, or why it cannot be sent any more."""
    if row.channel == "push":
        sub = (StaffPushSubscription.select(StaffPushSubscription, User).join(User)
               .where(StaffPushSubscription.id == int(row.target)).first())
        if sub is None:
            return "subscription removed"
        if not sub.user.is_active:
            return "account disabled"
        return _Target("push", row.target, normalize_locale(sub.user.locale) or DEFAULT_LOCALE,
                       sub.subscription_info())
    if not mail_on:
        return "e-mail no longer configured"
    user = User.by_email(row.target)
    if user is not None and not user.is_active:
        return "account disabled"
    locale = normalize_locale(user.locale) if user is not None else None
    return _Target("email", row.target, locale or DEFAULT_LOCALE)


# -- sending and recording ------------------------------------------------------------------

def _send(notices: list[_Notice], now: datetime, sender: PushSender | None) -> Report:
    report = Report(claimed=len(notices))
    if not notices:
        return report
    cfg = current_app.config
    mail_settings, mail_from = settings_from(cfg), cfg.get("MAIL_FROM") or "hep@localhost"
    messages = {}
    for notice in notices:
        if notice.target.channel == "push":
            messages[notice.id] = alert_payload(notice.alert_id, notice.patient_id, notice.target.locale)
        else:
            messages[notice.id] = alert_email(notice.patient_id, notice.target.locale)
    own_sender = sender is None and any(n.target.channel == "push" for n in notices)
    if own_sender:
        from hep.push.reminders import make_sender

        sender = make_sender()

    def deliver(notice: _Notice) -> tuple[_Notice, _Outcome]:
        started = time.perf_counter()
        try:
            if notice.target.channel == "push":
                outcome = _push_outcome(sender.send(notice.target.info, messages[notice.id], ttl=PUSH_TTL,
                                                    urgency="high", topic=f"alert-{notice.alert_id}"))
            elif mail_settings is None:
                outcome = _Outcome("failed", "e-mail not configured")
            else:
                subject, body = messages[notice.id]
                send_mail(mail_settings, mail_from, notice.target.target, subject, body)
                outcome = _Outcome("sent")
        except MailError as exc:
            outcome = _Outcome("retry" if exc.temporary else "failed", exc.detail)
        except Exception as exc:  # a bug must not lose the claim's record
            log.exception("alert notice %s crashed", notice.id)
            outcome = _Outcome("failed", f"{type(exc).__name__}: {exc}"[:200])
        log.debug("alert notice %s: %s in %.0f ms", notice.id, outcome.status,
                  (time.perf_counter() - started) * 1000)
        return notice, outcome

    try:
        with ThreadPoolExecutor(max_workers=min(WORKERS, len(notices)), thread_name_prefix="notice") as pool:
            results = list(pool.map(deliver, notices))
    finally:
        if own_sender:
            sender.close()
    for notice, outcome in results:
        _record(notice, outcome, now, report)
    return report


def _push_outcome(result: SendResult) -> _Outcome:
    if result.outcome == "delivered":
        return _Outcome("sent")
    if result.outcome == "gone":
        return _Outcome("gone", result.detail)
    if result.outcome == "retry":
        return _Outcome("retry", result.detail, result.retry_after)
    return _Outcome("failed", f"{result.outcome}: {result.detail}"[:200])


def _record(notice: _Notice, outcome: _Outcome, now: datetime, report: Report) -> None:
    tries = notice.attempts + 1
    status = outcome.status
    if status == "retry" and tries >= MAX_ATTEMPTS:
        status = "failed"
    values = {"status": status, "attempts": tries, "last_error": outcome.detail or None, "next_attempt_at": None}
    if status == "sent":
        values["sent_at"] = to_storage(now)
        report.sent += 1
    elif status == "retry":
        values["next_attempt_at"] = to_storage(now + timedelta(seconds=backoff(tries, outcome.retry_after)))
        report.retrying += 1
    elif status == "gone":
        report.gone += 1
    else:
        log.error("alert notice %s (%s) failed: %s", notice.id, notice.target.channel, outcome.detail)
        report.failed += 1
    with db.atomic():
        AlertNotification.update(**values).where(AlertNotification.id == notice.id).execute()
        if status == "gone":
            StaffPushSubscription.delete().where(StaffPushSubscription.id == int(notice.target.target)).execute()


def _finish(notification_id: int, status: str, detail: str) -> None:
    (AlertNotification.update(status=status, last_error=detail, next_attempt_at=None)
     .where(AlertNotification.id == notification_id).execute())


__all__ = ["Report", "alert_raised", "notify", "send_due_notices", "alert_payload", "alert_email",
           "alert_path", "NOTICE_LEVELS", "ROUND_TWO_AFTER"]
