"""A patient's record as a FHIR R4 ``Bundle`` of type ``collection`` (docs/fhir.md).

``export_bundle`` builds the bundle as plain dicts, validates it with the R4B models of
``fhir.resources`` (imported on first use, so the app starts without them), records the
export in the audit trail and returns it. Every ``fullUrl`` is a ``urn:uuid:`` derived from
the patient's clinic and the row it comes from (UUID 5), so two exports of the same data are
identical, and a corrected session or check-in keeps the identity of the first entry.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from hep.care.outcomes import instruments
from hep.clinical import Instrument
from hep.models import CheckIn, Completion, Exercise, Patient, Prescription, Program, ProgramVersion, QuestionnaireResponse
from hep.people import audit
from hep.programs.versions import prescriptions_by_version
from hep.timeutil import from_storage

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
EXERCISE_THERAPY = {"system": SNOMED, "code": "229065009", "display": "Exercise therapy"}
PAIN_SEVERITY = {"system": LOINC, "code": "72514-3",
                 "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}
LOWER_BACK = {"system": SNOMED, "code": "37822005", "display": "Lower back structure"}
LOWER_LIMB = {"system": SNOMED, "code": "61685007", "display": "Lower limb structure"}
SURVEY = {"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey",
          "display": "Survey"}
TIMEZONE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/timezone"
QUESTIONNAIRE_PREFIX = "urn:hep:questionnaire:"  # + code|version: hep's instruments have no public canonical
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The root of every id hep hands out in a bundle; each clinic gets a namespace under it.
HEP_NAMESPACE = uuid.UUID("9f1c4d3e-7a52-5b8e-a0d4-6c2f1e8b3a71")
MEDIA_TYPE = "application/fhir+json"


def export_bundle(patient: Patient) -> dict:
    """The patient's bundle, validated against FHIR R4B; the export is audited."""
    bundle = build_bundle(patient)
    validate(bundle)
    audit.record("patient.fhir_export", patient=patient, resources=len(bundle["entry"]))
    return bundle


def validate(bundle: dict) -> None:
    """Raise pydantic's ``ValidationError`` unless ``bundle`` is a valid R4B Bundle."""
    from fhir.resources.R4B.bundle import Bundle  # ~0.4 s on first import: only when exporting

    Bundle.model_validate(bundle)


class Ids:
    """Stable ``urn:uuid:`` references for one patient's rows (per clinic namespace)."""

    def __init__(self, patient: Patient) -> None:
        clinic = patient.clinic
        self.namespace = uuid.uuid5(HEP_NAMESPACE, f"clinic:{clinic.id}:{_instant(clinic.created_at)}")

    def id(self, table: str, key: Any) -> str:
        return str(uuid.uuid5(self.namespace, f"{table}:{key}"))

    def ref(self, table: str, key: Any) -> dict:
        return {"reference": "urn:uuid:" + self.id(table, key)}


def build_bundle(patient: Patient) -> dict:
    """The bundle as plain dicts (not validated, not audited)."""
    ids = Ids(patient)
    resources = [patient_resource(patient, ids)]
    resources += program_resources(patient, ids)
    resources += session_resources(patient, ids)
    resources += checkin_resources(patient, ids)
    resources += questionnaire_resources(patient, ids)
    return {
        "resourceType": "Bundle",
        "id": ids.id("bundle", patient.id),
        "type": "collection",
        "entry": [{"fullUrl": "urn:uuid:" + r["id"], "resource": r} for r in resources],
    }


def patient_resource(patient: Patient, ids: Ids) -> dict:
    return _compact({
        "resourceType": "Patient",
        "id": ids.id("patient", patient.id),
        "extension": [{"url": TIMEZONE_EXTENSION, "valueCode": patient.timezone}],
        "active": patient.archived_at is None,
        "name": [{"text": patient.display_name}],
        "telecom": [{"system": "email", "value": patient.email}] if patient.email else None,
    })


