"""Who looked at or changed a client's plan, and when.

The platform keeps the log; feature packages call `record` whenever a therapist opens, prints,
exports or changes something of a client's, and the client reads it back with `events_for`.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from backend.accounts.models import User
from backend.db import Base, UTCDateTime, utcnow

ACTIONS = ("open", "print", "export", "change")


class AccessEvent(Base):
    """One access by someone other than the client to the client's data."""

    __tablename__ = "access_event"
    __table_args__ = (Index("ix_access_event_client_at", "client_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(32), default="plan")
    object_id: Mapped[int | None] = mapped_column(default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship(foreign_keys=[actor_id])


def record(db: Session, actor: User, client_id: int, action: str,
           object_type: str = "plan", object_id: int | None = None) -> AccessEvent:
    """Log an access; the caller commits with the rest of its work."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    event = AccessEvent(actor_id=actor.id, client_id=client_id, action=action,
                        object_type=object_type, object_id=object_id, at=utcnow())
    db.add(event)
    return event


def events_for(db: Session, client_id: int, limit: int = 500) -> list[AccessEvent]:
    """The newest accesses to one client's data first."""
    return list(db.scalars(
        select(AccessEvent).where(AccessEvent.client_id == client_id)
        .order_by(AccessEvent.at.desc(), AccessEvent.id.desc()).limit(limit)
    ))
