"""Loading the shipped exercise library and education cards into the database.

Idempotent: rows are matched by slug and updated in place, so ids (and the programs that
reference them) survive a re-seed; exercises no longer shipped are deactivated, not deleted.
The easier/harder links are set in a second pass, once every shipped row exists; a retired
exercise leaves its ladder (its own links are cleared, and no shipped exercise names it).
"""
from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from hep.db import db
from hep.library import catalog
from hep.models import EducationCard, Exercise

_EXERCISE_FIELDS = ("name", "phase", "category", "regions", "equipment", "summary", "steps",
                    "cues", "safety", "media", "translations", "family", "tags")


@dataclass(frozen=True)
class SeedResult:
    exercises_created: int
    exercises_updated: int
    exercises_retired: int
    cards_created: int
    cards_updated: int

    def __str__(self) -> str:
        return (f"exercises: {self.exercises_created} new, {self.exercises_updated} updated, "
                f"{self.exercises_retired} retired; education cards: {self.cards_created} new, "
                f"{self.cards_updated} updated")


def seed_library() -> SeedResult:
    exercises = catalog.load_exercises()
    cards = catalog.load_education()
    created = updated = cards_created = cards_updated = 0
    with db.atomic():
        existing = {e.slug: e for e in Exercise.select().where(Exercise.clinic.is_null())}
        new_rows, updated_slugs = [], set()
        for entry in exercises:
            values = {k: entry[k] for k in _EXERCISE_FIELDS}
            values["default_dose"] = entry["dose"]
            values["is_active"] = True
            row = existing.pop(entry["slug"], None)
            if row is None:
                new_rows.append({"slug": entry["slug"], "clinic": None, **values})
            elif any(getattr(row, k) != v for k, v in values.items()):
                Exercise.update(**values).where(Exercise.id == row.id).execute()
                updated += 1
                updated_slugs.add(entry["slug"])
        if new_rows:  # one statement: a first seed should not cost a round trip per row
            Exercise.insert_many(new_rows).execute()
            created = len(new_rows)
        retired = 0
        if existing:
            retired = Exercise.update(is_active=False, easier=None, harder=None).where(
                Exercise.id.in_([e.id for e in existing.values()]) & Exercise.is_active
            ).execute()
        updated += _link_neighbours(exercises, {row["slug"] for row in new_rows}, updated_slugs)
        known = {c.slug: c for c in EducationCard.select()}
        new_cards = []
        for position, entry in enumerate(cards):
            values = {k: entry[k] for k in ("title", "summary", "body", "reading_minutes", "phase", "translations")}
            values["position"] = position
            row = known.get(entry["slug"])
            if row is None:
                new_cards.append({"slug": entry["slug"], **values})
            elif any(getattr(row, k) != v for k, v in values.items()):
                EducationCard.update(**values).where(EducationCard.id == row.id).execute()
                cards_updated += 1
        if new_cards:
            EducationCard.insert_many(new_cards).execute()
            cards_created = len(new_cards)
    return SeedResult(created, updated, retired, cards_created, cards_updated)


def _link_neighbours(exercises: list[dict], created: set[str], already_updated: set[str]) -> int:
    """Point every shipped row at its easier and harder neighbour (one UPDATE for all changed
    rows); return how many changed rows were neither created nor already counted as updated."""
    rows = {e.slug: e for e in Exercise.select().where(Exercise.clinic.is_null())}
    wanted = {}
    for entry in exercises:
        row = rows[entry["slug"]]
        links = tuple(rows[entry[k]].id if entry[k] else None for k in ("easier", "harder"))
        if (row.easier_id, row.harder_id) != links:
            wanted[row.id] = (entry["slug"], links)
    if not wanted:
        return 0
    ids = list(wanted)
    Exercise.update(
        # The cast types a column of all-NULL values for PostgreSQL.
        easier=pw.Case(Exercise.id, [(i, wanted[i][1][0]) for i in ids]).cast("INTEGER"),
        harder=pw.Case(Exercise.id, [(i, wanted[i][1][1]) for i in ids]).cast("INTEGER"),
    ).where(Exercise.id.in_(ids)).execute()
    return sum(slug not in created and slug not in already_updated for slug, _ in wanted.values())
