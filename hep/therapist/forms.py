"""The program editor's HTML form, turned into the dict the API's ``ProgramIn`` loads.

The validation rules live in the schema only: this module converts field strings to the
shapes the schema expects (keeping what was typed when it is not a number, so the schema
names the field) and flattens the schema's messages to ``items.N.field`` keys, the same keys
``hep.programs.assign`` uses.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from hep.programs.versions import DOSE_FIELDS, dose_with_defaults

ALL_DAYS = [1, 2, 3, 4, 5, 6, 7]
INT_FIELDS = ("sets", "reps", "hold_seconds", "rest_seconds", "frequency_per_day", "pain_ceiling")
_ITEM_ID = re.compile(r"^items-(\d+)-exercise_id$")
_MOVE = re.compile(r"^(up|down)-(\d{1,3})$")


def number(text: str | None) -> int | str | None:
    """An int, None for an empty field, or the text itself for the schema to reject."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def decimal(text: str | None) -> float | str | None:
    """A number (``,`` or ``.`` as the decimal mark), None for an empty field, or the text
    itself for the schema to reject."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def rows_from_version(version: Mapping[str, Any] | None) -> list[dict]:
    """Editable rows pre-filled from a program version view (``programs.version_view``)."""
    if version is None:
        return []
    return [{"exercise_id": item["exercise_id"], **{k: item[k] for k in DOSE_FIELDS}}
            for item in version["items"]]


def rows_from_template(items: Iterable[Mapping[str, Any]], exercises: Mapping[int, Any]) -> list[dict]:
    """Editable rows from a template's items: the fields an item leaves out come from the
    exercise's library default, like a save; exercises no longer in ``exercises`` (the
    visible library, by id) are left out."""
    return [{"exercise_id": item["exercise_id"], **dose_with_defaults(item, exercises[item["exercise_id"]])}
            for item in items if item["exercise_id"] in exercises]


def row_from_library(exercise) -> dict:
    """A new row at the exercise's default dose."""
    return {"exercise_id": exercise.id, **dose_with_defaults({}, exercise)}


def rows_from_form(form: MultiDict) -> list[dict]:
    """The rows posted, in the order the therapist arranged them (:func:`posted_order`),
    leaving out those ticked for removal."""
    rows = []
    for i in posted_order(form):
        prefix = f"items-{i}-"
        if form.get(prefix + "remove"):
            continue
        row: dict[str, Any] = {"exercise_id": number(form.get(prefix + "exercise_id"))}
        row.update({name: number(form.get(prefix + name)) for name in INT_FIELDS})
        row["side"] = form.get(prefix + "side", "").strip() or None
        row["load"] = form.get(prefix + "load", "").strip() or None
        row["load_value"] = decimal(form.get(prefix + "load_value"))
        row["load_unit"] = form.get(prefix + "load_unit", "").strip() or None
        row["days_of_week"] = [number(day) for day in form.getlist(prefix + "days_of_week")]
        row["notes"] = form.get(prefix + "notes", "")
        row["self_progression"] = self_progression(form, prefix)
        rows.append(row)
    return rows


def self_progression(form: MultiDict, prefix: str) -> dict | None:
    """The row's self-progression bounds (``SelfProgressionIn``'s shape), None when the
    therapist allowed nothing (every field empty)."""
    bounds: dict[str, Any] = {}
    for name in ("reps_max", "reps_step"):
        value = number(form.get(prefix + "sp_" + name))
        if value is not None:
            bounds[name] = value
    if form.get(prefix + "sp_to_harder"):
        bounds["to_harder"] = True
    return bounds or None
def posted_order(form: MultiDict) -> list[int]:
    """The posted items' indexes in their new order: the ``order`` field (indexes,
    comma-separated, kept by the drag-and-drop script) when it lists each index once, else
    as numbered; then the step of a "move up" / "move down" button (``action`` ``up-N`` or
    ``down-N``, N the item's place in that order)."""
    indexes = sorted(int(m.group(1)) for key in form if (m := _ITEM_ID.match(key)))
    arranged = [number(part) for part in form.get("order", "").split(",")]
    if sorted(arranged, key=str) == sorted(indexes, key=str) and len(set(arranged)) == len(indexes):
        indexes = arranged
    step = _MOVE.match(form.get("action", ""))
    if step:
        place = int(step.group(2))
        other = place - 1 if step.group(1) == "up" else place + 1
        if 0 <= place < len(indexes) and 0 <= other < len(indexes):
            indexes[place], indexes[other] = indexes[other], indexes[place]
    return indexes


def moved_index(form: MultiDict) -> tuple[int, str] | None:
    """Where the item moved by a "move up" / "move down" button now is, and the direction
    (the page puts the focus back on that button); None for other actions."""
    step = _MOVE.match(form.get("action", ""))
    if not step:
        return None
    place = int(step.group(2)) + (-1 if step.group(1) == "up" else 1)
    return place, step.group(1)


def added_ids(form: MultiDict) -> list[int]:
    """Exercise ids ticked in the library list (anything not a number is ignored)."""
    return [n for n in (number(v) for v in form.getlist("add")) if isinstance(n, int)]


def payload(phase: str | None, notes: str, rows: Iterable[Mapping[str, Any]]) -> dict:
    """The body ``ProgramIn().load`` takes; empty fields are left out so the schema's
    defaults and "required" messages apply."""
    items = [{k: v for k, v in row.items() if v is not None or k in {"load", "load_value", "load_unit", "self_progression"}}
             for row in rows]
    body: dict[str, Any] = {"notes": notes, "items": items}
    if phase:
        body["phase"] = phase
    return body


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested messages as ``{"items.0.sets": [...]}``."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(messages, str):
        return {prefix: [messages]}
    return {prefix: [str(m) for m in messages]}


def errors_for(errors: Mapping[str, list[str]], name: str, nested: bool = True) -> list[str]:
    """Messages for field ``name`` (and, when ``nested``, for anything under it)."""
    found = list(errors.get(name, []))
    if nested:
        for key, value in errors.items():
            if key.startswith(name + "."):
                found.extend(value)
    return found


#: Offered in the add-patient form's list; any IANA name may be typed (the server checks).
COMMON_ZONES = (
    "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Madrid", "Europe/Paris",
    "Europe/Berlin", "Europe/Rome", "Europe/Amsterdam", "Europe/Brussels", "Europe/Zurich",
    "Europe/Stockholm", "Europe/Warsaw", "Europe/Athens", "Europe/Helsinki", "Europe/Istanbul",
    "Africa/Johannesburg", "Africa/Lagos", "Africa/Cairo", "Asia/Dubai", "Asia/Kolkata",
    "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Australia/Perth", "Australia/Sydney",
    "Pacific/Auckland", "America/St_Johns", "America/Halifax", "America/New_York",
    "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
    "America/Anchorage", "Pacific/Honolulu", "America/Mexico_City", "America/Bogota",
    "America/Lima", "America/Santiago", "America/Argentina/Buenos_Aires", "America/Sao_Paulo",
)
