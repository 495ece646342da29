"""Load and validate the seeded exercise library and pain-education cards.

Pure Python: reads YAML files from disk and returns plain dicts. No Flask, no database; the
seeder upserts what these functions return, keyed by ``slug``.

Contract:

- ``load_exercises(directory=None)`` reads every ``*.yaml`` file in ``directory`` (default:
  ``hep/library/exercises``) in file-name order. Each file is a YAML list of mappings with
  exactly the keys in ``EXERCISE_KEYS``; ``dose`` has exactly ``DOSE_KEYS``; every translation
  has exactly ``EXERCISE_TRANSLATION_KEYS`` and as many steps and cues as the English text.
- Across the whole library, ``family``/``easier``/``harder`` form one linear ladder per family:
  ``A.harder == B`` exactly when ``B.easier == A``, both in the same family, no cycles, and the
  easier one never in a later phase. ``tags.entry`` is required (non-null) for the categories in
  ``ENTRY_CATEGORIES``.
- ``load_education(directory=None)`` does the same for cards (default:
  ``hep/library/education``) with ``CARD_KEYS`` and ``CARD_TRANSLATION_KEYS``.
- Both return a new list of new dicts, in file order, with every key present (``dose.load``
  and nothing else may be ``None``). Slugs are unique across all files of one kind.
- Any problem raises ``CatalogError``; its message starts with ``"<file>: <slug>: <field>:"``
  (``#N`` stands in for the slug of the N-th entry when the slug itself is unusable) and its
  ``path``, ``slug`` and ``field`` attributes carry the same facts for callers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from hep.clinical.limits import DOSE_LIMITS as PRESCRIPTION_LIMITS
from hep.clinical.yaml_files import read_yaml

PACKAGE_DIR = Path(__file__).resolve().parent
EXERCISES_DIR = PACKAGE_DIR / "exercises"
EDUCATION_DIR = PACKAGE_DIR / "education"
MEDIA_DIR = PACKAGE_DIR.parent / "static" / "media"

PHASES = ("calm", "exposure", "load")
CARD_PHASES = PHASES + ("any",)
CATEGORIES = (
    "nerve-slider",
    "nerve-tensioner",
    "position-of-ease",
    "breathing",
    "spinal-mobility",
    "hip-mobility",
    "graded-bending",
    "lifting",
    "trunk-strength",
    "hip-strength",
    "carry",
    "impact",
    "directional",
    "endurance",
    "tolerance",
    "aerobic",
    "running",
    "plyometric",
)
# Categories whose exercises need an entry criterion (``tags.entry``) before they are started.
ENTRY_CATEGORIES = ("impact", "plyometric", "running")
REGIONS = ("lumbar", "thoracic", "pelvis", "hip", "leg", "trunk", "whole-body")
EQUIPMENT = (
    "chair",
    "mat",
    "wall",
    "step",
    "box",
    "blocks",
    "band",
    "kettlebell",
    "dumbbell",
    "towel",
    "pillow",
    "table",
    "bench",
    "jump-rope",
    "light-object",
    "barbell",
    "trap-bar",
    "bike",
    "pool",
    "cone",
    "car",
)
SIDES = ("both", "left", "right", "alternate", "none")
# Every exercise and card must carry these translations; other well-formed tags are allowed.
REQUIRED_LANGUAGES = ("es",)

EXERCISE_KEYS = (
    "slug", "name", "phase", "category", "regions", "equipment", "summary",
    "steps", "cues", "safety", "dose", "media", "family", "easier", "harder", "tags", "translations",
)
TAG_KEYS = ("direction", "irritability", "loaded", "entry")
DIRECTIONS = ("extension", "flexion", "lateral-shift", "none")
IRRITABILITY = ("low", "moderate", "high")
ENTRY_KEYS = ("criterion", "minimum")
# The only entry criteria a patient can be tested on, with what ``minimum`` counts.
ENTRY_CRITERIA = {
    "single-leg-heel-raises": "reps each side",
    "single-leg-sit-to-stand": "reps each side",
    "pain-free-hops": "hops on each leg",
    "brisk-walk-minutes": "minutes without leg symptoms rising",
    "side-plank-seconds": "seconds each side",
}
ENTRY_MINIMUM_RANGE = (1, 600)
EXERCISE_TRANSLATION_KEYS = ("name", "summary", "steps", "cues", "safety")
DOSE_KEYS = ("sets", "reps", "hold_seconds", "rest_seconds", "side", "frequency_per_day", "load")
# Inclusive bounds for the integer fields of a default dose: the product's one table.
DOSE_LIMITS = {key: PRESCRIPTION_LIMITS[key] for key in DOSE_KEYS if key in PRESCRIPTION_LIMITS}
STEPS_RANGE = (3, 7)
CUES_RANGE = (2, 4)

CARD_KEYS = ("slug", "title", "summary", "body", "reading_minutes", "phase", "translations")
CARD_TRANSLATION_KEYS = ("title", "summary", "body")
BODY_RANGE = (3, 6)
READING_MINUTES_RANGE = (1, 20)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_RE = re.compile(r"^[a-z]{2}(?:-[A-Z]{2})?$")


class CatalogError(ValueError):
    """A library file is malformed; the message names the file, the slug and the field."""

    def __init__(self, path: Path | str, slug: str, field: str, problem: str):
        self.path, self.slug, self.field = str(path), slug, field
        super().__init__(f"{path}: {slug}: {field}: {problem}")


def load_exercises(directory: Path | str | None = None, *, media_dir: Path | str | None = None) -> list[dict]:
    """Return every exercise in ``directory`` as a validated plain dict.

    ``media_dir`` (default ``hep/static/media``) is where each ``media`` path must exist.
    Raises ``CatalogError`` on the first problem found.
    """
    media_root = Path(media_dir) if media_dir is not None else MEDIA_DIR
    origins: dict[str, Path] = {}
    records = _load_all(Path(directory or EXERCISES_DIR), lambda e, ctx: _exercise(e, ctx, media_root), origins)
    _check_ladders(records, origins)
    return records


def load_education(directory: Path | str | None = None) -> list[dict]:
    """Return every pain-education card in ``directory`` as a validated plain dict.

    Raises ``CatalogError`` on the first problem found.
    """
    return _load_all(Path(directory or EDUCATION_DIR), _card)


class _Context:
    """Where a value came from, so every error names file, slug and field."""

    def __init__(self, path: Path, slug: str):
        self.path, self.slug = path, slug

    def fail(self, field: str, problem: str) -> CatalogError:
        return CatalogError(self.path, self.slug, field, problem)


def _load_all(directory: Path, build, origins: dict[str, Path] | None = None) -> list[dict]:
    """Every entry of every file, built and checked; ``origins`` (if given) learns each slug's file."""
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogError(directory, "-", "-", "no *.yaml files found")
    records: list[dict] = []
    seen = origins if origins is not None else {}
    for path in files:
        for index, entry in enumerate(_read_list(path), start=1):
            ctx = _Context(path, f"#{index}")
            if not isinstance(entry, dict):
                raise ctx.fail("-", f"entry must be a mapping, got {type(entry).__name__}")
            slug = entry.get("slug")
            if isinstance(slug, str) and SLUG_RE.match(slug):
                ctx.slug = slug
            record = build(entry, ctx)
            if record["slug"] in seen:
                raise ctx.fail("slug", f"duplicate slug, already defined in {seen[record['slug']]}")
            seen[record["slug"]] = path
            records.append(record)
    return records


