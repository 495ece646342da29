"""The one shape of every notification hep pushes (reminders, alert notices, message notices)."""
from __future__ import annotations

import json

from flask import current_app


def notification_payload(title: str, body: str, path: str, tag: str, lang: str,
                         message_id: str | None = None) -> bytes:
    """The JSON the service worker shows (``title``, ``body``, ``url``, ``tag``), with the same
    notification as a Declarative Web Push block (``web_push: 8030``, an absolute ``navigate``
    link from ``BASE_URL``) that Safari can show without running the worker. Callers pass text
    with no name and no health detail: push payloads leave the server.

    ``message_id`` (``id``) names one message however often it is sent: a sender that cannot
    know whether the push service took a message (its consumer died before recording the
    answer) sends it again under the same id, and the service worker shows an id once."""
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    message = {
        **({"id": message_id} if message_id else {}),
        "title": title, "body": body, "url": path, "tag": tag, "web_push": 8030,
        "notification": {"title": title, "body": body, "navigate": base + path, "tag": tag, "lang": lang,
                         "silent": False},
    }
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
