"""Validation messages as data: a stable code, its figures, and the English text.

A :class:`Message` is a ``str`` (the English text), so it serialises and compares as before;
its ``code`` and ``params`` let the interfaces translate it in one place
(``hep.i18n.translate_message``) instead of matching English text.
"""
from __future__ import annotations

from typing import Any

#: code -> English template (``str.format`` with the message's params).
TEXTS: dict[str, str] = {
    "required": "Required.",
    "boolean": "Must be true or false.",
    "whole_number": "Must be a whole number.",
    "number": "Must be a number.",
    "between": "Must be between {low} and {high}.",
    "one_of": "Must be one of: {choices}.",
    "text": "Must be text.",
    "non_empty_text": "Must be non-empty text.",
    "max_characters": "Must be at most {n} characters.",
    "list": "Must be a list.",
    "unknown_choice": "Unknown choice: {value!r}.",
    "choices_repeat": "Choices must not repeat.",
    "entry_text": "Each entry must be non-empty text of at most 200 characters.",
    "entries_between": "Must have between {low} and {high} entries.",
    "unknown_field": "Unknown field.",
    "unknown_setting": "Unknown setting.",
    "unknown_item": "Unknown item.",
    "items_between": "Name between {low} and {high} items.",
    "items_at_most": "At most {n} items.",
    "answers_mapping": "Answers must be a mapping of item id to a number.",
    "below_setting": "Must be below {other}.",
    "hold_band_empty": "Must be below {other} (the hold band would be empty).",
    "not_above_setting": "Must not exceed {other}.",
}


class Message(str):
    """``Message("between", low=0, high=10)`` reads "Must be between 0 and 10."."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, **params: Any) -> Message:
        shown = {k: f"{v:g}" if isinstance(v, float) else v for k, v in params.items()}
        message = super().__new__(cls, TEXTS[code].format(**shown))
        message.code = code
        message.params = shown
        return message

    def __reduce__(self):  # copies and pickles keep the code
        return (_rebuild, (self.code, self.params))


def _rebuild(code: str, params: dict[str, Any]) -> Message:
    return Message(code, **params)
