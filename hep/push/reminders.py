"""Sending the reminders that are due: claim each one exactly once, send, record.

``send_due(now)`` is what the periodic task and ``hep send-reminders`` call. It

1. reads every enabled schedule (with its patient's zone and language) in one query and
   works out the slots due in ``(now - lookback, now]`` with ``hep.push.schedule.due_slots``;
2. drops the slots of patients whose program is stopped (an emergency or urgent alert not
   yet resolved), and slots whose day's work is already done (every exercise targeted that day done as
   often as prescribed, the one count of ``hep.logbook.sessions``);
3. CLAIMS one ``ReminderDelivery`` per (slot, subscription) by inserting it under the unique
   key ``schedule:local_date:slot:subscription`` (``ON CONFLICT DO NOTHING``): a row another
   consumer inserted first is theirs, so however many consumers run, each reminder is sent
   by one of them only;
4. claims the retries and snoozes that are due (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, an
   immediate transaction on SQLite);
5. sends through one shared ``PushSender`` from a small thread pool (pushes are network
   bound) and records the outcomes and every attempt in a few batched statements.

Report counts are this run's own: ``due`` reminders it claimed (fresh slots, retries and
snoozes), of which ``sent`` were delivered, ``pruned`` found their subscription gone (the
subscription is deleted) and ``failed`` were given up; the rest wait as ``retry``.

Claims survive the death of their consumer. A claim carries its owner (``claimed_by``:
host, pid and a random part) and a heartbeat (``claimed_at``, wall-clock time): while the
owner works through its claims it refreshes the heartbeat every third of
``REMINDER_CLAIM_LEASE_SECONDS`` (30 s by default), and a ``sending`` claim whose heartbeat
is older than the lease belongs to a dead consumer and is taken over as a retry. Fresh slots
are claimed ``CLAIM_BATCH`` at a time, at most ``WORKERS`` messages are in flight, and each
outcome is committed as soon as its send returns (with the others that finished meanwhile),
so after a ``kill -9`` mid-batch **at most ``WORKERS`` reminders go out twice for each fan-out
the killed consumer was running** (one per ``huey_consumer`` worker thread at most): those the
push service accepted but whose outcome was not committed yet. The
claimed rest (never sent) are taken over and sent once. No sender can do better: the push
protocol has no way to ask whether a message was taken. So the repeat is made harmless where
the patient would meet it: it carries the same Topic header (a push service still holding the
first copy for an offline phone replaces it) and the same message ``id`` (``reminder-<delivery
id>``), and the service worker shows an id once (``hep/templates/patient/sw.js``).
"""
from __future__ import annotations

import functools
import itertools
import json
import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import peewee as pw
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from hep import config
from hep.db import db, is_postgres
from hep.i18n import DEFAULT_LOCALE, normalize_locale
from hep.logbook.sessions import sessions_done
from hep.models import (
    Alert,
    DeliveryAttempt,
    Patient,
    PushSubscription,
    ReminderDelivery,
    ReminderSchedule,
    User,
)
from hep.models.alerts import STOPPING_LEVELS
from hep.push.notification import notification_payload
from hep.push.schedule import Schedule, Slot, due_slots
from hep.push.sender import PushSender, SendResult, backoff
from hep.push.vapid import VapidSigner
from hep.timeutil import to_storage, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
DEFAULT_LEASE = timedelta(seconds=30)  # a heartbeat older than this: the owner is dead
CLAIM_BATCH = 50  # reminders claimed at once: what a dead consumer leaves for others to take over
REMINDER_URL = "/app/#/today"
REMINDER_TAG = "hep-reminder"
CHUNK = 500  # rows per claim / IN (...) list: well under every database's parameter limit
WORKERS = 8


