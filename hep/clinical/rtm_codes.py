"""The US remote-monitoring (RTM) code table as data: its format, loader and validation.

The shipped table is ``hep/library/rtm_codes.yaml`` (codes, day and minute bands, sources,
what is verified and what a clinic must check). A clinic whose payers read the codes
differently points ``HEP_RTM_CODES_PATH`` at its own file in the same format. Loading
validates the whole document and raises :class:`RtmCodesError` naming every bad field, so a
bad file stops the app at start-up instead of mis-reporting later.

Bands within a table are either/or: they must not overlap, so at most one applies.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hep.clinical.yaml_files import read_yaml

SHIPPED_PATH = Path(__file__).resolve().parent.parent / "library" / "rtm_codes.yaml"
_CODE = re.compile(r"^[0-9A-Z]{5}$")


class RtmCodesError(ValueError):
    """An invalid code table; ``errors`` maps a path in the document to messages."""

    def __init__(self, source: str, errors: dict[str, list[str]]) -> None:
        super().__init__(f"{source}: " + "; ".join(f"{k}: {' '.join(v)}"
                                                   for k, v in sorted(errors.items())))
        self.source = source
        self.errors = errors


@dataclass(frozen=True)
class Band:
    """A code that applies when a count is in ``low``..``high`` (``high`` None: no top)."""

    code: str
    low: int
    high: int | None

    def covers(self, value: int) -> bool:
        return value >= self.low and (self.high is None or value <= self.high)

    def describe(self, unit: str) -> str:
        top = f"-{self.high}" if self.high is not None else "+"
        return f"{self.code} ({self.low}{top} {unit})"


@dataclass(frozen=True)
class AddOn:
    """``code`` once for each further ``each_minutes`` after the ``base`` code's minimum."""

    code: str
    base: str
    each_minutes: int


@dataclass(frozen=True)
class RtmCodes:
    version: str
    sources: tuple[str, ...]
    verified: str
    clinic_must_check: str
    setup_code: str
    period_days: int
    day_bands: tuple[Band, ...]
    minute_bands: tuple[Band, ...]
    add_on: AddOn | None
    interactive_contact_required: bool

    def day_band(self, days: int) -> Band | None:
        """The one device-supply band that ``days`` days of data reach, or None."""
        return next((b for b in self.day_bands if b.covers(days)), None)

    def minute_band(self, minutes: int) -> Band | None:
        """The one management base band that ``minutes`` reach, or None."""
        return next((b for b in self.minute_bands if b.covers(minutes)), None)

    def to_dict(self) -> dict[str, object]:
        return {"version": self.version, "sources": list(self.sources),
                "verified": self.verified, "clinic_must_check": self.clinic_must_check,
                "setup_code": self.setup_code, "period_days": self.period_days,
                "day_bands": [_band_dict(b) for b in self.day_bands],
                "minute_bands": [_band_dict(b) for b in self.minute_bands],
                "add_on": None if self.add_on is None else {
                    "code": self.add_on.code, "base": self.add_on.base,
                    "each_minutes": self.add_on.each_minutes},
                "interactive_contact_required": self.interactive_contact_required}


def _band_dict(band: Band) -> dict[str, object]:
    return {"code": band.code, "min": band.low, "max": band.high}


def load_rtm_codes(path: str | Path | None = None) -> RtmCodes:
    """The table at ``path`` (default: the shipped one); raises :class:`RtmCodesError`."""
    path = Path(path) if path else SHIPPED_PATH
    try:
        document = read_yaml(path)
    except OSError as exc:
        raise RtmCodesError(str(path), {"_file": [f"Cannot be read ({exc.strerror})."]}) from exc
    except yaml.YAMLError as exc:
        raise RtmCodesError(str(path), {"_file": [f"Not valid YAML ({exc})."]}) from exc
    return parse_rtm_codes(document, str(path))


