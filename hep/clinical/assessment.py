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

``side`` (``left``/``right``) marks one side of a paired test: its ``label`` is the test's, the
pages add the side. ``level`` (L2-S1) places a neurological-exam field in the level x side
table. ``legacy`` fields are the one-sided fields of assessments stored before the sides were
split: still valid, shown and compared, never offered on the form.
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
    side: str | None = None
    level: str | None = None
    legacy: bool = False

    @property
    def title(self) -> str:
        """The English label with the side, for details and the API."""
        return f"{self.label}, {self.side}" if self.side else self.label


@dataclass(frozen=True)
class FieldChange:
    """A field's value before and after, and whether that is an improvement."""

    name: str
    before: Any
    after: Any
    direction: Direction


SECTIONS: tuple[tuple[str, str], ...] = (
    ("history", "History, pain and classification"),
    ("spinal_movement", "Spinal movement"),
    ("hip", "Hip movement"),
    ("neurodynamic", "Neurodynamic tests"),
    ("neuro", "Neurological exam"),
    ("screens", "Screens: hip, vascular claudication, peripheral neuropathy"),
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
SIDES = ("left", "right")
#: Neurological levels with the myotome tested at each (CLINICAL.md "Assessment").
LEVELS = ("L2", "L3", "L4", "L5", "S1")
MYOTOMES = {"L2": "hip flexion", "L3": "knee extension", "L4": "ankle dorsiflexion",
            "L5": "great-toe extension", "S1": "plantar flexion"}
SENSATION = ("normal", "reduced", "absent")
REFLEX = ("normal", "reduced", "absent", "brisk")
PRESENCE = ("absent", "present")
POSITIVE = ("negative", "positive")
WALKING = ("normal", "difficult", "unable")
RESPONSE = ("better", "no_effect", "worse")
SYMPTOM_SHIFT = ("centralises", "no_change", "peripheralises")


def _f(name: str, kind: Kind, label: str, section: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name, kind, label, section, **kw)


def _effect(name: str, label: str) -> FieldSpec:
    return _f(name, "choice", label, "spinal_movement", choices=LEG_EFFECT)


def _grade(name: str, label: str) -> FieldSpec:
    return _f(name, "int", label + " (Oxford 0-5)", "strength", minimum=0, maximum=5,
              better="higher")


def _sided(name: str, kind: Kind, label: str, section: str, **kw: Any) -> tuple[FieldSpec, ...]:
    """A paired test: ``<name>_left`` and ``<name>_right`` with the same label."""
    return tuple(FieldSpec(f"{name}_{side}", kind, label, section, side=side, **kw) for side in SIDES)


def _legacy(name: str, kind: Kind, label: str, section: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name, kind, label, section, legacy=True, **kw)


def _neuro_levels() -> tuple[FieldSpec, ...]:
    """Sensation and myotome per level and side (L2-S1), in level order."""
    fields: list[FieldSpec] = []
    for level in LEVELS:
        fields += _sided(f"sensation_{level.lower()}", "choice", f"{level} dermatome sensation", "neuro",
                         choices=SENSATION, better="lower", level=level)
        fields += _sided(f"myotome_{level.lower()}", "int", f"{level} {MYOTOMES[level]} (Oxford 0-5)",
                         "neuro", minimum=0, maximum=5, better="higher", level=level)
    return tuple(fields)


def _flag(name: str, label: str) -> FieldSpec:
    return _f(name, "bool", label, "red_flags", required=True, better="lower")


def _risk(name: str, label: str) -> FieldSpec:
    """An IFOMPT risk factor: optional, so assessments stored before it stay valid."""
    return _f(name, "bool", label, "risk_factors", better="lower")


ASSESSMENT_FIELDS: tuple[FieldSpec, ...] = (
    # history, pain (back and leg separately), severity-irritability-nature, classification
    _f("duration_weeks", "int", "Duration of this episode (weeks)", "history", minimum=0, maximum=2600),
    _f("onset", "choice", "Onset", "history", choices=("sudden", "gradual")),
    _f("onset_trigger", "text", "Trigger of onset", "history", maximum=500),
    _f("previous_episodes", "int", "Previous episodes", "history", minimum=0, maximum=100),
    _f("previous_injections", "bool", "Spinal injections for this problem", "history"),
    _f("previous_surgery", "bool", "Spinal surgery", "history"),
    _f("occupation", "text", "Occupation", "history", maximum=200),
    _f("sitting_hours_per_day", "int", "Sitting (hours a day)", "history", minimum=0, maximum=24),
    _f("back_pain_nprs", "int", "Back pain (NPRS 0-10)", "history", minimum=0, maximum=10, better="lower"),
    _f("leg_pain_nprs", "int", "Leg pain (NPRS 0-10)", "history", minimum=0, maximum=10, better="lower"),
    _f("pain_dominance", "choice", "Dominant pain", "history", choices=("leg", "back", "equal")),
    _f("severity", "int", "Severity (SIN, 0-10)", "history", minimum=0, maximum=10, better="lower"),
    _f("pain_nature", "choice", "Nature (SIN)", "history",
       choices=("nociceptive", "neuropathic", "nociplastic_leaning", "mixed")),
    _f("working_classification", "choice", "Working classification", "history",
       choices=("radicular_pain", "radiculopathy", "stenosis_like", "back_dominant")),
    # spinal movement: which movement reproduces or eases the leg symptoms
    _effect("flexion_leg_effect", "Flexion: effect on leg symptoms"),
    _effect("extension_leg_effect", "Extension: effect on leg symptoms"),
    _effect("side_glide_left_leg_effect", "Side glide left: effect on leg symptoms"),
    _effect("side_glide_right_leg_effect", "Side glide right: effect on leg symptoms"),
    *(f for direction, text in (("flexion", "flexion"), ("extension", "extension"),
                                ("side_glide_left", "side glide left"), ("side_glide_right", "side glide right"))
      for f in (_f(f"repeated_{direction}_effect", "choice", f"Repeated {text}: symptoms", "spinal_movement",
                   choices=RESPONSE, better="lower"),
                _f(f"repeated_{direction}_distribution", "choice", f"Repeated {text}: distribution",
                   "spinal_movement", choices=SYMPTOM_SHIFT, better="lower"))),
    _f("repeated_movement_response", "choice", "Repeated movements: response", "spinal_movement",
       choices=("centralises", "peripheralises", "no_change", "not_tested")),
    _f("directional_preference", "choice", "Directional preference", "spinal_movement",
       choices=("flexion", "extension", "lateral_left", "lateral_right", "none")),
    _f("lateral_shift", "choice", "Lateral shift", "spinal_movement", choices=("none", "left", "right")),
    _f("gait", "choice", "Gait", "spinal_movement",
       choices=("normal", "antalgic", "trendelenburg", "foot_drop", "flexed_posture")),
    _f("spinal_movement_notes", "text", "Spinal movement notes", "spinal_movement", maximum=2000),
    # hip, per side (the one-sided fields of older assessments stay readable)
    *_sided("hip_flexion_degrees", "int", "Hip flexion range (degrees)", "hip",
            minimum=0, maximum=150, better="higher"),
    *_sided("hip_internal_rotation_degrees", "int", "Hip internal rotation (degrees)", "hip",
            minimum=0, maximum=70, better="higher"),
    *_sided("hip_movement_reproduces_symptoms", "bool", "Hip movement reproduces symptoms", "hip",
            better="lower"),
    _legacy("hip_flexion_degrees", "int", "Hip flexion range (degrees)", "hip",
            minimum=0, maximum=150, better="higher"),
    _legacy("hip_internal_rotation_degrees", "int", "Hip internal rotation (degrees)", "hip",
            minimum=0, maximum=70, better="higher"),
    _legacy("hip_movement_reproduces_symptoms", "bool", "Hip movement reproduces symptoms", "hip",
            better="lower"),
    _f("hip_notes", "text", "Hip notes", "hip", maximum=2000),
    # neurodynamic tests, per side
    *_sided("slr_angle", "int", "Straight leg raise: angle (degrees)", "neurodynamic",
            minimum=0, maximum=90, better="higher"),
    *_sided("slr_symptoms_reproduced", "bool", "Straight leg raise reproduces the leg symptoms",
            "neurodynamic", better="lower"),
    *_sided("slr_crossed", "bool", "Crossed straight leg raise", "neurodynamic", better="lower"),
    *_sided("slr_sensitising", "bool", "Sensitising manoeuvre changes the symptoms", "neurodynamic",
            better="lower"),
    *_sided("slump", "choice", "Slump test", "neurodynamic", choices=POSITIVE, better="lower"),
    *_sided("prone_knee_bend", "choice", "Prone knee bend", "neurodynamic", choices=POSITIVE,
            better="lower"),
    _legacy("straight_leg_raise", "choice", "Straight leg raise / slump", "neurodynamic",
            choices=("negative", "positive_back", "positive_leg"), better="lower"),
    # neurological exam by level and side
    *_neuro_levels(),
    _f("saddle_sensation", "choice", "Saddle sensation", "neuro", choices=SENSATION, better="lower"),
    *_sided("heel_walking", "choice", "Heel walking", "neuro", choices=WALKING, better="lower", level="L4"),
    *_sided("toe_walking", "choice", "Toe walking", "neuro", choices=WALKING, better="lower", level="S1"),
    *_sided("heel_raises", "int", "Single-leg heel raises (count)", "neuro", minimum=0, maximum=100,
            better="higher", level="S1"),
    *_sided("reflex_patellar", "choice", "Patellar reflex (L4)", "neuro", choices=REFLEX, level="L4"),
    *_sided("reflex_achilles", "choice", "Achilles reflex (S1)", "neuro", choices=REFLEX, level="S1"),
    *_sided("babinski", "choice", "Babinski sign", "neuro", choices=PRESENCE, better="lower"),
    *_sided("clonus", "choice", "Ankle clonus", "neuro", choices=PRESENCE, better="lower"),
    # screens for other sources of leg symptoms
    _f("hip_screen", "choice", "Hip screen", "screens", choices=POSITIVE),
    _f("vascular_claudication_screen", "choice", "Vascular claudication screen", "screens", choices=POSITIVE),
    _f("peripheral_neuropathy_screen", "choice", "Peripheral neuropathy screen", "screens", choices=POSITIVE),
    # strength and motor control
    *(f for name, text in (("hip_abduction_strength", "Hip abduction strength"),
                           ("hip_extension_strength", "Hip extension strength"))
      for f in (*_sided(name, "int", text + " (Oxford 0-5)", "strength", minimum=0, maximum=5,
                        better="higher"),
                _legacy(name, "int", text + " (Oxford 0-5)", "strength", minimum=0, maximum=5,
                        better="higher"))),
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
    _f("distance_per_week_km", "int", "Distance a week (km)", "training", minimum=0, maximum=1000),
    _f("heaviest_lift_kg", "int", "Heaviest lift (kg)", "training", minimum=0, maximum=500),
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
    return FIELDS_BY_NAME[name].title.lower()


def _grade_of(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _earlier(previous: Mapping[str, Any] | None,
             baseline: Mapping[str, Any] | None) -> tuple[Mapping[str, Any], ...]:
    return tuple(m for m in (previous, baseline if baseline is not None else previous) if m)


def motor_drops(data: Mapping[str, Any], previous: Mapping[str, Any] | None,
                baseline: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """The Oxford-graded fields (myotomes, per-side strength) at least one grade lower than in
    every earlier assessment that graded them (the previous and the baseline): a confirmed drop.
    A weakness found at the baseline and not worse since is not a drop."""
    earlier = _earlier(previous, baseline)
    drops = []
    for name in _GRADES:
        now = _grade_of(data.get(name))
        refs = [r for r in (_grade_of(m.get(name)) for m in earlier) if r is not None]
        if now is not None and refs and all(now <= r - 1 for r in refs):
            drops.append(name)
    return tuple(drops)


def _drop_text(drops: Iterable[str], data: Mapping[str, Any], previous: Mapping[str, Any] | None,
               baseline: Mapping[str, Any] | None) -> str:
    ref = previous or baseline or {}
    return ", ".join(f"{FIELDS_BY_NAME[n].title} {ref.get(n, (baseline or {}).get(n))} -> {data[n]}"
                     for n in drops)


_REFLEX_RANK = {"normal": 0, "brisk": 0, "reduced": 1, "absent": 2}
_REFLEXES = tuple(f.name for f in ASSESSMENT_FIELDS if f.choices == REFLEX)
_SIGNS = tuple(f.name for f in ASSESSMENT_FIELDS if f.choices == PRESENCE and f.section == "neuro")


def reflexes_lost(data: Mapping[str, Any], previous: Mapping[str, Any] | None,
                  baseline: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """The reflexes (per side) now reduced or absent that were better in every earlier
    assessment that tested them."""
    earlier = _earlier(previous, baseline)
    lost = []
    for name in _REFLEXES:
        now = _REFLEX_RANK.get(data.get(name))  # type: ignore[arg-type]
        refs = [_REFLEX_RANK[m[name]] for m in earlier if m.get(name) in _REFLEX_RANK]
        if now and refs and all(now > r for r in refs):
            lost.append(name)
    return tuple(lost)


def new_signs(data: Mapping[str, Any], previous: Mapping[str, Any] | None,
              baseline: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """Babinski sign or clonus (per side) present now and in no earlier assessment; only a
    reassessment has earlier ones (at the first, the therapist answers "New Babinski sign or
    clonus")."""
    earlier = _earlier(previous, baseline)
    if not earlier:
        return ()
    return tuple(n for n in _SIGNS if data.get(n) == "present"
                 and all(m.get(n) != "present" for m in earlier))


def classify_red_flags(data: Mapping[str, Any], previous: Mapping[str, Any] | None = None,
                       baseline: Mapping[str, Any] | None = None) -> RedFlagScreen:
    """Weigh a (valid) assessment's red-flag screen in clusters, as the IFOMPT framework does
    (Finucane et al. 2020), into the three tiers of CLINICAL.md:

    - emergency: each cauda equina sign (saddle numbness, bladder or bowel change, sexual
      dysfunction), symptoms in both legs, progressive weakness, a new Babinski sign or clonus
      (the therapist's answer, or :func:`new_signs`), a drop in two or more muscle groups;
    - urgent: suspected fracture (significant trauma; or minor trauma with osteoporosis, age
      >= 65 or long-term corticosteroids), suspected infection (fever or feeling unwell, with
      any infection risk factor named), suspected malignancy (a history of cancer together
      with new spinal pain, night pain, weight loss, neurological signs or no improvement), a
      drop of at least one Oxford grade in one muscle group (:func:`motor_drops`);
    - caution: a history of cancer alone, age over 50 with new spinal pain, thoracic pain,
      constant worsening pain, night pain, weight loss or no improvement alone, minor trauma
      alone, an infection risk factor alone, a reflex reduced or lost (:func:`reflexes_lost`).

    Findings that are part of an urgent cluster are not repeated as cautions. ``previous``
    (the assessment before this one) and ``baseline`` (the first; ``previous`` when not given)
    make "new" mean new: a deficit found at the baseline is not raised again.
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
    drops = motor_drops(data, previous, baseline)
    if len(drops) >= 2:
        items.append(RedFlagItem("emergency", "strength_drop_multiple", drops,
                                 "Weakness in two or more muscle groups since the last assessment: "
                                 + _drop_text(drops, data, previous, baseline) + ". An emergency."))
    elif drops:
        urgent("strength_drop", drops, "Strength dropped by at least one Oxford grade: "
               + _drop_text(drops, data, previous, baseline) + ".")
    for name in new_signs(data, previous, baseline):
        items.append(RedFlagItem("emergency", "new_" + name.rsplit("_", 1)[0], (name,),
                                 f"New {FIELDS_BY_NAME[name].title}: an emergency."))

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
    lost = reflexes_lost(data, previous, baseline)
    if previous and previous.get("reflexes_reduced") is False and data.get("reflexes_reduced") is True:
        lost = ("reflexes_reduced", *lost)
    if lost:
        named = ", ".join(FIELDS_BY_NAME[n].title for n in lost if n != "reflexes_reduced")
        caution("reflex_lost", lost, "A reflex reduced or lost since the last assessment"
                + (f": {named}." if named else "."))
    order = {t: i for i, t in enumerate(TIERS)}
    return RedFlagScreen(tuple(sorted(items, key=lambda i: order[i.tier])))
