"""A Seeking Safety session on a client's plan, and its history of saves."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import Authored, User
from backend.db import Base, UTCDateTime, utcnow

# 0-10 answers and their texts, by step. Feedback is the client's alone (services.FEEDBACK).
SCALES = ("mood", "fb_heard", "fb_wanted", "fb_fit", "fb_overall", "hope")
TEXTS = ("coping", "unsafe_note", "takeaway", "not_right")


class TherapySession(Base):
    """One session: check-in (the client may fill it at home), plan review, check-out with the
    client's feedback. `version` counts saves; every save is a `SessionChange` row."""

    __tablename__ = "therapy_session"
    __table_args__ = (Index("ix_therapy_session_plan", "plan_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | done
    version: Mapped[int] = mapped_column(default=1)
    # Check-in
    mood: Mapped[int | None] = mapped_column(Integer, default=None)
    coping: Mapped[str] = mapped_column(Text, default="")
    unsafe: Mapped[bool | None] = mapped_column(Boolean, default=None)
    unsafe_note: Mapped[str] = mapped_column(Text, default="")
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Plan review (the dates themselves live on the plan)
    reviewed_plan: Mapped[bool] = mapped_column(default=False)
    # Check-out
    takeaway: Mapped[str] = mapped_column(Text, default="")
    # The client's feedback, 0-10 each, and hope
    fb_heard: Mapped[int | None] = mapped_column(Integer, default=None)
    fb_wanted: Mapped[int | None] = mapped_column(Integer, default=None)
    fb_fit: Mapped[int | None] = mapped_column(Integer, default=None)
    fb_overall: Mapped[int | None] = mapped_column(Integer, default=None)
    hope: Mapped[int | None] = mapped_column(Integer, default=None)
    not_right: Mapped[str] = mapped_column(Text, default="")
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Commitments this session reviewed and made: {"reviewed": [ids], "made": [ids]}
    commitment_ids: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])


class SessionChange(Authored, Base):
    """One accepted save: who, when, and the fields before and after. `op_uuid` makes a retry
    answer the first result instead of saving twice."""

    __tablename__ = "therapy_session_change"
    __table_args__ = (UniqueConstraint("session_id", "version", name="uq_therapy_session_change_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("therapy_session.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column()
    op_uuid: Mapped[str] = mapped_column(String(64), unique=True)
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)