def parse_rtm_codes(document: Any, source: str = "<table>") -> RtmCodes:
    """Validate a loaded document; raises :class:`RtmCodesError` naming every bad field."""
    errors: dict[str, list[str]] = {}
    if not isinstance(document, Mapping):
        raise RtmCodesError(source, {"_file": ["Must be a mapping."]})
    reader = _Reader(document, errors)
    version = reader.text("version")
    sources = reader.texts("sources")
    verified = reader.text("verified")
    must_check = reader.text("clinic_must_check")
    setup = reader.code("setup.code")
    period_days = reader.integer("device_supply.period_days", 1, 31)
    day_bands = reader.bands("device_supply.bands", "days", 0, 31)
    minute_bands = reader.bands("management.bands", "minutes", 1, 24 * 60)
    contact = reader.get("management.interactive_contact_required")
    if not isinstance(contact, bool):
        errors["management.interactive_contact_required"] = ["Must be true or false."]
    add_on = None
    if reader.get("management.add_on") is not None:
        base = reader.code("management.add_on.base")
        add_on = AddOn(reader.code("management.add_on.code"), base,
                       reader.integer("management.add_on.each_minutes", 1, 240))
        if base and base not in {b.code for b in minute_bands}:
            errors.setdefault("management.add_on.base", []).append(
                "Must be one of the management band codes.")
    if period_days and any(b.high is not None and b.high > period_days for b in day_bands):
        errors.setdefault("device_supply.bands", []).append(
            "A band cannot count more days than the period has.")
    if errors:
        raise RtmCodesError(source, errors)
    return RtmCodes(version=version, sources=sources, verified=verified,
                    clinic_must_check=must_check, setup_code=setup, period_days=period_days,
                    day_bands=day_bands, minute_bands=minute_bands, add_on=add_on,
                    interactive_contact_required=contact)


class _Reader:
    """Reads dotted paths from the document, recording what is missing or wrong."""

    def __init__(self, document: Mapping, errors: dict[str, list[str]]) -> None:
        self.document, self.errors = document, errors

    def get(self, path: str) -> Any:
        node: Any = self.document
        for part in path.split("."):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, Mapping):
                node = node.get(part)
            else:
                return None
        return node

    def _fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def text(self, path: str) -> str:
        value = self.get(path)
        if not isinstance(value, str) or not value.strip():
            self._fail(path, "Must be non-empty text.")
            return ""
        return value.strip()

    def texts(self, path: str) -> tuple[str, ...]:
        value = self.get(path)
        if not isinstance(value, list) or not value or not all(
                isinstance(v, str) and v.strip() for v in value):
            self._fail(path, "Must be a non-empty list of text (where the codes come from).")
            return ()
        return tuple(v.strip() for v in value)

    def code(self, path: str) -> str:
        value = self.get(path)
        if not isinstance(value, str) or not _CODE.match(value):
            self._fail(path, "Must be a five-character code in quotes, e.g. \"98977\".")
            return ""
        return value

    def integer(self, path: str, low: int, high: int) -> int:
        value = self.get(path)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self._fail(path, f"Must be a whole number between {low} and {high}.")
            return 0
        return value

    def bands(self, path: str, unit: str, low: int, high: int) -> tuple[Band, ...]:
        """Bands sorted by their minimum; they must not overlap (either/or) and only the last
        may be open-ended."""
        value = self.get(path)
        if not isinstance(value, list) or not value:
            self._fail(path, "Must be a non-empty list of bands.")
            return ()
        bands = []
        for index in range(len(value)):
            at = f"{path}.{index}"
            code = self.code(f"{at}.code")
            minimum = self.integer(f"{at}.min_{unit}", low, high)
            top = self.get(f"{at}.max_{unit}")
            maximum = None if top is None else self.integer(f"{at}.max_{unit}", minimum, high)
            bands.append(Band(code, minimum, maximum))
        bands.sort(key=lambda b: b.low)
        for before, after in zip(bands, bands[1:], strict=False):
            if before.high is None or before.high >= after.low:
                self._fail(path, f"Bands overlap: {before.code} and {after.code} must be either/or.")
        if len({b.code for b in bands}) != len(bands):
            self._fail(path, "A code appears twice.")
        return tuple(bands)
