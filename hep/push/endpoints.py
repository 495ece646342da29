"""Which push endpoints we are willing to POST to.

A push subscription's endpoint URL comes from the browser, so from the patient: without a
check the server would POST wherever it is told (server-side request forgery). We accept an
endpoint only if its origin is a real push service (``DEFAULT_PUSH_SERVICES``) or an origin the
operator configured (``HEP_PUSH_ALLOWED_ORIGINS``, e.g. a local push service in tests).

Rules, checked at subscribe time and again before every send:

- the URL is short (``MAX_ENDPOINT_LENGTH``), printable ASCII, has no userinfo and no fragment;
- the scheme is ``https``, except for an exact configured origin, which may be ``http``;
- the origin (scheme, host, port) matches an entry: an exact origin, or ``https://*.suffix``,
  where ``*`` stands for exactly one DNS label (``*.push.apple.com`` matches
  ``web.push.apple.com``, not ``push.apple.com``, ``a.b.push.apple.com`` or
  ``evilpush.apple.com``), the way TLS wildcards work;
- unless the origin is an exact configured one, every address its host resolves to must be a
  public unicast address: private, loopback, link-local, multicast, reserved, unspecified and
  other non-global addresses are refused. (Requests resolves the name again when it connects;
  the allow-list of real push services is what stops DNS rebinding, this check is defence in
  depth against a poisoned or split-horizon resolver.)
"""
from __future__ import annotations

import functools
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

# The push services browsers use (Chrome/Edge-on-Android FCM, Firefox autopush, Safari, the
# legacy Edge WNS). Wildcards cover the per-region hosts those services hand out.
DEFAULT_PUSH_SERVICES: tuple[str, ...] = (
    "https://fcm.googleapis.com",
    "https://updates.push.services.mozilla.com",
    "https://*.push.services.mozilla.com",
    "https://*.push.apple.com",
    "https://*.notify.windows.com",
)

# Real endpoints are a few hundred characters (WNS's are the longest); anything much longer is
# not a push endpoint and would only bloat the database and logs.
MAX_ENDPOINT_LENGTH = 2048

Resolver = Callable[..., list]

_DEFAULT_PORTS = {"https": 443, "http": 80}

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_PRINTABLE_ASCII = re.compile(r"^[\x21-\x7e]+$")


class EndpointRefused(ValueError):
    """The endpoint may not be used; ``reason`` says why (safe to show and to log)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class EndpointUnresolved(EndpointRefused):
    """The endpoint's host could not be resolved right now (may be temporary)."""


@dataclass(frozen=True)
class _AllowList:
    exact_trusted: frozenset[str]  # configured exact origins: http allowed, no address check
    exact_services: frozenset[str]  # default exact origins: address check applies
    wildcards: tuple[tuple[str, str, int], ...]  # (scheme, ".suffix", port)


def check_endpoint(
    url: str,
    allowed_origins: Iterable[str] = (),
    *,
    resolver: Resolver = socket.getaddrinfo,
) -> str:
    """Return the endpoint's origin (``https://host[:port]``) if we may POST to ``url``.

    ``allowed_origins`` are the configured extra origins (``HEP_PUSH_ALLOWED_ORIGINS``); the
    real push services in ``DEFAULT_PUSH_SERVICES`` are always allowed. Raises
    ``EndpointRefused`` with a reason, or ``EndpointUnresolved`` (a subclass) when a DNS lookup
    failed, which a sender should treat as temporary.
    """
    allow = _compile(frozenset(allowed_origins))
    scheme, host, port = _split(url)
    origin = _origin(scheme, host, port)
    if origin in allow.exact_trusted:
        return origin
    if scheme != "https":
        raise EndpointRefused("endpoint must use https")
    if origin not in allow.exact_services and not any(
        scheme == w_scheme and port == w_port and _one_label_under(host, suffix)
        for w_scheme, suffix, w_port in allow.wildcards
    ):
        raise EndpointRefused(f"push service {origin} is not on the allow-list")
    _check_public(host, port, resolver)
    return origin


def parse_origin(value: str) -> str:
    """Normalise one allow-list entry (``scheme://host[:port]``, host may be ``*.suffix``).

    Raises ``ValueError`` for anything else (a path, userinfo, a bare wildcard such as
    ``https://*.com``), so a typo in ``HEP_PUSH_ALLOWED_ORIGINS`` fails at start-up.
    """
    scheme, host, port = _parse_entry(value)
    return _origin(scheme, host, port)


