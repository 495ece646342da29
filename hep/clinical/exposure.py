"""Graded exposure: a PHODA-style fear hierarchy and mastery of its items by prediction.

Activities are rated 0-100 for perceived harm and worked from lower to higher. Before each
exposure session the patient names the outcome they fear, how likely it is (0-100, the
*prediction*) and their fear (0-100); after it, whether the outcome happened, their fear again
and whether they used a safety behaviour. Exposure works when the expectation is violated and
updated (inhibitory learning), so mastery reads the predictions, not fear after alone.

An item is mastered when all of these hold (settings in :class:`ClinicalSettings`):

- ``sessions``: at least ``exposure_mastery_min_sessions`` (2) sessions with a prediction; the
  latest ``exposure_mastery_window`` (3) of them are read;
- ``prediction_low``: the latest prediction is at most ``exposure_prediction_mastery_max`` (25);
- ``prediction_fell``: it is at least ``exposure_prediction_drop_points`` (20) below the highest
  earlier prediction in the window;
- ``outcome_absent``: in the latest session the feared outcome did not happen;
- ``no_safety_behaviour``: no safety behaviour was used in the latest session;
- ``fear_before_down``: fear before the latest session is at most ``exposure_fear_before_max``
  (50), so an item faced at fear 90 every time is never mastered.

Sessions stored before predictions were asked for have ``prediction`` None: they are shown, but
never count towards mastery. Each condition is reported, met or not, so the therapist sees why.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from .settings import ClinicalSettings


def _check_rating(name: str, value: object, optional: bool = False) -> None:
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValueError(f"{name} must be an integer 0-100, got {value!r}")


def _check_flag(name: str, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise ValueError(f"{name} must be true, false or None, got {value!r}")


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
    """One exposure to ``item_id``; ``performed_at`` is an aware instant.

    ``prediction`` (0-100), ``outcome_happened`` and ``safety_behaviour`` are None for sessions
    recorded before they were asked for."""

    id: str
    item_id: str
    performed_at: datetime
    fear_before: int
    fear_after: int
    prediction: int | None = None
    outcome_happened: bool | None = None
    safety_behaviour: bool | None = None
    feared_outcome: str = ""

    def __post_init__(self) -> None:
        if self.performed_at.tzinfo is None:
            raise ValueError("performed_at must be timezone-aware")
        _check_rating("fear_before", self.fear_before)
        _check_rating("fear_after", self.fear_after)
        _check_rating("prediction", self.prediction, optional=True)
        _check_flag("outcome_happened", self.outcome_happened)
        _check_flag("safety_behaviour", self.safety_behaviour)

    @property
    def predicted(self) -> bool:
        """Whether the session carries a full prediction and its outcome."""
        return self.prediction is not None and self.outcome_happened is not None


@dataclass(frozen=True)
class Condition:
    """One mastery condition: a stable ``code``, whether it is ``met``, an English ``detail``
    for the therapist and the figures it compared."""

    code: str
    met: bool
    detail: str
    values: dict[str, int | bool | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "met": self.met, "detail": self.detail, "values": dict(self.values)}


@dataclass(frozen=True)
class Mastery:
    """The verdict for one item: ``status`` (not_started / in_progress / mastered), every
    condition with its reason, and the ids of the sessions read (``evidence``, oldest first)."""

    status: str
    conditions: tuple[Condition, ...]
    evidence: tuple[str, ...]

    @property
    def mastered(self) -> bool:
        return self.status == "mastered"

    def failing(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if not c.met)


def rank_hierarchy(items: Iterable[HierarchyItem]) -> tuple[HierarchyItem, ...]:
    """Lowest perceived harm first; ties by activity name, then id."""
    return tuple(sorted(items, key=lambda i: (i.harm_rating, i.activity.casefold(), i.id)))


def expected_versus_actual(session: ExposureSession) -> str:
    """One English line comparing the prediction with what happened, e.g.
    "expected 70 % likely; it did not happen"."""
    if session.prediction is None:
        return "no prediction recorded"
    if session.outcome_happened is None:
        return f"expected {session.prediction} % likely; outcome not recorded"
    happened = "it happened" if session.outcome_happened else "it did not happen"
    return f"expected {session.prediction} % likely; {happened}"


def mastery(sessions: Iterable[ExposureSession],
            settings: ClinicalSettings | None = None) -> Mastery:
    """Mastery of one item from its sessions, sorted by time; sessions at the same instant keep
    the order given (callers pass them in the order stored: ids are the client's random UUIDs, so
    they cannot break a tie).

    ``not_started`` when the item has no session at all, ``mastered`` when every condition in
    the module docstring holds, ``in_progress`` otherwise."""
    settings = settings or ClinicalSettings()
    ordered = sorted(sessions, key=lambda s: s.performed_at)  # stable: ties as given
    window = [s for s in ordered if s.predicted][-settings.exposure_mastery_window:]
    conditions = _conditions(window, settings)
    if not ordered:
        status = "not_started"
    elif all(c.met for c in conditions):
        status = "mastered"
    else:
        status = "in_progress"
    return Mastery(status=status, conditions=conditions, evidence=tuple(s.id for s in window))


def _conditions(window: list[ExposureSession], s: ClinicalSettings) -> tuple[Condition, ...]:
    need = s.exposure_mastery_min_sessions
    out = [Condition("sessions", len(window) >= need,
                     f"{len(window)} session(s) with a prediction; {need} needed",
                     {"sessions": len(window), "needed": need})]
    if not window:
        return tuple(out)
    latest = window[-1]
    earlier = max((x.prediction for x in window[:-1]), default=None)  # type: ignore[type-var]
    limit, drop = s.exposure_prediction_mastery_max, s.exposure_prediction_drop_points
    out.append(Condition("prediction_low", latest.prediction <= limit,  # type: ignore[operator]
                         f"latest prediction {latest.prediction} %; at most {limit} % needed",
                         {"prediction": latest.prediction, "limit": limit}))
    fell = None if earlier is None else earlier - latest.prediction  # type: ignore[operator]
    out.append(Condition(
        "prediction_fell", fell is not None and fell >= drop,
        (f"prediction fell by {fell} points over the last {len(window)} sessions; {drop} needed"
         if fell is not None else f"one prediction so far; a fall of {drop} points is needed"),
        {"fell": fell, "needed": drop}))
    out.append(Condition("outcome_absent", latest.outcome_happened is False,
                         "the feared outcome did not happen" if latest.outcome_happened is False
                         else "the feared outcome happened",
                         {"outcome_happened": latest.outcome_happened}))
    out.append(Condition("no_safety_behaviour", latest.safety_behaviour is False,
                         "no safety behaviour used" if latest.safety_behaviour is False
                         else ("a safety behaviour was used" if latest.safety_behaviour
                               else "safety behaviour not recorded"),
                         {"safety_behaviour": latest.safety_behaviour}))
    fear_max = s.exposure_fear_before_max
    out.append(Condition("fear_before_down", latest.fear_before <= fear_max,
                         f"fear before {latest.fear_before}; at most {fear_max} needed",
                         {"fear_before": latest.fear_before, "limit": fear_max}))
    return tuple(out)


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
