"""A real, local web push service for tests and benchmarks.

It speaks the push protocol over HTTP/1.1 keep-alive on 127.0.0.1 and checks what a real one
checks: ``POST /push/<name>`` with ``Authorization: vapid t=<JWT>, k=<key>`` (ES256 signature,
``aud`` = this service's origin, ``exp`` in the future and under 24 h away, ``sub`` present,
and the key the subscription was bound to, if any), a ``TTL`` header, a valid ``Urgency`` and
``Topic``, and an aes128gcm body it can decrypt with the subscription's private key and auth
secret. Accepted messages are recorded in ``received``; every request in ``attempts``.

    with PushService() as service:
        info, _key = make_subscription(service, "alice")
        service.respond("alice", 410)           # the next POST for alice gets 410
        ...
        assert service.received[0].text == "hello"
"""
from __future__ import annotations

import base64
import json
import os
import re
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import jwt as vapid_jwt

MAX_BODY = 4096
_URGENCIES = {"very-low", "low", "normal", "high"}
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_PATH = re.compile(r"^/push/([A-Za-z0-9_.-]+)$")


@dataclass(frozen=True)
class Reply:
    """A programmed response: status, extra headers, body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class PushMessage:
    """One accepted message: the decrypted payload and what came with it."""

    name: str
    plaintext: bytes
    headers: Mapping[str, str]  # lower-case names
    claims: Mapping[str, object]
    received_at: float

    @property
    def text(self) -> str:
        return self.plaintext.decode("utf-8")


@dataclass(frozen=True)
class Attempt:
    """One request as the service saw it: the status it answered and why, if refused."""

    name: str
    status: int
    error: str | None
    headers: Mapping[str, str]


@dataclass
class _Subscription:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    server_key: str | None  # application server key the subscription is bound to


class _Refused(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


class PushService:
    """A threaded push service on 127.0.0.1 (``port=0``: an ephemeral port)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self._address = (host, port)
        self._lock = threading.Lock()
        self._subscriptions: dict[str, _Subscription] = {}
        self._scripts: dict[str, list[Reply]] = {}
        self._received: list[PushMessage] = []
        self._attempts: list[Attempt] = []
        self._verified: dict[tuple[str, str], dict] = {}  # (token, key) -> claims
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.origin = ""

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> PushService:
        server = _Server(self._address, _Handler)
        server.service = self
        host, port = server.server_address[:2]
        self.origin = f"http://{host}:{port}"
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()  # joins the connection threads
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> PushService:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- test API -------------------------------------------------------------------------
    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    def add_subscription(
        self,
        name: str,
        private_key: ec.EllipticCurvePrivateKey,
        auth: bytes,
        server_key: str | None = None,
    ) -> None:
        with self._lock:
            self._subscriptions[name] = _Subscription(private_key, auth, server_key)

    def respond(self, name: str, *replies: int | Reply) -> None:
        """Queue responses for ``name``'s next valid requests (then back to 201).

        A request that fails verification gets its 4xx and leaves the queue alone.
        A bare 3xx gets a ``Location`` pointing back at this service, so a client that
        followed it would be seen doing so.
        """
        script = []
        for reply in replies:
            if isinstance(reply, int):
                headers = {"Location": self.endpoint(name + "-moved")} if 300 <= reply < 400 else {}
                reply = Reply(reply, headers)
            script.append(reply)
        with self._lock:
            self._scripts.setdefault(name, []).extend(script)

    @property
    def received(self) -> list[PushMessage]:
        with self._lock:
            return list(self._received)

    @property
    def attempts(self) -> list[Attempt]:
        with self._lock:
            return list(self._attempts)

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            self._attempts.clear()

    # -- the protocol ---------------------------------------------------------------------
    def _handle(self, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
        match = _PATH.match(path)
        name = match.group(1) if match else path
        try:
            if match is None:
                raise _Refused(404, "no such endpoint")
            with self._lock:
                subscription = self._subscriptions.get(name)
            if subscription is None:
                raise _Refused(404, "no such subscription")
            claims = self._check_vapid(headers.get("authorization", ""), subscription)
            _check_headers(headers, body)
            try:
                plaintext = http_ece.decrypt(
                    body,
                    private_key=subscription.private_key,
                    auth_secret=subscription.auth,
                    version="aes128gcm",
                )
            except Exception as exc:  # http_ece raises several types for a bad body
                raise _Refused(400, f"cannot decrypt: {exc}") from None
        except _Refused as refused:
            self._record(Attempt(name, refused.status, refused.reason, headers))
            return Reply(refused.status, body=refused.reason.encode())
        with self._lock:
            script = self._scripts.get(name)
            reply = script.pop(0) if script else None
            if reply is None:
                reply = Reply(201, {"Location": f"{self.origin}/message/{os.urandom(8).hex()}"})
            self._attempts.append(Attempt(name, reply.status, None, headers))
            if 200 <= reply.status < 300:
                self._received.append(PushMessage(name, plaintext, headers, claims, time.time()))
        return reply

    def _check_vapid(self, authorization: str, subscription: _Subscription) -> dict:
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise _Refused(401, "missing vapid authorization")
        values = {}
        for part in params.split(","):
            key, _, value = part.strip().partition("=")
            values[key.strip()] = value.strip()
        token, key = values.get("t", ""), values.get("k", "")
        if not token or not key:
            raise _Refused(401, "vapid authorization needs t and k")
        if subscription.server_key is not None and key != subscription.server_key:
            raise _Refused(403, "key does not match the subscription's application server key")
        claims = self._verified.get((token, key))
        if claims is None:
            claims = _verify_jwt(token, key)
            with self._lock:
                if len(self._verified) > 10_000:
                    self._verified.clear()
                self._verified[(token, key)] = claims
        now = time.time()
        if claims.get("aud") != self.origin:
            raise _Refused(401, f"aud {claims.get('aud')!r} is not {self.origin!r}")
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= now:
            raise _Refused(401, "token expired")
        if exp - now > 24 * 3600:
            raise _Refused(401, "exp more than 24 hours ahead")
        if not claims.get("sub"):
            raise _Refused(401, "sub missing")
        return claims

    def _record(self, attempt: Attempt) -> None:
        with self._lock:
            self._attempts.append(attempt)


def make_subscription(
    service: PushService, name: str, *, application_server_key: str | None = None
) -> tuple[dict, ec.EllipticCurvePrivateKey]:
    """Register ``name`` with the service as a browser would; return (toJSON(), private key).

    With ``application_server_key``, the service refuses (403) messages signed by other keys,
    as real push services do.
    """
    private_key = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    service.add_subscription(name, private_key, auth, application_server_key)
    public = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    keys = {"p256dh": _b64(public), "auth": _b64(auth)}
    info = {"endpoint": service.endpoint(name), "keys": keys}
    return info, private_key


def _check_headers(headers: Mapping[str, str], body: bytes) -> None:
    ttl = headers.get("ttl")
    if ttl is None or not ttl.isdigit():
        raise _Refused(400, "TTL header missing or not a number")
    if headers.get("urgency", "normal") not in _URGENCIES:
        raise _Refused(400, "bad Urgency")
    topic = headers.get("topic")
    if topic is not None and not _TOPIC.match(topic):
        raise _Refused(400, "bad Topic")
    if len(body) > MAX_BODY:
        raise _Refused(413, "payload too large")
    if headers.get("content-encoding", "").lower() != "aes128gcm":
        raise _Refused(415, "Content-Encoding must be aes128gcm")


def _verify_jwt(token: str, key: str) -> dict:
    """The claims of a VAPID JWT, verified with py-vapid against the header's public key."""
    try:
        header = json.loads(_unb64(token.split(".", 1)[0]))
    except (ValueError, TypeError, UnicodeError):
        raise _Refused(401, "malformed JWT") from None
    if header.get("alg") != "ES256":
        raise _Refused(401, "JWT alg must be ES256")
    try:
        return vapid_jwt.decode(token, key)
    except InvalidSignature:
        raise _Refused(401, "JWT signature does not verify") from None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins them, so stop() leaves nothing behind
    block_on_close = True
    request_queue_size = 128
    service: PushService

    def __init__(self, *args, **kwargs):
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake idle keep-alive handlers so they finish and their threads can be joined."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True
    server: _Server

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit() or int(length) > 64 * MAX_BODY:
            self._reply(Reply(411 if length is None else 413))
            self.close_connection = True
            return
        body = self.rfile.read(int(length))
        headers = {name.lower(): value for name, value in self.headers.items()}
        self._reply(self.server.service._handle(self.path, headers, body))

    def _reply(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()  # flushes the status line and headers in one write
        if reply.body:
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - keep test output clean
        pass
