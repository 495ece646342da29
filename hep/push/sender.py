"""Send one encrypted web push message and say what happened.

``PushSender.send`` never raises for anything the push service or the network does; it returns
a ``SendResult`` whose ``outcome`` tells the caller what to do next:

==========  ==============================================  =================================
outcome     when                                            the caller
==========  ==============================================  =================================
delivered   200, 201, 202                                   records success
gone        404, 410 (the subscription expired/unsubscribed) deletes the subscription
retry       408, 429, 5xx, timeouts, network/DNS errors      tries again after ``backoff()``
error       other statuses: 400, 401, 403, 413, 3xx, ...    logs it; keeps the subscription
refused     the endpoint fails ``check_endpoint``           does not send (see ``detail``)
==========  ==============================================  =================================

Redirects are never followed (a push service does not redirect; following one would let an
endpoint send us anywhere). Payloads are never logged: a reminder can still be personal.
"""
from __future__ import annotations

import email.utils
import hashlib
import http.cookiejar
import logging
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Literal, cast
from urllib.parse import urlsplit

import requests
from pywebpush import WebPusher, WebPushException
from requests.adapters import HTTPAdapter

from hep.push.endpoints import (
    CachingResolver,
    EndpointRefused,
    EndpointUnresolved,
    Resolver,
    check_endpoint,
)
from hep.push.vapid import VapidSigner

log = logging.getLogger(__name__)

Outcome = Literal["delivered", "gone", "retry", "error", "refused"]

# A reminder that arrives hours late is noise; the push service drops it after this long.
DEFAULT_TTL = 4 * 60 * 60
URGENCIES = ("very-low", "low", "normal", "high")
# aes128gcm in one 4096-byte record: 86-byte header, 16-byte tag, 1 delimiter byte (RFC 8291).
MAX_PAYLOAD_BYTES = 4096 - 86 - 16 - 1
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_DELIVERED = frozenset({200, 201, 202})
_GONE = frozenset({404, 410})
_DETAIL_CHARS = 200


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: Outcome
    status: int | None = None
    retry_after: float | None = None  # seconds, when the push service said when to retry
    detail: str = ""


class _Transport:
    """The one method ``WebPusher`` uses of a session, made safe and cheap for push.

    pywebpush calls ``session.post(endpoint, timeout=..., data=..., headers=...)`` and has no
    way to pass ``allow_redirects``; this adds ``allow_redirects=False``. It also looks up the
    environment's proxy settings (``HTTPS_PROXY``, ``NO_PROXY``) once per origin instead of on
    every request, which requests does when ``trust_env`` is on (a scan of ``os.environ`` and a
    ``.netrc`` lookup per message).
    """

    __slots__ = ("session", "_proxies")

    def __init__(self, session: requests.Session):
        self.session = session
        self._proxies: dict[str, dict[str, str]] = {}

    def post(self, url: str, **kwargs) -> requests.Response:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        proxies = self._proxies.get(origin)
        if proxies is None:
            proxies = requests.utils.get_environ_proxies(origin + "/")
            if len(self._proxies) < 1024:
                self._proxies[origin] = proxies
        return self.session.post(url, allow_redirects=False, proxies=proxies, **kwargs)


