"""PushSender end to end against a real local push service (tests/support/push_service.py)."""
from __future__ import annotations

import email.utils
import logging
import socket
import threading
import time

import pytest

from hep.push.sender import (
    DEFAULT_TTL,
    MAX_PAYLOAD_BYTES,
    PushSender,
    SendResult,
    backoff,
    parse_retry_after,
)
from hep.push.vapid import VapidSigner, application_server_key, generate_private_key_pem
from tests.support.push_service import PushService, Reply, make_subscription

SUBJECT = "mailto:ops@example.org"


@pytest.fixture(scope="module")
def pem() -> str:
    return generate_private_key_pem()


@pytest.fixture
def signer(pem) -> VapidSigner:
    return VapidSigner(pem, SUBJECT)


@pytest.fixture
def sender(signer, service):
    with PushSender(signer, [service.origin]) as push_sender:
        yield push_sender


@pytest.fixture
def alice(service, pem) -> dict:
    info, _key = make_subscription(service, "alice", application_server_key=application_server_key(pem))
    return info


def count_signatures(signer, monkeypatch) -> list:
    calls = []
    real = signer._sign
    monkeypatch.setattr(signer, "_sign", lambda origin, exp: calls.append(origin) or real(origin, exp))
    return calls


def test_message_arrives_decrypted_with_verified_vapid_and_headers(sender, service, alice):
    result = sender.send(alice, "Time for your exercises \N{FLEXED BICEPS}", urgency="high", topic="reminder-42")
    assert result == SendResult("delivered", 201)
    [message] = service.received
    assert message.name == "alice"
    assert message.text == "Time for your exercises \N{FLEXED BICEPS}"
    assert message.claims["aud"] == service.origin and message.claims["sub"] == SUBJECT
    assert 0 < message.claims["exp"] - time.time() < 24 * 3600
    assert message.headers["ttl"] == str(DEFAULT_TTL)
    assert message.headers["urgency"] == "high"
    assert message.headers["topic"] == "reminder-42"
    assert message.headers["content-type"] == "application/octet-stream"
    assert message.headers["content-encoding"] == "aes128gcm"


def test_bytes_payload_ttl_and_defaults(sender, service, alice):
    payload = bytes(range(256)) * 3
    assert sender.send(alice, payload, ttl=600).outcome == "delivered"
    [message] = service.received
    assert message.plaintext == payload
    assert message.headers["ttl"] == "600"
    assert message.headers["urgency"] == "normal"
    assert "topic" not in message.headers


def test_largest_payload_fits_one_record(sender, service, alice):
    assert sender.send(alice, b"x" * MAX_PAYLOAD_BYTES).outcome == "delivered"
    assert len(service.received[0].plaintext) == MAX_PAYLOAD_BYTES


def test_vapid_header_is_signed_once_per_origin(signer, service, alice, monkeypatch, pem):
    calls = count_signatures(signer, monkeypatch)
    with PushService() as other, PushSender(signer, [service.origin, other.origin]) as sender:
        bob, _ = make_subscription(other, "bob")
        for _ in range(5):
            assert sender.send(alice, "a").outcome == "delivered"
            assert sender.send(bob, "b").outcome == "delivered"
        assert calls == [service.origin, other.origin]
        assert [m.claims["aud"] for m in other.received] == [other.origin] * 5


def test_token_is_renewed_shortly_before_it_expires(pem, service, alice, monkeypatch):
    now = [time.time()]
    signer = VapidSigner(pem, SUBJECT, clock=lambda: now[0])
    calls = count_signatures(signer, monkeypatch)
    with PushSender(signer, [service.origin]) as sender:
        assert sender.send(alice, "one").outcome == "delivered"
        now[0] += 11 * 3600  # an hour left: still the cached token
        assert sender.send(alice, "two").outcome == "delivered"
        now[0] += 40 * 60  # 20 minutes left: renewed (the service checks exp < 24 h from now)
        assert sender.send(alice, "three").outcome == "delivered"
    exps = [m.claims["exp"] for m in service.received]
    assert exps[0] == exps[1] < exps[2] and len(calls) == 2


@pytest.mark.parametrize("status", [404, 410])
def test_unknown_or_expired_subscription_is_gone(sender, service, alice, status):
    service.respond("alice", status)
    result = sender.send(alice, "hi")
    assert (result.outcome, result.status) == ("gone", status)
    assert service.received == []


