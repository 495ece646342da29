"""The patient app: the PWA shell, its service worker, manifest, client catalogs and join page.

Everything the patient sees after joining is rendered in the browser from the JSON API by
the ES modules in ``static/js``; this blueprint only serves the files the app is made of.
The shell holds no user data, so the service worker can precache it and the app opens
offline.
"""

import hashlib
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hep import i18n
from hep.people import accounts

bp = Blueprint("patient", __name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "patient"
THEME_COLOR = "#0b5f4a"
BACKGROUND_COLOR = "#f7f7f2"
# The outbox core: imported by the page (js/api.js, js/outbox.js) and loaded by the service
# worker with importScripts (it is written to be both a module and a classic script).
OUTBOX_CORE = "js/outbox-core.js"
# Modules under LAZY_DIR are left out of the shell and imported when first opened (app.js):
# not precached either; the worker keeps a copy once fetched (sw.js, LAZY).
LAZY_DIR = "js/lazy/"


def _module_paths():
    """Static paths of the client modules and styles, in a stable order."""
    paths = sorted(p.relative_to(STATIC_DIR).as_posix() for p in (STATIC_DIR / "js").rglob("*.js"))
    paths = [p for p in paths if p != "js/join.js"]  # only the join page needs it
    return paths + ["css/app.css"]


def shell_files():
    """``(urls, version)``: what the service worker precaches and a hash of all of it (the
    lazily loaded screens included, so a change to one installs a new worker too).

    Memoised per app (recomputed in debug mode, where files change under a running server).
    """
    cached = current_app.extensions.get("hep_patient_shell")
    if cached and not current_app.debug:
        return cached
    static_paths = _module_paths()
    digest = hashlib.sha256()
    for rel in static_paths:
        digest.update(rel.encode())
        digest.update((STATIC_DIR / rel).read_bytes())
    for template in sorted(TEMPLATE_DIR.glob("*")):
        digest.update(template.read_bytes())
    for po in sorted(i18n.SOURCE_DIR.glob("*/LC_MESSAGES/messages.po")):
        digest.update(po.read_bytes())
    # The catalogs are cached on first use (only the patient's language is ever needed).
    urls = ["/app/"] + [url_for("static", filename=rel) for rel in static_paths if not rel.startswith(LAZY_DIR)]
    result = (urls, digest.hexdigest()[:12])
    current_app.extensions["hep_patient_shell"] = result
    return result


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/app/")
def shell():
    """The app shell; the client renders every view from the API."""
    modules = [url_for("static", filename=p) for p in _module_paths()
               if p.endswith(".js") and not p.startswith(LAZY_DIR)]
    html = render_template("patient/app.html", modules=modules, theme_color=THEME_COLOR)
    response = current_app.make_response(html)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from the root so its scope is the whole origin."""
    urls, version = shell_files()
    core = url_for("static", filename=OUTBOX_CORE)  # under js/, so in the precached shell too
    # `shell` is the template's list of app-shell URLs, not a subprocess flag (bandit matches the keyword name).
    body = render_template("patient/sw.js", version=version, shell=urls, core_url=core,  # nosec B604
                           lazy_prefix=url_for("static", filename=LAZY_DIR))
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    """Web app manifest: what makes the app installable."""
    icon = lambda name, size, purpose: {  # noqa: E731
        "src": url_for("static", filename=f"icons/{name}"),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }
    data = {
        "id": "/app/",
        "name": _("My exercises – home program"),
        "short_name": _("Exercises"),
        "description": _("Your home exercise program, check-ins and progress."),
        "lang": str(_current_locale()),
        "start_url": "/app/#/today",
        "scope": "/app/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": BACKGROUND_COLOR,
        "theme_color": THEME_COLOR,
        "categories": ["health", "medical", "fitness"],
        "icons": [
            icon("icon-192.png", 192, "any"),
            icon("icon-512.png", 512, "any"),
            icon("icon-maskable-512.png", 512, "maskable"),
        ],
    }
    response = jsonify(data)
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


def _current_locale():
    from flask_babel import get_locale

    return get_locale() or i18n.DEFAULT_LOCALE


@bp.get("/i18n/<locale>.json")
def client_catalog(locale):
    """The client's message catalog, built from the same .po files as the server's."""
    try:
        data = i18n.catalog_json(locale)
    except KeyError:
        abort(404)
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/join/<token>")
def join(token):
    """Join page. Opening it does not use the invite up: link previewers fetch URLs too.

    The patient taps a button and ``static/js/join.js`` posts the token to the API. A phone
    already signed in as the link's patient goes straight into the app. A browser signed in
    as a therapist (or admin) is told the link is for the patient's phone, with no button.
    """
    if len(token) > 512:
        abort(404)
    if accounts.reopen_join(token):
        response = _no_store(redirect(url_for("patient.shell") + "#/today", code=303))
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    # Staff who open a patient's link (to check it, or from a shared inbox) must neither be
    # signed out nor use the link up: the page says so and offers no button.
    staff = current_user.is_authenticated and current_user.role != "patient"
    html = render_template("patient/join.html", token=None if staff else token, staff=staff,
                           theme_color=THEME_COLOR)
    response = _no_store(current_app.make_response(html))
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
