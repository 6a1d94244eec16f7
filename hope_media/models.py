"""A photo, a voice recording or a written message that belongs to a client's plan."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, UTCDateTime, utcnow

KINDS = ("photo", "audio", "message")


class PlanMedia(Base):
    """One hope item with media. It belongs to a plan and hangs on a section (by key) and, if the
    client chose, on one plan item (by uuid) — so "What matters to me" today, and any other section
    (such as "My hope") without a change here.

    `file_name` is `<sha256 of the stored bytes>.<ext>`: immutable, so a device may keep it for
    good. The file lives under TRYGG_MEDIA_DIR/<plan id>/, never in the web root. A removed item
    keeps its row (its uuid answers a retried upload) but loses its file and its words.
    """

    __tablename__ = "plan_media"
    __table_args__ = (Index("ix_plan_media_plan_section", "plan_id", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(64), unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(32), default="reasons")
    item_uuid: Mapped[str | None] = mapped_column(String(64), default=None)
    kind: Mapped[str] = mapped_column(String(16))
    # The photo's description (its alt text), the recording's title, or the message itself.
    caption: Mapped[str] = mapped_column(Text, default="")
    transcript: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Only for what the client adds: a therapist's own items are seen by both from the start.
    shared_with_therapist: Mapped[bool] = mapped_column(default=False)
    file_name: Mapped[str] = mapped_column(String(80), default="")
    mime: Mapped[str] = mapped_column(String(64), default="")
    bytes: Mapped[int] = mapped_column(default=0)
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    duration_ms: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted: Mapped[bool] = mapped_column(default=False)
