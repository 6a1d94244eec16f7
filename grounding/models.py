"""Grounding's tables: practice sessions, personal exercises, recommendations, the exercises a
client put on their plan, and whether linked therapists may see the log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, UTCDateTime, utcnow


class GroundingSession(Base):
    """One finished or stopped practice, sent by the player. `client_uuid` (made in the browser)
    makes sending idempotent: a retry finds the first record instead of adding another."""

    __tablename__ = "grounding_session"
    __table_args__ = (
        CheckConstraint("distress_before BETWEEN 0 AND 10", name="distress_before_range"),
        CheckConstraint("distress_after BETWEEN 0 AND 10", name="distress_after_range"),
        Index("ix_grounding_session_user_started", "user_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    exercise_slug: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_seconds: Mapped[int] = mapped_column(default=0)
    distress_before: Mapped[int | None] = mapped_column(default=None)
    distress_after: Mapped[int | None] = mapped_column(default=None)
    completed: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def drop(self) -> int | None:
        """How much distress fell (negative if it rose); None unless both ratings were given."""
        if self.distress_before is None or self.distress_after is None:
            return None
        return self.distress_before - self.distress_after


class CustomExercise(Base):
    """A personal exercise written by the client or their linked therapist, for the client."""

    __tablename__ = "grounding_custom_exercise"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    steps_text: Mapped[str] = mapped_column(Text)  # one step per line
    on_plan: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def steps(self) -> list[str]:
        """The steps, one per non-empty line."""
        return [line.strip() for line in self.steps_text.splitlines() if line.strip()]

    @property
    def slug(self) -> str:
        """How sessions and the plan refer to this exercise."""
        return f"custom-{self.id}"


class Recommendation(Base):
    """A therapist suggests a catalog exercise to a linked client; it shows on the client's plan."""

    __tablename__ = "grounding_recommendation"
    __table_args__ = (
        UniqueConstraint("therapist_id", "client_id", "exercise_slug", name="uq_grounding_recommendation_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    exercise_slug: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChosenExercise(Base):
    """A catalog exercise the client added to their plan."""

    __tablename__ = "grounding_chosen_exercise"
    __table_args__ = (UniqueConstraint("client_id", "exercise_slug", name="uq_grounding_chosen_exercise_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    exercise_slug: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroundingSharing(Base):
    """The client's choice to let linked therapists see their grounding log (no row: not shared)."""

    __tablename__ = "grounding_sharing"

    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    share_log: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
