"""Signed links sent by mail: finishing a registration and resetting a password.

A token names the account and a fingerprint of its password hash, so it stops working as soon as
the password changes (a reset link works once), and it expires (30 minutes for a reset, an hour
for the registration link, which also works once).
"""
from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import cast

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from backend.accounts.models import User

# The registration link only saves typing the password just chosen, so it lives an hour and
# works once (`User.welcome_used_at`); a reset link works once because the password changes.
PURPOSES = {"welcome": timedelta(hours=1), "reset": timedelta(minutes=30)}


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"trygg-{purpose}")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_token(secret: str, purpose: str, user: User) -> str:
    """A link token for this account and purpose."""
    return _serializer(secret, purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_token(db: Session, secret: str, purpose: str, token: str) -> User | None:
    """The account a token names, if it is genuine, fresh and the password has not changed since."""
    try:
        data = _serializer(secret, purpose).loads(
            token, max_age=int(PURPOSES[purpose].total_seconds()))
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.get(User, data["u"])
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    if purpose == "welcome" and user.welcome_used_at is not None:
        return None
    return user


def use_welcome(db: Session, user: User, now) -> bool:
    """Mark the registration link used; False if another request used it first (compare-and-set,
    so two clicks at once cannot both sign in)."""
    used = db.execute(update(User).where(User.id == user.id, User.welcome_used_at.is_(None))
                      .values(welcome_used_at=now))
    return bool(cast(CursorResult, used).rowcount)