def test_subscription_the_service_never_heard_of_is_gone(sender, service):
    info, _ = make_subscription(service, "carol")
    info["endpoint"] = service.endpoint("nobody")
    assert sender.send(info, "hi").outcome == "gone"


@pytest.mark.parametrize(
    "reply, retry_after",
    [
        (Reply(429, {"Retry-After": "7"}), 7.0),
        (Reply(429), None),
        (Reply(500), None),
        (Reply(502), None),
        (Reply(503, {"Retry-After": "120"}), 120.0),
        (Reply(408), None),
    ],
)
def test_rate_limits_and_server_errors_are_retried(sender, service, alice, reply, retry_after):
    service.respond("alice", reply)
    result = sender.send(alice, "hi")
    assert (result.outcome, result.status, result.retry_after) == ("retry", reply.status, retry_after)
    assert sender.send(alice, "again").outcome == "delivered"  # the script is used up


def test_retry_after_as_http_date(signer, service, alice):
    now = time.time()
    when = email.utils.formatdate(now + 90, usegmt=True)
    with PushSender(signer, [service.origin], clock=lambda: now) as sender:
        service.respond("alice", Reply(503, {"Retry-After": when}))
        result = sender.send(alice, "hi")
    assert result.outcome == "retry" and 89 <= result.retry_after <= 90


@pytest.mark.parametrize("status", [400, 403, 413])
def test_client_errors_are_errors_and_keep_the_subscription(sender, service, alice, status):
    service.respond("alice", Reply(status, body=b"explanation from the push service"))
    result = sender.send(alice, "hi")
    assert (result.outcome, result.status) == ("error", status)
    assert "explanation from the push service" in result.detail
    assert sender.send(alice, "still subscribed").outcome == "delivered"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_not_followed(sender, service, alice, status):
    service.respond("alice", status)
    result = sender.send(alice, "hi")
    assert (result.outcome, result.status) == ("error", status)
    assert [a.name for a in service.attempts] == ["alice"]  # nothing went to alice-moved
    assert service.received == []


def test_the_service_rejects_a_token_signed_by_another_key(service, alice):
    stranger = VapidSigner(generate_private_key_pem(), SUBJECT)
    with PushSender(stranger, [service.origin]) as sender:
        result = sender.send(alice, "hi")
    assert (result.outcome, result.status) == ("error", 403)
    assert service.attempts[0].error.startswith("key does not match")


def test_the_service_rejects_a_forged_signature(signer, service, alice):
    import requests

    header = signer.header(service.origin)
    token = header.split("t=", 1)[1].split(",", 1)[0]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = requests.post(alice["endpoint"], data=b"x" * 100, timeout=5, headers={
        "Authorization": header.replace(token, forged), "TTL": "60",
        "Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream"})
    assert response.status_code == 401
    assert service.attempts[0].error == "JWT signature does not verify"
    assert service.received == []


def test_the_service_rejects_an_expired_token(pem, service, alice):
    stale = VapidSigner(pem, SUBJECT, clock=lambda: time.time() - 13 * 3600)
    with PushSender(stale, [service.origin]) as sender:
        result = sender.send(alice, "hi")
    assert (result.outcome, result.status) == ("error", 401)
    assert "expired" in result.detail


def test_endpoint_is_checked_before_every_send(signer, service, alice):
    with PushSender(signer, []) as sender:  # the local service is not allowed
        result = sender.send(alice, "hi")
    assert result.outcome == "refused" and "https" in result.detail
    assert service.attempts == []


def test_push_service_addresses_are_rechecked_at_send_time(signer):
    answers = [[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("142.250.74.106", 443))]]

    def resolver(host, port, *args, **kwargs):
        return answers[-1]

    info = {"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": {"p256dh": "x", "auth": "y"}}
    answers.append([(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 443))])
    with PushSender(signer, resolver=resolver) as sender:
        result = sender.send(info, "hi")
    assert result.outcome == "refused" and "non-public" in result.detail


