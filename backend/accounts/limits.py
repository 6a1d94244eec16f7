"""Counting tries at something guessable, per person and per address: invite codes now (the password
and registration limits in `services.py` count the same rows the same way).

Each try is a `LoginAttempt` row, written and committed *before* it is counted, so of any number of
parallel tries at most the limit see a count within it (each sees every try committed before its
own). A try that turns out right may be withdrawn, so the person is never held back by their own
right answers. Rows never hold what was typed: only who, from where, when and the kind.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from backend.accounts.models import LoginAttempt
from backend.db import utcnow


@dataclass(frozen=True)
class Attempt:
    """One recorded try: may it be evaluated, and if not, how long until the next one may."""

    allowed: bool
    row_id: int
    wait: timedelta = timedelta(0)

    @property
    def wait_minutes(self) -> int:
        return max(1, math.ceil(self.wait.total_seconds() / 60))


def recent(db: Session, since: datetime, *conditions) -> int:
    """Attempts matching the conditions since a moment."""
    return db.scalar(select(func.count(LoginAttempt.id)).where(LoginAttempt.at >= since, *conditions)) or 0


def _wait(db: Session, since: datetime, over: int, window: timedelta, now: datetime, *conditions) -> timedelta:
    """How long until the `over`-th oldest try of the window has left it."""
    oldest = db.scalar(select(LoginAttempt.at).where(LoginAttempt.at >= since, *conditions)
                       .order_by(LoginAttempt.at, LoginAttempt.id).offset(over - 1).limit(1))
    return max(timedelta(0), (oldest or now) + window - now)


def record_try(db: Session, kind: str, who: str, ip: str, *, per_person: int, per_ip: int,
               window: timedelta, now: datetime | None = None) -> Attempt:
    """Record one try of `kind` by `who` (an account's email) from `ip`, commit, then count the tries
    in the window by that person and from that address. Commits."""
    now = now or utcnow()
    row = LoginAttempt(email=who, ip=ip, kind=kind, at=now)
    db.add(row)
    db.flush()
    row_id = row.id
    db.commit()
    since = now - window
    waits = []
    for column, value, limit in ((LoginAttempt.email, who, per_person), (LoginAttempt.ip, ip, per_ip)):
        mine = (LoginAttempt.kind == kind, column == value)
        count = recent(db, since, *mine)
        if count > limit:
            # Before the count fits again, count - limit + 1 of these tries must have left the window.
            waits.append(_wait(db, since, count - limit + 1, window, now, *mine))
    return Attempt(not waits, row_id, max(waits, default=timedelta(0)))


def withdraw(db: Session, attempt: Attempt) -> None:
    """A try that was right does not count against the person. The caller commits."""
    db.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt.row_id))
