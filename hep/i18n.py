"""Languages: Flask-Babel for server pages and the same gettext catalogs for the client.

The source of truth is ``hep/translations/<lang>/LC_MESSAGES/messages.po``. At start-up
``init_app`` compiles each catalog into ``<instance_path>/translations`` (the ``.mo`` files
are build output and never committed) and points Flask-Babel there. ``catalog_json``
turns the same ``.po`` into the ``{msgid: msgstr}`` map that ``static/js/i18n.js`` loads.
"""

import functools
import io
import os
import re
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import has_request_context, request
from flask_babel import Babel, force_locale, get_locale, gettext

from hep.instance import private_folder

#: Languages shipped, the first one is the default and needs no catalog.
LOCALES = ("en", "es")
DEFAULT_LOCALE = LOCALES[0]
#: Name of the cookie the patient app sets when the patient picks a language.
LOCALE_COOKIE = "hep_locale"
#: The patient app names the language it shows on every API call: its answers (exercise
#: names, error titles) match the screen even before the saved choice reached the server.
LOCALE_HEADER = "X-HEP-Locale"

SOURCE_DIR = Path(__file__).parent / "translations"

_po_cache: dict[str, tuple[float, dict]] = {}


def normalize_locale(value):
    """'es-MX' or 'es_MX' -> 'es'; returns None for a language that is not shipped."""
    if not value:
        return None
    lang = str(value).replace("_", "-").split("-")[0].strip().lower()
    return lang if lang in LOCALES else None


def select_locale():
    """The app's ``X-HEP-Locale`` header, then the user's saved choice, then the language
    cookie, then the browser's preference (outside a request, e.g. on the command line:
    the default)."""
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = normalize_locale(request.headers.get(LOCALE_HEADER))
    if chosen:
        return chosen
    try:
        from flask_login import current_user

        chosen = normalize_locale(getattr(current_user, "locale", None))
    except Exception:  # no login manager on this app (e.g. a bare test app)
        chosen = None
    return chosen or _asked_locale()


def _asked_locale():
    """What the request itself asks for, without reading the account: the language cookie,
    then ``Accept-Language`` (the app's header is read before both, by the callers)."""
    chosen = normalize_locale(request.cookies.get(LOCALE_COOKIE))
    if chosen:
        return chosen
    return request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE)


