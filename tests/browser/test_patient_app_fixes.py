"""The patient app's fixed items in Chromium at a phone viewport, each checked by what the
patient sees and by what the server stores: the day's check-in corrected (online and
offline), the join link opened again, the player's end state, Progress from the program's
start, the time-zone question, Spanish, text size and reading aloud."""
from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from urllib.parse import urlparse

import pytest

from .test_patient_pwa import READ_OUTBOX, expect, fill_log, join, patient_api, slide
from .waiting import wait_until

pytestmark = pytest.mark.browser

CALM = {"morning_pain": 3, "settled": "partly", "distal_symptom": "thigh", "new_numbness_or_weakness": False,
        "red_flag_change": False, "weakness_worse": False, "back_pain": 2, "leg_pain": 4}


def checked(page, group, label):
    return page.get_by_role("group", name=re.compile(group)).get_by_label(label, exact=True)


def open_checkin(page):
    page.get_by_role("link", name="Check-in").first.click()
    expect()(page.get_by_role("heading", name="Morning check-in", level=1)).to_be_visible()


def test_the_days_check_in_is_shown_filled_in_and_corrected_online_and_offline(phone, live_server, invited_patient):
    page = phone.new_page()
    join(page, invited_patient)
    patient = patient_api(live_server, phone)
    day = patient.get("/api/v1/today").json()["date"]
    first = {"id": str(uuid.uuid4()), "date": day, **CALM}
    assert patient.post("/api/v1/checkins", first).status_code == 201

    open_checkin(page)
    expect()(page.get_by_text("You sent your check-in this morning: pain 3 out of 10.")).to_be_visible()
    page.get_by_role("button", name="Change my answers").click()
    # The first answers are there to change, not a blank form.
    expect()(page.get_by_label("How much pain do you have this morning?", exact=True)).to_have_value("3")
    expect()(page.get_by_label("And in your leg?", exact=True)).to_have_value("4")
    expect()(page.get_by_label("Partly")).to_be_checked()
    expect()(page.get_by_label("Thigh")).to_be_checked()
    expect()(checked(page, "bladder or bowel", "No")).to_be_checked()
    slide(page, "How much pain do you have this morning?", 2)
    page.get_by_role("button", name="Send check-in").click()
    expect()(page.locator("#toast")).to_contain_text("Check-in sent")
    expect()(page.get_by_role("heading", name="Today", level=1)).to_be_visible()

    rows = patient.get("/api/v1/today").json()["checkin_today"]
    assert rows["morning_pain"] == 5 and rows["supersedes"] == first["id"]
    assert rows["leg_pain"] == 4 and rows["settled"] == "partly"  # unchanged answers kept

    # Offline: the correction of the correction waits in the outbox and is stored once.
    phone.set_offline(True)
    open_checkin(page)
    expect()(page.get_by_text("pain 5 out of 10")).to_be_visible()
    page.get_by_role("button", name="Change my answers").click()
    expect()(page.get_by_label("How much pain do you have this morning?", exact=True)).to_have_value("5")
    page.get_by_label("No, it is worse than before").check()
    page.get_by_role("button", name="Send check-in").click()
    expect()(page.locator("#toast")).to_contain_text("Saved on this phone")
    queued = page.evaluate(READ_OUTBOX)
    assert [q["kind"] for q in queued] == ["checkin-correction"]
    assert queued[0]["url"] == f"/api/v1/checkins/{rows['id']}/corrections"
    phone.set_offline(False)
    expect()(page.locator("#status")).not_to_contain_text("waiting", timeout=20000)
    now = patient.get("/api/v1/today").json()["checkin_today"]
    assert now["id"] == queued[0]["body"]["id"] and now["supersedes"] == rows["id"]
    assert now["settled"] == "no" and now["morning_pain"] == 5
    assert patient.post(queued[0]["url"], queued[0]["body"]).status_code == 200  # stored exactly once


