"""The one place where instants and patients' local days meet.

Instants are stored as naive UTC datetimes (the same on SQLite and PostgreSQL) and handed
out as aware UTC datetimes; a patient's day is a ``date`` in the patient's IANA zone.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def to_storage(instant: datetime) -> datetime:
    """An aware datetime as the naive UTC value stored in the database."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: an instant needs a UTC offset")
    return instant.astimezone(UTC).replace(tzinfo=None)


def from_storage(value: datetime | None) -> datetime | None:
    """A stored naive UTC value as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite may hand back text for computed columns
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name; raises ``ValueError`` for an unknown name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone: {name!r}") from exc


def is_valid_zone(name: str) -> bool:
    return name in _zones()


def local_date(instant: datetime, tz: str | ZoneInfo) -> date:
    """The patient's calendar day on which the aware ``instant`` falls (zone by name or
    ZoneInfo); a naive datetime raises ``ValueError``."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("naive datetime: an instant needs a UTC offset")
    return instant.astimezone(zone(tz) if isinstance(tz, str) else tz).date()


def today_in(tz_name: str, now: datetime | None = None) -> date:
    return local_date(now or utcnow(), tz_name)


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES
