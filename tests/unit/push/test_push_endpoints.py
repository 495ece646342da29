"""The push endpoint allow-list: which URLs the server is willing to POST to."""
from __future__ import annotations

import socket

import pytest

from hep.push.endpoints import (
    MAX_ENDPOINT_LENGTH,
    CachingResolver,
    EndpointRefused,
    EndpointUnresolved,
    check_endpoint,
    parse_origin,
)

PUBLIC_V4 = "142.250.74.106"


def resolving_to(*addresses: str):
    """A fake getaddrinfo answering every name with ``addresses``; records the names asked."""

    def resolver(host, port, *args, **kwargs):
        resolver.asked.append(host)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    resolver.asked = []
    return resolver


def no_dns(host, port, *args, **kwargs):
    raise AssertionError("an explicitly allowed origin must not need a DNS lookup")


@pytest.mark.parametrize(
    "url, origin",
    [
        ("https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b", "https://fcm.googleapis.com"),
        ("https://updates.push.services.mozilla.com/wpush/v2/gAAAAA", "https://updates.push.services.mozilla.com"),
        ("https://web.push.apple.com/QGuQyavXutnMH-K8", "https://web.push.apple.com"),
        ("https://api.push.apple.com/3/device/abc", "https://api.push.apple.com"),
        ("https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB", "https://wns2-par02p.notify.windows.com"),
        ("https://FCM.GoogleAPIs.com./fcm/send/x", "https://fcm.googleapis.com"),
        ("https://fcm.googleapis.com:443/fcm/send/x", "https://fcm.googleapis.com"),
    ],
)
def test_real_push_services_are_accepted(url, origin):
    resolver = resolving_to(PUBLIC_V4, "2a00:1450:4007:80f::200a")
    assert check_endpoint(url, (), resolver=resolver) == origin
    assert resolver.asked == [origin.split("://")[1]]


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://fcm.googleapis.com/fcm/send/x", "https"),
        ("https://fcm.googleapis.com:8443/fcm/send/x", "allow-list"),
        ("https://push.example.com/x", "allow-list"),
        ("https://push.apple.com/x", "allow-list"),  # the wildcard needs one label before it
        ("https://a.b.push.apple.com/x", "allow-list"),  # ... and exactly one
        ("https://evilpush.apple.com/x", "allow-list"),
        ("https://web.push.apple.com.evil.example/x", "allow-list"),
        ("https://fcm.googleapis.com.evil.example/x", "allow-list"),
        ("https://user:secret@fcm.googleapis.com/x", "user information"),
        ("https://fcm.googleapis.com@evil.example/x", "user information"),
        ("https://fcm.googleapis.com/x#frag", "fragment"),
        ("https://fcm.googleapis.com/x\nHost: evil", "characters"),
        ("https://fcm.googleapis.com/x\tb", "characters"),
        ("https://fcm.googleapis.com\\@evil.example/x", "characters"),
        ("https://fcm.googleapis.com/caf\u00e9", "characters"),
        ("ftp://fcm.googleapis.com/x", "http(s)"),
        ("fcm.googleapis.com/x", "http(s)"),
        ("https:///x", "no host"),
        ("https://fcm.googleapis.com:99999/x", "port"),
        ("https://fcm_google.com/x", "DNS name"),
        ("https://127.1/x", "DNS name"),
        ("https://0x7f.0.0.1/x", "DNS name"),
        ("https://127.0.0.1/x", "allow-list"),
        ("https://[::1]/x", "allow-list"),
        ("https://fcm.googleapis.com/" + "a" * MAX_ENDPOINT_LENGTH, "longer"),
        ("", "missing"),
        (None, "missing"),
    ],
)
def test_other_urls_are_refused(url, reason):
    with pytest.raises(EndpointRefused) as refused:
        check_endpoint(url, (), resolver=resolving_to(PUBLIC_V4))
    assert reason in refused.value.reason


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",  # private
        "192.168.0.10",
        "172.16.5.4",
        "127.0.0.1",  # loopback
        "169.254.169.254",  # link-local (cloud metadata)
        "224.0.0.251",  # multicast
        "0.0.0.0",  # unspecified
        "240.0.0.1",  # reserved
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "::1",
        "fe80::1",
        "fc00::1",  # unique local
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "ff02::1",
        "::",
    ],
)
def test_a_push_service_name_resolving_to_a_non_public_address_is_refused(address):
    with pytest.raises(EndpointRefused) as refused:
        check_endpoint("https://fcm.googleapis.com/fcm/send/x", (), resolver=resolving_to(address))
    assert "non-public" in refused.value.reason


def test_one_private_address_among_public_ones_is_enough_to_refuse():
    resolver = resolving_to(PUBLIC_V4, "10.0.0.7")
    with pytest.raises(EndpointRefused):
        check_endpoint("https://web.push.apple.com/x", (), resolver=resolver)


def test_dns_failure_is_reported_as_unresolved_not_as_a_bad_endpoint():
    def failing(host, port, *args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    with pytest.raises(EndpointUnresolved) as refused:
        check_endpoint("https://fcm.googleapis.com/fcm/send/x", (), resolver=failing)
    assert isinstance(refused.value, EndpointRefused)


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("http://127.0.0.1:8765/push/alice", "http://127.0.0.1:8765"),
        ("http://localhost:8765/push/alice", "http://localhost:8765/"),
        ("https://push.internal.example:8443/p/1", "https://push.internal.example:8443"),
        ("http://[::1]:9000/push/a", "http://[::1]:9000"),
    ],
)
def test_explicitly_allowed_origins_may_be_http_and_private(url, allowed):
    assert check_endpoint(url, [allowed], resolver=no_dns) == allowed.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8766/push/alice",  # other port
        "https://127.0.0.1:8765/push/alice",  # other scheme
        "http://127.0.0.2:8765/push/alice",  # other host
        "http://user@127.0.0.1:8765/push/alice",
    ],
)
def test_an_explicit_origin_allows_only_itself(url):
    with pytest.raises(EndpointRefused):
        check_endpoint(url, ["http://127.0.0.1:8765"], resolver=resolving_to("127.0.0.1"))


def test_a_configured_wildcard_matches_one_label_and_still_checks_addresses():
    allowed = ["https://*.push.example.org"]
    url = "https://eu1.push.example.org/p/1"
    assert check_endpoint(url, allowed, resolver=resolving_to(PUBLIC_V4)) == "https://eu1.push.example.org"
    with pytest.raises(EndpointRefused, match="non-public"):
        check_endpoint(url, allowed, resolver=resolving_to("10.0.0.1"))
    with pytest.raises(EndpointRefused, match="allow-list"):
        check_endpoint("https://a.eu1.push.example.org/p", allowed, resolver=resolving_to(PUBLIC_V4))


@pytest.mark.parametrize(
    "entry, normalised",
    [
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        (" HTTPS://Push.Example.org:443/ ", "https://push.example.org"),
        ("https://*.push.example.org", "https://*.push.example.org"),
    ],
)
def test_parse_origin_normalises(entry, normalised):
    assert parse_origin(entry) == normalised


@pytest.mark.parametrize(
    "entry",
    [
        "https://*.com",  # a wildcard over a whole TLD
        "http://*.push.example.org",  # wildcards only for https
        "https://*.10.0.0",
        "https://push.example.org/path",
        "https://push.example.org/?q=1",
        "https://user@push.example.org",
        "ftp://push.example.org",
        "push.example.org",
        "https://a*.example.org",
    ],
)
def test_parse_origin_rejects_what_is_not_an_origin(entry):
    with pytest.raises(ValueError):
        parse_origin(entry)


def test_a_bad_configured_origin_fails_loudly():
    with pytest.raises(ValueError):
        check_endpoint("https://fcm.googleapis.com/x", ["https://*.com"], resolver=resolving_to(PUBLIC_V4))


def test_caching_resolver_asks_once_within_its_ttl():
    now = [0.0]
    inner = resolving_to(PUBLIC_V4)
    cached = CachingResolver(ttl=60, resolver=inner, clock=lambda: now[0])
    for _ in range(3):
        check_endpoint("https://fcm.googleapis.com/x", (), resolver=cached)
    assert inner.asked == ["fcm.googleapis.com"]
    now[0] = 61
    check_endpoint("https://fcm.googleapis.com/x", (), resolver=cached)
    assert inner.asked == ["fcm.googleapis.com"] * 2