def _parse_entry(value: str) -> tuple[str, str, int]:
    raw = value.strip().rstrip("/")
    wildcard = "://*." in raw
    probe = raw.replace("://*.", "://wildcard.", 1) if wildcard else raw
    try:
        scheme, host, port = _split(probe)
    except EndpointRefused as exc:
        raise ValueError(f"bad push origin {value!r}: {exc.reason}") from None
    parts = urlsplit(probe)
    if parts.path or parts.query:
        raise ValueError(f"bad push origin {value!r}: an origin has no path or query")
    if not wildcard:
        return scheme, host, port
    suffix = host.split(".", 1)[1]
    if scheme != "https" or "." not in suffix or _is_ip(suffix):
        raise ValueError(
            f"bad push origin {value!r}: a wildcard needs https and at least two more labels"
        )
    return scheme, "*." + suffix, port


class CachingResolver:
    """``socket.getaddrinfo`` with answers kept for ``ttl`` seconds.

    A sender checks the endpoint before every POST; this keeps that from costing a DNS
    round-trip per message. Failures are not cached.
    """

    def __init__(self, ttl: float = 60.0, resolver: Resolver = socket.getaddrinfo,
                 clock: Callable[[], float] = time.monotonic):
        self._ttl, self._resolver, self._clock = ttl, resolver, clock
        self._answers: dict[tuple, tuple[float, list]] = {}
        self._lock = threading.Lock()

    def __call__(self, host, port, *args, **kwargs):
        key = (host, port, args, tuple(sorted(kwargs.items())))
        now = self._clock()
        hit = self._answers.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        answer = self._resolver(host, port, *args, **kwargs)
        with self._lock:
            if len(self._answers) > 4096:
                self._answers.clear()
            self._answers[key] = (now + self._ttl, answer)
        return answer


@functools.lru_cache(maxsize=32)
def _compile(configured: frozenset[str]) -> _AllowList:
    exact_trusted, exact_services, wildcards = set(), set(), []
    entries = [(o, False) for o in DEFAULT_PUSH_SERVICES] + [(o, True) for o in configured]
    for entry, trusted in entries:
        scheme, host, port = _parse_entry(entry)
        if host.startswith("*."):
            # A configured wildcard is not an exact origin: its hosts still get the address check.
            wildcards.append((scheme, host[1:], port))
        elif trusted:
            exact_trusted.add(_origin(scheme, host, port))
        else:
            exact_services.add(_origin(scheme, host, port))
    return _AllowList(frozenset(exact_trusted), frozenset(exact_services), tuple(wildcards))



def _split(url: str) -> tuple[str, str, int]:
    """(scheme, lower-case host, port) of an absolute http(s) URL, or ``EndpointRefused``."""
    if not isinstance(url, str) or not url:
        raise EndpointRefused("endpoint is missing")
    if len(url) > MAX_ENDPOINT_LENGTH:
        raise EndpointRefused(f"endpoint is longer than {MAX_ENDPOINT_LENGTH} characters")
    # urlsplit silently drops tabs and newlines, and some clients read "\" as "/": refuse
    # anything that is not plain printable ASCII before parsing.
    if not _PRINTABLE_ASCII.match(url) or "\\" in url:
        raise EndpointRefused("endpoint contains characters that are not allowed")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise EndpointRefused("endpoint must be an http(s) URL")
    if "@" in parts.netloc:
        raise EndpointRefused("endpoint must not contain user information")
    if parts.fragment or url.endswith("#"):
        raise EndpointRefused("endpoint must not contain a fragment")
    try:
        port = parts.port
    except ValueError:
        raise EndpointRefused("endpoint has an invalid port") from None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise EndpointRefused("endpoint has no host")
    if not _is_ip(host) and (
        not all(_LABEL.match(label) for label in host.split("."))
        # "127.1" or "0x7f.0.0.1" are not names: C resolvers read them as IPv4 addresses.
        or host.rsplit(".", 1)[-1].isdigit()
    ):
        raise EndpointRefused("endpoint host is not a valid DNS name")
    return scheme, host, port if port is not None else _DEFAULT_PORTS[scheme]


def _origin(scheme: str, host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    if port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{shown}"
    return f"{scheme}://{shown}:{port}"


def _one_label_under(host: str, suffix: str) -> bool:
    """True if ``host`` is exactly one non-empty label followed by ``suffix`` (".x.y")."""
    return host.endswith(suffix) and "." not in host[: -len(suffix)] and len(host) > len(suffix)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _check_public(host: str, port: int, resolver: Resolver) -> None:
    try:
        answers = resolver(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise EndpointUnresolved(f"cannot resolve {host}: {exc}") from None
    if not answers:
        raise EndpointUnresolved(f"cannot resolve {host}")
    for _family, _type, _proto, _name, sockaddr in answers:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if not _is_public(address):
            raise EndpointRefused(f"{host} resolves to a non-public address ({address})")


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None) or getattr(address, "sixtofour", None)
    if mapped is not None and not _is_public(mapped):
        return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )
