"""HTTP hardening: the security headers every response carries, and which proxy to trust.

``init_app`` adds one ``after_request`` hook (it also runs for error responses, the 500 page
included) and, when ``PROXY_COUNT`` is above 0, wraps the app in werkzeug's ``ProxyFix`` so
the rate limits and the audit trail see the client's address and HSTS sees https.
"""
from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

#: No inline script or style anywhere: every page loads its code and styles from /static.
#: ``data:``/``blob:`` images and ``blob:`` media are for pictures and clips the app builds
#: in the browser; workers (the two service workers) and the manifest are same-origin.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

#: Browser features the app never uses are switched off for every page (only names Chromium
#: knows: an unknown one is reported as an error in the console). Unlisted features keep their
#: default, this origin only: the app uses autoplay (the timer's beep) and screen-wake-lock
#: (the screen stays on during an exercise). Notifications and push are not policy-controlled;
#: the browser's permission prompt decides.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "browsing-topics", "camera", "display-capture", "geolocation", "gyroscope", "hid",
    "idle-detection", "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
    "serial", "usb", "xr-spatial-tracking",
))

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
}
#: A script, stylesheet or image a page loads obeys the page's policy, not one sent with it,
#: so the static files get only the headers that act on them (which keeps the patient app's
#: first load small). SVG keeps the full set: opened on its own it is a document that can run
#: script. Pages, workers, API answers and every error get the full set.
SUBRESOURCE_HEADERS = ("X-Content-Type-Options", "Referrer-Policy")

#: A JSON answer (the API, translations, problem details) is data, never a page: opened on its
#: own it may load nothing and be framed by nobody. Permissions-Policy acts on documents only,
#: so data answers go without it (which keeps the patient app's first load small).
DATA_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
DATA_HEADERS = {
    "Content-Security-Policy": DATA_CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

#: One year; no includeSubDomains, since other hosts of the clinic's domain are not ours to pin.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def add_security_headers(response: Response) -> Response:
    """Set the security headers on ``response`` (a header a view set itself is kept).

    Static scripts, stylesheets and images get ``SUBRESOURCE_HEADERS`` only; JSON answers get
    ``DATA_HEADERS``; pages, SVGs, workers and everything else ``SECURITY_HEADERS``.
    ``Strict-Transport-Security`` only over https: as the client saw it, so behind a proxy
    only when ``PROXY_COUNT`` trusts its ``X-Forwarded-Proto``.
    """
    if _is_subresource(response):
        headers = {name: SECURITY_HEADERS[name] for name in SUBRESOURCE_HEADERS}
    elif response.is_json:
        headers = DATA_HEADERS
    else:
        headers = SECURITY_HEADERS
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def _is_subresource(response: Response) -> bool:
    """A static script, stylesheet or image, or any static file's 304: a revalidation keeps the
    headers the browser stored with the file, so it need not repeat them."""
    if request.endpoint != "static" or response.status_code >= 400:
        return False
    return response.status_code == 304 or response.mimetype != "image/svg+xml"


def trust_proxies(app: Flask, count: int) -> None:
    """Believe ``count`` proxies' ``X-Forwarded-For`` and ``X-Forwarded-Proto``.

    Host, port and prefix are not taken from ``X-Forwarded-*``: common proxy set-ups (nginx's
    defaults among them) pass the ``Host`` header through and leave ``X-Forwarded-Host`` as
    the client sent it, and hep is always served from the root of its origin.
    """
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_port=0, x_prefix=0)


def init_app(app: Flask) -> None:
    trust_proxies(app, int(app.config.get("PROXY_COUNT") or 0))
    app.after_request(add_security_headers)
