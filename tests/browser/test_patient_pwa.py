"""The patient PWA in Chromium at a phone viewport: join, exercise, offline outbox, check-in,
installability, accessibility and first-load weight."""
from __future__ import annotations

import re
import struct
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from .pwa_client import Api
from .waiting import wait_until

pytestmark = pytest.mark.browser

READ_OUTBOX = """() => new Promise((resolve, reject) => {
  const r = indexedDB.open('hep', 1);
  r.onerror = () => reject(r.error);
  r.onsuccess = () => {
    const q = r.result.transaction('outbox').objectStore('outbox').getAll();
    q.onsuccess = () => { r.result.close(); resolve(q.result); };
  };
})"""


def expect():
    from playwright.sync_api import expect as _expect

    return _expect


def join(page, invited_patient):
    """Open the join link, tap the button, wait for Today and for the service worker."""
    page.goto(urlparse(invited_patient["join_url"]).path)
    page.get_by_role("button", name="Open my exercises").click()
    page.wait_for_url(re.compile(r"/app/"))
    expect()(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    wait_until(page, "navigator.serviceWorker.controller !== null")


def patient_api(live_server, context):
    """A requests session carrying the browser's cookies (the patient's session)."""
    client = Api(live_server.url)
    for cookie in context.cookies():
        client.http.cookies.set(cookie["name"], cookie["value"], domain=cookie["domain"], path=cookie["path"])
    return client


def slide(page, label, steps):
    """Move a 0-10 slider with the keyboard, as a keyboard or switch user would."""
    slider = page.get_by_label(label, exact=True)
    slider.focus()
    for _ in range(steps):
        slider.press("ArrowRight")


def log_from_card(page, index, pain_during=1, pain_after=1, effort=3):
    card = page.locator("li.card.exercise").nth(index)
    card.get_by_role("link", name="Log", exact=True).click()
    expect()(page.get_by_role("heading", name=re.compile("^Log: "))).to_be_visible()
    fill_log(page, pain_during, pain_after, effort)


def fill_log(page, pain_during, pain_after, effort):
    slide(page, "Pain during the exercise", pain_during)
    slide(page, "Pain right after", pain_after)
    slide(page, "How hard was it?", effort)
    page.get_by_role("button", name="Save", exact=True).click()
    expect()(page.get_by_role("heading", name="Today", level=1)).to_be_visible()


def do_checkin(page, red_flag=False):
    page.get_by_role("link", name="Check-in").first.click()
    expect()(page.get_by_role("heading", name="Morning check-in", level=1)).to_be_visible()
    slide(page, "How much pain do you have this morning?", 2)
    page.get_by_label("Yes, back to how it was before").check()
    page.get_by_label("Lower back only").check()
    page.get_by_role("group", name=re.compile("new numbness or weakness")).get_by_label("No", exact=True).check()
    page.get_by_role("group", name=re.compile("lifting your foot")).get_by_label("No", exact=True).check()
    page.get_by_role("group", name=re.compile("bladder or bowel")).get_by_label("Yes" if red_flag else "No", exact=True).check()
    page.get_by_role("button", name="Send check-in").click()


def test_join_exercise_offline_outbox_syncs_exactly_once(phone, live_server, invited_patient, therapist_http):
    # A link previewer fetching the join URL must not use the invite up.
    preview = requests.get(live_server.url + urlparse(invited_patient["join_url"]).path, timeout=10)
    assert preview.status_code == 200 and "Open my exercises" in preview.text
    assert therapist_http.get(f"/api/v1/patients/{invited_patient['id']}").json()["joined"] is False

    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    join(page, invited_patient)
    assert therapist_http.get(f"/api/v1/patients/{invited_patient['id']}").json()["joined"] is True
    cards = page.locator("li.card.exercise")
    expect()(cards).to_have_count(2)

    # Exercise 1 with the player: 2 sets x 3 reps on each side.
    cards.nth(0).get_by_role("link", name="Start").click()
    player = page.get_by_role("region", name="Exercise timer and counter")
    expect()(player).to_contain_text("Set 1 of 2")
    expect()(player).to_contain_text("Left side")
    for n in range(12):
        if n == 3:
            expect()(player).to_contain_text("Right side")
        if n == 6:
            expect()(player).to_contain_text("Set 2 of 2")
            skip = player.get_by_role("button", name="Skip rest")
            if skip.is_visible():  # the prescription has a rest between sets
                skip.click()
        player.get_by_role("button", name="Rep done").click()
    page.get_by_role("link", name="Log this session").click()
    expect()(page.get_by_label("Sets done", exact=True)).to_have_value("2")
    expect()(page.get_by_label("Reps in each set", exact=True)).to_have_value("3")
    fill_log(page, 2, 1, 4)

    # Exercise 2 with the hold countdown: 1 set x 2 reps, 2-second holds.
    page.locator("li.card.exercise").nth(1).get_by_role("link", name="Start").click()
    player = page.get_by_role("region", name="Exercise timer and counter")
    for _ in range(2):
        player.get_by_role("button", name="Start 2-second hold").click()
        expect()(player.get_by_role("button", name="Stop hold")).to_be_visible()
        expect()(player.get_by_role("button", name="Stop hold")).to_be_hidden(timeout=6000)
    page.get_by_role("link", name="Log this session").click()
    fill_log(page, 1, 0, 3)
    expect()(page.get_by_text("All done for today. Well done!")).to_be_visible()

    # Offline: two more completions and a check-in wait in the outbox.
    phone.set_offline(True)
    log_from_card(page, 0, pain_during=3)
    expect()(page.locator("#toast")).to_contain_text("Saved on this phone")
    log_from_card(page, 1, pain_during=2)
    do_checkin(page)
    expect()(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    expect()(page.locator("#status")).to_contain_text("3 entries waiting to be sent")
    queued = page.evaluate(READ_OUTBOX)
    assert [item["kind"] for item in queued] == ["completion", "completion", "checkin"]

    # Reloading while offline still opens the app, with the entries still waiting.
    page.reload()
    expect()(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    expect()(page.locator("li.card.exercise")).to_have_count(2)
    expect()(page.locator("#status")).to_contain_text("3 entries waiting to be sent")
    page.get_by_role("link", name="Progress").click()
    expect()(page.get_by_role("heading", name="Progress", level=1)).to_be_visible()
    page.get_by_role("link", name="Today").click()

    # Back online: the outbox empties and the server holds each record exactly once.
    phone.set_offline(False)
    expect()(page.locator("#status")).not_to_contain_text("waiting", timeout=20000)
    assert page.evaluate(READ_OUTBOX) == []
    patient = patient_api(live_server, phone)
    completions = patient.get("/api/v1/completions?days=28").json()
    ids = [c["id"] for c in completions]
    assert len(ids) == 4 and len(set(ids)) == 4
    for item in queued:
        assert item["body"]["id"] in ids or item["kind"] == "checkin"
        replay = patient.post(item["url"], item["body"])  # the server already has it: a harmless replay
        assert replay.status_code == 200, replay.text
    assert len(patient.get("/api/v1/completions?days=28").json()) == 4
    today = patient.get("/api/v1/today").json()
    assert sorted(i["done_today"] for i in today["items"]) == [2, 2]
    assert errors == []


def test_red_flag_checkin_shows_urgent_care_offline(phone, live_server, invited_patient):
    page = phone.new_page()
    join(page, invited_patient)
    phone.set_offline(True)
    do_checkin(page, red_flag=True)
    heading = page.get_by_role("heading", name="Get emergency care now", level=1)
    expect()(heading).to_be_visible(timeout=2000)
    expect()(page.get_by_role("alert")).to_contain_text("Do not wait for your next appointment")
    assert "next session" not in page.inner_text("main")
    phone.set_offline(False)
    expect()(page.locator("#status")).not_to_contain_text("waiting", timeout=20000)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_installable_manifest_and_service_worker(installed_profile_phone, live_server, invited_patient):
    phone = installed_profile_phone
    manifest = requests.get(live_server.url + "/manifest.webmanifest", timeout=10)
    assert manifest.headers["Content-Type"].startswith("application/manifest+json")
    data = manifest.json()
    assert data["name"] and data["short_name"] and data["display"] == "standalone"
    assert data["start_url"].startswith("/app/") and data["theme_color"] and data["background_color"]
    sizes = {}
    for icon in data["icons"]:
        png = requests.get(live_server.url + icon["src"], timeout=10)
        assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
        sizes[(icon["sizes"], icon.get("purpose", "any"))] = _png_size(png.content)
    assert sizes == {("192x192", "any"): (192, 192), ("512x512", "any"): (512, 512), ("512x512", "maskable"): (512, 512)}
    sw = requests.get(live_server.url + "/sw.js", timeout=10)
    assert sw.headers["Cache-Control"] == "no-cache" and sw.headers["Service-Worker-Allowed"] == "/"
    assert sw.headers["Content-Type"].startswith("text/javascript")

    page = phone.new_page()
    join(page, invited_patient)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)") == live_server.url + "/"
    cdp = phone.new_cdp_session(page)
    result = cdp.send("Page.getInstallabilityErrors")
    assert result["installabilityErrors"] == [], result
    manifest_info = cdp.send("Page.getAppManifest")
    assert not manifest_info.get("errors"), manifest_info


def test_accessibility_no_serious_or_critical_violations(phone, live_server, invited_patient):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = phone.new_page()
    preview = page.goto(urlparse(invited_patient["join_url"]).path)
    assert preview.ok
    found = {"join": axe.run(page).response["violations"]}
    page.get_by_role("button", name="Open my exercises").click()
    expect()(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    first = page.locator("li.card.exercise").first.get_by_role("link", name="Start").get_attribute("href")
    pid = first.rsplit("/", 1)[-1]
    for hash_, heading in [("#/today", "Today"), (f"#/exercise/{pid}", None), (f"#/log/{pid}", None),
                           ("#/checkin", "Morning check-in"), ("#/progress", "Progress"), ("#/learn", "Learn"),
                           ("#/settings", "Settings"), ("#/urgent", "Get emergency care now")]:
        page.goto(f"/app/{hash_}")
        h1 = page.get_by_role("heading", level=1)
        expect()(h1).to_be_visible()
        if heading:
            expect()(h1).to_have_text(heading)
        page.wait_for_load_state("networkidle")
        for dark in (False, True):
            page.emulate_media(color_scheme="dark" if dark else "light")
            found[f"{hash_}{' dark' if dark else ''}"] = axe.run(page).response["violations"]
    bad = {where: [(v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")]
           for where, violations in found.items()}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, bad


def test_first_load_is_small(phone, live_server, invited_patient):
    page = phone.new_page()
    live_server.meter.reset()
    join(page, invited_patient)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    total = live_server.meter.total(exclude_prefix="/static/media/")
    shell = sum(n for path, _s, n in live_server.meter.log if path.startswith(("/static/js/", "/static/css/", "/app/")))
    print(f"\nfirst load without media: {total / 1024:.1f} KB over {len(live_server.meter.log)} responses "
          f"(app shell HTML+JS+CSS responses: {shell / 1024:.1f} KB)")
    breakdown = "\n".join(f"{status} {size:7d} {path}" for path, status, size in live_server.meter.log)
    assert total < 150 * 1024, breakdown


def test_correction_keeps_original_and_spanish_is_remembered(phone, live_server, invited_patient):
    page = phone.new_page()
    join(page, invited_patient)
    log_from_card(page, 0, pain_during=5)
    card = page.locator("li.card.exercise").nth(0)
    expect()(card).to_contain_text("pain 5 during")
    card.get_by_role("link", name="Correct").click()
    expect()(page.get_by_role("heading", name=re.compile("^Correct: "))).to_be_visible()
    during = page.get_by_label("Pain during the exercise", exact=True)
    expect()(during).to_have_value("5")
    during.focus()
    for _ in range(3):
        during.press("ArrowLeft")
    page.get_by_role("button", name="Save correction").click()
    expect()(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    expect()(page.locator("li.card.exercise").nth(0)).to_contain_text("pain 2 during")

    patient = patient_api(live_server, phone)
    rows = patient.get("/api/v1/completions?days=28").json()
    assert len(rows) == 2
    original = next(r for r in rows if not r.get("supersedes"))
    correction = next(r for r in rows if r.get("supersedes"))
    assert original["pain_during"] == 5 and original["superseded_at"]
    assert correction["pain_during"] == 2 and correction["supersedes"] == original["id"]

    # The patient switches to Spanish; the choice is saved on the server and on the phone.
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Language of the app").select_option("es")
    expect()(page.get_by_role("heading", level=1)).to_have_text("Ajustes")
    expect()(page.locator("#tabs")).to_contain_text("Hoy")
    wait_until(page, "fetch('/api/v1/me').then(r => r.json()).then(d => d.user.locale === 'es')")
    page.goto("/app/#/today")
    expect()(page.get_by_role("heading", level=1)).to_have_text("Hoy")
    weekdays = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
    assert any(day in page.locator("p.lead").inner_text() for day in weekdays)
    page.goto("/join/not-a-real-token")
    expect()(page.get_by_role("button", name="Abrir mis ejercicios")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "es"


def test_reminder_settings_are_saved_for_the_patient(app, phone, live_server, invited_patient):
    from hep.models import ReminderSchedule

    page = phone.new_page()
    join(page, invited_patient)
    page.get_by_role("link", name="Settings").first.click()
    form = page.locator("form").filter(has=page.get_by_role("button", name="Save reminders"))
    expect()(form).to_be_visible()
    form.get_by_label("Remind me to do my exercises").check()
    form.get_by_role("button", name="Add a time").click()
    form.get_by_label("Reminder time").last.fill("07:30")
    days = form.get_by_role("group", name="On these days")
    days.get_by_label("Sunday").uncheck()
    form.get_by_label("From").fill("22:00")
    form.get_by_label("Until").fill("07:00")
    form.get_by_role("button", name="Save reminders").click()
    expect()(page.locator("#status, [role=status]").filter(has_text="Reminders saved.").first).to_be_visible()
    with app.app_context():
        schedule = ReminderSchedule.get(ReminderSchedule.patient == invited_patient["id"])
        assert schedule.enabled and "07:30" in schedule.times
        assert sorted(schedule.days) == [1, 2, 3, 4, 5, 6]
        assert (schedule.quiet_start, schedule.quiet_end) == ("22:00", "07:00")
    # The permission prompt is offered from a tap, with the reason, never on page load.
    expect()(page.get_by_role("button", name="Allow notifications")).to_be_visible()
    assert page.evaluate("Notification.permission") == "default"


READ_STORES = """() => new Promise((resolve, reject) => {
  const r = indexedDB.open('hep', 1);
  r.onerror = () => reject(r.error);
  r.onsuccess = () => {
    const t = r.result.transaction(['outbox', 'rejected']);
    const out = t.objectStore('outbox').getAll();
    const rej = t.objectStore('rejected').getAll();
    t.oncomplete = () => { r.result.close(); resolve({ outbox: out.result, rejected: rej.result }); };
  };
})"""


SAVED_FOR_OFFLINE = """() => caches.open('hep-api').then((c) => Promise.all(
  ['/api/v1/me', '/api/v1/today', '/api/v1/completions?days=2'].map((u) => c.match(u)
    .then((r) => r || c.match(u + (u.includes('?') ? '&' : '?') + 'hl=en')))))
  .then((found) => found.every(Boolean))"""


def wait_saved_for_offline(page):
    """On the first visit the worker takes over after the first reads; app.js reads them again
    so the worker keeps copies. Going offline before that ends would find no copy of Today."""
    for _ in range(100):
        if page.evaluate(SAVED_FOR_OFFLINE):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the service worker has no copy of the app's reads")


def queue_two_with_a_conflict(page, phone, live_server):
    """Offline, log two completions; then the server receives the first id with another body
    (as if from another phone), so replaying it must get 409. Returns the queued entries."""
    wait_saved_for_offline(page)
    phone.set_offline(True)
    log_from_card(page, 0, pain_during=3)
    expect()(page.locator("#toast")).to_contain_text("Saved on this phone")
    log_from_card(page, 1, pain_during=2)
    expect()(page.locator("#status")).to_contain_text("2 entries waiting to be sent")
    queued = page.evaluate(READ_OUTBOX)
    assert [item["kind"] for item in queued] == ["completion", "completion"]
    other = {**queued[0]["body"], "pain_during": 7, "note": "from another phone"}
    sent = patient_api(live_server, phone).post("/api/v1/completions", other)
    assert sent.status_code == 201, sent.text  # the server had nothing from the phone yet
    return queued


def stored_completions(app, patient_id):
    from hep.models import Completion

    with app.app_context():
        rows = Completion.select().where(Completion.patient == patient_id)
        return {c.id: {"pain_during": c.pain_during, "note": c.note} for c in rows}


def assert_conflict_set_aside(app, page, invited_patient, queued):
    """The conflicting entry is in 'rejected' and shown; the other reached the server once."""
    first, second = queued
    # What the patient sees: one entry not saved and nothing waiting (entry 1 is filed before
    # entry 2 is sent, so this is the end of the replay, not a moment in the middle of it).
    status = page.locator("#status")
    expect()(status).to_contain_text("1 entries could not be saved.", timeout=20000)
    expect()(status).not_to_contain_text("waiting")
    stores = page.evaluate(READ_STORES)
    assert stores["outbox"] == []
    assert len(stores["rejected"]) == 1
    refused = stores["rejected"][0]
    assert refused["status"] == 409
    assert refused["item"]["body"] == first["body"]  # the whole entry is kept for the patient
    assert "already used for a different record" in refused["detail"]
    # The server kept its own record for the first id and holds the second exactly once.
    assert stored_completions(app, invited_patient["id"]) == {
        first["body"]["id"]: {"pain_during": 7, "note": "from another phone"},
        second["body"]["id"]: {"pain_during": 2, "note": ""},
    }
    # And why, in Settings.
    status.get_by_role("link", name="Details").click()
    expect()(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    shown = page.locator("li.alert").filter(has_text="Not saved:")
    expect()(shown).to_have_count(1)
    expect()(shown).to_contain_text(first["label"])
    expect()(shown).to_contain_text("This id was already used for a different record.")


def test_replay_sets_aside_a_conflict_and_delivers_the_rest_once(app, phone, live_server, invited_patient):
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    join(page, invited_patient)
    queued = queue_two_with_a_conflict(page, phone, live_server)

    # Back online, the app replays (the page on 'online', or the worker if Background Sync wins
    # the lock: the same core either way): 409 for the first entry (set aside), 201 for the second.
    phone.set_offline(False)
    assert_conflict_set_aside(app, page, invited_patient, queued)

    # Reopening the app (it replays on open) sends nothing again and still shows the entry.
    page.reload()
    expect()(page.locator("#status")).to_contain_text("1 entries could not be saved.")
    assert len(page.evaluate(READ_STORES)["rejected"]) == 1
    assert len(stored_completions(app, invited_patient["id"])) == 2

    # The patient dismisses it once read; the server's records stay as they were.
    page.get_by_role("link", name="Settings").first.click()
    page.locator("li.alert").get_by_role("button", name="Dismiss").click()
    expect()(page.locator("li.alert")).to_have_count(0)
    expect()(page.locator("#status")).not_to_contain_text("could not be saved")
    assert page.evaluate(READ_STORES) == {"outbox": [], "rejected": []}
    assert len(stored_completions(app, invited_patient["id"])) == 2
    assert errors == []


def registration_id(page, cdp, scope):
    """The service worker registration id for ``scope``, from DevTools' ServiceWorker domain."""
    found = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: found.update(
        {r["scopeURL"]: r["registrationId"] for r in e["registrations"] if not r["isDeleted"]}))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if scope in found:
            return found[scope]
        page.wait_for_timeout(100)
    raise AssertionError(f"no service worker registration for {scope}: {found}")


def test_service_worker_replays_by_the_same_rule_with_the_app_closed(app, phone, live_server, invited_patient):
    page = phone.new_page()
    join(page, invited_patient)
    queued = queue_two_with_a_conflict(page, phone, live_server)

    # The app is closed: only the service worker can send the queue now.
    page.close()
    phone.set_offline(False)
    other = phone.new_page()
    other.goto("/healthz")  # same origin, so it can read the stores, but no app code runs here
    cdp = phone.new_cdp_session(other)
    # What the browser does when the network is back (DevTools' "Background sync" button does the same).
    cdp.send("ServiceWorker.dispatchSyncEvent", {"origin": live_server.url, "tag": "hep-outbox", "lastChance": False,
                                                 "registrationId": registration_id(other, cdp, live_server.url + "/")})
    for _ in range(100):
        stores = other.evaluate(READ_STORES)
        if not stores["outbox"] and stores["rejected"]:
            break
        other.wait_for_timeout(100)
    assert (len(stores["outbox"]), len(stores["rejected"])) == (0, 1), stores
    assert len(stored_completions(app, invited_patient["id"])) == 2  # before any app page was open again

    # Opening the app again shows what the worker did; there is nothing left to send.
    page = phone.new_page()
    page.goto("/app/#/today")
    expect()(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    assert_conflict_set_aside(app, page, invited_patient, queued)


LEGACY = Path(__file__).with_name("legacy")


class Deploy:
    """WSGI middleware standing in for a deployment: while ``legacy`` is on it serves the
    first release's service worker, page outbox (each with its own replay loop) and app.js
    (which registers the worker), copied in ``legacy/``; while ``refuse_writes`` is on the
    server answers 503 to completions."""

    def __init__(self, app):
        from hep.patient import shell_files

        self.wsgi = app.wsgi_app
        with app.test_request_context():
            urls, _version = shell_files()
        worker = app.jinja_env.from_string((LEGACY / "sw.js").read_text()).render(version="legacy0", shell=urls)
        self.files = {"/sw.js": worker.encode(), "/static/js/outbox.js": (LEGACY / "outbox.js").read_bytes(),
                      "/static/js/app.js": (LEGACY / "app.js").read_bytes()}  # it registers the worker
        self.legacy = True
        self.refuse_writes = False

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if self.legacy and path in self.files:
            body = self.files[path]
            start_response("200 OK", [("Content-Type", "text/javascript"), ("Cache-Control", "no-cache"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        if self.refuse_writes and environ["REQUEST_METHOD"] == "POST" and path == "/api/v1/completions":
            body = b'{"title": "Service Unavailable", "status": 503}'
            start_response("503 SERVICE UNAVAILABLE", [("Content-Type", "application/problem+json"),
                                                       ("Content-Length", str(len(body)))])
            return [body]
        return self.wsgi(environ, start_response)


def page_outbox(page):
    """The source of the outbox module the page runs (as the service worker hands it out)."""
    return page.evaluate("fetch('/static/js/outbox.js').then(r => r.text())")


def shell_caches(page):
    return page.evaluate("caches.keys().then(keys => keys.filter(k => k.startsWith('hep-shell-')))")


def test_installed_phone_upgrades_and_keeps_its_queue(app, phone, live_server, invited_patient):
    deploy = Deploy(app)
    app.wsgi_app = deploy
    page = phone.new_page()
    join(page, invited_patient)
    assert shell_caches(page) == ["hep-shell-legacy0"]
    assert "indexedDB.open" in page_outbox(page)  # the first release's own copy of the layout

    # The first release queues a completion offline; the server is down when it comes back.
    deploy.refuse_writes = True
    wait_saved_for_offline(page)
    phone.set_offline(True)
    log_from_card(page, 0, pain_during=4)
    phone.set_offline(False)
    expect()(page.locator("#status")).to_contain_text("1 entry waiting to be sent")
    queued = page.evaluate(READ_OUTBOX)
    assert len(queued) == 1

    # The new version is deployed: the browser's update check installs the new (classic) worker.
    deploy.legacy = False
    new_version = re.search(r"const VERSION = '(\w+)';", requests.get(live_server.url + "/sw.js", timeout=10).text)[1]
    page.reload()
    for _ in range(100):
        if shell_caches(page) == [f"hep-shell-{new_version}"]:
            break
        page.wait_for_timeout(100)
    assert shell_caches(page) == [f"hep-shell-{new_version}"]
    assert page.evaluate(READ_OUTBOX) == queued  # still waiting, untouched by the upgrade

    # The server is back; the new code sends what the old code queued, exactly once.
    deploy.refuse_writes = False
    page.reload()
    expect()(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    assert "indexedDB.open" not in page_outbox(page) and "hepOutboxCore" in page_outbox(page)
    for _ in range(100):
        if not page.evaluate(READ_OUTBOX):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(READ_OUTBOX) == []
    expect()(page.locator("#status")).not_to_contain_text("waiting")
    expect()(page.locator("#status")).not_to_contain_text("could not be saved")
    assert stored_completions(app, invited_patient["id"]) == {queued[0]["body"]["id"]: {"pain_during": 4, "note": ""}}


RUN_RULE = """async (answers) => {
  const core = globalThis.hepOutboxCore;
  for (const e of await core.pending()) await core.remove(e.seq);
  for (const r of await core.rejected()) await core.dismiss(r.seq);
  // The server, scripted: each POST takes the next answer; /api/v1/me hands out a new token.
  const seen = [];
  globalThis.tokens = globalThis.tokens || 0; // kept across runs, so every token is new
  globalThis.fetch = async (url, init = {}) => {
    const json = (body, status = 200) => new Response(JSON.stringify(body),
      { status, headers: { 'Content-Type': 'application/problem+json' } });
    if (url === '/api/v1/me') return json({ csrf_token: `token-${++globalThis.tokens}` });
    seen.push([JSON.parse(init.body).n, init.headers['X-CSRF-Token']]);
    const next = answers.shift();
    if (next === 'offline') throw new TypeError('Failed to fetch');
    return json({ status: next[0], detail: next[1] }, next[0]);
  };
  for (let n = 1; n <= 4; n++) await core.add({ kind: 'completion', url: '/api/v1/completions', body: { n }, label: `entry ${n}` });
  const { results, kept } = await core.replay();
  return {
    seen,
    results: [...results.values()].map((r) => r.verdict),
    kept: kept && kept.body.n,
    outbox: (await core.pending()).map((e) => e.body.n),
    rejected: (await core.rejected()).map((r) => [r.item.body.n, r.status, r.detail]),
  };
}"""

RULE = [
    ((200, "identical replay"), "done"), ((201, None), "done"),
    ((409, "This id was already used for a different record."), "set-aside"), ((422, "Invalid fields."), "set-aside"),
    ((404, "Not found."), "set-aside"), ((403, "Only patients can log."), "set-aside"), ((400, "Bad JSON."), "set-aside"),
    ((410, "Gone."), "set-aside"),
    ((500, None), "keep"), ((503, None), "keep"), ((429, "Slow down."), "keep"), ((408, None), "keep"),
    ((401, "Sign in."), "keep"), ((403, "The CSRF token is missing."), "keep"),
    ((400, "The CSRF token has expired."), "keep"), ("offline", "keep"),
]


def test_the_one_rule_for_each_server_answer(phone):
    """The core's rule on its own, in Chromium, against a scripted server: entry 2 of 4 gets
    the answer under test, the others 201."""
    page = phone.new_page()
    page.goto("/t/login")  # any page of the origin (a document: JSON answers may load nothing): the core needs its IndexedDB and Web Locks
    page.add_script_tag(url="/static/js/outbox-core.js")
    for answer, outcome in RULE:
        csrf = answer != "offline" and "CSRF" in (answer[1] or "")
        second = [answer, answer] if csrf else [answer]  # a CSRF failure is retried once
        got = page.evaluate(RUN_RULE, [[201, None], *second, [201, None], [201, None]])
        sent = [n for n, _token in got["seen"]]
        where = f"{answer} -> {got}"
        if outcome == "done":
            assert (got["outbox"], got["rejected"], got["kept"]) == ([], [], None), where
            assert sent == [1, 2, 3, 4] and got["results"] == ["done"] * 4, where
        elif outcome == "set-aside":
            assert (got["outbox"], got["kept"]) == ([], None), where
            assert got["rejected"] == [[2, answer[0], answer[1] or f"HTTP {answer[0]}"]], where  # with the reason
            assert sent == [1, 2, 3, 4], where  # the loop goes on
        else:
            assert (got["outbox"], got["rejected"], got["kept"]) == ([2, 3, 4], [], 2), where
            assert sent == ([1, 2, 2] if csrf else [1, 2]) and got["results"] == ["done"], where  # the loop stops
        if csrf:
            (_n1, first_token), (_n2, failed), (_n3, retried) = got["seen"]
            assert failed == first_token and retried != failed, where  # the retry has a fresh token


def test_a_later_red_flag_changes_the_mornings_check_in(phone, live_server, invited_patient, therapist_http):
    page = phone.new_page()
    join(page, invited_patient)
    do_checkin(page)
    expect()(page.locator("#status")).not_to_contain_text("waiting", timeout=20000)
    # Back on Today once it has rendered, then open the check-in again.
    expect()(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    expect()(page.locator("li.card.exercise").first).to_be_visible()
    page.get_by_role("link", name="Check-in").first.click()
    expect()(page.get_by_role("heading", name="Morning check-in", level=1)).to_be_visible()
    expect()(page.get_by_text("You sent your check-in this morning: pain 2 out of 10.")).to_be_visible()
    page.get_by_role("button", name="Change my answers").click()
    slide(page, "How much pain do you have this morning?", 3)  # from the 2 sent this morning
    page.get_by_label("No, it is worse than before").check()
    page.get_by_label("Thigh").check()
    page.get_by_role("group", name=re.compile("new numbness or weakness")).get_by_label("No", exact=True).check()
    page.get_by_role("group", name=re.compile("lifting your foot")).get_by_label("No", exact=True).check()
    page.get_by_role("group", name=re.compile("bladder or bowel")).get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Send check-in").click()
    expect()(page.get_by_role("heading", name="Get emergency care now", level=1)).to_be_visible()
    expect()(page.locator("#status")).not_to_contain_text("waiting", timeout=20000)

    # The status line can read "sent" before the outbox has queued the correction: wait for
    # the server to have it rather than for the line.
    deadline = time.monotonic() + 20
    while True:
        alerts = therapist_http.get(f"/api/v1/patients/{invited_patient['id']}/alerts").json()
        if alerts or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert [(a["code"], a["status"]) for a in alerts] == [("red_flag", "open")]
    checkin = therapist_http.get(f"/api/v1/patients/{invited_patient['id']}/summary").json()["pain_series"][-1]
    assert checkin["morning_pain"] == 5