def test_the_join_link_opened_again_lands_in_the_app(browser, phone, live_server, invited_patient, therapist_http):
    page = phone.new_page()
    join(page, invited_patient)
    page.goto(urlparse(invited_patient["join_url"]).path)
    expect()(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    expect()(page.get_by_text("This link did not work")).to_have_count(0)
    assert page.url.endswith("/app/#/today")
    trail = therapist_http.get(f"/api/v1/patients/{invited_patient['id']}/audit").json()["events"]
    assert [e["action"] for e in trail].count("join.reopen") == 1

    # Another phone with the used link: told once that it did not work.
    other = browser.new_context(base_url=live_server.url, locale="en-US", viewport=phone.pages[0].viewport_size)
    try:
        stranger = other.new_page()
        stranger.goto(urlparse(invited_patient["join_url"]).path)
        stranger.get_by_role("button", name="Open my exercises").click()
        alert = stranger.get_by_role("alert")
        expect()(alert).to_contain_text("This link did not work")
        text = alert.inner_text()
        assert text.count("did not work") == 1 and "already used" not in text  # said once, not twice
    finally:
        other.close()


def test_the_finished_player_says_all_sets_done_and_a_log_of_no_sets_is_no_session(phone, live_server, invited_patient):
    page = phone.new_page()
    join(page, invited_patient)
    page.locator("li.card.exercise").nth(0).get_by_role("link", name="Start").click()
    player = page.get_by_role("region", name="Exercise timer and counter")
    expect()(player).to_contain_text("Set 1 of 2")
    for _ in range(12):  # 2 sets x 3 reps on each side
        skip = player.get_by_role("button", name="Skip rest")
        if skip.is_visible():
            skip.click()
        player.get_by_role("button", name="Rep done").click()
    expect()(player).to_contain_text("All 2 sets done")
    expect()(player).not_to_contain_text("Set 2 of 2")
    expect()(player).not_to_contain_text("0 of 3 reps")
    # Logged from the finished player: the two sets of three are what the server stores.
    player.get_by_role("link", name="Log this session").click()
    expect()(page.get_by_role("heading", name=re.compile("^Log: "))).to_be_visible()
    fill_log(page, pain_during=2, pain_after=1, effort=3)
    patient = patient_api(live_server, phone)
    for _ in range(100):  # sent from the outbox in the background
        stored = patient.get("/api/v1/completions?days=2").json()
        if stored:
            break
        page.wait_for_timeout(100)
    [logged] = stored
    assert (logged["sets_done"], logged["reps_done"], logged["pain_during"], logged["pain_after"]) == (2, 3, 2, 1)

    # A log with 0 sets keeps its ratings but is no session done.
    rx = patient.get("/api/v1/today").json()["items"][1]["prescription_id"]
    zero = {"id": str(uuid.uuid4()), "prescription_id": rx, "performed_at": datetime.now(UTC).isoformat(),
            "sets_done": 0, "reps_done": 0, "pain_during": 4, "pain_after": 3, "effort": 2}
    assert patient.post("/api/v1/completions", zero).status_code == 201
    page.goto("/app/#/today")
    card = page.locator("li.card.exercise").nth(1)
    expect()(card).to_be_visible()
    today = patient.get("/api/v1/today").json()
    assert [i["done_today"] for i in today["items"]] == [1, 0]
    assert sorted(c["sets_done"] for c in patient.get("/api/v1/completions?days=2").json()) == [0, 2]
    expect()(page.get_by_text("All done for today. Well done!")).to_have_count(0)


def test_progress_starts_with_the_program_and_the_pain_chart_has_axes_and_dates(phone, live_server, invited_patient):
    page = phone.new_page()
    join(page, invited_patient)
    patient = patient_api(live_server, phone)
    today = patient.get("/api/v1/today").json()
    rx = today["items"][0]["prescription_id"]
    done = {"id": str(uuid.uuid4()), "prescription_id": rx, "performed_at": datetime.now(UTC).isoformat(),
            "sets_done": 2, "reps_done": 3, "pain_during": 4, "pain_after": 2, "effort": 3}
    assert patient.post("/api/v1/completions", done).status_code == 201
    assert patient.post("/api/v1/checkins", {"id": str(uuid.uuid4()), "date": today["date"], **CALM}).status_code == 201

    page.get_by_role("link", name="Progress").click()
    expect()(page.get_by_role("heading", name="Progress", level=1)).to_be_visible()
    # The program was assigned today: one day on the calendar, not 27 "rest days" before it.
    stored = patient.get("/api/v1/progress?days=28").json()["days"]
    assert [d["date"] for d in stored] == [today["date"]]
    expect()(page.get_by_role("heading", name="Since your program started")).to_be_visible()
    expect()(page.locator(".calendar li.day:not(.blank)")).to_have_count(1)
    expect()(page.locator(".calendar li.rest")).to_have_count(0)

    chart = page.get_by_role("img", name=re.compile(r"^Pain chart from .+ to .+, 0 \(no pain\) to 10 \(worst\)\.$"))
    expect()(chart).to_be_visible()
    ticks = chart.locator("svg text.tick").all_text_contents()
    assert ticks[:3] == ["0", "5", "10"]  # the y axis
    day_label = page.evaluate("(d) => new Intl.DateTimeFormat('en', {day: 'numeric', month: 'short'})"
                              ".format(new Date(d + 'T12:00'))", today["date"])
    assert day_label in ticks[3:]  # the x axis names the day
    page.get_by_text("Pain day by day").click()
    row = page.get_by_role("row", name=re.compile(re.escape(day_label)))
    expect()(row).to_contain_text("4")
    expect()(row).to_contain_text("3")


@pytest.fixture
def new_york_patient(therapist_http):
    """A patient the therapist set in America/New_York (the phone is in Europe/Madrid)."""
    created = therapist_http.post("/api/v1/patients", {"display_name": "Nora York", "timezone": "America/New_York"})
    assert created.status_code == 201, created.text
    patient = created.json()
    exercises = {row["slug"]: row["id"] for row in therapist_http.get("/api/v1/exercises").json()}
    assert therapist_http.post(f"/api/v1/patients/{patient['id']}/program", {"phase": "calm", "items": [
        {"exercise_id": exercises["cat-camel"], "sets": 1, "reps": 5}]}).status_code == 201
    return {"id": patient["id"], "join_url": patient["invite_url"]}


def save_reminders(page):
    page.get_by_role("link", name="Settings").first.click()
    form = page.locator("form").filter(has=page.get_by_role("button", name="Save reminders"))
    form.get_by_label("Remind me to do my exercises").check()
    if not form.get_by_label("Reminder time").count():
        form.get_by_role("button", name="Add a time").click()
        form.get_by_label("Reminder time").last.fill("08:30")
    form.get_by_role("button", name="Save reminders").click()
    return form


def test_the_time_zone_is_asked_for_and_the_therapist_is_told(phone, live_server, new_york_patient, therapist_http):
    page = phone.new_page()
    join(page, new_york_patient)
    patient = patient_api(live_server, phone)

    # "No": the reminders are saved, the zone the therapist set is kept.
    form = save_reminders(page)
    question = form.get_by_role("group", name="Use Europe/Madrid?")
    expect()(question).to_be_visible()
    question.get_by_role("button", name="No, keep America/New_York").click()
    expect()(page.locator("#toast")).to_contain_text("Reminders saved.")
    saved = patient.get("/api/v1/reminders").json()
    assert saved["enabled"] is True and saved["timezone"] == "America/New_York"
    page_html = therapist_http.get(f"/t/patients/{new_york_patient['id']}").text
    assert "changed by the patient" not in page_html.split("<section", 1)[0]

    # "Yes": the patient moves to the phone's zone, audited and shown on the patient page.
    page.reload()
    form = save_reminders(page)
    form.get_by_role("group", name="Use Europe/Madrid?").get_by_role("button", name="Yes, use Europe/Madrid").click()
    expect()(page.locator("#toast")).to_contain_text("Reminders saved.")
    assert patient.get("/api/v1/reminders").json()["timezone"] == "Europe/Madrid"
    trail = therapist_http.get(f"/api/v1/patients/{new_york_patient['id']}/audit").json()["events"]
    change = [e for e in trail if e["action"] == "patient.timezone"]
    assert len(change) == 1 and change[0]["detail"] == {"before": "America/New_York", "after": "Europe/Madrid"}
    header = therapist_http.get(f"/t/patients/{new_york_patient['id']}").text.split("<section", 1)[0]
    assert "Time zone: Europe/Madrid" in header and "changed by the patient on" in header
    assert "was America/New_York" in header

    # Same zone now: saving asks nothing.
    page.reload()
    form = save_reminders(page)
    expect()(page.locator("#toast")).to_contain_text("Reminders saved.")
    expect()(form.get_by_role("group", name="Use Europe/Madrid?")).to_be_hidden()

    # Reminders on with no time: the message names what to fix, not "invalid fields".
    while form.get_by_role("button", name="Remove").count():
        form.get_by_role("button", name="Remove").first.click()
    form.get_by_role("button", name="Save reminders").click()
    expect()(page.locator("#toast")).to_contain_text("Not saved: Pick at least one time to turn reminders on.")
    assert patient.get("/api/v1/reminders").json()["times"] == ["08:30"]


SAVED_IN = """(lang) => caches.open('hep-api').then((c) => c.match('/api/v1/today?hl=' + lang)).then(Boolean)"""


def test_spanish_throughout_and_offline(phone, live_server, invited_patient):
    page = phone.new_page()
    join(page, invited_patient)
    patient = patient_api(live_server, phone)
    spanish = patient.http.get(live_server.url + "/api/v1/today", headers={"X-HEP-Locale": "es"}).json()
    english = patient.get("/api/v1/today").json()
    names_es = [i["exercise"]["name"] for i in spanish["items"]]
    assert names_es != [i["exercise"]["name"] for i in english["items"]]  # the library has Spanish names

    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Language of the app").select_option("es")
    expect()(page.get_by_role("heading", level=1)).to_have_text("Ajustes")
    assert page.locator("a.skip").text_content() == "Saltar al contenido"
    page.get_by_role("link", name="Aprender").click()
    expect()(page.get_by_role("heading", level=1)).to_have_text("Aprender")
    expect()(page.get_by_text(re.compile(r"\d+ min de lectura")).first).to_be_visible()
    expect()(page.get_by_text("min read")).to_have_count(0)

    # Offline after switching: the exercise names are the Spanish ones, saved for this language.
    wait_until(page, f"({SAVED_IN})('es')")
    phone.set_offline(True)
    page.get_by_role("link", name="Hoy").click()
    expect()(page.get_by_role("heading", level=1)).to_have_text("Hoy")
    cards = page.locator("li.card.exercise")
    expect()(cards).to_have_count(2)
    for n, name in enumerate(names_es):
        expect()(cards.nth(n)).to_contain_text(name)
    page.reload()
    expect()(page.get_by_role("heading", level=1)).to_have_text("Hoy")
    expect()(page.locator("li.card.exercise").first).to_contain_text(names_es[0])
    assert page.locator("a.skip").text_content() == "Saltar al contenido"
    phone.set_offline(False)

    # A server error is titled in Spanish too (the app names its language on every call).
    refused = page.evaluate("""() => fetch('/api/v1/exercises', {headers: {'X-HEP-Locale': 'es',
        Accept: 'application/json'}}).then((r) => r.json())""")
    assert refused["status"] == 403 and refused["title"] == "Prohibido"


SCREENS = ["#/today", "#/exercise/{rx}", "#/log/{rx}", "#/checkin", "#/progress", "#/learn", "#/settings"]


def test_text_size_at_the_largest_step_keeps_the_layout_on_a_small_phone(browser, live_server, invited_patient):
    from axe_playwright_python.sync_playwright import Axe

    small = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Europe/Madrid",
                                viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                has_touch=True)
    small.set_default_timeout(15000)
    try:
        page = small.new_page()
        join(page, invited_patient)
        page.get_by_role("link", name="Settings").click()
        sizes = page.get_by_role("group", name="Text size")
        expect()(sizes.get_by_role("radio")).to_have_count(4)
        expect()(sizes.get_by_label("Standard (100 %)")).to_be_checked()
        sizes.get_by_label("Largest (200 %)").check()
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
        assert page.evaluate("localStorage.getItem('hep_text_size')") == "3"  # a setting of this phone

        rx = patient_api(live_server, small).get("/api/v1/today").json()["items"][0]["prescription_id"]
        axe = Axe()
        serious = {}
        page.reload()  # kept after a reload
        for screen in SCREENS:
            page.goto("/app/" + screen.format(rx=rx))
            expect()(page.get_by_role("heading", level=1)).to_be_visible()
            page.wait_for_load_state("networkidle")
            assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 360, f"{screen} scrolls sideways: {wide} px"
            for dark in (False, True):
                page.emulate_media(color_scheme="dark" if dark else "light")
                found = [(v["id"], len(v["nodes"])) for v in axe.run(page).response["violations"]
                         if v["impact"] in ("serious", "critical")]
                if found:
                    serious[f"{screen}{' dark' if dark else ''}"] = found
            page.emulate_media(color_scheme="light")
        assert not serious, serious
    finally:
        small.close()