def make_session(pool_size: int = 16) -> requests.Session:
    """A ``requests.Session`` for push traffic: pooled keep-alive, no retries, no cookies.

    ``trust_env`` is off: ``PushSender`` applies the environment's proxy settings itself, once
    per origin, and push requests never need ``.netrc`` credentials.
    """
    session = requests.Session()
    session.trust_env = False
    adapter = HTTPAdapter(pool_connections=16, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    # Push services have no business setting state that we would replay to other endpoints.
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return session


class PushSender:
    """Sends web push messages through one shared, pooled HTTP session.

    ``allowed_origins`` are the configured extra push origins (see ``check_endpoint``).
    ``timeout`` is requests' (connect, read) seconds. One instance is meant to be shared by all
    threads of a process; ``close()`` it (or use it as a context manager) when done.
    """

    def __init__(
        self,
        signer: VapidSigner,
        allowed_origins: Iterable[str] = (),
        *,
        session: requests.Session | None = None,
        timeout: float | tuple[float, float] = (3.05, 10),
        ttl: int = DEFAULT_TTL,
        pool_size: int = 16,
        resolver: Resolver | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.signer = signer
        self.allowed_origins = frozenset(allowed_origins)
        self.timeout = timeout
        self.ttl = _check_ttl(ttl)
        self._own_session = session is None
        self.session = session if session is not None else make_session(pool_size)
        self._transport = cast(requests.Session, _Transport(self.session))
        self._resolver = resolver if resolver is not None else CachingResolver()
        self._clock = clock

    def send(
        self,
        subscription_info: Mapping,
        payload: bytes | str,
        *,
        ttl: int | None = None,
        urgency: str = "normal",
        topic: str | None = None,
    ) -> SendResult:
        """Encrypt ``payload`` (aes128gcm) for the subscription and POST it to its endpoint.

        ``topic`` (1-32 base64url characters) makes a later message with the same topic replace
        this one while it is still queued. Raises ``ValueError`` only for a bad argument (an
        empty or too large payload, an unknown urgency, a bad topic or TTL).
        """
        data, ttl = _check_arguments(payload, self.ttl if ttl is None else ttl, urgency, topic)
        endpoint = (
            subscription_info.get("endpoint") if isinstance(subscription_info, Mapping) else None
        )
        try:
            origin = check_endpoint(endpoint, self.allowed_origins, resolver=self._resolver)
        except EndpointUnresolved as exc:
            log.warning("push to %s deferred: %s", _fingerprint(endpoint), exc.reason)
            return SendResult("retry", detail=exc.reason)
        except EndpointRefused as exc:
            log.warning("push to %s refused: %s", _fingerprint(endpoint), exc.reason)
            return SendResult("refused", detail=exc.reason)
        headers = {
            "Authorization": self.signer.header(origin),
            "Content-Type": "application/octet-stream",
            "Urgency": urgency,
        }
        if topic is not None:
            headers["Topic"] = topic
        return self._post(origin, subscription_info, data, headers, ttl)

    def _post(
        self, origin: str, subscription_info: Mapping, data: bytes, headers: dict, ttl: int
    ) -> SendResult:
        try:
            pusher = WebPusher(subscription_info, requests_session=self._transport)
            response = pusher.send(
                data, headers, ttl=ttl, content_encoding="aes128gcm", timeout=self.timeout
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            log.warning("push to %s will be retried: %s", origin, type(exc).__name__)
            return SendResult("retry", detail=f"{type(exc).__name__}: {exc}"[:_DETAIL_CHARS])
        except (WebPushException, ValueError, TypeError) as exc:
            # Malformed subscription keys: nothing a retry would fix.
            log.error("push to %s failed before sending: %s", origin, type(exc).__name__)
            return SendResult("error", detail=f"bad subscription: {exc}"[:_DETAIL_CHARS])
        except requests.RequestException as exc:
            log.error("push to %s failed: %s", origin, type(exc).__name__)
            return SendResult("error", detail=f"{type(exc).__name__}: {exc}"[:_DETAIL_CHARS])
        response = cast(requests.Response, response)
        return self._classify(origin, subscription_info["endpoint"], response)

    def _classify(self, origin: str, endpoint: str, response: requests.Response) -> SendResult:
        status = response.status_code
        if status in _DELIVERED:
            log.debug("push to %s delivered (%s)", origin, status)
            return SendResult("delivered", status)
        detail = _detail(response)
        if status in _GONE:
            log.info(
                "push subscription %s at %s is gone (%s)", _fingerprint(endpoint), origin, status
            )
            return SendResult("gone", status, detail=detail)
        if status in (408, 429) or 500 <= status <= 599:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self._clock())
            log.warning(
                "push to %s will be retried (%s, retry after %s)", origin, status, retry_after
            )
            return SendResult("retry", status, retry_after, detail)
        log.error("push to %s rejected (%s): %s", origin, status, detail)
        return SendResult("error", status, detail=detail)

    def close(self) -> None:
        """Close the HTTP session if this sender created it."""
        if self._own_session:
            self.session.close()

    def __enter__(self) -> PushSender:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay-seconds or an HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff(
    attempt: int,
    retry_after: float | None = None,
    *,
    base: float = 10.0,
    cap: float = 15 * 60.0,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number ``attempt`` (1 for the first retry).

    Exponential (``base * 2**(attempt-1)``, at most ``cap``) with "equal jitter" (a random
    point in the upper half), so many reminders failing together do not retry together; never
    less than the push service's ``retry_after``.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    ceiling = min(cap, base * 2 ** min(attempt - 1, 32))
    delay = ceiling / 2 + rand() * ceiling / 2
    return max(delay, retry_after or 0.0)


def _check_arguments(
    payload: bytes | str, ttl: int, urgency: str, topic: str | None
) -> tuple[bytes, int]:
    data = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
    if not 0 < len(data) <= MAX_PAYLOAD_BYTES:
        raise ValueError(f"payload must be 1..{MAX_PAYLOAD_BYTES} bytes")
    if urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of {URGENCIES}")
    if topic is not None and not _TOPIC.match(topic):
        raise ValueError("topic must be 1-32 base64url characters")
    return data, _check_ttl(ttl)


def _check_ttl(ttl: int) -> int:
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= 28 * 24 * 3600:
        raise ValueError("ttl must be whole seconds between 0 and 28 days")
    return ttl


def _detail(response: requests.Response) -> str:
    """Status line and the start of the push service's explanation (never our payload)."""
    try:
        body = response.text.strip().replace("\n", " ")
    except (UnicodeDecodeError, requests.RequestException):
        body = ""
    return f"{response.status_code} {response.reason or ''}: {body}".strip(": ")[:_DETAIL_CHARS]


def _fingerprint(endpoint: object) -> str:
    """A short, stable, non-reversible name for an endpoint URL, for logs."""
    return "endpoint#" + hashlib.sha256(str(endpoint).encode()).hexdigest()[:10]
