"""Graded exposure: a PHODA-style fear hierarchy and mastery of its items.

Activities are rated 0-100 for perceived harm and worked from lower to higher. Each exposure
session records fear before and after (0-100). An item is mastered when fear after stays at or
below ``settings.exposure_fear_mastery_max`` on the last ``settings.exposure_mastery_sessions``
sessions; a change of more than ``settings.exposure_meaningful_change_points`` is meaningful.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .settings import ClinicalSettings


def _check_rating(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValueError(f"{name} must be an integer 0-100, got {value!r}")


@dataclass(frozen=True)
class HierarchyItem:
    """One feared activity and its perceived-harm rating (0-100)."""

    id: str
    activity: str
    harm_rating: int

    def __post_init__(self) -> None:
        _check_rating("harm_rating", self.harm_rating)


@dataclass(frozen=True)
class ExposureSession:
    """One exposure to ``item_id``; ``performed_at`` is an aware instant."""

    id: str
    item_id: str
    performed_at: datetime
    fear_before: int
    fear_after: int

    def __post_init__(self) -> None:
        if self.performed_at.tzinfo is None:
            raise ValueError("performed_at must be timezone-aware")
        _check_rating("fear_before", self.fear_before)
        _check_rating("fear_after", self.fear_after)


@dataclass(frozen=True)
class Mastery:
    """``streak``: the latest consecutive sessions with fear after at/below ``threshold``."""

    mastered: bool
    streak: int
    required: int
    threshold: int
    evidence: tuple[str, ...]


def rank_hierarchy(items: Iterable[HierarchyItem]) -> tuple[HierarchyItem, ...]:
    """Lowest perceived harm first; ties by activity name, then id."""
    return tuple(sorted(items, key=lambda i: (i.harm_rating, i.activity.casefold(), i.id)))


def mastery(sessions: Iterable[ExposureSession],
            settings: ClinicalSettings | None = None) -> Mastery:
    """Mastery of one item from its sessions (any order; sorted by time, then id)."""
    settings = settings or ClinicalSettings()
    ordered = sorted(sessions, key=lambda s: (s.performed_at, s.id))
    streak: list[ExposureSession] = []
    for session in reversed(ordered):
        if session.fear_after > settings.exposure_fear_mastery_max:
            break
        streak.append(session)
    return Mastery(mastered=len(streak) >= settings.exposure_mastery_sessions,
                   streak=len(streak), required=settings.exposure_mastery_sessions,
                   threshold=settings.exposure_fear_mastery_max,
                   evidence=tuple(s.id for s in reversed(streak)))


def meaningful_change(a: int, b: int, settings: ClinicalSettings | None = None) -> bool:
    """Whether two 0-100 ratings differ by more than the meaningful change (default 20)."""
    settings = settings or ClinicalSettings()
    return abs(b - a) > settings.exposure_meaningful_change_points


def next_item(items: Iterable[HierarchyItem], sessions: Iterable[ExposureSession],
              settings: ClinicalSettings | None = None) -> HierarchyItem | None:
    """The lowest-ranked item not yet mastered (None when all are)."""
    by_item: dict[str, list[ExposureSession]] = {}
    for session in sessions:
        by_item.setdefault(session.item_id, []).append(session)
    for item in rank_hierarchy(items):
        if not mastery(by_item.get(item.id, []), settings).mastered:
            return item
    return None
