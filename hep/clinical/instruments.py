"""Outcome measures as data: a definition format, its loader and scoring.

A clinic that holds a licence for an instrument drops its YAML into a folder passed to
:func:`load_instruments`; no code changes. The shipped definitions live in
``hep/library/instruments/``. A definition (see ``nprs.yaml`` for the smallest)::

    code: fabq                      # unique, [a-z0-9_]+
    name: ...
    version: "1"
    licence: who may use it and how the item texts may be shown
    text_source: original | paraphrased | licensed
    better: lower | higher          # direction of improvement of the total (optional)
    items:                          # fixed items; ids are strings
      - {id: "1", text: ..., min: 0, max: 6, anchors: {0: ..., 6: ...}, reverse: false}
    patient_items:                  # instead of items, for patient-named items (PSFS)
      {min_count: 3, max_count: 5, min: 0, max: 10, prompt: ..., anchors: {...}}
    translation_allowed: true | false  # whether the licence allows showing a translation
    translations:                   # only when allowed; per language, every key optional
      es: {title: ..., instructions: ..., prompt: ..., items: {id: text}, labels: {value: text}}
    scoring:
      total: {method: sum | mean | none, items: [ids] (default all), range: [lo, hi]}
      subscales: [{code, name, method, items: [ids], range: [lo, hi]}]
      cutoffs: [{scale: total | <subscale code>, label, above | at_least | below | at_most}]
      minimal_important_change: {total: 2, item: 3, <subscale>: n}
      minimal_important_percent: {total: 30}   # also meaningful at this share of the baseline

Answers are item id -> integer. A ``reverse`` item scores ``min + max - answer``. A scale is
None when any of its items is unanswered (no prorating).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from hep.clinical.yaml_files import read_yaml

from .messages import Message

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "library" / "instruments"
_CODE = re.compile(r"^[a-z0-9_]+$")
_BOUNDS = ("above", "at_least", "below", "at_most")


class InstrumentError(ValueError):
    """An invalid definition; ``errors`` maps a path in the document to messages."""

    def __init__(self, source: str, errors: dict[str, list[str]]) -> None:
        super().__init__(f"{source}: " + "; ".join(f"{k}: {' '.join(v)}"
                                                   for k, v in sorted(errors.items())))
        self.source = source
        self.errors = errors


class ScoringError(ValueError):
    """Invalid answers; ``errors`` maps an item id (or ``_schema``) to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in sorted(errors.items())))
        self.errors = errors


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    minimum: int
    maximum: int
    anchors: Mapping[int, str] = field(default_factory=dict)
    reverse: bool = False


@dataclass(frozen=True)
class PatientItems:
    """Items the patient names at response time (PSFS): how many, and their range."""

    min_count: int
    max_count: int
    minimum: int
    maximum: int
    prompt: str
    anchors: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Scale:
    """A total or subscale: ``method`` over ``items`` (empty = every item), range lo..hi."""

    code: str
    name: str
    method: Literal["sum", "mean"]
    items: tuple[str, ...]
    range: tuple[float, float]


@dataclass(frozen=True)
class Cutoff:
    scale: str
    label: str
    above: float | None = None
    at_least: float | None = None
    below: float | None = None
    at_most: float | None = None

    def matches(self, value: float) -> bool:
        return ((self.above is None or value > self.above)
                and (self.at_least is None or value >= self.at_least)
                and (self.below is None or value < self.below)
                and (self.at_most is None or value <= self.at_most))


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    version: str
    licence: str
    text_source: Literal["original", "paraphrased", "licensed"]
    items: tuple[Item, ...]
    total: Scale | None
    subscales: tuple[Scale, ...] = ()
    cutoffs: tuple[Cutoff, ...] = ()
    minimal_important_change: Mapping[str, float] = field(default_factory=dict)
    minimal_important_percent: Mapping[str, float] = field(default_factory=dict)
    better: Literal["lower", "higher"] | None = None
    patient_items: PatientItems | None = None
    instructions: str = ""
    source: str = ""
    translation_allowed: bool = False
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def with_patient_items(self, texts: Sequence[str]) -> Instrument:
        """A concrete copy whose items "1".."n" are the patient's named activities.

        Raises :class:`ScoringError` when the count is outside min_count..max_count or a text
        is empty; :class:`ValueError` for an instrument without patient items.
        """
        spec = self.patient_items
        if spec is None:
            raise ValueError(f"{self.code} has fixed items")
        errors: dict[str, list[str]] = {}
        if not spec.min_count <= len(texts) <= spec.max_count:
            errors["_schema"] = [Message("items_between", low=spec.min_count, high=spec.max_count)]
        for n, text in enumerate(texts, 1):
            if not isinstance(text, str) or not text.strip():
                errors[str(n)] = [Message("non_empty_text")]
        if errors:
            raise ScoringError(errors)
        items = tuple(Item(str(n), text.strip(), spec.minimum, spec.maximum, spec.anchors)
                      for n, text in enumerate(texts, 1))
        return replace(self, items=items, patient_items=None)


