"""The "Messages" block of the patient page: the thread, writing to the patient (CSRF form,
post/redirect/get), the patient's messages read once shown, and the unread count on the
patient list."""
from __future__ import annotations

import re
import uuid

from hep.models import AuditEvent, Message
from tests.support.pages import post_form, sign_in, text_of


def unread_cell(page: str) -> str:
    return re.sub(r"<[^>]+>", "", page.split('class="unread-messages">', 1)[1].split("</td>", 1)[0]).strip()


def test_the_page_shows_the_thread_and_sends_a_reply(app, therapist, enrolled):
    patient, patient_id, _program = enrolled
    patient.post("/api/v1/messages", {"id": str(uuid.uuid4()), "body": "Can I <b>run</b> again?\nJust asking."})
    browser = sign_in(app, therapist["email"])

    listing = text_of(browser.get("/t/patients"))
    assert "Messages" in listing and unread_cell(listing) == "1 unread"

    page = browser.get(f"/t/patients/{patient_id}").get_data(as_text=True)
    block = page.split('id="messages"', 1)[1].split("</section>", 1)[0]
    assert "Can I &lt;b&gt;run&lt;/b&gt; again?\nJust asking." in block  # escaped, lines kept
    assert "Jo Patient" in block
    assert unread_cell(text_of(browser.get("/t/patients"))) == "–"  # shown, so read

    sent = post_form(browser, f"/t/patients/{patient_id}/messages", {"body": "  Yes, gently.  "},
                     form_page=f"/t/patients/{patient_id}")
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/t/patients/{patient_id}#messages")
    after = text_of(browser.get(f"/t/patients/{patient_id}"))
    assert "Message sent." in after
    block = after.split('id="messages"', 1)[1].split("</section>", 1)[0]
    assert "Yes, gently." in block and "Not read yet" in block
    with app.app_context():
        rows = list(Message.select().where(Message.patient == patient_id).order_by(Message.created_at))
        assert [(m.sender_role, m.body) for m in rows] == [("patient", "Can I <b>run</b> again?\nJust asking."),
                                                           ("therapist", "Yes, gently.")]
        assert rows[0].read_at is not None and rows[1].read_at is None
        assert AuditEvent.select().where(AuditEvent.action == "message.create").count() == 2

    # The patient reads it: the page says so.
    assert [m["body"] for m in patient.get("/api/v1/messages").get_json()][-1] == "Yes, gently."
    block = text_of(browser.get(f"/t/patients/{patient_id}")).split('id="messages"', 1)[1].split("</section>", 1)[0]
    assert "Not read yet" not in block and "Read" in block


def test_an_empty_message_is_refused_and_nothing_is_stored(app, therapist, enrolled):
    _patient, patient_id, _program = enrolled
    browser = sign_in(app, therapist["email"])
    sent = post_form(browser, f"/t/patients/{patient_id}/messages", {"body": "   "},
                     form_page=f"/t/patients/{patient_id}")
    assert sent.status_code == 302
    assert "Write a message first." in text_of(browser.get(f"/t/patients/{patient_id}"))
    with app.app_context():
        assert Message.select().count() == 0


def test_without_the_csrf_token_nothing_is_sent(app, therapist, enrolled):
    _patient, patient_id, _program = enrolled
    browser = sign_in(app, therapist["email"])
    assert browser.post(f"/t/patients/{patient_id}/messages", data={"body": "Hi"}).status_code == 400
    with app.app_context():
        assert Message.select().count() == 0
