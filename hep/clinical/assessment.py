"""The structured assessment (CLINICAL.md step 1) as a declarative field spec.

``ASSESSMENT_FIELDS`` is the single source: the API layer generates its schema from it, the
therapist form renders it, :func:`validate_assessment` checks a submission and
:func:`compare_assessments` lines a reassessment up against the first one. A field absent or
``None`` means "not assessed"; ``required`` fields must be answered unless ``partial``.

Kinds: ``choice`` (one of ``choices``), ``multi`` (a list of distinct ``choices``), ``bool``,
``int`` (``minimum``..``maximum``), ``text`` (at most ``maximum`` characters), ``list`` (a list
of ``minimum``..``maximum`` non-empty strings). ``better`` says which way is improvement:
``lower``/``higher`` (for a choice, by its position in ``choices``; for a bool, False is lower)
or None when a change is only a change.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .messages import Message
from .records import DISTAL_ORDER

Kind = Literal["choice", "multi", "bool", "int", "text", "list"]
Direction = Literal["better", "worse", "same", "changed"]


@dataclass(frozen=True)
class FieldSpec:
    """One assessment field (see the module docstring for the kinds)."""

    name: str
    kind: Kind
    label: str
    section: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    required: bool = False
    better: Literal["lower", "higher"] | None = None


@dataclass(frozen=True)
class FieldChange:
    """A field's value before and after, and whether that is an improvement."""

    name: str
    before: Any
    after: Any
    direction: Direction


SECTIONS: tuple[tuple[str, str], ...] = (
    ("spinal_movement", "Spinal movement"),
    ("hip", "Hip movement"),
    ("strength", "Strength and motor control"),
    ("training", "Training history and load"),
    ("behaviour", "Symptom behaviour"),
    ("distribution", "Symptom distribution and neurology"),
    ("goals", "Goals"),
    ("red_flags", "Red-flag screen"),
    ("risk_factors", "Risk factors for serious pathology"),
)

LEG_EFFECT = ("reproduces", "eases", "no_effect")
ACTIVITIES = ("sitting", "standing", "walking", "bending", "lifting", "twisting", "lying",
              "getting_up", "driving", "running", "coughing_sneezing", "sleeping")
EASING = ("lying", "walking", "sitting", "standing", "moving", "rest", "heat", "medication",
          "extension_in_lying", "flexion_in_lying", "changing_position")
IRRITABILITY = ("low", "moderate", "high")


def _f(name: str, kind: Kind, label: str, section: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name, kind, label, section, **kw)


def _effect(name: str, label: str) -> FieldSpec:
    return _f(name, "choice", label, "spinal_movement", choices=LEG_EFFECT)


def _grade(name: str, label: str) -> FieldSpec:
    return _f(name, "int", label + " (Oxford 0-5)", "strength", minimum=0, maximum=5,
              better="higher")


def _flag(name: str, label: str) -> FieldSpec:
    return _f(name, "bool", label, "red_flags", required=True, better="lower")


def _risk(name: str, label: str) -> FieldSpec:
    """An IFOMPT risk factor: optional, so assessments stored before it stay valid."""
    return _f(name, "bool", label, "risk_factors", better="lower")


ASSESSMENT_FIELDS: tuple[FieldSpec, ...] = (
    # spinal movement: which movement reproduces or eases the leg symptoms
    _effect("flexion_leg_effect", "Flexion: effect on leg symptoms"),
    _effect("extension_leg_effect", "Extension: effect on leg symptoms"),
    _effect("side_glide_left_leg_effect", "Side glide left: effect on leg symptoms"),
    _effect("side_glide_right_leg_effect", "Side glide right: effect on leg symptoms"),
    _f("repeated_movement_response", "choice", "Repeated movements: response", "spinal_movement",
       choices=("centralises", "peripheralises", "no_change", "not_tested")),
    _f("directional_preference", "choice", "Directional preference", "spinal_movement",
       choices=("flexion", "extension", "lateral_left", "lateral_right", "none")),
    _f("spinal_movement_notes", "text", "Spinal movement notes", "spinal_movement", maximum=2000),
    # hip
    _f("hip_flexion_degrees", "int", "Hip flexion range (degrees)", "hip",
       minimum=0, maximum=150, better="higher"),
    _f("hip_internal_rotation_degrees", "int", "Hip internal rotation (degrees)", "hip",
       minimum=0, maximum=70, better="higher"),
    _f("hip_movement_reproduces_symptoms", "bool", "Hip movement reproduces symptoms", "hip",
       better="lower"),
    _f("straight_leg_raise", "choice", "Straight leg raise / slump", "hip",
       choices=("negative", "positive_back", "positive_leg"), better="lower"),
    _f("hip_notes", "text", "Hip notes", "hip", maximum=2000),
    # strength and motor control
    _grade("hip_abduction_strength", "Hip abduction strength"),
    _grade("hip_extension_strength", "Hip extension strength"),
    _grade("trunk_flexion_strength", "Trunk flexion strength"),
    _f("back_extensor_endurance_seconds", "int", "Back extensor endurance hold (seconds)",
       "strength", minimum=0, maximum=600, better="higher"),
    _f("motor_control", "choice", "Motor control of back, trunk and hip", "strength",
       choices=("good", "fair", "poor"), better="lower"),
    _f("strength_notes", "text", "Strength notes", "strength", maximum=2000),
    # training history and weekly volume
    _f("sessions_per_week", "int", "Training sessions per week", "training",
       minimum=0, maximum=28),
    _f("weekly_training_minutes", "int", "Weekly training volume (minutes)", "training",
       minimum=0, maximum=5000),
    _f("sports", "list", "Sports and activities", "training", minimum=0, maximum=10),
    _f("recent_training_change", "choice", "Recent change in training", "training",
       choices=("none", "increased", "decreased", "new_activity", "stopped")),
    _f("training_notes", "text", "Training notes", "training", maximum=2000),
    # symptom behaviour during and after activity
    _f("aggravating", "multi", "Aggravating activities and positions", "behaviour",
       choices=ACTIVITIES),
    _f("easing", "multi", "Easing activities and positions", "behaviour", choices=EASING),
    _f("pattern_24h", "choice", "24-hour pattern", "behaviour",
       choices=("worse_morning", "worse_evening", "worse_night", "constant", "variable")),
    _f("morning_stiffness_minutes", "int", "Morning stiffness (minutes)", "behaviour",
       minimum=0, maximum=600, better="lower"),
    _f("after_activity", "choice", "Symptoms after activity", "behaviour",
       choices=("settle_within_hour", "settle_by_next_morning", "last_beyond_next_morning"),
       better="lower"),
    _f("irritability", "choice", "Irritability", "behaviour", choices=IRRITABILITY,
       required=True, better="lower"),
    _f("pain_now", "int", "Pain now (0-10)", "behaviour", minimum=0, maximum=10, better="lower"),
    _f("pain_worst_week", "int", "Worst pain this week (0-10)", "behaviour",
       minimum=0, maximum=10, better="lower"),
    _f("behaviour_notes", "text", "Symptom behaviour notes", "behaviour", maximum=2000),
    # distribution and neurology
    _f("most_distal_symptom", "choice", "Most distal symptom", "distribution",
       choices=DISTAL_ORDER, required=True, better="lower"),
    _f("symptom_side", "choice", "Side", "distribution",
       choices=("left", "right", "both", "central")),
    _f("numbness", "bool", "Numbness or altered sensation", "distribution", better="lower"),
    _f("numbness_area", "text", "Area of numbness", "distribution", maximum=500),
    _f("weakness", "bool", "Weakness (myotomal)", "distribution", better="lower"),
    _f("weakness_area", "text", "Weak muscles", "distribution", maximum=500),
    _f("reflexes_reduced", "bool", "Reflexes reduced", "distribution", better="lower"),
    # goals
    _f("psfs_activities", "list", "Goals: 3-5 activities the patient chose (PSFS)", "goals",
       minimum=3, maximum=5),
    _f("goals_notes", "text", "Goal notes", "goals", maximum=2000),
    # red-flag screen (possible cauda equina and serious pathology)
    _flag("saddle_numbness", "Saddle numbness"),
    _flag("bladder_or_bowel_change", "New bladder or bowel disturbance"),
    _flag("sexual_dysfunction", "New sexual dysfunction"),
    _flag("progressive_weakness", "Progressive leg weakness"),
    _flag("bilateral_leg_symptoms", "Symptoms in both legs"),
    _flag("unexplained_weight_loss", "Unexplained weight loss"),
    _flag("history_of_cancer", "History of cancer"),
    _flag("fever_or_unwell", "Fever or feeling systemically unwell"),
    _flag("constant_night_pain", "Constant, unremitting night pain"),
    _flag("recent_significant_trauma", "Recent significant trauma"),
    _f("red_flag_notes", "text", "Red-flag notes", "red_flags", maximum=2000),
    # risk factors the IFOMPT framework weighs in clusters (optional; Finucane et al. 2020)
    _f("age_years", "int", "Age (years)", "risk_factors", minimum=0, maximum=120),
    _risk("new_babinski_or_clonus", "New Babinski sign or clonus"),
    _risk("new_spinal_pain", "New spinal pain (not the known episode)"),
    _risk("thoracic_pain", "Thoracic pain"),
    _risk("constant_worsening_pain", "Constant, worsening pain"),
    _risk("no_improvement_4_6_weeks", "No improvement after 4-6 weeks"),
    _risk("osteoporosis", "Osteoporosis"),
    _risk("long_term_corticosteroids", "Long-term corticosteroid use"),
    _risk("minor_trauma", "Recent minor trauma (a fall, a lift)"),
    _risk("recent_spinal_surgery_or_injection", "Recent spinal surgery or injection"),
    _risk("injected_drug_use", "Injected drug use"),
    _risk("immunosuppression", "Immunosuppression"),
)

FIELDS_BY_NAME: dict[str, FieldSpec] = {f.name: f for f in ASSESSMENT_FIELDS}
#: The red-flag fields that suggest cauda equina: the therapist must act the same day.
CAUDA_EQUINA_FLAGS = ("saddle_numbness", "bladder_or_bowel_change", "sexual_dysfunction",
                      "progressive_weakness", "bilateral_leg_symptoms")


def _field_errors(spec: FieldSpec, value: Any) -> list[str]:
    if spec.kind == "bool":
        return [] if isinstance(value, bool) else [Message("boolean")]
    if spec.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return [Message("whole_number")]
        if not spec.minimum <= value <= spec.maximum:  # type: ignore[operator]
            return [Message("between", low=spec.minimum, high=spec.maximum)]
        return []
    if spec.kind == "choice":
        return [] if value in spec.choices else [Message("one_of", choices=", ".join(spec.choices))]
    if spec.kind == "text":
        if not isinstance(value, str):
            return [Message("text")]
        return [] if len(value) <= (spec.maximum or 10_000) else [
            Message("max_characters", n=spec.maximum)]
    if not isinstance(value, (list, tuple)):
        return [Message("list")]
    if spec.kind == "multi":
        errors = [Message("unknown_choice", value=v) for v in value if v not in spec.choices]
        if len(set(map(str, value))) != len(value):
            errors.append(Message("choices_repeat"))
        return errors
    errors = []
    if any(not isinstance(v, str) or not v.strip() or len(v) > 200 for v in value):
        errors.append(Message("entry_text"))
    if not (spec.minimum or 0) <= len(value) <= (spec.maximum or 100):
        errors.append(Message("entries_between", low=spec.minimum or 0, high=spec.maximum))
    return errors


def validate_assessment(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, list[str]]:
    """Field -> messages for everything wrong with ``data`` (empty dict when valid).

    Unknown fields are errors; ``None`` means not assessed; with ``partial`` (a draft or a
    PATCH) required fields may be missing.
    """
    errors: dict[str, list[str]] = {}
    for name in data:
        if name not in FIELDS_BY_NAME:
            errors[str(name)] = [Message("unknown_field")]
    for spec in ASSESSMENT_FIELDS:
        value = data.get(spec.name)
        if value is None:
            if spec.required and not partial:
                errors[spec.name] = [Message("required")]
            continue
        messages = _field_errors(spec, value)
        if messages:
            errors[spec.name] = messages
    return errors


def red_flags_present(data: Mapping[str, Any]) -> tuple[str, ...]:
    """Names of the red-flag fields answered True, in spec order."""
    return tuple(f.name for f in ASSESSMENT_FIELDS if f.section == "red_flags"
                 and f.kind == "bool" and data.get(f.name) is True)


