"""The assessment form: ``ASSESSMENT_FIELDS`` as HTML fields, and posted fields back to data.

The rules stay in :func:`hep.clinical.validate_assessment`; this module only turns form
strings into the values it checks (keeping text that is not a number, so the rule names the
field), turns stored data back into form values, and shows the spec's English labels and
messages in the user's language. The labels are marked here with ``N_`` so ``pybabel
extract`` finds them; a test checks that every label of the spec is marked.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from hep.clinical import ASSESSMENT_FIELDS, FIELDS_BY_NAME, SECTIONS, FieldSpec  # noqa: F401 (FIELDS_BY_NAME: templates)
from hep.i18n import N_, translate_message
from hep.therapist.forms import number

#: Section titles and field labels of hep.clinical.assessment, for the catalog.
SPEC_TEXTS = frozenset((
    N_("Spinal movement"), N_("Hip movement"), N_("Strength and motor control"),
    N_("Training history and load"), N_("Symptom behaviour"),
    N_("Symptom distribution and neurology"), N_("Goals"), N_("Red-flag screen"),
    N_("Flexion: effect on leg symptoms"), N_("Extension: effect on leg symptoms"),
    N_("Side glide left: effect on leg symptoms"), N_("Side glide right: effect on leg symptoms"),
    N_("Repeated movements: response"), N_("Directional preference"),
    N_("Spinal movement notes"), N_("Hip flexion range (degrees)"),
    N_("Hip internal rotation (degrees)"), N_("Hip movement reproduces symptoms"),
    N_("Straight leg raise / slump"), N_("Hip notes"),
    N_("Hip abduction strength (Oxford 0-5)"), N_("Hip extension strength (Oxford 0-5)"),
    N_("Trunk flexion strength (Oxford 0-5)"), N_("Back extensor endurance hold (seconds)"),
    N_("Motor control of back, trunk and hip"), N_("Strength notes"),
    N_("Training sessions per week"), N_("Weekly training volume (minutes)"),
    N_("Sports and activities"), N_("Recent change in training"), N_("Training notes"),
    N_("Aggravating activities and positions"), N_("Easing activities and positions"),
    N_("24-hour pattern"), N_("Morning stiffness (minutes)"), N_("Symptoms after activity"),
    N_("Irritability"), N_("Pain now (0-10)"), N_("Worst pain this week (0-10)"),
    N_("Symptom behaviour notes"), N_("Most distal symptom"), N_("Side"),
    N_("Numbness or altered sensation"), N_("Area of numbness"), N_("Weakness (myotomal)"),
    N_("Weak muscles"), N_("Reflexes reduced"),
    N_("Goals: 3-5 activities the patient chose (PSFS)"), N_("Goal notes"),
    N_("Saddle numbness"), N_("New bladder or bowel disturbance"), N_("New sexual dysfunction"),
    N_("Progressive leg weakness"), N_("Symptoms in both legs"), N_("Unexplained weight loss"),
    N_("History of cancer"), N_("Fever or feeling systemically unwell"),
    N_("Constant, unremitting night pain"), N_("Recent significant trauma"), N_("Red-flag notes"),
    N_("Risk factors for serious pathology"), N_("Age (years)"), N_("New Babinski sign or clonus"),
    N_("New spinal pain (not the known episode)"), N_("Thoracic pain"),
    N_("Constant, worsening pain"), N_("No improvement after 4-6 weeks"), N_("Osteoporosis"),
    N_("Long-term corticosteroid use"), N_("Recent minor trauma (a fall, a lift)"),
    N_("Recent spinal surgery or injection"), N_("Injected drug use"), N_("Immunosuppression"),
    # the driver: history, sides, neurodynamic tests, the neurological exam, screens
    N_("History, pain and classification"), N_("Neurodynamic tests"), N_("Neurological exam"),
    N_("Screens: hip, vascular claudication, peripheral neuropathy"),
    N_("Duration of this episode (weeks)"), N_("Onset"), N_("Trigger of onset"),
    N_("Previous episodes"), N_("Spinal injections for this problem"), N_("Spinal surgery"),
    N_("Occupation"), N_("Sitting (hours a day)"), N_("Back pain (NPRS 0-10)"),
    N_("Leg pain (NPRS 0-10)"), N_("Dominant pain"), N_("Severity (SIN, 0-10)"), N_("Nature (SIN)"),
    N_("Working classification"),
    N_("Repeated flexion: symptoms"), N_("Repeated flexion: distribution"),
    N_("Repeated extension: symptoms"), N_("Repeated extension: distribution"),
    N_("Repeated side glide left: symptoms"), N_("Repeated side glide left: distribution"),
    N_("Repeated side glide right: symptoms"), N_("Repeated side glide right: distribution"),
    N_("Lateral shift"), N_("Gait"),
    N_("Straight leg raise: angle (degrees)"), N_("Straight leg raise reproduces the leg symptoms"),
    N_("Crossed straight leg raise"), N_("Sensitising manoeuvre changes the symptoms"),
    N_("Slump test"), N_("Prone knee bend"),
    N_("L2 dermatome sensation"), N_("L3 dermatome sensation"), N_("L4 dermatome sensation"),
    N_("L5 dermatome sensation"), N_("S1 dermatome sensation"),
    N_("L2 hip flexion (Oxford 0-5)"), N_("L3 knee extension (Oxford 0-5)"),
    N_("L4 ankle dorsiflexion (Oxford 0-5)"), N_("L5 great-toe extension (Oxford 0-5)"),
    N_("S1 plantar flexion (Oxford 0-5)"), N_("Saddle sensation"), N_("Heel walking"),
    N_("Toe walking"), N_("Single-leg heel raises (count)"), N_("Patellar reflex (L4)"),
    N_("Achilles reflex (S1)"), N_("Babinski sign"), N_("Ankle clonus"),
    N_("Hip screen"), N_("Vascular claudication screen"), N_("Peripheral neuropathy screen"),
    N_("Distance a week (km)"), N_("Heaviest lift (kg)"),
))

#: A readable name for each stored choice code.
CHOICE_LABELS = {
    "reproduces": N_("Reproduces"), "eases": N_("Eases"), "no_effect": N_("No effect"),
    "centralises": N_("Centralises"), "peripheralises": N_("Peripheralises"),
    "no_change": N_("No change"), "not_tested": N_("Not tested"), "flexion": N_("Flexion"),
    "extension": N_("Extension"), "lateral_left": N_("Lateral left"),
    "lateral_right": N_("Lateral right"), "none": N_("None"), "negative": N_("Negative"),
    "positive_back": N_("Positive, back pain"), "positive_leg": N_("Positive, leg symptoms"),
    "good": N_("Good"), "fair": N_("Fair"), "poor": N_("Poor"), "increased": N_("Increased"),
    "decreased": N_("Decreased"), "new_activity": N_("New activity"), "stopped": N_("Stopped"),
    "sitting": N_("Sitting"), "standing": N_("Standing"), "walking": N_("Walking"),
    "bending": N_("Bending"), "lifting": N_("Lifting"), "twisting": N_("Twisting"),
    "lying": N_("Lying"), "getting_up": N_("Getting up"), "driving": N_("Driving"),
    "running": N_("Running"), "coughing_sneezing": N_("Coughing or sneezing"),
    "sleeping": N_("Sleeping"), "moving": N_("Moving"), "rest": N_("Rest"), "heat": N_("Heat"),
    "medication": N_("Medication"), "extension_in_lying": N_("Extension in lying"),
    "flexion_in_lying": N_("Flexion in lying"), "changing_position": N_("Changing position"),
    "worse_morning": N_("Worse in the morning"), "worse_evening": N_("Worse in the evening"),
    "worse_night": N_("Worse at night"), "constant": N_("Constant"), "variable": N_("Variable"),
    "settle_within_hour": N_("Settle within an hour"),
    "settle_by_next_morning": N_("Settle by the next morning"),
    "last_beyond_next_morning": N_("Last beyond the next morning"),
    "low": N_("Low"), "moderate": N_("Moderate"), "high": N_("High"), "back": N_("Back"),
    "buttock": N_("Buttock"), "thigh": N_("Thigh"), "below_knee": N_("Below the knee"),
    "foot": N_("Foot"), "left": N_("Left"), "right": N_("Right"), "both": N_("Both"),
    "central": N_("Central"),
    "sudden": N_("Sudden"), "gradual": N_("Gradual"), "leg": N_("Leg"), "equal": N_("Equal"),
    "nociceptive": N_("Nociceptive"), "neuropathic": N_("Neuropathic"),
    "nociplastic_leaning": N_("Nociplastic-leaning"), "mixed": N_("Mixed"),
    "radicular_pain": N_("Radicular pain"), "radiculopathy": N_("Radiculopathy"),
    "stenosis_like": N_("Stenosis-like"), "back_dominant": N_("Back-dominant"),
    "better": N_("Better"), "worse": N_("Worse"), "normal": N_("Normal"),
    "antalgic": N_("Antalgic"), "trendelenburg": N_("Trendelenburg"), "foot_drop": N_("Foot drop"),
    "flexed_posture": N_("Flexed posture"), "positive": N_("Positive"), "reduced": N_("Reduced"),
    "absent": N_("Absent"), "brisk": N_("Brisk"), "present": N_("Present"),
    "difficult": N_("Difficult"), "unable": N_("Unable"),
}

#: Choice fields with at most this many options are radios; longer ones are a select.
MAX_RADIOS = 4


def label(spec: FieldSpec) -> str:
    """The field's label in the user's language, with its side for a paired test."""
    return f"{_(spec.label)}, {choice_label(spec.side).lower()}" if spec.side else _(spec.label)


def choice_label(code: str) -> str:
    return _(CHOICE_LABELS[code]) if code in CHOICE_LABELS else code.replace("_", " ")


def choices(spec: FieldSpec) -> list[tuple[str, str]]:
    return [(code, choice_label(code)) for code in spec.choices]


def form_sections() -> list[dict]:
    """The form's sections: ``single`` fields, and ``paired`` rows ``{spec, level, left,
    right}`` of the tests with a side (a left/right table; the neurological exam by level)."""
    out = []
    for section in sections(legacy=False):
        single, paired = [], {}
        for spec in section["fields"]:
            if spec.side:
                row = paired.setdefault(spec.name.rsplit("_", 1)[0], {"spec": spec, "level": spec.level})
                row[spec.side] = spec
            else:
                single.append(spec)
        out.append({**section, "single": single, "paired": list(paired.values())})
    return out


def sections(*, legacy: bool = True) -> list[dict]:
    """The spec grouped by section, in order: ``[{code, title, fields}]``; the form passes
    ``legacy=False`` (one-sided fields of older assessments are shown, never asked)."""
    return [{"code": code, "title": _(title),
             "fields": [f for f in ASSESSMENT_FIELDS if f.section == code and (legacy or not f.legacy)]}
            for code, title in SECTIONS]


def _value(spec: FieldSpec, form: MultiDict) -> Any:
    """One field's posted value in the shape the spec expects (None: not assessed)."""
    if spec.kind == "multi":
        return form.getlist(spec.name) or None
    raw = form.get(spec.name, "")
    if spec.kind == "bool":
        return {"yes": True, "no": False, "": None}.get(raw, raw)
    if spec.kind == "int":
        return number(raw)
    if spec.kind == "list":
        return [line.strip() for line in raw.splitlines() if line.strip()] or None
    return raw.strip() or None