@dataclass
class Report:
    due: int = 0
    sent: int = 0
    pruned: int = 0
    failed: int = 0
    retrying: int = 0
    skipped_done: int = 0
    skipped_stopped: int = 0

    def line(self) -> str:
        return f"due {self.due}, sent {self.sent}, pruned {self.pruned}, failed {self.failed}"

    def add(self, other: Report) -> None:
        for name in ("due", "sent", "pruned", "failed", "retrying", "skipped_done", "skipped_stopped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True, slots=True)
class _Job:
    """A claimed delivery, with what is needed to send it."""

    delivery_id: int
    subscription_id: int
    info: dict
    locale: str
    topic: str
    attempts: int  # attempts made before this one


@dataclass
class _Claimed:
    token: str = ""  # the owner written in claimed_by
    jobs: list[_Job] = field(default_factory=list)
    orphans: list[int] = field(default_factory=list)  # deliveries whose subscription is gone


def send_due(
    now_utc: datetime,
    *,
    sender: PushSender | None = None,
    lookback: timedelta = timedelta(minutes=15),
    workers: int | None = None,
) -> Report:
    """Send every reminder due at ``now_utc`` that no one has claimed yet (needs an app context)."""
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be an aware datetime")
    own_sender = sender is None
    sender = sender or make_sender()
    report = Report()
    workers = max(1, workers or WORKERS)
    lease = claim_lease()
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="push") as pool:
            for claimed in _claims(now_utc, lookback, report, lease):
                _send_and_record(claimed, now_utc, sender, pool, workers, report, lease)
    finally:
        if own_sender:
            sender.close()
    if report.due:
        log.info("reminders at %s: %s", now_utc.isoformat(), report.line())
    return report


def claim_lease() -> timedelta:
    """How old a claim's heartbeat may get before another consumer takes the claim over."""
    seconds = current_app.config.get("REMINDER_CLAIM_LEASE_SECONDS")
    return timedelta(seconds=float(seconds)) if seconds else DEFAULT_LEASE


def make_sender() -> PushSender:
    """A ``PushSender`` from the app's config (VAPID key and subject, allow-list, TTL)."""
    cfg = current_app.config
    signer = VapidSigner(cfg["VAPID_PRIVATE_KEY"], cfg["VAPID_SUBJECT"])
    return PushSender(signer, config.allowed_push_origins(cfg), ttl=int(cfg["PUSH_TTL_SECONDS"]),
                      pool_size=max(16, WORKERS * 2))


def reminder_payload(locale: str | None, delivery_id: int | None = None) -> bytes:
    """The notification the service worker shows: no name, no health details.

    The same JSON carries a Declarative Web Push block (``web_push: 8030``), so Safari can
    show it without running the service worker. ``delivery_id`` becomes the message's ``id``
    (``reminder-<id>``): every send of one delivery row carries it, so a reminder sent again
    after its consumer died is shown once (see the module's notes).
    """
    lang = normalize_locale(locale) or DEFAULT_LOCALE
    title, body = _reminder_texts(lang)
    return notification_payload(title, body, REMINDER_URL, REMINDER_TAG, lang,
                                message_id=None if delivery_id is None else f"reminder-{delivery_id}")


@functools.lru_cache(maxsize=16)
def _reminder_texts(lang: str) -> tuple[str, str]:
    """The translated title and body (the same in every app: the catalogues ship with hep)."""
    with force_locale(lang):
        return _("Time for your exercises"), _("Your exercise session is ready when you are.")


# -- claiming ---------------------------------------------------------------------------

def _claims(now: datetime, lookback: timedelta, report: Report, lease: timedelta) -> Iterator[_Claimed]:
    """Claimed deliveries in small batches: fresh slots first, then due retries, snoozes and
    the claims of dead consumers. Each batch is claimed only when the previous one is sent."""
    due = _due_pairs(now, lookback, report)
    for chunk in _chunks(due, CLAIM_BATCH):
        claimed = _claim_fresh(chunk, now)
        if claimed.jobs:
            yield claimed
    while True:
        claimed = _claim_retries(now, lease)
        if not claimed.jobs and not claimed.orphans:
            return
        yield claimed


@dataclass(frozen=True, slots=True)
class _Due:
    schedule_id: int
    patient_id: int
    subscription: tuple[int, str, str, str]  # id, endpoint, p256dh, auth
    slot: Slot
    locale: str


