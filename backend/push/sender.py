"""Sending one notification to a person's devices over Web Push (pywebpush, VAPID, aes128gcm).

Every message carries an explicit TTL and Urgency. A push service's answer decides what follows:
404/410 mean the subscription is gone (we delete it); 429 and 5xx are retried with bounded
exponential backoff that honours Retry-After; anything else is a failure for that device only.
One device failing never stops the others.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime

import requests
from pywebpush import WebPushException, webpush
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.push.keys import VapidKeys
from backend.push.models import PushSubscription

log = logging.getLogger(__name__)

MAX_PAYLOAD = 1024  # bytes of JSON before encryption; push services accept ~4 KB, we stay small
URGENCIES = ("very-low", "low", "normal", "high")


@dataclass(frozen=True)
class PushMessage:
    """What the service worker shows: a title, a body, where a tap leads, and a tag that lets a
    newer notification replace an older one of the same thing."""

    title: str
    body: str
    url: str = "/"
    tag: str = "trygg"
    ttl: int = 3600
    urgency: str = "normal"
    actions: tuple[dict, ...] = field(default_factory=tuple)

    def payload(self) -> bytes:
        """The JSON the service worker reads, shortened (body first) to fit MAX_PAYLOAD."""
        body = self.body
        for _ in range(8):
            data: dict[str, str | list[dict]] = {"title": self.title, "body": body, "url": self.url, "tag": self.tag}
            if self.actions:
                data["actions"] = list(self.actions)
            encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            if len(encoded) <= MAX_PAYLOAD:
                return encoded
            raw = body.encode("utf-8")
            cut = max(0, len(raw) - (len(encoded) - MAX_PAYLOAD) - 4)
            body = raw[:cut].decode("utf-8", "ignore").rstrip() + "…"
        raise ValueError("push message too large even without its body")


@dataclass
class RetryPolicy:
    """How hard to try one device: attempts, the first delay, the longest wait we accept."""

    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    sleep: Callable[[float], None] = time.sleep


@dataclass
class Delivery:
    """What happened to one message: devices reached, devices removed, devices that failed."""

    sent: int = 0
    removed: int = 0
    failed: int = 0
    attempts: list[tuple[str, int | None]] = field(default_factory=list)  # (endpoint, status)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or utcnow())).total_seconds())


def _retryable(status: int | None) -> bool:
    """Throttling, server trouble and network errors (no status) are worth another try."""
    return status is None or status == 429 or status >= 500


def send_one(info: dict, message: PushMessage, keys: VapidKeys, policy: RetryPolicy,
             http: requests.Session | None = None, delivery: Delivery | None = None) -> int | None:
    """Send to one subscription, retrying what is worth retrying. Returns the last HTTP status
    (None for a network error that never got an answer)."""
    if message.urgency not in URGENCIES:
        raise ValueError(f"unknown urgency {message.urgency}")
    payload = message.payload()
    delay = policy.base_delay
    status: int | None = None
    for attempt in range(1, policy.attempts + 1):
        wait: float | None = None
        try:
            response = webpush(
                info,
                data=payload,
                vapid_private_key=keys.vapid,
                vapid_claims={"sub": keys.subject},  # aud and exp are filled in per call
                ttl=message.ttl,
                headers={"Urgency": message.urgency},
                timeout=10,
                requests_session=http,
            )
            status = response.status_code
        except WebPushException as exc:
            status = exc.status_code
            wait = retry_after_seconds(exc.retry_after)
        except requests.RequestException as exc:
            log.warning("push: network error for a device: %s", type(exc).__name__)
            status = None
        if delivery is not None:
            delivery.attempts.append((info["endpoint"], status))
        if status is not None and status < 300:
            return status
        if not _retryable(status) or attempt == policy.attempts:
            return status
        wait = delay if wait is None else wait
        if wait > policy.max_delay:
            log.warning("push: service asked us to wait %.0fs; giving up on this device for now", wait)
            return status
        policy.sleep(wait)
        delay = min(delay * 2, policy.max_delay)
    return status


def deliver(db: Session, user_id: int, message: PushMessage, keys: VapidKeys, policy: RetryPolicy,
            http: requests.Session | None = None, now: datetime | None = None) -> Delivery:
    """Send a message to every device of a person; forget devices the push service says are gone.

    The caller commits.
    """
    delivery = Delivery()
    subscriptions = db.scalars(select(PushSubscription).where(PushSubscription.user_id == user_id)).all()
    for subscription in subscriptions:
        try:
            status = send_one(subscription.info(), message, keys, policy, http, delivery)
        except Exception:  # noqa: BLE001 - one broken device must not stop the others
            log.exception("push: sending to subscription %s failed", subscription.id)
            delivery.failed += 1
            continue
        if status is not None and status < 300:
            subscription.last_success_at = now or utcnow()
            delivery.sent += 1
        elif status in (404, 410):
            db.delete(subscription)
            delivery.removed += 1
        else:
            delivery.failed += 1
    return delivery
