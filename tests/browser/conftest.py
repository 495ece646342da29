"""Browser fixtures: the app on a live local server, Debian's Chromium through Playwright,
and a patient set up through the JSON API the way a therapist would."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from .pwa_client import Api

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
TIMEZONE = "Europe/Madrid"


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


class TransferMeter:
    """WSGI middleware counting the bytes the server sends (status line, headers, body)."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.log: list[tuple[str, int, int]] = []  # (path, status, bytes)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        sent = {"head": 0, "status": 0}

        def counting_start(status, headers, exc_info=None):
            sent["status"] = int(status.split()[0])
            sent["head"] = len(status) + 11 + sum(len(k) + len(v) + 4 for k, v in headers) + 2
            return start_response(status, headers, exc_info)

        body = 0
        iterable = self.app(environ, counting_start)
        try:
            for chunk in iterable:
                body += len(chunk)
                yield chunk
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
            with self.lock:
                self.log.append((path, sent["status"], sent["head"] + body))

    def reset(self):
        with self.lock:
            self.log.clear()

    def total(self, exclude_prefix="/static/media/"):
        with self.lock:
            return sum(n for path, _s, n in self.log if not path.startswith(exclude_prefix))


@pytest.fixture(scope="session")
def screenshots():
    """The folder the run keeps its screenshots in: ``HEP_SCREENSHOTS`` or ``test-screenshots/``
    at the top of the checkout (ignored by git), so they outlive pytest's temporary folders."""
    from pathlib import Path

    folder = Path(os.environ.get("HEP_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "test-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def live_server(app):
    """Serve ``app`` on 127.0.0.1 with a free port; ``.url`` and ``.meter``."""
    meter = TransferMeter(app)
    server = make_server("127.0.0.1", 0, meter, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()

    class Live:
        url = f"http://127.0.0.1:{server.server_port}"

    Live.meter = meter
    try:
        yield Live
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def therapist_http(live_server, therapist):
    client = Api(live_server.url)
    response = client.post("/api/v1/auth/login", {"email": therapist["email"], "password": therapist["password"]})
    assert response.status_code == 200, response.text
    return client


@pytest.fixture
def invited_patient(therapist_http):
    """A patient with a two-exercise program, not yet joined: dict(id, join_url, program)."""
    created = therapist_http.post("/api/v1/patients", {"display_name": "Ana Paciente", "timezone": TIMEZONE})
    assert created.status_code == 201, created.text
    patient = created.json()
    exercises = {row["slug"]: row["id"] for row in therapist_http.get("/api/v1/exercises").json()}
    program = therapist_http.post(f"/api/v1/patients/{patient['id']}/program", {
        "phase": "calm",
        "items": [
            {"exercise_id": exercises["seated-sciatic-nerve-slider"], "sets": 2, "reps": 3, "frequency_per_day": 1,
             "side": "both", "pain_ceiling": 3},
            {"exercise_id": exercises["prone-on-elbows"], "sets": 1, "reps": 2, "hold_seconds": 2, "side": "none",
             "frequency_per_day": 1},
        ],
    })
    assert program.status_code == 201, program.text
    return {"id": patient["id"], "join_url": patient["invite_url"], "program": program.json()}


# One Playwright driver and one Chromium per test module: each test still gets fresh contexts
# (cookies, storage, service workers), and launching Chromium once a module rather than once
# a test saves about a second a test. Not once a session: the sync driver keeps an event loop
# on the main thread, which the non-browser tests after these must not inherit.
@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright):
    instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture
def installed_profile_phone(playwright, live_server, tmp_path):
    """A phone context on a real (non-incognito) profile: Chromium only offers to install
    web apps there, so the installability check needs it."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        base_url=live_server.url, locale="en-US", timezone_id=TIMEZONE, **PHONE)
    context.set_default_timeout(15000)
    try:
        yield context
    finally:
        context.close()


@contextmanager
def phone_context(browser, live_server, **options):
    """A fresh browser context shaped like a phone, pointed at the live server; ``options``
    (``locale``, ``permissions``...) override the English-speaking phone in Madrid."""
    context = browser.new_context(**{"base_url": live_server.url, "locale": "en-US", "timezone_id": TIMEZONE,
                                     **PHONE, **options})
    context.set_default_timeout(15000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def phone(browser, live_server):
    """A fresh browser context shaped like a phone, pointed at the live server."""
    with phone_context(browser, live_server) as context:
        yield context