def _due_pairs(now: datetime, lookback: timedelta, report: Report) -> list[_Due]:
    """Every (slot, subscription) due in the window whose day's work is not done yet."""
    start = now - lookback
    rows = (ReminderSchedule
            .select(ReminderSchedule.id, ReminderSchedule.patient, ReminderSchedule.times,
                    ReminderSchedule.days, ReminderSchedule.quiet_start,
                    ReminderSchedule.quiet_end, Patient.timezone, User.locale)
            .join(Patient).join(User)
            .where(ReminderSchedule.enabled & Patient.archived_at.is_null() & User.is_active)
            .tuples())
    slots: dict[int, tuple[int, list[Slot], str]] = {}
    for sid, pid, times, days, q_start, q_end, tz, locale in rows:
        times, days = _json_list(times), _json_list(days)
        if not times or not days:
            continue
        try:
            schedule = Schedule(tuple(times), frozenset(days), tz, q_start, q_end)
        except ValueError as exc:
            log.error("reminder schedule %s is unusable: %s", sid, exc)
            continue
        found = due_slots(schedule, start, now)
        if found:
            slots[sid] = (pid, found, normalize_locale(locale) or DEFAULT_LOCALE)
    if not slots:
        return []
    done = work_done({(pid, s.local_date) for pid, found, _l in slots.values() for s in found})
    stopped = stopped_patients({pid for pid, _f, _l in slots.values()})
    by_patient = _subscriptions_of({pid for pid, _f, _l in slots.values()})
    result = []
    for sid, (pid, found, locale) in slots.items():
        if pid in stopped:  # no exercise reminders while an emergency or urgent alert is open
            report.skipped_stopped += len(found)
            continue
        for slot in found:
            if (pid, slot.local_date) in done:
                report.skipped_done += 1
                continue
            for sub in by_patient.get(pid, ()):
                result.append(_Due(sid, pid, sub, slot, locale))
    return result


def _subscriptions_of(patient_ids: set[int]) -> dict[int, list[tuple[int, str, str, str]]]:
    found: dict[int, list] = defaultdict(list)
    for chunk in _chunks(sorted(patient_ids), CHUNK):
        query = (PushSubscription
                 .select(PushSubscription.patient, PushSubscription.id, PushSubscription.endpoint,
                         PushSubscription.p256dh, PushSubscription.auth)
                 .where(PushSubscription.patient.in_(chunk))
                 .order_by(PushSubscription.id)
                 .tuples())
        for pid, *sub in query:
            found[pid].append(tuple(sub))
    return found


def _claim_fresh(chunk: Sequence[_Due], now: datetime) -> _Claimed:
    """Insert the chunk's delivery rows; the ones this run inserted are its claims."""
    token = _token()
    stamp = to_storage(utcnow())  # the first heartbeat
    rows = {}
    for due in chunk:
        key = f"{due.schedule_id}:{due.slot.local_date.isoformat()}:{due.slot.slot}:{due.subscription[0]}"
        rows[key] = {
            "key": key, "schedule": due.schedule_id, "subscription": due.subscription[0],
            "local_date": due.slot.local_date, "slot": due.slot.slot,
            "due_at": to_storage(due.slot.due_at), "status": "sending", "attempts": 0,
            "claimed_by": token, "claimed_at": stamp,
        }
    _insert_claims(list(rows.values()))
    mine = dict(ReminderDelivery
                .select(ReminderDelivery.key, ReminderDelivery.id)
                .where(ReminderDelivery.claimed_by == token)
                .tuples())
    claimed = _Claimed(token)
    for due in chunk:
        key = f"{due.schedule_id}:{due.slot.local_date.isoformat()}:{due.slot.slot}:{due.subscription[0]}"
        delivery_id = mine.pop(key, None)
        if delivery_id is None:
            continue  # another consumer claimed it (or it was sent earlier)
        sub_id, endpoint, p256dh, auth = due.subscription
        claimed.jobs.append(_Job(delivery_id, sub_id, _info(endpoint, p256dh, auth), due.locale,
                                 f"reminder-{due.schedule_id}", 0))
    return claimed