@dataclass(frozen=True)
class Score:
    """``total`` and ``subscales`` (None when incomplete); ``interpretation`` holds
    ``"<scale>:<label>"`` for each matching cut-off."""

    total: float | None
    subscales: dict[str, float | None]
    interpretation: tuple[str, ...]
    complete: bool

    def to_dict(self) -> dict[str, object]:
        return {"total": self.total, "subscales": dict(self.subscales),
                "interpretation": list(self.interpretation), "complete": self.complete}


@dataclass(frozen=True)
class ScoreChange:
    """``meaningful`` is None when the instrument gives no minimal important change."""

    delta: float
    meaningful: bool | None
    direction: Literal["better", "worse", "same", "changed"]


def score(instrument: Instrument, answers: Mapping[str, int]) -> Score:
    """Score ``answers`` (item id -> integer); raises :class:`ScoringError` on unknown item
    ids, non-integers or values out of range. For a template with ``patient_items`` the keys
    are the patient's own item ids, and their count must not exceed ``max_count``."""
    errors: dict[str, list[str]] = {}
    if not isinstance(answers, Mapping):
        raise ScoringError({"_schema": [Message("answers_mapping")]})
    spec = instrument.patient_items
    if spec is not None:
        items = {str(k): Item(str(k), str(k), spec.minimum, spec.maximum) for k in answers}
        if len(items) > spec.max_count:
            errors["_schema"] = [Message("items_at_most", n=spec.max_count)]
    else:
        items = {i.id: i for i in instrument.items}
    values: dict[str, float] = {}
    for key, value in answers.items():
        item = items.get(str(key))
        if item is None:
            errors[str(key)] = [Message("unknown_item")]
        elif isinstance(value, bool) or not isinstance(value, int):
            errors[str(key)] = [Message("whole_number")]
        elif not item.minimum <= value <= item.maximum:
            errors[str(key)] = [Message("between", low=item.minimum, high=item.maximum)]
        else:
            values[item.id] = (item.minimum + item.maximum - value) if item.reverse else value
    if errors:
        raise ScoringError(errors)

    if spec is not None:
        complete = len(values) >= spec.min_count
    else:
        complete = all(i.id in values for i in instrument.items)
    every = (tuple(values) if complete else ()) if spec else tuple(i.id for i in instrument.items)
    total = _scale_value(instrument.total, values, every) if instrument.total else None
    subscales = {s.code: _scale_value(s, values, every) for s in instrument.subscales}
    scales = {"total": total, **subscales}
    interpretation = tuple(f"{c.scale}:{c.label}" for c in instrument.cutoffs
                           if scales.get(c.scale) is not None and c.matches(scales[c.scale]))  # type: ignore[arg-type]
    return Score(total, subscales, interpretation, complete)


def _scale_value(scale: Scale, values: Mapping[str, float],
                 every: tuple[str, ...]) -> float | None:
    """The scale's value, or None when any of its items is unanswered."""
    ids = scale.items or every
    if not ids or any(i not in values for i in ids):
        return None
    picked = [values[i] for i in ids]
    result = sum(picked) if scale.method == "sum" else sum(picked) / len(picked)
    return round(float(result), 2)


def score_change(instrument: Instrument, before: float, after: float,
                 scale: str = "total") -> ScoreChange:
    """Change on ``scale`` ('total', a subscale code, or 'item' for one PSFS activity):
    meaningful when |after - before| reaches the instrument's minimal important change, or
    (where the instrument gives one) its minimal important percentage of ``before`` (NPRS:
    2 points or 30 %, so 3 -> 2 is meaningful). None when the instrument gives neither."""
    delta = round(after - before, 2)
    mic = instrument.minimal_important_change.get(scale)
    percent = instrument.minimal_important_percent.get(scale)
    better = instrument.better
    if delta == 0:
        direction: Literal["better", "worse", "same", "changed"] = "same"
    elif better is None:
        direction = "changed"
    else:
        direction = "better" if (delta < 0) == (better == "lower") else "worse"
    if mic is None and percent is None:
        return ScoreChange(delta, None, direction)
    meaningful = ((mic is not None and abs(delta) >= mic)
                  or (percent is not None and before != 0
                      and abs(delta) * 100 >= percent * abs(before) - 1e-9))
    return ScoreChange(delta, meaningful, direction)


