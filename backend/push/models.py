"""Push: the devices that receive notifications, each person's choices, and what was sent."""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import ForeignKey, Index, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import AuthSession, User
from backend.db import Base, UTCDateTime, utcnow


class PushSubscription(Base):
    """One browser's push subscription.

    Tied to the sign-in session it was made in: signing out (or "end every session") deletes the
    session row and, by cascade, the subscription, so a shared or lost phone stops receiving a
    person's reminders the moment they are signed out there.
    """

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    auth_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("auth_session.id", ondelete="CASCADE"), index=True, default=None
    )
    endpoint: Mapped[str] = mapped_column(String(2048), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    user: Mapped[User] = relationship()
    auth_session: Mapped[AuthSession | None] = relationship()

    def info(self) -> dict:
        """The subscription in the shape pywebpush (and PushSubscription.toJSON()) uses."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class NotificationSettings(Base):
    """When a person wants reminders and how much the lock screen may show (which kinds they
    want is in `NotificationChoice`). A missing row means the defaults below.
    """

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    daily_time: Mapped[time] = mapped_column(Time, default=time(18, 0))
    quiet_start: Mapped[time | None] = mapped_column(Time, default=time(22, 0))
    quiet_end: Mapped[time | None] = mapped_column(Time, default=time(7, 0))
    show_text: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class SentReminder(Base):
    """One reminder, claimed once by its dedupe key.

    The unique key is the "at most once" guarantee: a worker inserts it before sending, and a
    second worker (or a second pass) finds it taken. `status` walks pending -> sending -> sent |
    failed | no_device, or pending -> expired when it could not go out in time. `text` holds a
    commitment's words only when the person chose to see them, and only until it is sent.
    """

    __tablename__ = "sent_reminder"
    __table_args__ = (Index("ix_sent_reminder_status_expires", "status", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(300), default="/")
    text: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    devices: Mapped[int] = mapped_column(default=0)


class NotificationChoice(Base):
    """One registered kind of reminder a person turned on or off (no row: the kind's default)."""

    __tablename__ = "notification_choice"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
