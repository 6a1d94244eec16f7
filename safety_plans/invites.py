"""Invites and links: a therapist's one-time, expiring code (also as a link and a QR code), the
client accepting it, and the client ending a therapist's access at once."""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import cast

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from backend.accounts import care, limits
from backend.accounts.models import User
from backend.broker import get_broker
from backend.db import utcnow
from backend.errors import ServiceError
from safety_plans.models import Invite
from safety_plans.ops import too_long_message
from safety_plans.plans import get_or_create_plan, plan_of

INVITE_LIFETIME = timedelta(days=7)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def normalise_code(code: str) -> str:
    """Codes are read aloud and typed: ignore case, spaces and dashes."""
    return re.sub(r"[\s-]", "", (code or "")).upper()[:16]


def format_code(code: str) -> str:
    """ABCD-EFGH, easier to read out."""
    return f"{code[:4]}-{code[4:]}"


MAX_LABEL = 80


def create_invite(db: Session, therapist: User, now: datetime | None = None, label: str = "") -> Invite:
    """A new one-time invite valid for seven days, with the therapist's own note of whom it is for."""
    now = now or utcnow()
    label = (label or "").strip()
    if len(label) > MAX_LABEL:
        raise ServiceError("too_long", too_long_message(MAX_LABEL), 422,
                           field="label")
    while True:
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
        if db.scalar(select(Invite.id).where(Invite.code == code)) is None:
            break
    invite = Invite(code=code, therapist_id=therapist.id, created_at=now, expires_at=now + INVITE_LIFETIME,
                    label=label)
    db.add(invite)
    db.flush()
    return invite


def find_invite(db: Session, code: str) -> Invite | None:
    """The invite with this code, if any."""
    return db.scalar(select(Invite).where(Invite.code == normalise_code(code)))


def invite_problem(invite: Invite | None, now: datetime | None = None) -> str | None:
    """Why an invite cannot be used, or None when it can."""
    now = now or utcnow()
    if invite is None:
        return _("We could not find that invitation. Check the code and try again.")
    if invite.used_at is not None:
        return _("This invitation has already been used. Ask your therapist for a new one.")
    if invite.expires_at <= now:
        return _("This invitation has expired. Ask your therapist for a new one.")
    return None


def try_code(db: Session, client: User, ip: str, config: dict) -> limits.Attempt:
    """Record that this client, from this address, looks up a code, and say whether they may: a code
    is 40 bits and a hit links the guesser with a therapist, so tries are limited per person and per
    address (INVITE_LIMIT_PER_PERSON, INVITE_LIMIT_PER_IP in INVITE_WINDOW). Commits. The caller
    withdraws the try when the code was right (`limits.withdraw`)."""
    return limits.record_try(db, "invite", client.email, ip, per_person=config["INVITE_LIMIT_PER_PERSON"],
                             per_ip=config["INVITE_LIMIT_PER_IP"], window=config["INVITE_WINDOW"])


def too_many_tries(attempt: limits.Attempt) -> str:
    """What a person who has tried too many codes is told (it may be others on their network)."""
    return ngettext("Too many codes have been tried. Wait %(num)d minute and try again, or ask your "
                    "therapist to check the code.",
                    "Too many codes have been tried. Wait %(num)d minutes and try again, or ask your "
                    "therapist to check the code.", attempt.wait_minutes)


def accept_invite(db: Session, code: str, client: User, now: datetime | None = None) -> Invite:
    """Link the client with the inviting therapist; the invite then stops working."""
    now = now or utcnow()
    invite = find_invite(db, code)
    problem = invite_problem(invite, now)
    if problem:
        raise ServiceError("invite_unusable", problem, 410)
    if invite is None:  # invite_problem has already refused it
        raise ServiceError("invite_unusable",
                           _("We could not find that invitation. Check the code and try again."), 410)
    if client.role != "client":
        raise ServiceError("not_a_client", _("Only a client account can accept an invitation."), 403)
    # Mark it used with a guarded update, so two people racing for one code cannot both win.
    taken = db.execute(update(Invite).where(Invite.id == invite.id, Invite.used_at.is_(None))
                       .values(used_at=now, used_by_id=client.id)
                       .execution_options(synchronize_session=False))
    if cast(CursorResult, taken).rowcount != 1:
        raise ServiceError("invite_unusable",
                           _("This invitation has already been used. Ask your therapist for a new one."), 410)
    db.refresh(invite)
    care.link(db, invite.therapist_id, client.id)
    get_or_create_plan(db, client)
    return invite


def open_invites(db: Session, therapist: User, now: datetime | None = None) -> list[Invite]:
    """A therapist's invites that can still be used."""
    now = now or utcnow()
    return list(db.scalars(select(Invite).where(
        Invite.therapist_id == therapist.id, Invite.used_at.is_(None), Invite.expires_at > now
    ).order_by(Invite.created_at.desc())))


def revoke_invite(db: Session, therapist: User, invite_id: int, now: datetime | None = None) -> bool:
    """The therapist takes back an unused invite: its code stops working at once."""
    invite = db.get(Invite, invite_id)
    if invite is None or invite.therapist_id != therapist.id or invite.used_at is not None:
        return False
    invite.expires_at = min(invite.expires_at, now or utcnow())
    return True


def end_access(db: Session, client: User, therapist_id: int) -> bool:
    """The client ends a therapist's access to their plan at once: the therapist's open editors
    are told (once this commits) and let go of the plan."""
    ended = care.end_link(db, therapist_id, client.id)
    plan = plan_of(db, client)
    if ended and plan is not None:
        get_broker().publish(db, f"plan:{plan.id}", {"plan": plan.id, "access_ended": therapist_id})
    return ended