def _rank(spec: FieldSpec, value: Any) -> float:
    if spec.kind == "choice":
        return spec.choices.index(value)
    return float(value)


def _direction(spec: FieldSpec, before: Any, after: Any) -> Direction:
    if spec.kind in ("multi", "list") and before is not None and after is not None:
        same = (set(before) == set(after) if spec.kind == "multi"
                else tuple(before) == tuple(after))
    else:
        same = before == after
    if same:
        return "same"
    if spec.better is None or before is None or after is None:
        return "changed"
    lower = _rank(spec, after) < _rank(spec, before)
    return "better" if lower == (spec.better == "lower") else "worse"


def compare_assessments(before: Mapping[str, Any],
                        after: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Every spec field assessed in either, in spec order, with the direction of change.

    Both assessments are expected to be valid (see :func:`validate_assessment`).
    """
    changes = []
    for spec in ASSESSMENT_FIELDS:
        old, new = before.get(spec.name), after.get(spec.name)
        if old is None and new is None:
            continue
        changes.append(FieldChange(spec.name, old, new, _direction(spec, old, new)))
    return tuple(changes)


# ---- red flags weighed in clusters (IFOMPT; CLINICAL.md "Alerts") ---------------------------

Tier = Literal["emergency", "urgent", "caution"]
TIERS: tuple[Tier, ...] = ("emergency", "urgent", "caution")

#: Each alone is an emergency: possible cauda equina or a progressing neurological deficit.
EMERGENCY_FLAGS = CAUDA_EQUINA_FLAGS + ("new_babinski_or_clonus",)
_NEURO_SIGNS = ("numbness", "weakness", "reflexes_reduced", "progressive_weakness")
_MALIGNANCY_WITH = ("new_spinal_pain", "constant_night_pain", "unexplained_weight_loss",
                    "no_improvement_4_6_weeks") + _NEURO_SIGNS
_FRACTURE_RISK = ("osteoporosis", "long_term_corticosteroids")
_INFECTION_RISK = ("recent_spinal_surgery_or_injection", "injected_drug_use", "immunosuppression")
_GRADES = tuple(f.name for f in ASSESSMENT_FIELDS if f.label.endswith("(Oxford 0-5)"))
#: Age at or above which minor trauma suggests a fracture (IFOMPT: 65-70 or over).
FRACTURE_AGE = 65
#: Age above which new pain is a caution.
CAUTION_AGE = 50


@dataclass(frozen=True)
class RedFlagItem:
    """One finding of the screen: its ``tier``, a stable ``code``, the fields behind it and a
    short English detail for the therapist."""

    tier: Tier
    code: str
    fields: tuple[str, ...]
    detail: str

    def to_dict(self) -> dict[str, object]:
        return {"tier": self.tier, "code": self.code, "fields": list(self.fields),
                "detail": self.detail}


@dataclass(frozen=True)
class RedFlagScreen:
    """The screen's findings, most serious first; ``level`` is the highest tier or None."""

    items: tuple[RedFlagItem, ...]

    @property
    def level(self) -> Tier | None:
        return self.items[0].tier if self.items else None

    def of(self, tier: Tier) -> tuple[RedFlagItem, ...]:
        return tuple(i for i in self.items if i.tier == tier)

    @property
    def stops(self) -> bool:
        """Emergency and urgent findings stop the program until the therapist resolves them."""
        return self.level in ("emergency", "urgent")

    def to_dict(self) -> dict[str, object]:
        return {"level": self.level, "items": [i.to_dict() for i in self.items]}


def _label(name: str) -> str:
    return FIELDS_BY_NAME[name].label.lower()


def classify_red_flags(data: Mapping[str, Any],
                       previous: Mapping[str, Any] | None = None) -> RedFlagScreen:
    """Weigh a (valid) assessment's red-flag screen in clusters, as the IFOMPT framework does
    (Finucane et al. 2020), into the three tiers of CLINICAL.md:

    - emergency: each cauda equina sign (saddle numbness, bladder or bowel change, sexual
      dysfunction), symptoms in both legs, progressive weakness, a new Babinski sign or clonus;
    - urgent: suspected fracture (significant trauma; or minor trauma with osteoporosis, age
      >= 65 or long-term corticosteroids), suspected infection (fever or feeling unwell, with
      any infection risk factor named), suspected malignancy (a history of cancer together
      with new spinal pain, night pain, weight loss, neurological signs or no improvement), a
      drop of at least one Oxford grade since ``previous``;
    - caution: a history of cancer alone, age over 50 with new spinal pain, thoracic pain,
      constant worsening pain, night pain, weight loss or no improvement alone, minor trauma
      alone, an infection risk factor alone, a reflex lost since ``previous``.

    Findings that are part of an urgent cluster are not repeated as cautions. ``previous``
    (the earlier assessment) makes "new" mean new.
    """
    yes = {name for name, value in data.items() if value is True}
    age = data.get("age_years")
    items: list[RedFlagItem] = []
    for name in EMERGENCY_FLAGS:
        if name in yes:
            items.append(RedFlagItem("emergency", name, (name,),
                                     f"{FIELDS_BY_NAME[name].label}: an emergency."))
    used: set[str] = set()

    def urgent(code: str, fields: Iterable[str], detail: str) -> None:
        fields = tuple(fields)
        used.update(fields)
        items.append(RedFlagItem("urgent", code, fields, detail))

    fracture_risk = [n for n in _FRACTURE_RISK if n in yes]
    old = isinstance(age, int) and not isinstance(age, bool) and age >= FRACTURE_AGE
    if "recent_significant_trauma" in yes:
        urgent("suspected_fracture", ("recent_significant_trauma",),
               "Suspected fracture: recent significant trauma.")
    elif "minor_trauma" in yes and (fracture_risk or old):
        risks = [_label(n) for n in fracture_risk] + ([f"age {age}"] if old else [])
        urgent("suspected_fracture", ("minor_trauma", *fracture_risk,
                                      *(("age_years",) if old else ())),
               "Suspected fracture: minor trauma with " + ", ".join(risks) + ".")
    infection_risk = [n for n in _INFECTION_RISK if n in yes]
    if "fever_or_unwell" in yes:
        urgent("suspected_infection", ("fever_or_unwell", *infection_risk),
               "Suspected infection: fever or feeling unwell with spinal pain"
               + (" and " + ", ".join(_label(n) for n in infection_risk) if infection_risk else "")
               + ".")
    if "history_of_cancer" in yes:
        with_ = [n for n in _MALIGNANCY_WITH if n in yes]
        if with_:
            urgent("suspected_malignancy", ("history_of_cancer", *with_),
                   "Suspected malignancy: a history of cancer with "
                   + ", ".join(_label(n) for n in with_) + ".")
    if previous:
        dropped = [n for n in _GRADES if isinstance(previous.get(n), int)
                   and isinstance(data.get(n), int) and data[n] <= previous[n] - 1]
        if dropped:
            urgent("strength_drop", dropped, "Strength dropped by at least one Oxford grade: "
                   + ", ".join(f"{_label(n)} {previous[n]} -> {data[n]}" for n in dropped) + ".")

    def caution(code: str, fields: tuple[str, ...], detail: str) -> None:
        if not set(fields) <= used:
            items.append(RedFlagItem("caution", code, fields, detail))

    if "history_of_cancer" in yes:
        caution("history_of_cancer", ("history_of_cancer",),
                "A history of cancer: review once; it joins a cluster if other signs appear.")
    if isinstance(age, int) and not isinstance(age, bool) and age > CAUTION_AGE \
            and "new_spinal_pain" in yes:
        caution("age_over_50_new_pain", ("age_years", "new_spinal_pain"),
                f"Age {age} with new spinal pain.")
    for name in ("thoracic_pain", "constant_worsening_pain", "constant_night_pain",
                 "unexplained_weight_loss", "no_improvement_4_6_weeks", "minor_trauma",
                 *_INFECTION_RISK):
        if name in yes:
            caution(name, (name,), f"{FIELDS_BY_NAME[name].label}.")
    if previous and previous.get("reflexes_reduced") is False and data.get("reflexes_reduced") is True:
        caution("reflex_lost", ("reflexes_reduced",), "A reflex reduced since the last assessment.")
    order = {t: i for i, t in enumerate(TIERS)}
    return RedFlagScreen(tuple(sorted(items, key=lambda i: order[i.tier])))