def load_instruments(extra_dirs: Iterable[str | Path] = ()) -> dict[str, Instrument]:
    """Every ``*.yaml`` definition in the shipped folder, then in ``extra_dirs``, by code.

    Raises :class:`InstrumentError` for an invalid file or a code defined twice (a clinic's
    file must not silently replace another definition).
    """
    found: dict[str, Instrument] = {}
    for folder in (SHIPPED_DIR, *map(Path, extra_dirs)):
        for path in sorted(Path(folder).glob("*.yaml")):
            try:
                document = read_yaml(path)
            except yaml.YAMLError as exc:
                raise InstrumentError(str(path), {"_file": [f"Not valid YAML: {exc}"]}) from exc
            instrument = parse_instrument(document, source=str(path))
            if instrument.code in found:
                raise InstrumentError(str(path), {"code": [
                    f"{instrument.code!r} is already defined in {found[instrument.code].source}."]})
            found[instrument.code] = instrument
    return found


def parse_instrument(document: Any, *, source: str = "<data>") -> Instrument:
    """Build and validate an :class:`Instrument` from a parsed YAML/JSON document."""
    parser = _Parser(source)
    instrument = parser.parse(document)
    if parser.errors or instrument is None:
        raise InstrumentError(source, parser.errors or {"_file": ["Invalid definition."]})
    return instrument


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: dict[str, list[str]] = {}

    def err(self, where: str, message: str) -> None:
        self.errors.setdefault(where, []).append(message)

    def text(self, doc: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
        value = doc.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.err(f"{where}{key}", "Required text.")
            return ""
        return value.strip()

    def integer(self, doc: Mapping[str, Any], key: str, where: str) -> int:
        value = doc.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.err(f"{where}{key}", "Required whole number.")
            return 0
        return value

    def anchors(self, doc: Mapping[str, Any], where: str, low: int, high: int) -> dict[int, str]:
        raw = doc.get("anchors") or {}
        if not isinstance(raw, Mapping):
            self.err(f"{where}anchors", "Must map answer values to labels.")
            return {}
        out = {}
        for key, label in raw.items():
            if isinstance(key, bool) or not isinstance(key, int) or not low <= key <= high:
                self.err(f"{where}anchors", f"Anchor {key!r} is not an answer value.")
            elif not isinstance(label, str):
                self.err(f"{where}anchors", f"Anchor {key} needs a text label.")
            else:
                out[key] = label
        return out

    def parse(self, doc: Any) -> Instrument | None:
        if not isinstance(doc, Mapping):
            self.err("_file", "A definition is a mapping.")
            return None
        known = {"code", "name", "version", "licence", "text_source", "better", "items",
                 "patient_items", "scoring", "instructions", "translation_allowed", "translations"}
        for key in doc:
            if key not in known:
                self.err(str(key), "Unknown key.")
        code = self.text(doc, "code", "")
        if code and not _CODE.match(code):
            self.err("code", "Use lower-case letters, digits and underscores.")
        version = doc.get("version")
        if not isinstance(version, (str, int, float)) or isinstance(version, bool):
            self.err("version", "Required.")
        text_source = doc.get("text_source")
        if text_source not in ("original", "paraphrased", "licensed"):
            self.err("text_source", "Must be original, paraphrased or licensed.")
        better = doc.get("better")
        if better not in (None, "lower", "higher"):
            self.err("better", "Must be lower or higher.")
        items, patient = self.items(doc)
        scoring = doc.get("scoring")
        if not isinstance(scoring, Mapping):
            self.err("scoring", "Required mapping.")
            scoring = {}
        for key in scoring:
            if key not in ("total", "subscales", "cutoffs", "minimal_important_change",
                           "minimal_important_percent"):
                self.err(f"scoring.{key}", "Unknown key.")
        ids = tuple(i.id for i in items)
        total = self.scale(scoring.get("total"), "scoring.total", "total", ids, items, patient,
                           allow_none=True)
        subscales = []
        for n, raw in enumerate(scoring.get("subscales") or ()):
            sub = self.scale(raw, f"scoring.subscales[{n}]", None, ids, items, patient)
            if sub is not None:
                subscales.append(sub)
        scale_codes = {"total"} if total else set()
        for sub in subscales:
            if sub.code in scale_codes:
                self.err("scoring.subscales", f"Duplicate scale code {sub.code!r}.")
            scale_codes.add(sub.code)
        cutoffs = self.cutoffs(scoring.get("cutoffs") or (), scale_codes)
        mic = scoring.get("minimal_important_change") or {}
        if not isinstance(mic, Mapping) or any(
                isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0
                or (k not in scale_codes and k != "item") for k, v in mic.items()):
            self.err("scoring.minimal_important_change",
                     "Map 'total', 'item' or a subscale code to a positive number.")
            mic = {}
        percent = scoring.get("minimal_important_percent") or {}
        if not isinstance(percent, Mapping) or any(
                isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 100
                or k not in scale_codes for k, v in percent.items()):
            self.err("scoring.minimal_important_percent",
                     "Map 'total' or a subscale code to a percentage (0-100].")
            percent = {}
        allowed = doc.get("translation_allowed", False)
        if not isinstance(allowed, bool):
            self.err("translation_allowed", "Must be true or false.")
        translations = self.translations(doc.get("translations"), bool(allowed), items, patient)
        if self.errors:
            return None
        return Instrument(
            code=code, name=self.text(doc, "name", ""), version=str(version),
            licence=self.text(doc, "licence", ""), text_source=text_source,  # type: ignore[arg-type]
            items=items, total=total, subscales=tuple(subscales), cutoffs=cutoffs,
            minimal_important_change=dict(mic), minimal_important_percent=dict(percent),
            better=better, patient_items=patient,
            instructions=self.text(doc, "instructions", "", required=False), source=self.source,
            translation_allowed=bool(allowed), translations=translations)

    def translations(self, raw: Any, allowed: bool, items: tuple[Item, ...],
                     patient: PatientItems | None) -> dict[str, dict[str, Any]]:
        """``{lang: {title, instructions, prompt, items: {id: text}, labels: {value: text}}}``;
        refused unless the licence allows a translation."""
        if raw is None:
            return {}
        if not allowed:
            self.err("translations", "Set translation_allowed: true (the licence must allow it).")
            return {}
        if not isinstance(raw, Mapping):
            self.err("translations", "Map a language code to its texts.")
            return {}
        ids = {i.id for i in items}
        values = set().union(*(range(i.minimum, i.maximum + 1) for i in items)) if items else (
            set(range(patient.minimum, patient.maximum + 1)) if patient else set())
        out: dict[str, dict[str, Any]] = {}
        for lang, texts in raw.items():
            where = f"translations.{lang}"
            if not isinstance(lang, str) or not re.match(r"^[a-z]{2}$", lang) or not isinstance(texts, Mapping):
                self.err(where, "Use a two-letter language code mapping to texts.")
                continue
            entry: dict[str, Any] = {}
            for key, value in texts.items():
                if key in ("title", "instructions", "prompt"):
                    if isinstance(value, str) and value.strip():
                        entry[key] = value.strip()
                    else:
                        self.err(f"{where}.{key}", "Required text.")
                elif key == "items" and isinstance(value, Mapping) and all(
                        str(k) in ids and isinstance(v, str) and v.strip() for k, v in value.items()):
                    entry["items"] = {str(k): v.strip() for k, v in value.items()}
                elif key == "labels" and isinstance(value, Mapping) and all(
                        isinstance(k, int) and not isinstance(k, bool) and k in values
                        and isinstance(v, str) and v.strip() for k, v in value.items()):
                    entry["labels"] = {k: v.strip() for k, v in value.items()}
                else:
                    self.err(f"{where}.{key}", "Unknown key, or not item ids / answer values to texts.")
            out[lang] = entry
        return out

    def items(self, doc: Mapping[str, Any]) -> tuple[tuple[Item, ...], PatientItems | None]:
        raw_items, raw_patient = doc.get("items"), doc.get("patient_items")
        if (raw_items is None) == (raw_patient is None):
            self.err("items", "Give either items or patient_items.")
            return (), None
        if raw_patient is not None:
            if not isinstance(raw_patient, Mapping):
                self.err("patient_items", "Must be a mapping.")
                return (), None
            w = "patient_items."
            lo, hi = self.integer(raw_patient, "min", w), self.integer(raw_patient, "max", w)
            cmin = self.integer(raw_patient, "min_count", w)
            cmax = self.integer(raw_patient, "max_count", w)
            if lo >= hi:
                self.err(f"{w}max", "Must be above min.")
            if not 1 <= cmin <= cmax:
                self.err(f"{w}max_count", "Need 1 <= min_count <= max_count.")
            return (), PatientItems(cmin, cmax, lo, hi, self.text(raw_patient, "prompt", w),
                                    self.anchors(raw_patient, w, lo, hi))
        if not isinstance(raw_items, list) or not raw_items:
            self.err("items", "Must be a non-empty list.")
            return (), None
        items = []
        for n, raw in enumerate(raw_items):
            w = f"items[{n}]."
            if not isinstance(raw, Mapping):
                self.err(f"items[{n}]", "Must be a mapping.")
                continue
            item_id = raw.get("id")
            if not isinstance(item_id, str) or not item_id:
                self.err(f"{w}id", "Required text (quote numbers).")
            lo, hi = self.integer(raw, "min", w), self.integer(raw, "max", w)
            if lo >= hi:
                self.err(f"{w}max", "Must be above min.")
            reverse = raw.get("reverse", False)
            if not isinstance(reverse, bool):
                self.err(f"{w}reverse", "Must be true or false.")
            items.append(Item(str(item_id), self.text(raw, "text", w), lo, hi,
                              self.anchors(raw, w, lo, hi), bool(reverse)))
        ids = [i.id for i in items]
        if len(set(ids)) != len(ids):
            self.err("items", "Item ids must be unique.")
        return tuple(items), None

    def scale(self, raw: Any, where: str, code: str | None, ids: tuple[str, ...],
              items: tuple[Item, ...], patient: PatientItems | None,
              allow_none: bool = False) -> Scale | None:
        if raw is None:
            if not allow_none:
                self.err(where, "Required.")
            return None
        if not isinstance(raw, Mapping):
            self.err(where, "Must be a mapping.")
            return None
        method = raw.get("method")
        if allow_none and method == "none":
            return None
        if method not in ("sum", "mean"):
            self.err(f"{where}.method", "Must be sum, mean or (for the total) none.")
            return None
        if code is None:
            code = self.text(raw, "code", f"{where}.")
            if code and not _CODE.match(code):
                self.err(f"{where}.code", "Use lower-case letters, digits and underscores.")
        picked = raw.get("items") or []
        if not isinstance(picked, list) or any(str(p) not in ids for p in picked):
            self.err(f"{where}.items", "Must list ids of the instrument's items.")
            return None
        if patient is not None and picked:
            self.err(f"{where}.items", "Patient-named items cannot be listed.")
        rng = raw.get("range")
        if (not isinstance(rng, list) or len(rng) != 2
                or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in rng)):
            self.err(f"{where}.range", "Must be [lowest, highest].")
            return None
        chosen = [i for i in items if i.id in {str(p) for p in picked}] or list(items)
        if patient is not None:
            expected = (patient.minimum, patient.maximum)
        elif method == "sum":
            expected = (sum(i.minimum for i in chosen), sum(i.maximum for i in chosen))
        else:
            expected = (min(i.minimum for i in chosen), max(i.maximum for i in chosen))
        if tuple(rng) != expected:
            self.err(f"{where}.range", f"The items give {list(expected)}, not {rng}.")
        return Scale(code, self.text(raw, "name", f"{where}.", required=False) or code,
                     method, tuple(str(p) for p in picked), (rng[0], rng[1]))

    def cutoffs(self, raw: Any, scales: set[str]) -> tuple[Cutoff, ...]:
        if not isinstance(raw, (list, tuple)):
            self.err("scoring.cutoffs", "Must be a list.")
            return ()
        out = []
        for n, cut in enumerate(raw):
            where = f"scoring.cutoffs[{n}]"
            if not isinstance(cut, Mapping) or cut.get("scale") not in scales:
                self.err(where, f"Needs a scale from {sorted(scales)}.")
                continue
            bounds = {k: cut.get(k) for k in _BOUNDS if cut.get(k) is not None}
            if not bounds or any(isinstance(v, bool) or not isinstance(v, (int, float))
                                 for v in bounds.values()):
                self.err(where, "Needs numeric above, at_least, below or at_most.")
                continue
            out.append(Cutoff(cut["scale"], self.text(cut, "label", f"{where}."), **bounds))
        return tuple(out)