def data_from_form(form: MultiDict) -> dict:
    """The assessment ``data`` posted, leaving out fields not assessed."""
    data = {spec.name: _value(spec, form) for spec in ASSESSMENT_FIELDS if not spec.legacy}
    return {k: v for k, v in data.items() if v is not None}


def values_from_form(form: MultiDict) -> dict:
    """What was typed, to show again after a refusal."""
    return {spec.name: form.getlist(spec.name) if spec.kind == "multi" else form.get(spec.name, "")
            for spec in ASSESSMENT_FIELDS}


def values_from_data(data: Mapping[str, Any]) -> dict:
    """Form values pre-filled from a stored assessment (a reassessment starts from it)."""
    values: dict[str, Any] = {}
    for spec in ASSESSMENT_FIELDS:
        value = data.get(spec.name)
        if spec.kind == "multi":
            values[spec.name] = list(value or [])
        elif value is None:
            values[spec.name] = ""
        elif spec.kind == "bool":
            values[spec.name] = "yes" if value else "no"
        elif spec.kind == "list":
            values[spec.name] = "\n".join(value)
        else:
            values[spec.name] = str(value)
    return values


def display(spec: FieldSpec, value: Any) -> str:
    """A stored value as text for the pages ("—" when not assessed)."""
    if value is None:
        return "—"
    if spec.kind == "bool":
        return _("Yes") if value else _("No")
    if spec.kind == "choice":
        return choice_label(value)
    if spec.kind == "multi":
        return ", ".join(choice_label(v) for v in value) or "—"
    if spec.kind == "list":
        return "; ".join(value) or "—"
    return str(value)


