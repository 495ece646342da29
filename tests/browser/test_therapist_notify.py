"""The therapist's "Notify me in this browser" button in Chromium.

Headless Chromium has no push messaging service (``pushManager.subscribe`` is refused with
"permission denied" even when granted), so the page's ``PushManager`` is stood in by a script
that hands out a subscription at the local push service (real keys: the service decrypts what
the server sends to it). Everything else is real: the staff service worker is registered for
``/t/``, permission is asked only after the tap, the VAPID key comes from ``/api/v1/push/key``,
and the subscription is posted with the CSRF header to ``/api/v1/push/subscriptions``.
"""
from __future__ import annotations

import base64
import json
import re

import pytest

from hep.models import Alert, StaffPushSubscription
from hep.push.alert_notices import alert_raised
from hep.push.vapid import application_server_key
from tests.support.push_service import make_subscription

from .push_worker import WorkerPush
from .staff import sign_in

pytestmark = pytest.mark.browser

STAND_IN = """(fake) => {
  window.__hep = { asks: 0, subscribe: [] };
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args) => { window.__hep.asks += 1; return ask(...args); };
  let current = null;
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    window.__hep.subscribe.push({ userVisibleOnly: options.userVisibleOnly, key: btoa(String.fromCharCode(...key)) });
    current = {
      endpoint: fake.endpoint,
      toJSON: () => ({ endpoint: fake.endpoint, expirationTime: null, keys: fake.keys }),
      unsubscribe: async () => { current = null; return true; },
    };
    return current;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
}"""


def expect():
    from playwright.sync_api import expect as _expect

    return _expect


@pytest.fixture
def app_config(service):
    return {"PUSH_ALLOWED_ORIGINS": service.origin}


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", permissions=["notifications"])
    context.set_default_timeout(15000)
    try:
        yield context
    finally:
        context.close()


def test_notify_me_subscribes_this_browser_and_the_alert_arrives(app, desktop, live_server, therapist,
                                                                  invited_patient, service):
    fake, _key = make_subscription(service, "pt-browser")
    desktop.add_init_script(f"({STAND_IN})({json.dumps(fake)})")
    page = desktop.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, therapist["email"], therapist["password"])
    page.wait_for_url(re.compile(r"/t/patients$"))

    button = page.get_by_role("button", name="Notify me in this browser")
    expect()(button).to_be_visible()  # shown once the staff worker is registered
    scope = page.evaluate("navigator.serviceWorker.getRegistration('/t/').then(r => [r.scope, r.active.scriptURL])")
    assert scope == [live_server.url + "/t/", live_server.url + "/t/sw.js"]
    assert page.evaluate("window.__hep.asks") == 0  # never asked on page load

    button.click()
    expect()(page.locator("#notify-status")).to_have_text(
        "This browser will tell you when a patient needs your attention.")
    expect()(page.get_by_role("button", name="Stop notifying this browser")).to_be_visible()
    assert page.evaluate("window.__hep.asks") == 1
    [subscribed] = page.evaluate("window.__hep.subscribe")
    assert subscribed["userVisibleOnly"] is True
    expected_key = application_server_key(app.config["VAPID_PRIVATE_KEY"])
    assert base64.b64decode(subscribed["key"]) == base64.urlsafe_b64decode(expected_key + "=")
    with app.app_context():
        [row] = list(StaffPushSubscription.select())
        assert (row.user_id, row.endpoint, row.p256dh) == (therapist["id"], fake["endpoint"], fake["keys"]["p256dh"])

    # An emergency alert for this therapist's patient now reaches this browser's subscription.
    with app.app_context():
        alert = Alert.create(patient=invited_patient["id"], key="red_flag", code="cauda_equina",
                             level="emergency", detail="x", evidence=[])
        alert_raised(alert)
    [message] = service.received
    assert json.loads(message.text)["url"] == f"/t/patients/{invited_patient['id']}"

    # The staff worker shows what the push service would hand it (delivered through DevTools).
    worker = WorkerPush(desktop, page, live_server.url + "/t/")
    worker.deliver(message.text)
    shown = [{k: v for k, v in n.items() if k != "silent"} for n in worker.wait_shown()]
    assert shown == [{"title": "A patient needs your attention", "body": "Open hep to see who and why.",
                      "tag": f"hep-alert-{alert.id}", "url": f"/t/patients/{invited_patient['id']}"}]

    # And off again.
    page.get_by_role("button", name="Stop notifying this browser").click()
    expect()(page.locator("#notify-status")).to_have_text("This browser will no longer be notified.")
    with app.app_context():
        assert StaffPushSubscription.select().count() == 0
    assert errors == []


def test_a_refused_permission_subscribes_nothing(app, browser, live_server, therapist, service):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    try:
        fake, _key = make_subscription(service, "refused")
        context.add_init_script(f"({STAND_IN})({json.dumps(fake)})")
        # The person says no to the prompt.
        context.add_init_script(
            "Notification.requestPermission = async () => { window.__hep.asks += 1; return 'denied'; };")
        page = context.new_page()
        sign_in(page, therapist["email"], therapist["password"])
        page.get_by_role("button", name="Notify me in this browser").click()
        expect()(page.locator("#notify-status")).to_have_text(
            "Notifications are blocked for this site in the browser settings.")
        assert page.evaluate("window.__hep.subscribe") == []
        with app.app_context():
            assert StaffPushSubscription.select().count() == 0
    finally:
        context.close()