def _insert_claims(rows: list[dict]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING; a row whose subscription vanished meanwhile is dropped."""
    try:
        with db.atomic():
            ReminderDelivery.insert_many(rows).on_conflict_ignore().execute()
    except pw.IntegrityError:
        # A foreign key broke (a device unsubscribed since we read it): claim row by row.
        for row in rows:
            try:
                with db.atomic():
                    ReminderDelivery.insert(row).on_conflict_ignore().execute()
            except pw.IntegrityError:
                continue


def _claim_retries(now: datetime, lease: timedelta) -> _Claimed:
    """Claim up to ``CLAIM_BATCH`` retries and snoozes due by ``now``, and the claims whose
    owner's heartbeat is older than ``lease`` (wall-clock time: the owner died)."""
    token, beat = _token(), utcnow()
    waiting = (
        (ReminderDelivery.status.in_(("retry", "scheduled")) & (ReminderDelivery.next_attempt_at <= to_storage(now)))
        | ((ReminderDelivery.status == "sending") & (ReminderDelivery.claimed_at < to_storage(beat - lease)))
    )
    stamp = to_storage(beat)
    if is_postgres():
        with db.atomic():
            ids = [row[0] for row in (ReminderDelivery.select(ReminderDelivery.id)
                                      .where(waiting).order_by(ReminderDelivery.id).limit(CLAIM_BATCH)
                                      .for_update(skip_locked=True).tuples())]
            if ids:
                (ReminderDelivery.update(status="sending", claimed_by=token, claimed_at=stamp)
                 .where(ReminderDelivery.id.in_(ids)).execute())
    else:
        with db.atomic("IMMEDIATE"):
            ids = [row[0] for row in (ReminderDelivery.select(ReminderDelivery.id)
                                      .where(waiting).order_by(ReminderDelivery.id).limit(CLAIM_BATCH)
                                      .tuples())]
            if ids:
                (ReminderDelivery.update(status="sending", claimed_by=token, claimed_at=stamp)
                 .where(ReminderDelivery.id.in_(ids)).execute())
    claimed = _Claimed(token)
    if not ids:
        return claimed
    query = (ReminderDelivery
             .select(ReminderDelivery.id, ReminderDelivery.attempts, ReminderDelivery.schedule,
                     PushSubscription.id, PushSubscription.endpoint, PushSubscription.p256dh,
                     PushSubscription.auth, User.locale)
             .join(PushSubscription, pw.JOIN.LEFT_OUTER,
                   on=(ReminderDelivery.subscription == PushSubscription.id))
             .join(Patient, pw.JOIN.LEFT_OUTER, on=(PushSubscription.patient == Patient.id))
             .join(User, pw.JOIN.LEFT_OUTER, on=(Patient.user == User.id))
             .where(ReminderDelivery.claimed_by == token)
             .tuples())
    for did, attempts, sid, sub_id, endpoint, p256dh, auth, locale in query:
        if sub_id is None:
            claimed.orphans.append(did)
            continue
        claimed.jobs.append(_Job(did, sub_id, _info(endpoint, p256dh, auth),
                                 normalize_locale(locale) or DEFAULT_LOCALE, f"reminder-{sid}", attempts))
    return claimed


# -- sending and recording ----------------------------------------------------------------

def _send_and_record(claimed: _Claimed, now: datetime, sender: PushSender, pool: ThreadPoolExecutor,
                     workers: int, report: Report, lease: timedelta) -> None:
    """Send the batch with at most ``workers`` messages in flight; commit each outcome as soon
    as its send returns, and beat the heartbeat of the claims still held meanwhile."""
    payloads = {job.delivery_id: reminder_payload(job.locale, job.delivery_id) for job in claimed.jobs}

    def send(job: _Job) -> tuple[_Job, SendResult, int]:
        started = time.perf_counter()
        try:
            result = sender.send(job.info, payloads[job.delivery_id], urgency="normal", topic=job.topic)
        except Exception as exc:  # a bug must not lose the claim's record
            log.exception("push send crashed")
            result = SendResult("error", detail=f"{type(exc).__name__}: {exc}"[:200])
        return job, result, int((time.perf_counter() - started) * 1000)

    report.due += len(claimed.jobs) + len(claimed.orphans)
    if claimed.orphans:
        _record([], claimed.orphans, now, report)
    waiting = iter(claimed.jobs)
    held = {job.delivery_id for job in claimed.jobs}  # claimed, outcome not committed yet
    in_flight: set[Future] = set()

    def submit(count: int) -> None:
        for job in itertools.islice(waiting, count):
            in_flight.add(pool.submit(send, job))

    interval = lease.total_seconds() / 3
    submit(workers)
    last_beat = time.monotonic()
    while in_flight:
        done, in_flight = wait(in_flight, timeout=interval, return_when=FIRST_COMPLETED)
        if done:
            results = [future.result() for future in done]
            _record(results, [], now, report)
            held.difference_update(job.delivery_id for job, _r, _ms in results)
            submit(len(done))
        if held and time.monotonic() - last_beat >= interval:
            _heartbeat(claimed.token, held)
            last_beat = time.monotonic()


def _heartbeat(token: str, held: set[int]) -> None:
    """Tell other consumers that ``token`` still works on the claims ``held``."""
    stamp = to_storage(utcnow())
    for chunk in _chunks(sorted(held), CHUNK):
        (ReminderDelivery.update(claimed_at=stamp)
         .where(ReminderDelivery.id.in_(chunk) & (ReminderDelivery.claimed_by == token)
                & (ReminderDelivery.status == "sending"))
         .execute())


def _record(results: list[tuple[_Job, SendResult, int]], orphans: list[int], now: datetime,
            report: Report) -> None:
    stamp = to_storage(now)
    groups: dict[tuple[str, int | None, str], list[int]] = defaultdict(list)
    retries: list[tuple[int, int, str, datetime]] = []
    delivered_subs, gone_subs, attempts = [], [], []
    for job, result, ms in results:
        tries = job.attempts + 1
        attempts.append({"delivery": job.delivery_id, "at": stamp, "status_code": result.status,
                         "outcome": result.outcome, "detail": result.detail[:500], "duration_ms": ms})
        if result.outcome == "delivered":
            groups[("delivered", result.status, "")].append(job.delivery_id)
            delivered_subs.append(job.subscription_id)
            report.sent += 1
        elif result.outcome == "gone":
            groups[("gone", result.status, result.detail)].append(job.delivery_id)
            gone_subs.append(job.subscription_id)
            report.pruned += 1
        elif result.outcome == "retry" and tries < MAX_ATTEMPTS:
            wait = backoff(tries, result.retry_after)
            retries.append((job.delivery_id, result.status, result.detail, now + timedelta(seconds=wait)))
            report.retrying += 1
        else:
            if result.outcome in ("error", "refused"):
                log.error("reminder delivery %s failed: %s %s", job.delivery_id, result.outcome,
                          result.detail)
            groups[("failed", result.status, result.detail)].append(job.delivery_id)
            report.failed += 1
    if orphans:
        groups[("failed", None, "subscription removed")].extend(orphans)
        report.failed += len(orphans)
    with db.atomic():
        for chunk in _chunks(attempts, CHUNK):
            DeliveryAttempt.insert_many(chunk).execute()
        for (status, code, detail), ids in groups.items():
            for chunk in _chunks(ids, CHUNK):
                (ReminderDelivery
                 .update(status=status, attempts=ReminderDelivery.attempts + 1, last_status=code,
                         last_error=detail or None, next_attempt_at=None)
                 .where(ReminderDelivery.id.in_(chunk)).execute())
        for delivery_id, code, detail, at in retries:
            (ReminderDelivery
             .update(status="retry", attempts=ReminderDelivery.attempts + 1, last_status=code,
                     last_error=detail or None, next_attempt_at=to_storage(at))
             .where(ReminderDelivery.id == delivery_id).execute())
        for chunk in _chunks(sorted(set(delivered_subs)), CHUNK):
            (PushSubscription.update(last_success_at=stamp)
             .where(PushSubscription.id.in_(chunk)).execute())
        for chunk in _chunks(sorted(set(gone_subs)), CHUNK):
            PushSubscription.delete().where(PushSubscription.id.in_(chunk)).execute()


# -- the day's work ---------------------------------------------------------------------

def stopped_patients(patient_ids: set[int]) -> set[int]:
    """The patients whose program is stopped: an emergency or urgent alert not yet resolved."""
    stopped: set[int] = set()
    for chunk in _chunks(sorted(patient_ids), CHUNK):
        stopped.update(pid for (pid,) in Alert.select(Alert.patient)
                       .where(Alert.patient.in_(chunk) & Alert.level.in_(sorted(STOPPING_LEVELS))
                              & (Alert.status != "resolved")).tuples())
    return stopped


def work_done(pairs: Iterable[tuple[int, date]]) -> set[tuple[int, date]]:
    """The (patient id, local date) pairs whose targeted sessions are all done, by the one
    count of ``hep.logbook.sessions.sessions_done`` (a session logged against an earlier
    version of an exercise counts for the current one). A day with nothing targeted is not
    "done": the patient asked to be reminded."""
    pairs = set(pairs)
    done = set()
    by_day: dict[date, set[int]] = defaultdict(set)
    for pid, day in pairs:
        by_day[day].add(pid)
    for day, patients in by_day.items():
        counts = sessions_done(patients, [day])
        done.update((pid, day) for pid in patients if counts[(pid, day)].all_done)
    return done


# -- helpers ----------------------------------------------------------------------------

def _json_list(value) -> list:
    """A JSONField value from ``.tuples()`` (decoded or not, depending on the driver path)."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


def _info(endpoint: str, p256dh: str, auth: str) -> dict:
    return {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}


def _token() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:16]}"


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for index in range(0, len(items), size):
        yield items[index:index + size]


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with an offset (``Z`` allowed)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("give the instant with its UTC offset, e.g. 2025-03-09T12:00:00Z")
    return value


__all__ = ["Report", "send_due", "claim_lease", "make_sender", "reminder_payload", "work_done", "parse_instant"]
