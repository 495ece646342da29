"""The exercise drawings in the patient app: inline, full card width, strokes in the text colour
(light and dark mode), and still there offline after "save all exercise pictures"."""
from __future__ import annotations

import re

import pytest

from .test_patient_pwa import expect, join

pytestmark = pytest.mark.browser

STROKE_AND_TEXT = """(fig) => {
  const g = fig.querySelector('svg g');
  return [getComputedStyle(g).stroke, getComputedStyle(fig).color];
}"""


def test_player_shows_the_drawing_in_the_text_colour_and_offline(phone, live_server, invited_patient):
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    join(page, invited_patient)
    thumbs = page.locator("li.card.exercise figure.thumb svg")
    expect()(thumbs).to_have_count(2)

    page.get_by_role("link", name="Settings").first.click()
    page.get_by_role("button", name="Save all exercise pictures for offline use").click()
    read_cache = "caches.open('hep-media').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname).sort())"
    for _ in range(50):
        cached = page.evaluate(read_cache)
        if len(cached) == 2:
            break
        page.wait_for_timeout(100)
    assert cached == ["/static/media/exercises/prone-on-elbows.svg", "/static/media/exercises/seated-sciatic-nerve-slider.svg"]

    page.goto("/app/#/today")
    href = page.locator("li.card.exercise").first.get_by_role("link", name="Start").get_attribute("href")
    phone.set_offline(True)
    page.goto(f"/app/{href}")
    figure = page.get_by_role("img", name="Illustration of the exercise: Seated sciatic nerve slider")
    expect()(figure.locator("svg g.start")).to_have_count(1)
    expect()(figure.locator("svg g.end")).to_have_count(1)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        stroke, text = figure.evaluate(STROKE_AND_TEXT)
        assert stroke == text, (scheme, stroke, text)
    assert figure.evaluate(STROKE_AND_TEXT) != page.evaluate("getComputedStyle(document.body).backgroundColor")
    box, main = figure.bounding_box(), page.locator("main").bounding_box()
    assert box["width"] >= main["width"] - 40, (box, main)  # the card's full width (main has 1rem padding)
    assert 0.35 < box["height"] / box["width"] < 0.5, box  # height follows the 240x100 drawing
    assert figure.evaluate("(fig) => fig.querySelector('svg').getBoundingClientRect().height") > 100
    phone.set_offline(False)
    assert not [e for e in errors if not re.search(r"fetch|network", e, re.I)], errors