def _read_list(path: Path) -> list:
    try:
        data = read_yaml(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogError(path, "-", "-", f"cannot read YAML: {exc}") from None
    if not isinstance(data, list):
        raise CatalogError(path, "-", "-", "file must be a YAML list of mappings")
    return data


def _exercise(entry: dict, ctx: _Context, media_root: Path) -> dict:
    _keys(entry, EXERCISE_KEYS, ctx, "")
    steps = _texts(entry["steps"], ctx, "steps", STEPS_RANGE)
    cues = _texts(entry["cues"], ctx, "cues", CUES_RANGE)
    record = {
        "slug": _slug(entry["slug"], ctx),
        "name": _text(entry["name"], ctx, "name"),
        "phase": _choice(entry["phase"], PHASES, ctx, "phase"),
        "category": _choice(entry["category"], CATEGORIES, ctx, "category"),
        "regions": _choices(entry["regions"], REGIONS, ctx, "regions", allow_empty=False),
        "equipment": _choices(entry["equipment"], EQUIPMENT, ctx, "equipment", allow_empty=True),
        "summary": _text(entry["summary"], ctx, "summary"),
        "steps": steps,
        "cues": cues,
        "safety": _text(entry["safety"], ctx, "safety"),
        "dose": _dose(entry["dose"], ctx),
        "media": _media(entry["media"], ctx, media_root),
        "family": _slug(entry["family"], ctx, "family"),
        "easier": _optional_slug(entry["easier"], ctx, "easier"),
        "harder": _optional_slug(entry["harder"], ctx, "harder"),
    }
    record["tags"] = _tags(entry["tags"], record["category"], ctx)

    def translation(value: dict, field: str) -> dict:
        return {
            "name": _text(value["name"], ctx, f"{field}.name"),
            "summary": _text(value["summary"], ctx, f"{field}.summary"),
            "steps": _same_length(_texts(value["steps"], ctx, f"{field}.steps", STEPS_RANGE), steps, ctx, f"{field}.steps"),
            "cues": _same_length(_texts(value["cues"], ctx, f"{field}.cues", CUES_RANGE), cues, ctx, f"{field}.cues"),
            "safety": _text(value["safety"], ctx, f"{field}.safety"),
        }

    record["translations"] = _translations(entry["translations"], EXERCISE_TRANSLATION_KEYS, translation, ctx)
    return record


def _card(entry: dict, ctx: _Context) -> dict:
    _keys(entry, CARD_KEYS, ctx, "")
    body = _texts(entry["body"], ctx, "body", BODY_RANGE)
    record = {
        "slug": _slug(entry["slug"], ctx),
        "title": _text(entry["title"], ctx, "title"),
        "summary": _text(entry["summary"], ctx, "summary"),
        "body": body,
        "reading_minutes": _integer(entry["reading_minutes"], READING_MINUTES_RANGE, ctx, "reading_minutes"),
        "phase": _choice(entry["phase"], CARD_PHASES, ctx, "phase"),
    }

    def translation(value: dict, field: str) -> dict:
        return {
            "title": _text(value["title"], ctx, f"{field}.title"),
            "summary": _text(value["summary"], ctx, f"{field}.summary"),
            "body": _same_length(_texts(value["body"], ctx, f"{field}.body", BODY_RANGE), body, ctx, f"{field}.body"),
        }

    record["translations"] = _translations(entry["translations"], CARD_TRANSLATION_KEYS, translation, ctx)
    return record


def _keys(value: Any, expected: tuple[str, ...], ctx: _Context, prefix: str) -> None:
    field = prefix.rstrip(".") or "-"
    if not isinstance(value, dict):
        raise ctx.fail(field, f"must be a mapping, got {type(value).__name__}")
    missing = [k for k in expected if k not in value]
    if missing:
        raise ctx.fail(prefix + missing[0], "missing key")
    unknown = sorted(str(k) for k in value if k not in expected)
    if unknown:
        raise ctx.fail(prefix + unknown[0], f"unknown key (allowed: {', '.join(expected)})")


def _slug(value: Any, ctx: _Context, field: str = "slug") -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise ctx.fail(field, f"must be lower-case kebab-case, got {value!r}")
    return value


def _text(value: Any, ctx: _Context, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ctx.fail(field, f"must be non-empty text, got {value!r}")
    return value.strip()


def _texts(value: Any, ctx: _Context, field: str, bounds: tuple[int, int]) -> list[str]:
    low, high = bounds
    if not isinstance(value, list) or not low <= len(value) <= high:
        raise ctx.fail(field, f"must be a list of {low} to {high} texts")
    return [_text(item, ctx, f"{field}[{i}]") for i, item in enumerate(value)]


def _same_length(items: list, original: list, ctx: _Context, field: str) -> list:
    if len(items) != len(original):
        raise ctx.fail(field, f"has {len(items)} items but the English text has {len(original)}")
    return items


def _choice(value: Any, vocabulary: tuple[str, ...], ctx: _Context, field: str) -> str:
    if value not in vocabulary:
        raise ctx.fail(field, f"{value!r} is not one of {', '.join(vocabulary)}")
    return value


def _choices(value: Any, vocabulary: tuple[str, ...], ctx: _Context, field: str, *, allow_empty: bool) -> list[str]:
    if not isinstance(value, list) or (not value and not allow_empty):
        raise ctx.fail(field, "must be a list" + ("" if allow_empty else " with at least one item"))
    if len(set(map(str, value))) != len(value):
        raise ctx.fail(field, "has repeated items")
    return [_choice(item, vocabulary, ctx, field) for item in value]


def _integer(value: Any, bounds: tuple[int, int], ctx: _Context, field: str) -> int:
    low, high = bounds
    # bool is an int subclass; "yes" must not pass as 1.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ctx.fail(field, f"must be a whole number from {low} to {high}, got {value!r}")
    return value


def _dose(value: Any, ctx: _Context) -> dict:
    _keys(value, DOSE_KEYS, ctx, "dose.")
    dose = {key: _integer(value[key], bounds, ctx, f"dose.{key}") for key, bounds in DOSE_LIMITS.items()}
    dose["side"] = _choice(value["side"], SIDES, ctx, "dose.side")
    load = value["load"]
    dose["load"] = None if load is None else _text(load, ctx, "dose.load")
    return {key: dose[key] for key in DOSE_KEYS}


def _media(value: Any, ctx: _Context, media_root: Path) -> str:
    if not isinstance(value, str) or not value or value.startswith("/") or ".." in Path(value).parts:
        raise ctx.fail("media", f"must be a relative path under the media folder, got {value!r}")
    if not (media_root / value).is_file():
        raise ctx.fail("media", f"file {value} not found in {media_root}")
    return value


def _optional_slug(value: Any, ctx: _Context, field: str) -> str | None:
    if value is None:
        return None
    if _slug(value, ctx, field) == ctx.slug:
        raise ctx.fail(field, "cannot name the exercise itself")
    return value


def _tags(value: Any, category: str, ctx: _Context) -> dict:
    _keys(value, TAG_KEYS, ctx, "tags.")
    loaded = value["loaded"]
    if not isinstance(loaded, bool):
        raise ctx.fail("tags.loaded", f"must be true or false, got {loaded!r}")
    tags = {
        "direction": _choice(value["direction"], DIRECTIONS, ctx, "tags.direction"),
        "irritability": _choices(value["irritability"], IRRITABILITY, ctx, "tags.irritability", allow_empty=False),
        "loaded": loaded,
        "entry": _entry(value["entry"], ctx),
    }
    if category in ENTRY_CATEGORIES and tags["entry"] is None:
        raise ctx.fail("tags.entry", f"category {category} needs an entry criterion")
    return tags


def _entry(value: Any, ctx: _Context) -> dict | None:
    if value is None:
        return None
    _keys(value, ENTRY_KEYS, ctx, "tags.entry.")
    return {
        "criterion": _choice(value["criterion"], tuple(ENTRY_CRITERIA), ctx, "tags.entry.criterion"),
        "minimum": _integer(value["minimum"], ENTRY_MINIMUM_RANGE, ctx, "tags.entry.minimum"),
    }


def _check_ladders(records: list[dict], origins: dict[str, Path]) -> None:
    """Each family is one linear ladder: mutual links within the family, no cycles, phases in order."""
    by_slug = {r["slug"]: r for r in records}

    def fail(record: dict, field: str, problem: str) -> CatalogError:
        return CatalogError(origins[record["slug"]], record["slug"], field, problem)

    for record in records:
        for field, back in (("easier", "harder"), ("harder", "easier")):
            other_slug = record[field]
            if other_slug is None:
                continue
            other = by_slug.get(other_slug)
            if other is None:
                raise fail(record, field, f"unknown exercise {other_slug!r}")
            if other["family"] != record["family"]:
                raise fail(record, field, f"{other_slug} is in family {other['family']}, not {record['family']}")
            if other[back] != record["slug"]:
                raise fail(record, field, f"not mutual: {other_slug}.{back} is {other[back]!r}, not {record['slug']!r}")
        if record["harder"] and PHASES.index(by_slug[record["harder"]]["phase"]) < PHASES.index(record["phase"]):
            raise fail(record, "harder", f"{record['harder']} is in an earlier phase than {record['phase']}")
    families: dict[str, list[dict]] = {}
    for record in records:
        families.setdefault(record["family"], []).append(record)
    for family, members in families.items():
        bottoms = [r for r in members if r["easier"] is None]
        if len(bottoms) != 1:
            # Mutual links make every family a set of chains and cycles; anything but one chain is wrong.
            culprit = bottoms[1] if bottoms else members[0]
            shape = "more than one ladder" if bottoms else "a cycle"
            raise fail(culprit, "family", f"family {family} is {shape}, not one linear ladder")
        length, current = 0, bottoms[0]
        while current is not None:
            length += 1
            current = by_slug[current["harder"]] if current["harder"] else None
        if length != len(members):
            raise fail(members[0], "family", f"family {family} has a cycle apart from its ladder")


def _translations(value: Any, keys: tuple[str, ...], build, ctx: _Context) -> dict:
    if not isinstance(value, dict):
        raise ctx.fail("translations", "must be a mapping of language code to texts")
    for language in REQUIRED_LANGUAGES:
        if language not in value:
            raise ctx.fail(f"translations.{language}", "missing translation")
    result = {}
    for language, texts in value.items():
        field = f"translations.{language}"
        if not isinstance(language, str) or not LANGUAGE_RE.match(language):
            raise ctx.fail(field, "language must be a code such as 'es' or 'pt-BR'")
        _keys(texts, keys, ctx, field + ".")
        result[language] = build(texts, field)
    return result
