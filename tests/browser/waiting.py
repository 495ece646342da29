"""Waiting on the page under the Content-Security-Policy."""
from __future__ import annotations

import time


def wait_until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression (a promise is awaited) until it is truthy.

    Playwright's ``wait_for_function`` runs its predicate through ``eval`` inside the page,
    which the app's policy (no ``'unsafe-eval'``) refuses; ``page.evaluate`` goes through the
    DevTools protocol, which the policy does not govern.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)
