"""Questionnaire due dates at a phone viewport: the therapist's schedule decides what
Progress lists as due now and when the next ones come."""
from __future__ import annotations

import pytest

from .test_patient_pwa import expect, join

pytestmark = pytest.mark.browser


def test_progress_shows_what_is_due_and_when_the_next_comes(phone, invited_patient, therapist_http):
    schedule = therapist_http.call("PUT", f"/api/v1/patients/{invited_patient['id']}/questionnaire-schedule",
                                   {"items": [{"code": "nprs", "every_days": 3}, {"code": "ears", "every_days": 10}]})
    assert schedule.status_code == 200, schedule.text
    page = phone.new_page()
    join(page, invited_patient)
    answered = page.evaluate("""async () => {
        const me = await (await fetch('/api/v1/me')).json();
        const res = await fetch('/api/v1/questionnaires/nprs/responses', {method: 'POST', headers: {
            'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token},
            body: JSON.stringify({id: crypto.randomUUID(), answers: {'1': 4}})});
        return res.status;
    }""")
    assert answered == 201
    page.goto("/app/#/progress")
    due = page.get_by_role("heading", name="Questionnaires to fill in").locator("..")
    expect()(due.get_by_role("link", name="Exercise Adherence Rating Scale (6 items, paraphrased)")).to_be_visible()
    expect()(due.get_by_role("link", name="Numeric Pain Rating Scale")).to_have_count(0)
    upcoming = page.get_by_role("region", name="Next questionnaires")
    expect()(upcoming).to_contain_text("Numeric Pain Rating Scale: ")
    nprs = next(q for q in therapist_http.get(f"/api/v1/patients/{invited_patient['id']}/questionnaire-schedule").json()
                if q["code"] == "nprs")
    day = page.evaluate("(d) => new Intl.DateTimeFormat('en', {weekday: 'long', day: 'numeric', month: 'long'})"
                        ".format(new Date(...d.split('-').map((n, i) => i === 1 ? n - 1 : +n)))", nprs["due_on"])
    expect()(upcoming).to_contain_text(f"Numeric Pain Rating Scale: {day}")
