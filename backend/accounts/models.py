"""Accounts: users, their server-side sign-in sessions and login attempts."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from backend.db import Base, UTCDateTime, utcnow


class User(UserMixin, Base):
    """A person using Trygg: a client, a therapist or an admin."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="client")
    display_name: Mapped[str] = mapped_column(String(80), default="")
    locale: Mapped[str] = mapped_column(String(5), default="en")
    # True once the person picked a language themselves (registration, the switcher, the sign-in
    # page); until then the language chosen on the sign-in page becomes theirs.
    locale_chosen: Mapped[bool] = mapped_column(default=False, server_default=false())
    country: Mapped[str] = mapped_column(String(2), default="NO")
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/Oslo")
    # A therapist's clinic, printed on the plans they share with clients.
    clinic_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    clinic_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Two-step sign-in (TOTP): the shared secret, and the last time step accepted, so that no code
    # is ever accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # Wrong second-step codes from browsers this account never signed in on, counted across
    # password rounds (backend.accounts.code_limit); past the limit, the next code waits until
    # `code_wait_until`, and each further batch waits twice as long.
    code_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    code_wait_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The registration link signs in once: it stops working when this is set.
    welcome_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    sessions: Mapped[list[AuthSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login identifies a signed-in browser by its server-side session token, not the
    # user id, so ending that session (logout, timeout) signs the browser out for good.
    if TYPE_CHECKING:  # an annotation the ORM would take for a column
        auth_token: str | None
    auth_token = None  # set per request by the session loader; not a column

    def get_id(self) -> str | None:
        """The token Flask-Login stores in the session and remember cookie."""
        return self.auth_token

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot sign in."""
        return self.active

    @property
    def name(self) -> str:
        """What to call this person on screen."""
        return self.display_name or self.email


class Authored:
    """Who made a change and when, for the tables that keep a history. The author may since have
    closed their account: the row stays, without a name."""

    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def author(cls) -> Mapped[User | None]:
        return relationship(User)  # the table's only key to a user


class CreatedBy:
    """Who wrote a note or a commitment and when (the row stays if they close their account)."""

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def created_by(cls) -> Mapped[User | None]:
        return relationship(User)  # the table's only key to a user


class AuthSession(Base):
    """One signed-in browser. Deleting the row signs that browser out on the server side."""

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    remember: Mapped[bool] = mapped_column(default=False)
    # What the person sees under "where you are signed in" (browser and system, no version).
    device_label: Mapped[str] = mapped_column(String(80), default="", server_default="")

    user: Mapped[User] = relationship(back_populates="sessions")


class LoginAttempt(Base):
    """A sign-in (or registration) attempt, written before it is evaluated and kept for a while
    to rate-limit guessing by account, by address and by device."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "at"),
        Index("ix_login_attempt_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "login" or "register" (registrations are limited per address too).
    kind: Mapped[str] = mapped_column(String(16), default="login", server_default="login")
    # The device cookie's id when the attempt came from a browser that signed in to this account
    # before: those attempts are counted per device, so guessing elsewhere never locks it out.
    device: Mapped[str | None] = mapped_column(String(32), default=None, index=True)


class RecoveryCode(Base):
    """A one-time code for signing in without the authenticator app (kept only as a hash)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
