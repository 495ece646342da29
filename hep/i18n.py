"""Languages: Flask-Babel for server pages and the same gettext catalogs for the client.

The source of truth is ``hep/translations/<lang>/LC_MESSAGES/messages.po``. At start-up
``init_app`` compiles each catalog into ``<instance_path>/translations`` (the ``.mo`` files
are build output and never committed) and points Flask-Babel there. ``catalog_json``
turns the same ``.po`` into the ``{msgid: msgstr}`` map that ``static/js/i18n.js`` loads.
"""

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import request
from flask_babel import Babel, get_locale

#: Languages shipped, the first one is the default and needs no catalog.
LOCALES = ("en", "es")
DEFAULT_LOCALE = LOCALES[0]
#: Name of the cookie the patient app sets when the patient picks a language.
LOCALE_COOKIE = "hep_locale"

SOURCE_DIR = Path(__file__).parent / "translations"

_po_cache: dict[str, tuple[float, dict]] = {}


def normalize_locale(value):
    """'es-MX' or 'es_MX' -> 'es'; returns None for a language that is not shipped."""
    if not value:
        return None
    lang = str(value).replace("_", "-").split("-")[0].strip().lower()
    return lang if lang in LOCALES else None


def select_locale():
    """The user's saved choice, then the language cookie, then the browser's preference."""
    try:
        from flask_login import current_user

        chosen = normalize_locale(getattr(current_user, "locale", None))
    except Exception:  # no login manager on this app (e.g. a bare test app)
        chosen = None
    if chosen:
        return chosen
    chosen = normalize_locale(request.cookies.get(LOCALE_COOKIE))
    if chosen:
        return chosen
    return request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE)


def compile_catalogs(target_dir):
    """Compile every shipped ``.po`` into ``target_dir``; returns the languages compiled.

    Writes go through a temporary file and ``os.replace`` so that several workers starting
    at once never read a half-written ``.mo``.
    """
    compiled = []
    for po_path in sorted(SOURCE_DIR.glob("*/LC_MESSAGES/messages.po")):
        lang = po_path.parent.parent.name
        mo_dir = Path(target_dir) / lang / "LC_MESSAGES"
        mo_dir.mkdir(parents=True, exist_ok=True)
        mo_path = mo_dir / "messages.mo"
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            compiled.append(lang)
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        fd, tmp = tempfile.mkstemp(dir=mo_dir, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(tmp, mo_path)
        compiled.append(lang)
    return compiled


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
