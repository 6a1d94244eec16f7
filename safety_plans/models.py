"""The safety plan: one per client, its items, its history of changes, commitments and invites."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import Authored, CreatedBy, User
from backend.db import Base, UTCDateTime, utcnow


class Plan(Base):
    """A client's safety plan. `revision` counts every accepted change (the sync feed's clock)."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    country: Mapped[str] = mapped_column(String(2), default="NO")
    revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "We reviewed the plan together today" (in session) and when to do it again.
    reviewed_on: Mapped[date | None] = mapped_column(Date, default=None)
    next_review_on: Mapped[date | None] = mapped_column(Date, default=None)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])


class PlanItem(Base):
    """One line of a plan section. Deleted items are kept (flagged) so they can be restored.

    `field_versions` maps each field to [item version that last set it, author id, saved at (Unix
    seconds)], so edits to different fields never conflict, a stale edit of the same field can be
    told apart, and words someone just saved are not replaced unseen (`ops._replaced_words`).
    """

    __tablename__ = "plan_item"
    __table_args__ = (Index("ix_plan_item_plan_section", "plan_id", "section", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(64), unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    agreed: Mapped[bool] = mapped_column(default=False)
    sms_message: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    field_versions: Mapped[dict] = mapped_column(JSON, default=dict)
    deleted: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlanChange(Authored, Base):
    """One accepted op: the plan's history, the therapist audit trail and the sync feed at once.

    `op_uuid` is the id the editor made for the op; a retry with the same id gets `result` back
    and changes nothing.
    """

    __tablename__ = "plan_change"
    __table_args__ = (UniqueConstraint("plan_id", "revision", name="uq_plan_change_plan_revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column()
    op: Mapped[str] = mapped_column(String(24))
    item_uuid: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict | None] = mapped_column(JSON, default=None)
    after: Mapped[dict | None] = mapped_column(JSON, default=None)
    op_uuid: Mapped[str] = mapped_column(String(64), unique=True)
    result: Mapped[dict] = mapped_column(JSON, default=dict)


class OpReceipt(Base):
    """The outcome of an op that changed nothing (a delete kept because the item was edited since,
    a restore of text that was already there). Replaying its uuid answers the same outcome, so a
    retry can never apply later what was refused the first time."""

    __tablename__ = "plan_op_receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    op_uuid: Mapped[str] = mapped_column(String(64), unique=True)
    op: Mapped[str] = mapped_column(String(24))
    item_uuid: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlanNote(CreatedBy):
    """A short text on a plan by one of its people; `uuid` is made by the page, so a retry adds nothing."""

    uuid: Mapped[str] = mapped_column(String(64), unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)


class Commitment(PlanNote, Base):
    """A Seeking Safety commitment made in session: what, by when, and how it went."""

    __tablename__ = "commitment"
    __table_args__ = (Index("ix_commitment_plan_made", "plan_id", "made_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    made_on: Mapped[date] = mapped_column(Date)
    due: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Invite(Base):
    """A therapist's one-time, expiring invitation for a client to link with them."""

    __tablename__ = "plan_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    # The therapist's own note of whom it is for ("for Kari, Tuesday"); never shown to the client.
    label: Mapped[str] = mapped_column(String(80), default="", server_default="")
    therapist_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    therapist: Mapped[User] = relationship(foreign_keys=[therapist_id])


class PlanPresence(Base):
    """One open live editor (an event stream) on a plan, touched by the stream's heartbeat.

    A row per stream, not per person, so two tabs of one person come and go independently; rows
    of a process that died simply stop being touched and fall out after `PRESENCE_TTL`.
    """

    __tablename__ = "plan_presence"
    __table_args__ = (Index("ix_plan_presence_plan_seen", "plan_id", "last_seen"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stream: Mapped[str] = mapped_column(String(64), unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Win(PlanNote, Base):
    """"Something I managed": a small win the client or their therapist notes (issue 12).

    Kept commitments and grounding sessions where distress fell are read from their own tables;
    only these notes need a row of their own. Added through `wins.add_win`, in the plan's history.
    """

    __tablename__ = "plan_win"
    __table_args__ = (Index("ix_plan_win_plan_on", "plan_id", "happened_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    happened_on: Mapped[date] = mapped_column(Date)


class AgreementVersion(Authored, Base):
    """One saved version of "Our agreement" (issue 12). Never updated: every save is a new row with
    its author and time, so the page can show how it grew and a stale save can be told apart."""

    __tablename__ = "plan_agreement"
    __table_args__ = (UniqueConstraint("plan_id", "version", name="uq_plan_agreement_plan_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column()
    towards: Mapped[str] = mapped_column(Text, default="")
    how: Mapped[str] = mapped_column(Text, default="")
    expect: Mapped[str] = mapped_column(Text, default="")
    focus: Mapped[str] = mapped_column(Text, default="")

