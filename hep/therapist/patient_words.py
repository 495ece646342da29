"""The patient app's wording, on the server: the handout and "Preview as patient" show a
dose the way the app's Today does (``static/js/ui.js`` ``doseText``), in the same words.

The messages are the app's own msgids (``{n}`` placeholders, filled in here), so one
translation in the catalog serves the app and these pages alike.
"""
from __future__ import annotations

from flask_babel import gettext as _


def fill(message: str, **values) -> str:
    """An app message with its ``{name}`` placeholders filled in."""
    for key, value in values.items():
        message = message.replace("{" + key + "}", str(value))
    return message


def side_text(side: str | None) -> str:
    return {"both": _("each side"), "left": _("left side"), "right": _("right side"),
            "alternate": _("alternating sides")}.get(side or "", "")


def dose_text(dose: dict) -> str:
    """"3 sets · 10 reps · hold 5 s · each side", as ``doseText`` in the app."""
    parts = []
    if dose.get("sets"):
        parts.append(_("1 set") if dose["sets"] == 1 else fill(_("{n} sets"), n=dose["sets"]))
    if dose.get("reps"):
        parts.append(_("1 rep") if dose["reps"] == 1 else fill(_("{n} reps"), n=dose["reps"]))
    if dose.get("hold_seconds"):
        parts.append(fill(_("hold {n} s"), n=dose["hold_seconds"]))
    if side_text(dose.get("side")):
        parts.append(side_text(dose.get("side")))
    if dose.get("load"):
        parts.append(str(dose["load"]))
    return " · ".join(parts)


def phase_name(phase: str | None) -> str:
    return {"calm": _("Calm the nerves"), "exposure": _("Graded exposure"),
            "load": _("Strength and load")}.get(phase or "", phase or "")


def pain_ceiling_text(ceiling: int | None) -> str:
    if ceiling is None:
        return ""
    return fill(_("Keep pain at or below {n} out of 10 while you do this. If it goes higher, do less or stop, "
                  "and log it."), n=ceiling)


def count_text(done: int, target: int) -> str:
    if target > 0 and done >= target:
        return _("Done for today ✓")
    return fill(_("{done} of {target} done today"), done=done, target=target)
