"""Two-step sign-in rules: TOTP (RFC 6238, via pyotp) and one-time recovery codes.

Required for therapists and admins, optional for clients. A code is accepted once: the last
accepted time step is stored, and only later steps pass. Plain functions over a session.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import cast

import pyotp
from sqlalchemy import delete, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from backend.accounts.models import RecoveryCode, User

REQUIRED_FOR = ("therapist", "admin")
RECOVERY_CODES = 10
ISSUER = "Trygg"


def required(user: User) -> bool:
    """Must this person use a second step (or set one up) to sign in?"""
    return user.role in REQUIRED_FOR or bool(user.totp_secret)


def new_secret() -> str:
    """A fresh base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _clean(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()


def _matching_step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The time step (now ± 1, for clock drift) whose code this is, if later than `after`."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(int(now.timestamp()))  # an int: pyotp reads a datetime as local time
    for step in (current - 1, current, current + 1):
        if (after is None or step > after) and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm_setup(db: Session, user: User, secret: str, code: str, now: datetime) -> list[str] | None:
    """Turn two-step on with the first code from the app; returns the new recovery codes."""
    step = _matching_step(secret, _clean(code), now, None)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_last_step = step
    return new_recovery_codes(db, user)


def new_recovery_codes(db: Session, user: User) -> list[str]:
    """Ten fresh one-time codes (the old ones stop working); shown once, stored as hashes."""
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    db.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return codes


def _hash(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def verify(db: Session, user: User, code: str, now: datetime) -> bool:
    """A code from the app (never one already used) or an unused recovery code."""
    if not user.totp_secret:
        return False
    cleaned = _clean(code)
    if len(cleaned) == 6 and cleaned.isdigit():
        step = _matching_step(user.totp_secret, cleaned, now, user.totp_last_step)
        if step is None:
            return False
        # Compare-and-set, so two requests with the same code cannot both pass.
        claimed = cast(CursorResult, db.execute(
            update(User).where(User.id == user.id,
                               (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
            .values(totp_last_step=step))).rowcount
        return bool(claimed)
    used = cast(CursorResult, db.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(cleaned),
                                   RecoveryCode.used_at.is_(None)).values(used_at=now))).rowcount
    return bool(used)


def recovery_codes_left(db: Session, user: User) -> int:
    """How many recovery codes are still unused."""
    return len(list(db.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))))