def program_resources(patient: Patient, ids: Ids) -> list[dict]:
    """A CarePlan per program version (the latest active, earlier ones revoked, each
    ``replaces`` the one before) and a ServiceRequest per prescription in it."""
    program = Program.get_or_none(Program.patient == patient)
    if program is None:
        return []
    versions = list(program.versions.order_by(ProgramVersion.number))
    by_version = prescriptions_by_version(versions)
    out: list[dict] = []
    for i, version in enumerate(versions):
        following = versions[i + 1] if i + 1 < len(versions) else None
        status = "revoked" if following else "active"
        period = _compact({"start": _instant(version.created_at),
                           "end": _instant(following.created_at) if following else None})
        prescriptions = by_version[version.id]
        out.append(_compact({
            "resourceType": "CarePlan",
            "id": ids.id("program_version", version.id),
            "status": status,
            "intent": "plan",
            "title": f"Home exercise program, version {version.number}",
            "description": f"Phase: {version.phase}",
            "subject": ids.ref("patient", patient.id),
            "period": period,
            "created": _instant(version.created_at),
            "replaces": [ids.ref("program_version", versions[i - 1].id)] if i else None,
            "activity": [{"reference": ids.ref("prescription", p.id)} for p in prescriptions],
            "note": [{"text": version.notes}] if version.notes else None,
        }))
        out += [service_request(p, version, status, period, ids, patient) for p in prescriptions]
    return out


def service_request(p: Prescription, version: ProgramVersion, status: str, period: dict, ids: Ids,
                    patient: Patient) -> dict:
    repeat = {"frequency": p.frequency_per_day, "period": 1, "periodUnit": "d",
              "dayOfWeek": [WEEKDAYS[d - 1] for d in sorted(p.days_of_week or [])], "boundsPeriod": period}
    return _compact({
        "resourceType": "ServiceRequest",
        "id": ids.id("prescription", p.id),
        "basedOn": [ids.ref("program_version", version.id)],
        "status": status,
        "intent": "order",
        "code": {"coding": [EXERCISE_THERAPY], "text": p.exercise.name},
        "orderDetail": [{"text": p.exercise.name}],
        "subject": ids.ref("patient", patient.id),
        "occurrenceTiming": {"repeat": _compact(repeat)},
        "authoredOn": _instant(version.created_at),
        "patientInstruction": dose_text(p),
        "note": [{"text": p.notes}] if p.notes else None,
    })


def dose_text(p: Prescription) -> str:
    """The dose in plain words: sets × reps, hold, side, load, how often, pain ceiling."""
    parts = [f"{p.sets} sets × {p.reps} reps"]
    if p.hold_seconds:
        parts.append(f"hold {p.hold_seconds} s")
    if p.side and p.side != "both":
        parts.append(f"side: {p.side}")
    load = " ".join(x for x in (f"{p.load_value:g}" if p.load_value is not None else "", p.load_unit or "") if x)
    if load or p.load:
        parts.append("load: " + ", ".join(x for x in (load, p.load) if x))
    days = p.days_of_week or []
    when = "every day" if len(days) == 7 else "on " + ", ".join(WEEKDAYS[d - 1].capitalize() for d in sorted(days))
    parts.append(f"{p.frequency_per_day} time{'s' if p.frequency_per_day != 1 else ''} a day {when}")
    parts.append(f"keep pain at or below {p.pain_ceiling}/10")
    return "; ".join(parts)


def _chains(rows: Iterable) -> list[tuple[Any, Any, int]]:
    """(first entry, current record, corrections) for each record that is still current."""
    by_id = {row.id: row for row in rows}
    out = []
    for row in by_id.values():
        if row.superseded_at is not None:
            continue
        first, count = row, 0
        while first.supersedes_id is not None and first.supersedes_id in by_id:
            first, count = by_id[first.supersedes_id], count + 1
        out.append((first, row, count))
    return out


def _correction_note(first, current, count: int) -> list[dict] | None:
    if not count:
        return None
    return [{"text": f"Corrected by the patient ({count} correction{'s' if count > 1 else ''}); "
                     f"first recorded {_instant(first.recorded_at)}, this version recorded {_instant(current.recorded_at)}."}]


