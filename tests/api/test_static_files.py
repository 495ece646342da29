"""Static files: compressed (Brotli or gzip, as the client accepts), a year-long immutable
cache for versioned URLs, revalidation for the rest; the service worker and the manifest are
never cached as immutable."""
from __future__ import annotations

import gzip
import re

import brotli

from hep.static_files import STATIC_DIR


def fetch(client, path, **headers):
    response = client.get(path, headers=headers)
    body = response.get_data()
    response.close()
    return response, body


def test_scripts_and_styles_come_compressed_as_the_client_accepts(app):
    client = app.test_client()
    original = (STATIC_DIR / "js" / "app.js").read_bytes()
    br, body = fetch(client, "/static/js/app.js", **{"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br" and "Accept-Encoding" in br.headers["Vary"]
    assert brotli.decompress(body) == original and len(body) < len(original) / 2
    gz, body = fetch(client, "/static/js/app.js", **{"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == original
    plain, body = fetch(client, "/static/js/app.js")
    assert "Content-Encoding" not in plain.headers and body == original


def test_versioned_urls_are_cached_for_a_year_and_others_revalidated(app):
    client = app.test_client()
    page = client.get("/app/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]+)"', page).group(1)
    versioned, _ = fetch(client, css)
    assert versioned.status_code == 200
    assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert versioned.headers["X-Content-Type-Options"] == "nosniff"

    plain, _ = fetch(client, "/static/css/app.css")
    stale, _ = fetch(client, "/static/css/app.css?v=000000000000")  # an older version's URL
    for response in (plain, stale):
        assert response.headers["Cache-Control"] == "max-age=0, public"
    again, _ = fetch(client, "/static/css/app.css", **{"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304


def test_the_service_worker_and_the_manifest_are_not_immutable(app):
    client = app.test_client()
    for path in ("/sw.js", "/manifest.webmanifest", "/t/sw.js"):
        response, _ = fetch(client, path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-cache", path
