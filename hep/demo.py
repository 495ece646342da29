"""The demo instance: a therapist, a patient and three weeks of realistic history.

The history is written so the clinical engine has something to say about each exercise:
the nerve slider is going well (progress), the hip hinge sits in the amber band (hold),
and sit-to-stand has flared over the last sessions (regress).
"""
from __future__ import annotations

import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hep import migrations
from hep.care.summary import refresh_alerts
from hep.db import db
from hep.library.seed import seed_library
from hep.logbook.replay import body_hash
from hep.models import (
    CheckIn,
    Completion,
    Exercise,
    ExposureSession,
    HierarchyItem,
    Patient,
    Prescription,
    Program,
    ProgramVersion,
    QuestionnaireResponse,
    ReminderSchedule,
    User,
)
from hep.people import invites
from hep.people.accounts import create_or_update_therapist
from hep.programs.versions import dose_with_defaults
from hep.timeutil import to_storage, today_in, utcnow, zone

THERAPIST_EMAIL = "therapist@demo.hep.invalid"
PATIENT_NAME = "Alex Rivera (demo)"
PATIENT_ZONE = "America/New_York"
HISTORY_DAYS = 21
#: Leg pain relative to the overall morning rating, by the most distal symptom that morning.
LEG_OVER_BACK = {"thigh": 1, "buttock": 0, "back": -2}
SESSION_HOURS = (8, 18, 13, 21, 11, 16)  # morning and evening first; up to 6 a day


@dataclass(frozen=True)
class Credentials:
    email: str
    password: str
    join_url: str


def prepare(base_url: str) -> Credentials:
    """Upgrade and seed the database, create the demo people on first run, and return fresh
    sign-in details (a new therapist password and a new join link on every run)."""
    migrations.upgrade(db.obj)
    seed_library()
    password = secrets.token_urlsafe(12)
    therapist, _ = create_or_update_therapist(THERAPIST_EMAIL, password, "Dr Sam Okafor", "Demo clinic")
    patient = Patient.get_or_none((Patient.therapist == therapist) & (Patient.display_name == PATIENT_NAME))
    if patient is None:
        patient = _create_patient_with_history(therapist)
    if not HierarchyItem.select().where(HierarchyItem.patient == patient).exists():
        _seed_hierarchy(patient)  # also for demo databases made before the hierarchy was seeded
    if not QuestionnaireResponse.select().where(QuestionnaireResponse.patient == patient).exists():
        _seed_outcomes(patient)  # likewise for the outcome measures
    refresh_alerts(patient)  # the history was written straight to the tables
    token, _invite = invites.issue(patient, therapist, ttl_days=14)
    return Credentials(THERAPIST_EMAIL, password, f"{base_url.rstrip('/')}/join/{token}")


def _exercise(slug: str) -> Exercise:
    return Exercise.get((Exercise.slug == slug) & Exercise.clinic.is_null())


def _create_patient_with_history(therapist: User) -> Patient:
    # Seeded on purpose: the demo history is the same on every run; it guards nothing.
    rng = random.Random(20261124)  # nosec B311
    tz = zone(PATIENT_ZONE)
    today = today_in(PATIENT_ZONE)
    start = today - timedelta(days=HISTORY_DAYS)
    with db.atomic():
        user = User.create(clinic=therapist.clinic_id, role="patient", display_name=PATIENT_NAME, locale="en")
        patient = Patient.create(clinic=therapist.clinic_id, therapist=therapist, user=user,
                                 display_name=PATIENT_NAME, timezone=PATIENT_ZONE)
        program = Program.create(patient=patient)
        v1 = _version(program, 1, "calm", therapist, start, tz,
                      "Settle the leg symptoms: slider, positions of ease, gentle mobility.", [
                          ("seated-sciatic-nerve-slider", dict(sets=2, reps=10, frequency_per_day=2)),
                          ("prone-on-elbows", dict(sets=3, reps=1, hold_seconds=60)),
                          ("cat-camel", dict(sets=2, reps=10)),
                      ])
        switch = today - timedelta(days=10)
        v2 = _version(program, 2, "exposure", therapist, switch, tz,
                      "Leg symptoms centralising; start graded bending.", [
                          ("seated-sciatic-nerve-slider", dict(sets=2, reps=12, frequency_per_day=2)),
                          ("hip-hinge-to-box", dict(sets=3, reps=8)),
                          ("sit-to-stand", dict(sets=3, reps=10)),
                      ])
        distal = ["thigh"] * 5 + ["buttock"] * 8 + ["back"] * 8
        for offset in range(HISTORY_DAYS + 1):  # up to today's morning check-in
            day = start + timedelta(days=offset)
            version = v1 if day < switch else v2
            skipped = rng.random() < 0.08  # a missed day now and then
            if not skipped and day < today:  # today's sessions are still to do
                for p in version:
                    _log_sessions(patient, p, day, today, tz, rng)
            if offset > 0:
                _checkin(patient, day, rng, distal[min(offset, len(distal) - 1)])
        ReminderSchedule.create(patient=patient, times=["08:00", "18:30"], quiet_start="22:00", quiet_end="07:00")
    return patient


#: The demo's fear hierarchy: (activity, perceived harm, sessions as (days ago, prediction, fear
#: before, outcome happened, fear after, safety behaviour)). Bending is mastered (the prediction
#: fell from 70 to 20 and nothing happened), lifting is under way (a safety behaviour last
#: time), carrying upstairs is not started.
HIERARCHY = (
    ("Bend to tie my shoes", 30, ((8, 70, 50, False, 30, False), (5, 45, 40, False, 20, False),
                                  (2, 20, 30, False, 10, False))),
    ("Lift a laundry basket", 55, ((4, 80, 70, False, 50, False), (1, 60, 60, False, 40, True))),
    ("Carry shopping up the stairs", 75, ()),
)


#: The demo's pain rating (NPRS) each week: (days ago, rating), easing meaningfully.
NPRS_WEEKS = ((21, 6), (14, 5), (7, 4), (1, 3))


def _seed_outcomes(patient: Patient) -> None:
    from hep.care.outcomes import instrument
    from hep.clinical.instruments import score

    nprs = instrument("nprs")
    for days_ago, rating in NPRS_WEEKS:
        answers = {"1": rating}
        body = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"hep-demo/{patient.id}/nprs/{days_ago}")), "answers": answers}
        QuestionnaireResponse.create(id=body["id"], patient=patient, instrument="nprs", answers=answers,
                                     score=score(nprs, answers).to_dict(), request_hash=body_hash({"instrument": "nprs", **body}),
                                     recorded_at=to_storage(utcnow() - timedelta(days=days_ago)))


def _seed_hierarchy(patient: Patient) -> None:
    tz = zone(patient.timezone)
    today = today_in(patient.timezone)
    with db.atomic():
        for activity, harm, sessions in HIERARCHY:
            item = HierarchyItem.create(patient=patient, activity=activity, harm_rating=harm)
            for days_ago, prediction, before, happened, after, safety in sessions:
                at = datetime.combine(today - timedelta(days=days_ago), time(17, 30), tz)
                body = dict(id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"hep-demo:{item.id}:{days_ago}")),
                            performed_at=at, feared_outcome="My back will give way", prediction=prediction,
                            fear_before=before, outcome_happened=happened, fear_after=after,
                            safety_behaviour=safety, note="")
                ExposureSession.create(item=item, request_hash=body_hash({"item": item.id, **body}),
                                       **{**body, "performed_at": to_storage(at)})


def _version(program, number, phase, therapist, day, tz, notes, items) -> list[Prescription]:
    created = to_storage(datetime.combine(day, time(7, 0), tz))
    version = ProgramVersion.create(program=program, number=number, phase=phase, notes=notes,
                                    created_by=therapist, created_at=created)
    rows = []
    for position, (slug, dose) in enumerate(items):
        exercise = _exercise(slug)
        rows.append(Prescription.create(version=version, exercise=exercise, position=position,
                                        **dose_with_defaults(dose, exercise)))
    return rows


def _pain(slug: str, day: date, today: date, rng: random.Random) -> int:
    """Pain during the exercise: settling for the slider, amber for the hinge, flaring lately
    for sit-to-stand."""
    days_ago = (today - day).days
    if slug == "hip-hinge-to-box":
        return rng.choice((4, 4, 5))
    if slug == "sit-to-stand":
        return 6 + (days_ago == 0) if days_ago <= 3 else rng.choice((3, 4))
    return max(0, min(3, 1 + days_ago // 8 + rng.choice((-1, 0, 0))))


def _log_sessions(patient, prescription, day, today, tz, rng) -> None:
    slug = prescription.exercise.slug
    for session in range(prescription.frequency_per_day):
        at = datetime.combine(day, time(SESSION_HOURS[session], rng.randrange(0, 50)), tz)
        if at > utcnow():
            continue
        pain = _pain(slug, day, today, rng)
        body = dict(sets_done=prescription.sets, reps_done=prescription.reps, pain_during=pain,
                    pain_after=max(0, pain - 1), effort=min(9, 4 + pain // 2), note="")
        Completion.create(id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), patient=patient,
                          prescription=prescription, performed_at=to_storage(at), local_date=day,
                          request_hash=body_hash(body), **body)


def _checkin(patient, day, rng, distal: str) -> None:
    morning = rng.choice((1, 2, 2, 3))
    # Back and leg pain follow the overall rating without drawing again (the seeded history
    # stays the same): the leg eases as the symptoms centralise towards the back.
    body = dict(date=day, morning_pain=morning, settled="yes",
                distal_symptom=distal, new_numbness_or_weakness=False, red_flag_change=False,
                back_pain=morning, leg_pain=max(0, morning + LEG_OVER_BACK[distal]))
    CheckIn.create(id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), patient=patient,
                   request_hash=body_hash(body), **body)