def session_resources(patient: Patient, ids: Ids) -> list[dict]:
    """A Procedure per session (its current record) and an Observation for each of its two
    pain ratings, ``partOf`` that Procedure."""
    rows = (Completion.select(Completion, Prescription, Exercise).join(Prescription).join(Exercise)
            .where(Completion.patient == patient))
    chains = sorted(_chains(rows), key=lambda c: (c[1].performed_at, c[0].id))
    out: list[dict] = []
    for first, current, count in chains:
        c = current
        done = f"{c.sets_done} sets × {c.reps_done} reps done, effort {c.effort}/10"
        out.append(_compact({
            "resourceType": "Procedure",
            "id": ids.id("completion", first.id),
            "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{c.id}"}],
            "basedOn": [ids.ref("prescription", c.prescription_id)],
            "status": "completed",
            "code": {"coding": [EXERCISE_THERAPY], "text": c.prescription.exercise.name},
            "subject": ids.ref("patient", patient.id),
            "performedDateTime": _instant(c.performed_at),
            "performer": [{"actor": ids.ref("patient", patient.id)}],
            "note": [{"text": done}] + ([{"text": c.note}] if c.note else []) + (_correction_note(first, c, count) or []),
        }))
        for field, label in (("pain_during", "Pain during the exercise"), ("pain_after", "Pain after the exercise")):
            out.append(pain_observation(
                ids.id("completion", f"{first.id}:{field}"), ids, patient, label, getattr(c, field),
                _instant(c.performed_at), part_of=ids.ref("completion", first.id),
                note=_correction_note(first, c, count)))
    return out


def checkin_resources(patient: Patient, ids: Ids) -> list[dict]:
    """Observations for each current morning check-in: the overall morning pain, and back
    pain (lower back) and leg pain (lower limb) where the patient rated them."""
    chains = sorted(_chains(CheckIn.select().where(CheckIn.patient == patient)), key=lambda c: (c[1].date, c[0].id))
    out: list[dict] = []
    for first, c, count in chains:
        ratings = (("morning_pain", "Morning pain", None), ("back_pain", "Morning back pain", LOWER_BACK),
                   ("leg_pain", "Morning leg pain", LOWER_LIMB))
        for field, label, site in ratings:
            value = getattr(c, field)
            if value is None:
                continue
            out.append(pain_observation(ids.id("checkin", f"{first.id}:{field}"), ids, patient, label, value,
                                        _day(c.date), site=site, issued=_instant(c.recorded_at),
                                        note=_correction_note(first, c, count)))
    return out


def pain_observation(resource_id: str, ids: Ids, patient: Patient, label: str, value: int, effective: str, *,
                     site: dict | None = None, part_of: dict | None = None, issued: str | None = None,
                     note: list[dict] | None = None) -> dict:
    return _compact({
        "resourceType": "Observation",
        "id": resource_id,
        "partOf": [part_of] if part_of else None,
        "status": "amended" if note else "final",
        "category": [{"coding": [SURVEY]}],
        "code": {"coding": [PAIN_SEVERITY], "text": f"{label} (0-10)"},
        "subject": ids.ref("patient", patient.id),
        "effectiveDateTime": effective,
        "issued": issued,
        "valueInteger": value,
        "bodySite": {"coding": [site], "text": site["display"]} if site else None,
        "note": note,
    })


def questionnaire_resources(patient: Patient, ids: Ids) -> list[dict]:
    """A QuestionnaireResponse per outcome-measure response, with each answered item."""
    rows = (QuestionnaireResponse.select().where(QuestionnaireResponse.patient == patient)
            .order_by(QuestionnaireResponse.recorded_at, QuestionnaireResponse.id))
    known = instruments()
    out = []
    for row in rows:
        inst = known.get(row.instrument)
        if inst is not None and inst.patient_items and row.items:
            inst = inst.with_patient_items(row.items)
        out.append(_compact({
            "resourceType": "QuestionnaireResponse",
            "id": ids.id("questionnaire_response", row.id),
            "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{row.id}"},
            "questionnaire": QUESTIONNAIRE_PREFIX + row.instrument + (f"|{inst.version}" if inst else ""),
            "status": "completed",
            "subject": ids.ref("patient", patient.id),
            "authored": _instant(row.recorded_at),
            "item": _answered_items(inst, row.answers or {}),
        }))
    return out


def _answered_items(inst: Instrument | None, answers: dict) -> list[dict]:
    texts = {item.id: item.text for item in inst.items} if inst else {}
    order = list(texts) + sorted((k for k in answers if k not in texts), key=lambda k: (len(k), k))
    return [_compact({"linkId": key, "text": texts.get(key), "answer": [{"valueInteger": answers[key]}]})
            for key in order if answers.get(key) is not None]


def _instant(value: datetime | None) -> str | None:
    return None if value is None else from_storage(value).isoformat()


def _day(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _compact(resource: dict) -> dict:
    """Leave out absent elements: FHIR JSON has no nulls and no empty arrays or strings."""
    return {k: v for k, v in resource.items() if v not in (None, [], "", {})}
