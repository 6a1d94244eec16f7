"""Signed links sent by mail: finishing a registration and resetting a password.

A token names the account and a fingerprint of its password hash, so it stops working as soon as
the password changes (a reset link works once), and it expires (30 minutes for a reset).
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from backend.accounts.models import User

PURPOSES = {"welcome": timedelta(hours=24), "reset": timedelta(minutes=30)}


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
    return user