def compile_catalogs(target_dir):
    """Compile every shipped ``.po`` into ``target_dir``; returns the languages compiled.

    Writes go through a temporary file and ``os.replace`` so that several workers starting
    at once never read a half-written ``.mo``; the file is made by ``mkstemp``, so it is
    0600, and the folders hep creates are 0700 (``hep.instance``).
    """
    compiled = []
    for po_path in sorted(SOURCE_DIR.glob("*/LC_MESSAGES/messages.po")):
        lang = po_path.parent.parent.name
        mo_dir = Path(target_dir) / lang / "LC_MESSAGES"
        private_folder(mo_dir)
        mo_path = mo_dir / "messages.mo"
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            compiled.append(lang)
            continue
        fd, tmp = tempfile.mkstemp(dir=mo_dir, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(_mo_bytes(po_path, lang, po_path.stat().st_mtime_ns))
        os.replace(tmp, mo_path)
        compiled.append(lang)
    return compiled


@functools.lru_cache(maxsize=8)
def _mo_bytes(po_path: Path, lang: str, mtime_ns: int) -> bytes:
    """The compiled catalog of ``po_path``, parsed once per process and version of the file
    (each app of a process, a test's or a worker's, writes the same bytes to its instance)."""
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def init_app(app):
    """Compile the catalogs and set Flask-Babel up on ``app``."""
    target = os.path.join(app.instance_path, "translations")
    compile_catalogs(target)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = target
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals.setdefault("hep_locales", LOCALES)
    app.jinja_env.globals.setdefault("get_locale", get_locale)


def _read_catalog(lang):
    po_path = SOURCE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return {}
    mtime = po_path.stat().st_mtime
    cached = _po_cache.get(lang)
    if cached and cached[0] == mtime:
        return cached[1]
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    messages = {}
    for message in catalog:
        if not message.id or message.fuzzy or not message.string:
            continue
        if isinstance(message.id, tuple):  # plural forms are not used by the client
            continue
        locations = [path for path, _line in message.locations]
        # Only what the client modules use: keeps the download small. A catalog written
        # without locations is sent whole.
        if locations and not any(path.endswith(".js") for path in locations):
            continue
        messages[message.id] = message.string
    _po_cache[lang] = (mtime, messages)
    return messages


def catalog_json(locale):
    """``{"locale", "messages": {msgid: msgstr}}`` for the client; KeyError if not shipped."""
    lang = normalize_locale(locale)
    if lang is None or lang != str(locale).lower():
        raise KeyError(locale)
    messages = {} if lang == DEFAULT_LOCALE else dict(_read_catalog(lang))
    return {"locale": lang, "messages": messages}


def N_(text: str) -> str:
    """Mark ``text`` for extraction; it is translated where it is shown."""
    return text


#: The titles errors carry (werkzeug's status names and the domain errors' own), marked so
#: that the catalogs have them: ``hep.errors`` translates a problem's ``title`` by them.
ERROR_TITLES = (
    N_("Bad Request"), N_("Unauthorized"), N_("Forbidden"), N_("Not Found"), N_("Method Not Allowed"),
    N_("Not Acceptable"), N_("Conflict"), N_("Gone"), N_("Request Entity Too Large"),
    N_("Unsupported Media Type"), N_("Unprocessable Entity"), N_("Too Many Requests"),
    N_("Internal Server Error"), N_("Service Unavailable"),
)


def translate_title(title: str) -> str:
    """A problem's ``title`` in the language the request names (``X-HEP-Locale``, the cookie,
    ``Accept-Language``); a title not in the catalog as is. It does not read the account: an
    error may be answered after the request's database connection went back."""
    if title not in ERROR_TITLES or not has_request_context():
        return title
    with force_locale(normalize_locale(request.headers.get(LOCALE_HEADER)) or _asked_locale()):
        return gettext(title)


#: The clinical engine's message codes (``hep.clinical.messages``) as translatable templates.
ENGINE_MESSAGES = {
    "required": N_("Required."),
    "boolean": N_("Answer yes or no."),
    "whole_number": N_("Must be a whole number."),
    "number": N_("Must be a number."),
    "between": N_("Must be between %(low)s and %(high)s."),
    "one_of": N_("Choose one of the options."),
    "text": N_("Must be text."),
    "non_empty_text": N_("Must be non-empty text."),
    "max_characters": N_("Must be at most %(n)s characters."),
    "list": N_("Must be a list."),
    "unknown_choice": N_("Choose one of the options."),
    "choices_repeat": N_("Choices must not repeat."),
    "entry_text": N_("Each entry must be non-empty text of at most 200 characters."),
    "entries_between": N_("Must have between %(low)s and %(high)s entries, one per line."),
    "unknown_field": N_("Unknown field."),
    "unknown_setting": N_("Unknown setting."),
    "unknown_item": N_("Unknown item."),
    "items_between": N_("Name between %(low)s and %(high)s activities."),
    "items_at_most": N_("At most %(n)s activities."),
    "answers_mapping": N_("Answer every question with a number."),
    "below_setting": N_("Must be below: %(other)s."),
    "hold_band_empty": N_("Must be below the pain that makes it regress (otherwise there is no hold band)."),
    "not_above_setting": N_("Must not exceed: %(other)s."),
}
#: marshmallow's own messages, by their text.
SCHEMA_MESSAGES = {
    "Missing data for required field.": N_("Required."),
    "Field may not be null.": N_("Required."),
    "Not a valid integer.": N_("Must be a whole number."),
    "Not a valid number.": N_("Must be a number."),
    "Not a valid boolean.": N_("Answer yes or no."),
    "Unknown field.": N_("Unknown field."),
    "Not a valid date.": N_("Must be a date."),
    "The first day must not be after the last.": N_("The first day must not be after the last."),
}
# marshmallow's validator messages, which carry their figures in the text.
SCHEMA_PATTERNS = (
    (re.compile(r"^Must be greater than or equal to (?P<low>-?[\d.]+) and less than or equal to (?P<high>-?[\d.]+)\.$"),
     N_("Must be between %(low)s and %(high)s.")),
    (re.compile(r"^Length must be between (?P<low>\d+) and (?P<high>\d+)\.$"),
     N_("Must be between %(low)s and %(high)s characters long.")),
)


def translate_message(message: str, names: dict[str, str] | None = None) -> str:
    """A validation message in the user's language: the clinical engine's by its code
    (``hep.clinical.messages.Message``), marshmallow's by its text; anything else as it is.
    ``names`` gives readable names for the settings a message refers to."""
    from flask_babel import gettext

    from hep.clinical.messages import Message

    if isinstance(message, Message):
        params = dict(message.params)
        if "other" in params:
            params["other"] = (names or {}).get(params["other"], params["other"])
        template = ENGINE_MESSAGES.get(message.code)
        return gettext(template, **params) if template else str(message)
    if message in SCHEMA_MESSAGES:
        return gettext(SCHEMA_MESSAGES[message])
    for pattern, template in SCHEMA_PATTERNS:
        if match := pattern.match(message):
            return gettext(template, **match.groupdict())
    return message


def translate_errors(errors: dict | None, names: dict[str, str] | None = None) -> dict | None:
    """Every message of a field -> messages mapping, translated (``translate_message``)."""
    if not errors:
        return errors
    return {field: [translate_message(m, names) if isinstance(m, str) else m for m in messages]
            if isinstance(messages, list) else messages
            for field, messages in errors.items()}
