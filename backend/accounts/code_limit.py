"""How many second-step codes may be tried, and when (ASVS V6.3.1 for the second factor).

Whoever types a code has already given the right password, so the code is what is being guessed,
and its count must survive a new password round, a new browser and parallel requests:

- A browser that signed in to the account before (its device cookie) is counted on its own, in
  `LoginAttempt` rows like passwords, so someone else guessing never locks the owner out on their
  own phone.
- Every other browser shares one count per account, kept on the user row (`code_failures`,
  `code_wait_until`). The first `CODE_LIMIT` codes are evaluated; then the next one waits
  `CODE_WAIT`, and each later batch waits twice as long as the one before, up to `CODE_WAIT_MAX`.
  A right code from such a browser, or a day with no guessing, starts the count afresh.

The count is advanced by compare-and-set before the code is looked at, so each evaluation holds a
numbered slot of its own: of any number of parallel guesses at most the limit are evaluated.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from backend.accounts.models import LoginAttempt, User

# How often the compare-and-set is retried when other requests moved the count meanwhile.
CAS_TRIES = 50
# A count with no new guess for this long is forgotten.
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Claim:
    """May this code be evaluated? If not, how long until the next one may."""

    allowed: bool
    wait: timedelta = timedelta(0)
    # True for the claim that started a wait (the person is told by mail, once per batch).
    started_wait: bool = False

    @property
    def wait_minutes(self) -> int:
        return max(1, math.ceil(self.wait.total_seconds() / 60))


def _wait_for_batch(batch: int, config: dict) -> timedelta:
    """The wait after the `batch`-th batch of wrong codes: CODE_WAIT, doubling, capped."""
    wait = config["CODE_WAIT"] * (2 ** min(batch - 1, 20))
    return min(wait, config["CODE_WAIT_MAX"])


def claim(db: Session, user: User, device: str | None, config: dict, now: datetime) -> Claim:
    """Take a slot for evaluating one code; commits, so parallel requests see it at once.
    `device` is the id of this account's device cookie on this browser, if it has one."""
    if device:
        return _claim_on_device(db, user, device, config, now)
    return _claim_on_account(db, user.id, config, now)


def _claim_on_device(db: Session, user: User, device: str, config: dict, now: datetime) -> Claim:
    """A known browser: recorded first, then counted, as passwords are (backend.accounts.services)."""
    db.add(LoginAttempt(email=user.email, ip="", device=device, kind="code", at=now))
    db.commit()
    since = now - config["LOGIN_WINDOW"]
    count = db.scalar(select(func.count(LoginAttempt.id)).where(
        LoginAttempt.kind == "code", LoginAttempt.device == device, LoginAttempt.at >= since)) or 0
    if count > config["CODE_LIMIT"]:
        return Claim(False, config["LOGIN_WINDOW"])
    return Claim(True)


def _claim_on_account(db: Session, user_id: int, config: dict, now: datetime) -> Claim:
    limit = config["CODE_LIMIT"]
    for _ in range(CAS_TRIES):
        row = db.execute(select(User.code_failures, User.code_wait_until).where(User.id == user_id)).one()
        failures, wait_until = row
        if wait_until is not None and now < wait_until:
            db.rollback()
            return Claim(False, wait_until - now)
        if wait_until is not None and now - wait_until > FORGET_AFTER:
            failures = 0
        taken = failures + 1
        new_wait = wait_until
        if taken % limit == 0:  # the last of a batch: whoever comes next waits
            new_wait = now + _wait_for_batch(taken // limit, config)
        moved = cast(CursorResult, db.execute(
            update(User).where(User.id == user_id, User.code_failures == row[0])
            .values(code_failures=taken, code_wait_until=new_wait)))
        db.commit()
        if moved.rowcount:
            return Claim(True, started_wait=taken % limit == 0)
    return Claim(False, config["CODE_WAIT"])  # a storm of parallel guesses: refuse rather than spin


def succeeded(db: Session, user: User, device: str | None) -> None:
    """A right code: a known browser's count, or the shared one, starts afresh. (A right code on
    the owner's phone does not clear what a stranger's browser has guessed.) The caller commits."""
    if device:
        db.execute(delete(LoginAttempt).where(LoginAttempt.kind == "code", LoginAttempt.device == device))
    else:
        db.execute(update(User).where(User.id == user.id).values(code_failures=0, code_wait_until=None))


def forget(db: Session, user: User) -> None:
    """A new factor (set up anew, or reset by an admin): no count carries over. The caller commits."""
    db.execute(update(User).where(User.id == user.id).values(code_failures=0, code_wait_until=None))
    db.execute(delete(LoginAttempt).where(LoginAttempt.kind == "code", LoginAttempt.email == user.email))
