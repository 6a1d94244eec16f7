"""A real Web Push service on loopback, for tests.

It does what a browser's push service does with our requests: checks the VAPID authorization
(an ES256 JWT whose signature is verified against the key in the header, with aud / exp / sub
claims), insists on TTL, Urgency and aes128gcm, and decrypts the payload (RFC 8291) with the
subscription's private key and auth secret — which the test made, as a browser would. Tests can
script answers per subscription (410, 503 with Retry-After, ...).

Use it with the `push_service` fixture below (import it explicitly:
`from support.push_service import push_service`).
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

URGENCIES = {"very-low", "low", "normal", "high"}


def b64url(data: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscription:
    """What a browser keeps: the endpoint, its ECDH key pair and its auth secret."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    def info(self) -> dict:
        """PushSubscription.toJSON(), as a browser would send it to the app."""
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64url(public), "auth": b64url(self.auth_secret)}}


@dataclass
class Received:
    """One message the service accepted, decrypted."""

    token: str
    payload: dict
    raw: bytes
    ttl: int
    urgency: str
    claims: dict
    vapid_key: str


@dataclass
class Attempt:
    """Any request that reached the service, with the status we answered."""

    token: str
    status: int
    problem: str = ""


def verify_vapid(header: str, audience: str, now: float) -> tuple[dict, str]:
    """Check `Authorization: vapid t=<jwt>,k=<key>` (RFC 8292); returns (claims, key) or raises."""
    scheme, _, params = (header or "").partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError("Authorization scheme is not vapid")
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    token, key = parts["t"], parts["k"]
    head_b64, claims_b64, sig_b64 = token.split(".")
    header_json = json.loads(unb64url(head_b64))
    if header_json.get("alg") != "ES256":
        raise ValueError("JWT alg is not ES256")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    signature = unb64url(sig_b64)
    if len(signature) != 64:
        raise ValueError("ES256 signature must be 64 bytes (r || s)")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise ValueError("JWT signature does not verify") from exc
    claims = json.loads(unb64url(claims_b64))
    if claims.get("aud") != audience:
        raise ValueError(f"aud {claims.get('aud')!r} is not {audience!r}")
    if not (now < int(claims.get("exp", 0)) <= now + 24 * 3600):
        raise ValueError("exp is not within the next 24 hours")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
        raise ValueError("sub is not a mailto: or https: contact")
    return claims, key


class PushService:
    """The service: make subscriptions, script answers, read what arrived."""

    def __init__(self) -> None:
        self.subscriptions: dict[str, Subscription] = {}
        self.received: list[Received] = []
        self.attempts: list[Attempt] = []
        self.scripted: dict[str, deque] = defaultdict(deque)
        self.gone: set[str] = set()
        self.expected_key: str | None = None
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> PushService:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def subscribe(self) -> Subscription:
        """A new subscription with fresh keys, as PushManager.subscribe() would make."""
        token = secrets.token_urlsafe(12)
        sub = Subscription(token, f"{self.origin}/push/{token}", ec.generate_private_key(ec.SECP256R1()),
                           os.urandom(16))
        self.subscriptions[token] = sub
        return sub

    def answer(self, sub: Subscription, *statuses, retry_after: str | None = None) -> None:
        """The next answers for this subscription, before the default 201."""
        for status in statuses:
            self.scripted[sub.token].append((status, retry_after))

    def unsubscribe(self, sub: Subscription) -> None:
        """The browser dropped it: every further message gets 410 Gone."""
        self.gone.add(sub.token)

    def messages(self, sub: Subscription | None = None) -> list[Received]:
        """What arrived (for one subscription)."""
        with self.lock:
            return [r for r in self.received if sub is None or r.token == sub.token]

    def problems(self) -> list[Attempt]:
        """Requests we refused because they broke the protocol."""
        with self.lock:
            return [a for a in self.attempts if a.problem]

    def _handle(self, path: str, headers, body: bytes) -> tuple[int, dict]:
        token = path.rsplit("/", 1)[-1]
        sub = self.subscriptions.get(token)
        if sub is None or not path.startswith("/push/"):
            return self._record(token, 404, "no such subscription")
        try:
            claims, key = verify_vapid(headers.get("Authorization", ""), self.origin, time.time())
            if self.expected_key and key != self.expected_key:
                raise ValueError("VAPID key is not the application server key the browser subscribed with")
            ttl = headers.get("TTL")
            if ttl is None or not ttl.isdigit():
                raise ValueError("TTL header missing")
            urgency = headers.get("Urgency")
            if urgency not in URGENCIES:
                raise ValueError("Urgency header missing or invalid")
            if headers.get("Content-Encoding") != "aes128gcm":
                raise ValueError("Content-Encoding is not aes128gcm")
            plain = http_ece.decrypt(body, private_key=sub.private_key, auth_secret=sub.auth_secret,
                                     version="aes128gcm")
            payload = json.loads(plain)
        except Exception as exc:  # noqa: BLE001 - every failure is a protocol problem to report
            return self._record(token, 400, f"{type(exc).__name__}: {exc}")
        with self.lock:
            if token in self.gone:
                self.attempts.append(Attempt(token, 410))
                return 410, {}
            if self.scripted[token]:
                status, retry_after = self.scripted[token].popleft()
                if status >= 300:
                    self.attempts.append(Attempt(token, status))
                    return status, ({"Retry-After": retry_after} if retry_after else {})
            self.attempts.append(Attempt(token, 201))
            self.received.append(Received(token, payload, plain, int(ttl), urgency, claims, key))
        return 201, {"Location": f"{self.origin}/message/{secrets.token_hex(4)}"}

    def _record(self, token: str, status: int, problem: str) -> tuple[int, dict]:
        with self.lock:
            self.attempts.append(Attempt(token, status, problem))
        return status, {}

    def _handler(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers = service._handle(self.path, self.headers, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # keep test output quiet
                pass

        return Handler


@pytest.fixture
def push_service():
    """A running local push service, stopped after the test."""
    service = PushService().start()
    yield service
    service.stop()


@pytest.fixture
def push_app(app, push_service):
    """The test app, allowed to send to the loopback push service, retrying without waiting."""
    from backend.push.keys import load_keys

    app.config.update(PUSH_SERVICE_HOSTS=("127.0.0.1",), PUSH_ALLOW_HTTP=True, PUSH_RETRY_BASE_SECONDS=0.0)
    push_service.expected_key = load_keys(app).public_key
    yield app
    assert push_service.problems() == [], "the push service refused requests"
