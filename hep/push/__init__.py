"""Web push for reminders and alert notices, and e-mail for the notices.

The database-free parts live here as small modules:

- ``vapid``: the instance's VAPID key and the cached ``Authorization: vapid`` header (RFC 8292);
- ``endpoints``: which push-service endpoints we are willing to POST to (the allow-list);
- ``sender``: one encrypted push message over a shared HTTP session, classified by outcome;
- ``schedule``: which reminder slots fall due in a window of time, across DST and quiet hours;
- ``mail``: one plain-text e-mail over SMTP (``HEP_SMTP_URL``).

``subscriptions``, ``reminders`` and ``alert_notices`` use the database.
"""