SPY = """window.__spoken = [];
if ('speechSynthesis' in window) {
  const speak = speechSynthesis.speak.bind(speechSynthesis);
  speechSynthesis.speak = (u) => { window.__spoken.push({ text: u.text, lang: u.lang }); return speak(u); };
}"""


def test_read_aloud_speaks_the_exercise_in_the_apps_language(browser, phone, live_server, invited_patient):
    phone.add_init_script(SPY)
    page = phone.new_page()
    join(page, invited_patient)
    page.locator("li.card.exercise").nth(0).get_by_role("link", name="Start").click()
    read = page.get_by_role("button", name="Read aloud")
    expect()(read).to_be_visible()
    read.click()
    spoken = page.evaluate("window.__spoken")
    name = page.get_by_role("heading", level=1).inner_text()
    assert len(spoken) == 1 and spoken[0]["lang"] == "en" and spoken[0]["text"].startswith(name)
    assert "2 sets" in spoken[0]["text"]

    # In Spanish, it speaks Spanish.
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Language of the app").select_option("es")
    expect()(page.get_by_role("heading", level=1)).to_have_text("Ajustes")
    page.get_by_role("link", name="Hoy").click()
    page.locator("li.card.exercise").nth(0).get_by_role("link", name="Empezar").click()
    page.get_by_role("button", name="Leer en voz alta").click()
    spoken = page.evaluate("window.__spoken")
    assert spoken[-1]["lang"] == "es"
    spanish_name = patient_api(live_server, phone).http.get(
        live_server.url + "/api/v1/today", headers={"X-HEP-Locale": "es"}).json()["items"][0]["exercise"]["name"]
    assert spoken[-1]["text"].startswith(spanish_name)

    # A browser without speech synthesis shows no button.
    mute = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 390, "height": 844})
    try:
        mute.add_init_script("delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;")
        other = mute.new_page()
        for cookie in phone.cookies():
            mute.add_cookies([cookie])
        other.goto("/app/#/today")
        other.locator("li.card.exercise").nth(0).get_by_role("link", name="Empezar").click()  # Spanish by now
        expect()(other.locator("section.player")).to_be_visible()
        expect()(other.get_by_role("button", name=re.compile("Read aloud|Leer en voz alta"))).to_have_count(0)
    finally:
        mute.close()
