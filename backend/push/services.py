"""Subscriptions and settings: the rules, as plain functions over a session (no Flask globals)."""
from __future__ import annotations

import binascii
import re
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import AuthSession, User
from backend.openapi import literal
from backend.push.keys import b64url_decode
from backend.push.kinds import choices
from backend.push.models import NotificationChoice, NotificationSettings, PushSubscription
from backend.push.reminders import settings_for


class SubscriptionError(ValueError):
    """A subscription we will not accept; the message says why."""


MAX_ENDPOINT = 2048
# The keys as PushSubscription.toJSON() gives them: base64url, padding optional. p256dh is an
# uncompressed P-256 point (65 bytes; the first, 0x04, makes "B" and one of A-P); auth is 16 bytes.
P256DH_PATTERN = "^B[A-P][A-Za-z0-9_-]{85}=?$"
AUTH_PATTERN = "^[A-Za-z0-9_-]{22}(?:==)?$"
# What may follow the host: a port, then a path and query of RFC 3986 characters and %-escapes
# (no spaces, no fragment).
_REST = "(?::[0-9]{1,5})?(?:[/?](?:[A-Za-z0-9._~:/?@!$&'()*+,;=-]|%[0-9A-Fa-f]{2})*)?"


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """An exact host, or a suffix given with a leading dot."""
    return any(host == a or (a.startswith(".") and host.endswith(a)) for a in allowed)


def endpoint_pattern(config) -> str:
    """The endpoints we accept, as a regular expression (the OpenAPI document shows the same): the
    URL of a known push service (PUSH_SERVICE_HOSTS: a host, or ".suffix" for any host under it), https
    unless a test's loopback push service allows http. The server POSTs to these URLs, so nothing on
    our own network may pass (an SSRF guard)."""
    hosts = "|".join(f"[a-z0-9-]+(?:\\.[a-z0-9-]+)*{literal(h)}" if h.startswith(".") else literal(h)
                     for h in config["PUSH_SERVICE_HOSTS"])
    scheme = "https?" if config.get("PUSH_ALLOW_HTTP") else "https"
    return f"^{scheme}://(?:{hosts}){_REST}$"


def check_endpoint(endpoint: str, config: dict) -> str:
    """The endpoint must be an https URL of a known push service (tests may allow a loopback one)."""
    parts = urlsplit(endpoint or "")
    schemes = ("https", "http") if config.get("PUSH_ALLOW_HTTP") else ("https",)
    if parts.scheme not in schemes or not parts.hostname or len(endpoint) > MAX_ENDPOINT:
        raise SubscriptionError("endpoint must be an https URL")
    # The pattern says it exactly; the host check stays as a second lock on the same door.
    if not re.fullmatch(endpoint_pattern(config), endpoint) or not _host_allowed(
            parts.hostname, tuple(config["PUSH_SERVICE_HOSTS"])):
        raise SubscriptionError("endpoint is not a known push service")
    return endpoint


def _check_key(value: str, pattern: str, size: int, name: str) -> str:
    """A base64url key of the right shape (the pattern) and so of the right length."""
    if not re.fullmatch(pattern, value):
        raise SubscriptionError(f"{name} is not a base64url key of the right length")
    try:
        raw = b64url_decode(value.rstrip("="))
    except (binascii.Error, ValueError) as exc:
        raise SubscriptionError(f"{name} is not base64url") from exc
    if len(raw) != size:
        raise SubscriptionError(f"{name} has the wrong length")
    return value.rstrip("=")


# User-Agent markers, in the order they must be tried (an iPad says "Mac OS X"; Edge says "Chrome/").
SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
           ("Mac OS X", "Mac"), ("Macintosh", "Mac"), ("Linux", "Linux"))
BROWSERS = (("Firefox/", "Firefox"), ("Edg/", "Edge"), ("SamsungBrowser/", "Samsung Internet"),
            ("Chrome/", "Chrome"), ("Chromium/", "Chrome"), ("CriOS/", "Chrome"), ("Safari/", "Safari"))


def _first_match(ua: str, table: tuple[tuple[str, str], ...]) -> str:
    """The name of the first marker found in the User-Agent, or ""."""
    return next((name for marker, name in table if marker in ua), "")


def device_label(user_agent: str) -> str:
    """A name a person recognises for a device, from its User-Agent (no version numbers kept)."""
    ua = user_agent or ""
    system, browser = _first_match(ua, SYSTEMS), _first_match(ua, BROWSERS)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown device")


def add_subscription(db: Session, user: User, data: dict, user_agent: str, session_token: str | None,
                     config: dict) -> PushSubscription:
    """Store (or move to this person and session) a browser's subscription.

    An endpoint is one browser profile: if someone else subscribed it before, it is theirs no
    longer, so reminders follow whoever is signed in on that browser now.
    """
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise SubscriptionError("expected {endpoint, keys: {p256dh, auth}}")
    endpoint = check_endpoint(str(data.get("endpoint") or ""), config)
    p256dh = _check_key(str(data["keys"].get("p256dh") or ""), P256DH_PATTERN, 65, "p256dh")
    auth = _check_key(str(data["keys"].get("auth") or ""), AUTH_PATTERN, 16, "auth")
    auth_session_id = None
    if session_token:
        auth_session_id = db.scalar(select(AuthSession.id).where(AuthSession.token == session_token))
    subscription = db.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if subscription is None:
        subscription = PushSubscription(endpoint=endpoint)
        db.add(subscription)
    subscription.user_id = user.id
    subscription.auth_session_id = auth_session_id
    subscription.p256dh = p256dh
    subscription.auth = auth
    subscription.label = device_label(user_agent)[:80]
    db.flush()
    return subscription


def remove_subscription(db: Session, user: User, endpoint: str) -> bool:
    """Forget this person's subscription with this endpoint; True if there was one."""
    found = db.scalar(select(PushSubscription).where(
        PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id))
    if found is None:
        return False
    db.delete(found)
    return True


def remove_device(db: Session, user: User, subscription_id: int) -> bool:
    """Forget one of this person's devices by id; someone else's id is treated as unknown."""
    found = db.get(PushSubscription, subscription_id)
    if found is None or found.user_id != user.id:
        return False
    db.delete(found)
    return True


def devices_of(db: Session, user: User) -> list[PushSubscription]:
    """The devices that receive this person's notifications, newest first."""
    return list(db.scalars(select(PushSubscription).where(PushSubscription.user_id == user.id)
                           .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())))


def save_settings(db: Session, user: User, **values) -> NotificationSettings:
    """Store a person's settings (creating their row the first time); a value named like a
    registered choice ("commitments", "daily", …) turns that kind of reminder on or off."""
    settings = settings_for(db, user.id)
    if settings not in db:
        db.add(settings)
    keys = {choice.key for choice in choices()}
    for name, value in values.items():
        if name == "time_zone":
            user.time_zone = value
            db.merge(user)
        elif name in keys:
            row = db.get(NotificationChoice, (user.id, name))
            if row is None:
                db.add(NotificationChoice(user_id=user.id, key=name, enabled=bool(value)))
            else:
                row.enabled = bool(value)
        else:
            setattr(settings, name, value)
    db.flush()
    return settings
