"""What changed between two program versions: a pure function over version views.

A version view is the mapping ``hep.programs.versions.version_view`` returns (``phase``,
``notes``, ``items`` with ``exercise_id``, ``exercise_name`` and the dose fields). Items are
matched by exercise: an exercise only in the newer version is ``added``, only in the older one
``removed``; in both, each dose field whose value differs is one ``changed`` entry. The
version's own ``phase`` and ``notes`` are compared too (``exercise_id`` None). No database, no
Flask: the same inputs always give the same list.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: The version's own fields, compared before the exercises.
VERSION_FIELDS = ("phase", "notes")
#: An item's fields compared between versions (its dose and its place in the list are not
#: the same thing: a reorder alone is not reported).
ITEM_FIELDS = (
    "sets", "reps", "hold_seconds", "rest_seconds", "side", "load", "load_value", "load_unit",
    "frequency_per_day", "days_of_week", "pain_ceiling", "notes", "self_progression",
)


def _change(kind: str, item: Mapping[str, Any] | None, field: str | None,
            before: Any = None, after: Any = None) -> dict[str, Any]:
    return {"change": kind, "exercise_id": item["exercise_id"] if item else None,
            "exercise_name": item.get("exercise_name") if item else None,
            "field": field, "before": before, "after": after}


def _by_exercise(items: Sequence[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    # An exercise listed twice is compared by its first occurrence, as the volume check does.
    found: dict[int, Mapping[str, Any]] = {}
    for item in items:
        found.setdefault(item["exercise_id"], item)
    return found


def _same(field: str, before: Any, after: Any) -> bool:
    if field == "days_of_week":
        return sorted(before or []) == sorted(after or [])
    return before == after


def version_changes(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The changes from ``previous`` to ``current`` (both version views), in this order:
    the version's fields, then removed exercises (in ``previous``'s order), then added and
    changed ones (in ``current``'s order). The first version (``previous`` None) lists every
    exercise as added and nothing else.

    Each change: ``{change: added|removed|changed, exercise_id, exercise_name, field, before,
    after}``; ``field``, ``before`` and ``after`` are None for added and removed exercises.
    """
    new_items = _by_exercise(current["items"])
    if previous is None:
        return [_change("added", item, None) for item in new_items.values()]
    changes = [_change("changed", None, name, previous.get(name), current.get(name))
               for name in VERSION_FIELDS if previous.get(name) != current.get(name)]
    old_items = _by_exercise(previous["items"])
    changes += [_change("removed", item, None) for key, item in old_items.items() if key not in new_items]
    for key, item in new_items.items():
        old = old_items.get(key)
        if old is None:
            changes.append(_change("added", item, None))
            continue
        changes += [_change("changed", item, name, old.get(name), item.get(name))
                    for name in ITEM_FIELDS if not _same(name, old.get(name), item.get(name))]
    return changes