def comparison_table(found) -> list[dict]:
    """The compare page's sections (only those with something assessed): ``single`` rows of
    (spec, change), and ``paired`` rows of tests with a side, ``{spec, level, left, right}``
    (a change or None per side), so the neurological exam reads as a level x side table."""
    changes = {c.name: c for c in found}
    table = []
    for section in sections():
        single, paired = [], {}
        for spec in section["fields"]:
            change = changes.get(spec.name)
            if change is None:
                continue
            if spec.side:
                key = spec.name.rsplit("_", 1)[0]
                row = paired.setdefault(key, {"spec": spec, "level": spec.level, "left": None, "right": None})
                row[spec.side] = change
            else:
                single.append((spec, change))
        if single or paired:
            table.append({"title": section["title"], "code": section["code"], "changes": single,
                          "paired": list(paired.values())})
    return table


def message(text: str) -> str:
    """A rule's or the schema's message in the user's language (``hep.i18n``)."""
    return translate_message(text)


def field_errors(errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """``validate_assessment``'s messages, translated; a missing yes/no asks for an answer."""
    kinds = {spec.name: spec.kind for spec in ASSESSMENT_FIELDS}
    return {name: [_("Answer yes or no.") if kinds.get(name) == "bool" and m == "Required." else message(m)
                   for m in messages]
            for name, messages in errors.items()}
