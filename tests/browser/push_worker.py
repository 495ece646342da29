"""Handing a push message to a page's service worker through the DevTools protocol.

Headless Chromium has no push messaging service, but DevTools can deliver a message to a
registered worker exactly as the push service's would arrive (``ServiceWorker.deliverPushMessage``):
the worker's ``push`` handler runs and shows what it shows.
"""
from __future__ import annotations

from .waiting import wait_until

SHOWN = """(scope) => navigator.serviceWorker.getRegistration(scope).then(r => r.getNotifications())
  .then(ns => ns.map(n => ({ title: n.title, body: n.body, tag: n.tag, url: n.data.url, silent: n.silent })))"""


class WorkerPush:
    """The worker registered for ``scope`` (a URL ending in ``/``) of ``page``'s origin."""

    def __init__(self, context, page, scope: str):
        self.page = page
        self.path = "/" + scope.split("/", 3)[3]
        self.cdp = context.new_cdp_session(page)
        registrations: dict[str, str] = {}
        self.cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.update(
            {r["scopeURL"]: r["registrationId"] for r in event["registrations"]}))
        self.cdp.send("ServiceWorker.enable")
        for _ in range(50):
            if scope in registrations:
                break
            page.wait_for_timeout(100)
        self.registration = registrations[scope]
        self.origin = scope[:len(scope) - len(self.path)]

    def deliver(self, text: str) -> None:
        """Hand ``text`` (the decrypted payload) to the worker's ``push`` handler."""
        self.cdp.send("ServiceWorker.deliverPushMessage",
                      {"origin": self.origin, "registrationId": self.registration, "data": text})

    def shown(self) -> list[dict]:
        """The notifications the worker's registration has on screen now."""
        return self.page.evaluate(SHOWN, self.path)

    def wait(self, condition: str) -> list[dict]:
        """Wait until ``condition`` (JavaScript over ``ns``, the notifications on screen) holds;
        what is then on screen."""
        wait_until(self.page, f"navigator.serviceWorker.getRegistration({self.path!r})"
                              f".then(r => r.getNotifications()).then(ns => {condition})")
        return self.shown()

    def wait_shown(self, count: int = 1) -> list[dict]:
        return self.wait(f"ns.length >= {count}")

    def close_all(self) -> None:
        """Dismiss every notification on screen, as the patient swiping them away."""
        self.page.evaluate("""(scope) => navigator.serviceWorker.getRegistration(scope)
            .then(r => r.getNotifications()).then(ns => ns.forEach(n => n.close()))""", self.path)
        self.wait("ns.length === 0")
