"""A person's rights over their data: download everything (JSON and a readable page) and, for a
client, close the account — their data goes, links end, linked therapists are told, and only a
content-free record that it happened remains, with the account's security events under a
pseudonym until the log's retention ends (backend.security_log)."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from backend.accounts.care import CareLink
from backend.accounts.models import AuthSession, User
from backend.audit import events_for
from backend.db import Base, UTCDateTime, utcnow
from backend.security_log import SecurityEvent, pseudonymise


class ClosedAccount(Base):
    """That an account was closed, and when: nothing else (no name, no email, no content)."""

    __tablename__ = "closed_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClosedClientNotice(Base):
    """What a linked therapist sees on their client list: this client closed their account."""

    __tablename__ = "closed_client_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # The name the therapist knew the client by, so the notice means something to them.
    client_name: Mapped[str] = mapped_column(String(80), default="")
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def account_data(db: Session, user: User) -> dict:
    """The account part of "download my data"."""
    links = db.scalars(select(CareLink).where((CareLink.client_id == user.id) | (CareLink.therapist_id == user.id)))
    return {
        "email": user.email, "name": user.display_name, "role": user.role, "language": user.locale,
        "country": user.country, "time_zone": user.time_zone, "created_at": user.created_at.isoformat(),
        "two_step_sign_in": bool(user.totp_secret),
        "signed_in_on": [{"device": s.device_label, "since": s.created_at.isoformat(),
                          "last_used": s.last_seen_at.isoformat()}
                         for s in db.scalars(select(AuthSession).where(AuthSession.user_id == user.id))],
        "care_links": [{"therapist": link.therapist.name, "client": link.client.name,
                        "from": link.created_at.isoformat(),
                        "until": link.ended_at.isoformat() if link.ended_at else None} for link in links],
        "who_accessed_my_data": [{"who": e.actor.name, "action": e.action, "what": e.object_type,
                                  "at": e.at.isoformat()} for e in events_for(db, user.id)],
        "security_events": [_security_event(e, user.id) for e in db.scalars(
            select(SecurityEvent).where(SecurityEvent.user_id == user.id).order_by(SecurityEvent.at))],
    }


def _security_event(event: SecurityEvent, user_id: int) -> dict:
    """One event of "download my data", with the address it came from (which stays in the log
    after the account closes) unless someone else did it: an admin's address is not the person's."""
    item = {"what": event.kind, "at": event.at.isoformat()}
    if event.actor_id in (None, user_id):
        item["from"] = event.ip
    return item


def close_client_account(db: Session, user: User) -> None:
    """Remove a client and everything of theirs (the database cascades from the user row), after
    telling their linked therapists; keep only that an account was closed, and when, and the
    account's security events under a pseudonym instead of the person."""
    if user.role != "client":
        raise ValueError("only clients close their own accounts here")
    # Packages with data outside the database (files) arrange for it to go with the commit.
    for before_closed in current_app.extensions.get("trygg.before_account_closed", []):
        before_closed(db, user)
    now = utcnow()
    for link in db.scalars(select(CareLink).where(CareLink.client_id == user.id, CareLink.ended_at.is_(None))):
        db.add(ClosedClientNotice(therapist_id=link.therapist_id, client_name=user.display_name[:80], closed_at=now))
    db.add(ClosedAccount(role=user.role, closed_at=now))
    db.flush()
    pseudonymise(db, user.id)
    db.execute(delete(User).where(User.id == user.id))
    db.expunge(user)


def notices_for(db: Session, therapist_id: int) -> list[ClosedClientNotice]:
    """Closed accounts of a therapist's clients, newest first."""
    return list(db.scalars(select(ClosedClientNotice).where(ClosedClientNotice.therapist_id == therapist_id)
                           .order_by(ClosedClientNotice.closed_at.desc())))
