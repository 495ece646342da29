"""Static files served by WhiteNoise: compressed (Brotli and gzip) and cached for a year
when the URL carries the current version.

``static_url(filename)`` is ``url_for("static", ...)`` plus ``?v=<version>``, where the version
is a hash of every file under ``hep/static``: such a URL names one content for good, so it is
served ``immutable`` for a year. The same path without the version (the modules the app
imports by relative path, old links) is revalidated on every use (``max-age=0`` with an ETag
and Last-Modified). The service worker and the manifest are Flask routes, not static files,
and keep their ``no-cache``.

Compressed copies are written once per version into ``STATIC_CACHE_DIR`` (default
``<instance>/static-cache``), as a mirror of ``hep/static`` with ``.br`` and ``.gz``
files beside the originals, which WhiteNoise picks by the request's Accept-Encoding.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import struct
import tempfile
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

from flask import Flask, Response, current_app, url_for
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from hep.instance import FILE_MODE, FOLDER_MODE, private_folder
from hep.security import SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY, SUBRESOURCE_HEADERS

STATIC_DIR = Path(__file__).resolve().parent / "static"
YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR}, immutable"


def tree_version(root: Path = STATIC_DIR) -> str:
    """A hash of every file's path and content under ``root``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def compressed_mirror(cache_dir: Path, version: str, root: Path = STATIC_DIR) -> Path:
    """``cache_dir/<version>``: a copy of ``root`` with compressed siblings, built once (in a
    temporary folder renamed into place, so workers starting together do not see half of it)."""
    target = cache_dir / version
    if target.is_dir():
        return target
    private_folder(cache_dir)
    building = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=cache_dir))  # mode 0700
    shutil.copytree(root, building, dirs_exist_ok=True)
    compressor = Compressor(quiet=True)
    for path in [p for p in building.rglob("*") if p.is_file()]:
        if compressor.should_compress(path.name):
            compressor.compress(str(path))
    # Owner-only like the rest of the instance folder (the copies took the package's modes).
    for path in [building, *building.rglob("*")]:
        os.chmod(path, FOLDER_MODE if path.is_dir() else FILE_MODE)
    try:
        os.rename(building, target)
    except OSError:  # another process got there first
        shutil.rmtree(building, ignore_errors=True)
    for old in cache_dir.iterdir():  # earlier versions' copies
        if old.is_dir() and old.name != version and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
    return target


class VersionedStatic:
    """WSGI middleware: WhiteNoise for ``/static/``, with the year-long immutable
    Cache-Control on URLs whose ``v`` is the current version, and the security headers of
    :mod:`hep.security` (these answers never reach Flask). Installed inside ``ProxyFix``, so
    the scheme is the one the client saw."""

    def __init__(self, app, root: Path, version: str) -> None:
        self.version = version
        self.whitenoise = WhiteNoise(app, root=str(root), prefix="/static/", max_age=0)

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith("/static/"):
            return self.whitenoise(environ, start_response)
        current = parse_qs(environ.get("QUERY_STRING", "")).get("v", [None])[-1] == self.version
        secure = environ.get("wsgi.url_scheme") == "https"
        svg = environ["PATH_INFO"].endswith(".svg")

        def start(status, headers, exc_info=None):
            if status.startswith(("200", "206", "304")):  # WhiteNoise's; errors are Flask's pages
                if current:
                    headers = [(k, v) for k, v in headers if k.lower() != "cache-control"]
                    headers.append(("Cache-Control", IMMUTABLE))
                headers = headers + _security_headers(document=svg and not status.startswith("304"), secure=secure)
            return start_response(status, headers, exc_info)

        return self.whitenoise(environ, start)


def _security_headers(*, document: bool, secure: bool) -> list[tuple[str, str]]:
    """The headers :func:`hep.security.add_security_headers` gives a static file: a script,
    stylesheet or image (or a revalidation) only those that act on it; an SVG opened on its
    own is a document."""
    headers = SECURITY_HEADERS if document else {name: SECURITY_HEADERS[name] for name in SUBRESOURCE_HEADERS}
    extra = [("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)] if secure else []
    return list(headers.items()) + extra


def static_url(filename: str) -> str:
    """The versioned URL of a static file (cached for a year by browsers)."""
    return url_for("static", filename=filename, v=current_app.extensions["hep_static_version"])


def init_app(app: Flask) -> None:
    version = tree_version()
    cache_dir = Path(app.config.get("STATIC_CACHE_DIR") or Path(app.instance_path) / "static-cache")
    app.extensions["hep_static_version"] = version
    app.wsgi_app = VersionedStatic(app.wsgi_app, compressed_mirror(cache_dir, version), version)
    app.jinja_env.globals["static_url"] = static_url


# /favicon.ico: browsers ask for it on every page that names no icon. An ICO file may hold a PNG
# as is (one directory entry pointing at the PNG bytes), so the shipped icon is served without
# an image library; built once per process and cached by browsers for a day.
FAVICON_PNG = STATIC_DIR / "icons" / "icon-192.png"
FAVICON_MAX_AGE = 86400


@cache
def favicon_bytes(png: Path = FAVICON_PNG) -> bytes:
    """One-image ICO holding ``png`` (a square PNG up to 256 px)."""
    data = png.read_bytes()
    width, height = struct.unpack(">II", data[16:24])  # the PNG's IHDR
    header = struct.pack("<HHH", 0, 1, 1)  # reserved, type 1 (icon), one image
    # width/height 0 mean 256; planes 1, 32 bits a pixel, then the PNG's size and offset.
    entry = struct.pack("<BBBBHHII", width % 256, height % 256, 0, 0, 1, 32, len(data), 6 + 16)
    return header + entry + data


def register_favicon(app: Flask) -> None:
    @app.get("/favicon.ico")
    def favicon():
        response = Response(favicon_bytes(), mimetype="image/vnd.microsoft.icon")
        response.cache_control.public = True
        response.cache_control.max_age = FAVICON_MAX_AGE
        return response
