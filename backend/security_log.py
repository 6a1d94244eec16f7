"""The security log: sign-ins, failed codes, resets, password changes, exports, deletions and
admin actions, for admins to read at /admin/security.

Entries are content-free: a kind, who (ids), from which address, when, and a short detail that
never holds health data or a password."""
from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from backend.accounts.models import User
from backend.db import Base, UTCDateTime, utcnow

KINDS = (
    "sign_in", "sign_in_failed", "sign_in_limited", "code_failed", "two_step_on",
    "reset_requested", "password_reset", "password_changed", "sessions_ended",
    "export", "account_deleted", "admin_created_user",
)


class SecurityEvent(Base):
    """One security-relevant event."""

    __tablename__ = "security_event"
    __table_args__ = (Index("ix_security_event_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    ip: Mapped[str] = mapped_column(String(45), default="")
    detail: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


def record(db: Session, kind: str, user_id: int | None = None, actor_id: int | None = None,
           detail: str = "") -> SecurityEvent:
    """Log an event (the address comes from the request, if there is one); the caller commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown security event: {kind}")
    ip = (request.remote_addr or "") if has_request_context() else ""
    event = SecurityEvent(kind=kind, user_id=user_id, actor_id=actor_id, ip=ip[:45], detail=detail[:200], at=utcnow())
    db.add(event)
    return event


def recent(db: Session, kind: str | None = None, limit: int = 300) -> list[SecurityEvent]:
    """The newest events first, optionally of one kind."""
    query = select(SecurityEvent).order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc()).limit(limit)
    if kind:
        query = query.where(SecurityEvent.kind == kind)
    return list(db.scalars(query))