def test_unresolvable_push_service_is_retried(signer):
    def dns_down(host, port, *args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    info = {"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": {"p256dh": "x", "auth": "y"}}
    with PushSender(signer, resolver=dns_down) as sender:
        assert sender.send(info, "hi").outcome == "retry"


def test_connection_refused_is_retried(signer):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    origin = f"http://127.0.0.1:{port}"
    with PushService() as service:
        info, _ = make_subscription(service, "dave")
    info["endpoint"] = f"{origin}/push/dave"
    with PushSender(signer, [origin]) as sender:
        result = sender.send(info, "hi")
    assert result.outcome == "retry" and result.status is None


def test_a_push_service_that_never_answers_times_out_and_is_retried(signer, service):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # connections complete in the backlog; nobody ever reads them
        origin = f"http://127.0.0.1:{silent.getsockname()[1]}"
        info, _ = make_subscription(service, "erin")
        info["endpoint"] = f"{origin}/push/erin"
        with PushSender(signer, [origin], timeout=(1, 0.2)) as sender:
            started = time.monotonic()
            result = sender.send(info, "hi")
    assert result.outcome == "retry" and "Timeout" in result.detail
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    "keys",
    [{"p256dh": "AAAA", "auth": "AAAA"}, {"auth": "AAAAAAAAAAAAAAAAAAAAAA"}, {"p256dh": "B" * 87, "auth": "A" * 22}],
)
def test_malformed_subscription_keys_are_an_error_not_a_crash(sender, service, keys):
    info = {"endpoint": service.endpoint("alice"), "keys": keys}
    assert sender.send(info, "hi").outcome == "error"
    assert service.attempts == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"payload": ""},
        {"payload": b"x" * (MAX_PAYLOAD_BYTES + 1)},
        {"urgency": "urgent"},
        {"topic": "a" * 33},
        {"topic": "has space"},
        {"topic": "plus+slash/"},
        {"topic": ""},
        {"ttl": -1},
        {"ttl": 1.5},
    ],
)
def test_bad_arguments_raise_before_anything_is_sent(sender, service, alice, kwargs):
    kwargs.setdefault("payload", "hi")
    payload = kwargs.pop("payload")
    with pytest.raises(ValueError):
        sender.send(alice, payload, **kwargs)
    assert service.attempts == []


def test_payloads_are_never_logged(sender, service, alice, caplog):
    caplog.set_level(logging.DEBUG)
    service.respond("alice", 500, 400, 410)
    for _ in range(4):
        sender.send(alice, "SECRET-PAYLOAD-TEXT")
    assert "SECRET-PAYLOAD-TEXT" not in caplog.text
    assert alice["endpoint"] not in caplog.text
    assert "rejected (400)" in caplog.text


def test_one_sender_is_safe_to_share_between_threads(signer, service, alice, monkeypatch):
    calls = count_signatures(signer, monkeypatch)
    results = []
    with PushSender(signer, [service.origin], pool_size=8) as sender:

        def worker(n):
            results.extend(sender.send(alice, f"{n}-{i}").outcome for i in range(25))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == ["delivered"] * 200
    assert sorted(m.text for m in service.received) == sorted(f"{n}-{i}" for n in range(8) for i in range(25))
    assert calls == [service.origin]


@pytest.mark.parametrize(
    "value, seconds",
    [("0", 0.0), ("120", 120.0), (" 5 ", 5.0), ("", None), (None, None), ("soon", None), ("-3", None)],
)
def test_parse_retry_after(value, seconds):
    assert parse_retry_after(value, now=0) == seconds


def test_parse_retry_after_date_in_the_past_is_zero():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=time.time()) == 0.0


def test_backoff_grows_exponentially_with_jitter_up_to_a_cap():
    low = [backoff(n, rand=lambda: 0.0) for n in range(1, 12)]
    high = [backoff(n, rand=lambda: 1.0) for n in range(1, 12)]
    assert low[:4] == [5.0, 10.0, 20.0, 40.0]
    assert high[:4] == [10.0, 20.0, 40.0, 80.0]
    assert max(high) == 15 * 60 and max(low) == 15 * 60 / 2
    assert all(a <= b for a, b in zip(high, high[1:], strict=False))
    assert backoff(1000) <= 15 * 60


def test_backoff_never_below_retry_after():
    assert backoff(1, retry_after=3600, rand=lambda: 1.0) == 3600
    assert backoff(3, retry_after=1, rand=lambda: 0.0) == 20.0
    with pytest.raises(ValueError):
        backoff(0)


def test_stopping_the_service_with_idle_keep_alive_connections_leaves_no_threads(signer):
    before = set(threading.enumerate())
    service = PushService().start()
    sender = PushSender(signer, [service.origin])
    try:
        info, _ = make_subscription(service, "frank")
        assert all(sender.send(info, "hi").outcome == "delivered" for _ in range(3))
        service.stop()  # the sender still holds its pooled connection open
        assert set(threading.enumerate()) <= before
        assert sender.send(info, "hi").outcome == "retry"  # nobody listens any more
    finally:
        sender.close()
        service.stop()
