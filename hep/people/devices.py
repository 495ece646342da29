"""Devices: each sign-in on a browser or phone is a ``DeviceSession`` the therapist can list
and sign out, without ending the user's other devices.

The login id is ``"<user id>:<session version>:<device id>"``; the session and remember-me
cookies carry it, and ``hep.people.auth.load_user`` accepts it only while the device is
active (``load``). Signing in (``on_login``, connected to flask-login's ``user_logged_in``)
makes the device, so every sign-in path gets one. Phones that joined before devices were
recorded carry ``"<user id>:<session version>"``: ``upgrade_legacy`` gives them a device and
re-issues their login id, so they stay signed in. Ending a device (the therapist's "Sign
out", the user signing out, the idle timeout) deletes the push subscriptions it registered.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

import peewee as pw
from flask import current_app, g, has_request_context, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_login.utils import decode_cookie

from hep.db import db
from hep.errors import NotFound
from hep.models import DeviceSession, Patient, PushSubscription, User
from hep.models.prepared import Prepared
from hep.people import audit
from hep.timeutil import from_storage, to_storage, utcnow

#: ``last_seen_at`` moves at most this often, so a request does not write a row.
SEEN_EVERY = timedelta(minutes=5)

# First match wins: Edge, Opera and Samsung's browser also say "Chrome"; iPhones say "Mac OS X".
_BROWSERS = (("Edg", "Edge"), ("SamsungBrowser/", "Samsung Internet"), ("OPR/", "Opera"),
             ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("CrOS", "ChromeOS"),
            ("Windows", "Windows"), ("Macintosh", "Mac"), ("Linux", "Linux"))


def describe(user_agent: str | None) -> tuple[str | None, str | None]:
    """(browser, system) named from a User-Agent, e.g. ("Chrome", "Android"); None where unknown."""
    text = user_agent or ""
    browser = next((name for token, name in _BROWSERS if token in text), None)
    system = next((name for token, name in _SYSTEMS if token in text), None)
    return browser, system


def label(device: DeviceSession) -> str:
    """A short, translated name for the device: "Chrome on Android"."""
    if device.browser and device.system:
        return _("%(browser)s on %(system)s", browser=device.browser, system=device.system)
    return device.browser or device.system or _("Unknown device")


def _request_agent() -> str:
    return request.headers.get("User-Agent", "") if has_request_context() else ""


def start(user: User) -> DeviceSession:
    """A new device for ``user`` signing in on this request's browser."""
    browser, system = describe(_request_agent())
    now = to_storage(utcnow())
    return DeviceSession.create(id=secrets.token_urlsafe(24), user=user, session_version=user.session_version,
                                browser=browser, system=system, created_at=now, last_seen_at=now)


def on_login(_sender, user: User, **_extra) -> None:
    """flask-login ``user_logged_in``: record the device and put its id in the login id (the
    session, and the remember-me cookie when one is set, are written from it).

    A patient joining again on a phone already signed in replaces that phone's device: its
    push subscriptions move to the new one (the phone keeps its reminders) and the old row
    is revoked, so the therapist does not see the phone twice."""
    if getattr(user, "device_id", None) is not None:
        return
    device = start(user)
    previous = _remembered_device(user)
    if previous and previous != device.id:
        with db.atomic():
            PushSubscription.update(device_session=device.id).where(PushSubscription.device_session == previous).execute()
            end(previous)
    user.device_id = device.id
    session["_user_id"] = user.get_id()


def _remembered_device(user: User) -> str | None:
    """The device id in this browser's remember-me cookie, when it is ``user``'s."""
    cookie = request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    login_id = decode_cookie(cookie) if cookie else None
    parts = (login_id or "").split(":")
    return parts[2] if len(parts) == 3 and parts[0] == str(user.id) else None


def on_logout(_sender, user, **_extra) -> None:
    """flask-login ``user_logged_out``: this browser's device is signed out too."""
    device_id = getattr(user, "device_id", None)
    if device_id:
        end(device_id)


def load(user_id: int, version: int, device_id: str) -> User | None:
    """The user of an active device, for the login id ``user_id:version:device_id``; None
    for a revoked, unknown or outdated one (and that browser's cookies are cleared)."""
    # The patient record comes in the same statement (None for staff): every patient request
    # reads it (hep.people.access.own_patient).
    device = _SIGNED_IN.first(device=device_id, user=user_id)
    user = device.user if device else None
    if user is not None:
        loaded = getattr(user, "loaded_patient", None)
        user.loaded_patient = loaded if loaded is not None and loaded.id is not None else None
    if (device is None or device.revoked_at is not None or device.session_version != version
            or not user.is_active or user.session_version != version):
        _forget_login(revoked=device is not None and device.revoked_at is not None)
        return None
    user.device_id = device.id
    _seen(device)
    return user


# Every signed-in request runs it: its SQL is built once (hep.models.prepared).
_SIGNED_IN = Prepared(lambda p: DeviceSession.select(DeviceSession, User, Patient).join(User)
                      .join(Patient, pw.JOIN.LEFT_OUTER, on=(Patient.user == User.id), attr="loaded_patient")
                      .where((DeviceSession.id == p.device) & (DeviceSession.user == p.user)).limit(1))


def _forget_login(*, revoked: bool) -> None:
    """Drop a refused login id from the session and the remember-me cookie, so the browser
    is plainly signed out (and the API can say this device was signed out)."""
    if not has_request_context():
        return
    session.pop("_user_id", None)
    session["_remember"] = "clear"
    g.device_signed_out = revoked


def _seen(device: DeviceSession) -> None:
    now = utcnow()
    if from_storage(device.last_seen_at) > now - SEEN_EVERY:
        return
    # Conditional, so parallel requests from one phone write it once.
    (DeviceSession.update(last_seen_at=to_storage(now))
     .where((DeviceSession.id == device.id) & (DeviceSession.last_seen_at <= to_storage(now - SEEN_EVERY)))
     .execute())


def upgrade_legacy(user: User) -> User | None:
    """Keep a browser signed in whose login id predates devices (``"<id>:<version>"``).

    Its device id is derived from the user, the session version and the browser's name, so
    the parallel requests of one phone opening the app all land on the same row, and a
    device the therapist signed out stays signed out. The login id is re-issued with the
    device (and the patient's remember-me cookie rewritten); push subscriptions the patient
    made from this kind of browser before are linked to the device. None once it is revoked.
    """
    browser, system = describe(_request_agent())
    key = f"legacy:{user.id}:{user.session_version}:{browser}:{system}".encode()
    digest = hmac.new(str(current_app.config["SECRET_KEY"]).encode(), key, hashlib.sha256).digest()
    device_id = base64.urlsafe_b64encode(digest[:24]).decode()
    now = to_storage(utcnow())
    with db.atomic():
        (DeviceSession.insert(id=device_id, user=user, session_version=user.session_version,
                              browser=browser, system=system, created_at=now, last_seen_at=now)
         .on_conflict_ignore().execute())
        device = DeviceSession.get_by_id(device_id)
        if device.revoked_at is not None:
            _forget_login(revoked=True)
            return None
        _link_old_subscriptions(user, device)
    user.device_id = device.id
    if has_request_context():
        session["_user_id"] = user.get_id()
        if user.role == "patient":
            session["_remember"] = "set"
    _seen(device)
    return user


def _link_old_subscriptions(user: User, device: DeviceSession) -> None:
    patient = Patient.get_or_none(Patient.user == user.id)
    if patient is None:
        return
    unlinked = PushSubscription.select().where((PushSubscription.patient == patient)
                                               & PushSubscription.device_session.is_null())
    ids = [sub.id for sub in unlinked if describe(sub.user_agent) == (device.browser, device.system)]
    if ids:
        PushSubscription.update(device_session=device.id).where(PushSubscription.id.in_(ids)).execute()


def current_device_id() -> str | None:
    """The device of this request's sign-in, if any."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return getattr(current_user, "device_id", None)
    return None


def active_devices(patient: Patient) -> list[dict]:
    """The patient's devices still signed in, most recently used first."""
    devices = list(DeviceSession.active_of(patient.user))
    with_push = {row.device_session_id for row in PushSubscription.select(PushSubscription.device_session)
                 .where(PushSubscription.device_session.in_([d.id for d in devices]))} if devices else set()
    current = current_device_id()
    return [{
        "id": d.id, "label": label(d), "browser": d.browser, "system": d.system,
        "created_at": from_storage(d.created_at), "last_seen_at": from_storage(d.last_seen_at),
        "current": d.id == current, "notifications": d.id in with_push,
    } for d in devices]


def sign_out_device(patient: Patient, device_id: str) -> None:
    """Sign one of the patient's devices out (its next request is signed out) and delete
    the push subscriptions it registered; the patient's other devices stay signed in.
    Raises ``NotFound`` for a device that is not one of the patient's active ones."""
    device = DeviceSession.active_of(patient.user).where(DeviceSession.id == device_id).first()
    if device is None:
        raise NotFound(_("No such device."))
    with db.atomic():
        removed = end(device.id)
        audit.record("device.sign_out", patient=patient, device=device.id, browser=device.browser,
                     system=device.system, push_subscriptions=removed)


def end(device_id: str) -> int:
    """Revoke a device and delete its push subscriptions; the number deleted."""
    with db.atomic():
        (DeviceSession.update(revoked_at=to_storage(utcnow()))
         .where((DeviceSession.id == device_id) & DeviceSession.revoked_at.is_null()).execute())
        return PushSubscription.delete().where(PushSubscription.device_session == device_id).execute()
