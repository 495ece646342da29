"""The patient app's shell as served: the service worker loads the one outbox core the page
imports, and everything either of them loads is precached so the app opens offline."""
from __future__ import annotations

import json
import re

from hep.patient import STATIC_DIR

CORE = STATIC_DIR / "js" / "outbox-core.js"


def worker(app):
    response = app.test_client().get("/sw.js")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def precached(body):
    return json.loads(re.search(r"^const SHELL = (.*);$", body, re.M).group(1))


def test_classic_worker_loads_the_outbox_core_with_import_scripts(app):
    body = worker(app)
    assert re.findall(r"importScripts\('([^']+)'\)", body) == ["/static/js/outbox-core.js"]
    assert not re.search(r"^\s*(import|export)\b", body, re.M)  # a classic script
    assert "indexedDB.open" not in body and "X-CSRF-Token" not in body  # both live in the core only
    app_js = (STATIC_DIR / "js" / "app.js").read_text()
    assert "register('/sw.js', { scope: '/' })" in app_js  # classic, as installed phones have it


def test_outbox_core_is_both_a_classic_script_and_a_module():
    """importScripts cannot load a file with import or export statements."""
    source = CORE.read_text()
    assert not re.search(r"^\s*(import|export)\b", source, re.M)
    assert "globalThis.hepOutboxCore = Object.freeze(" in source
    for name in ("api.js", "outbox.js"):
        assert "import './outbox-core.js';" in (STATIC_DIR / "js" / name).read_text()


def test_the_core_is_precached_with_the_page_modules(app):
    shell = precached(worker(app))
    assert "/app/" in shell
    for rel in ("outbox-core.js", "outbox.js", "api.js", "app.js"):
        assert f"/static/js/{rel}" in shell
