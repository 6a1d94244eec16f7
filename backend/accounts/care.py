"""Care links: which therapist may work with which client.

Owned by the platform because every feature package asks the same question ("is this therapist
linked to this client?"). Invites that create links are made in safety_plans.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from backend.accounts.models import User
from backend.db import Base, UTCDateTime, utcnow


class CareLink(Base):
    """A therapist linked to a client. `ended_at` set means the client (or therapist) ended it."""

    __tablename__ = "care_link"
    __table_args__ = (Index("ix_care_link_pair", "therapist_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    therapist: Mapped[User] = relationship(foreign_keys=[therapist_id])
    client: Mapped[User] = relationship(foreign_keys=[client_id])


def active_link(db: Session, therapist_id: int, client_id: int) -> CareLink | None:
    """The live link between a therapist and a client, if there is one."""
    return db.scalar(
        select(CareLink).where(
            CareLink.therapist_id == therapist_id,
            CareLink.client_id == client_id,
            CareLink.ended_at.is_(None),
        )
    )


def is_linked(db: Session, therapist_id: int, client_id: int) -> bool:
    """True while the therapist may work with the client."""
    return active_link(db, therapist_id, client_id) is not None


def link(db: Session, therapist_id: int, client_id: int) -> CareLink:
    """Link a therapist and a client (idempotent: an existing live link is returned)."""
    existing = active_link(db, therapist_id, client_id)
    if existing:
        return existing
    care_link = CareLink(therapist_id=therapist_id, client_id=client_id)
    db.add(care_link)
    db.flush()
    return care_link


def end_link(db: Session, therapist_id: int, client_id: int) -> bool:
    """End a live link; True if there was one."""
    existing = active_link(db, therapist_id, client_id)
    if existing is None:
        return False
    existing.ended_at = utcnow()
    return True


def _linked_now(db: Session, person_side, other_side, other_id: int) -> list[User]:
    """The people on one side of the open links whose other side is `other_id`, by name."""
    return list(db.scalars(
        select(User).join(CareLink, person_side == User.id)
        .where(other_side == other_id, CareLink.ended_at.is_(None))
        .order_by(User.display_name, User.email)))


def clients_of(db: Session, therapist_id: int) -> list[User]:
    """The clients a therapist is linked to now, by name."""
    return _linked_now(db, CareLink.client_id, CareLink.therapist_id, therapist_id)


def therapists_of(db: Session, client_id: int) -> list[User]:
    """The therapists linked to a client now."""
    return _linked_now(db, CareLink.therapist_id, CareLink.client_id, client_id)
