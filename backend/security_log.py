"""The security log: sign-ins, failed codes, resets, password changes, exports, deletions and
admin actions, for admins to read at /admin/security.

Entries are content-free: a kind, who (ids), from which address, when, and a short detail that
never holds health data or a password. When an account closes its events stay, for the retention
in `SECURITY_LOG_RETENTION_DAYS`, under a random pseudonym instead of the person (ASVS V16: the
log outlives the account, the person does not); `flask --app backend prune-security-log` deletes
every event older than that."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import cast

import click
from flask import Flask, has_request_context, request
from flask.cli import with_appcontext
from sqlalchemy import CursorResult, ForeignKey, Index, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from backend.accounts.models import User
from backend.db import Base, UTCDateTime, session_scope, utcnow
from backend.extensions import current_flask_app

KINDS = (
    "sign_in", "sign_in_failed", "sign_in_limited", "code_failed", "two_step_on",
    "reset_requested", "password_reset", "password_changed", "sessions_ended",
    "export", "account_deleted", "admin_created_user",
    "two_step_changed", "two_step_off", "two_step_reset", "code_limited", "welcome_used",
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
    # A closed account's pseudonym ("closed-7f3a9c2b1d"), the same on all of its events, in place
    # of the user id: an admin still sees what happened to one account, not whose it was.
    subject: Mapped[str] = mapped_column(String(24), default="", server_default="")

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


PSEUDONYM_PREFIX = "closed-"


def pseudonymise(db: Session, user_id: int) -> str:
    """Put one fresh pseudonym on all of a person's events in place of their id, before their
    account goes; returns it. The pseudonym is random (never derived from the id or the email),
    so nothing left in Trygg leads from it back to the person. The address stays: it is what
    shows an attack (twelve wrong codes from one address), and it goes with the event at the
    end of the retention."""
    # 40 bits: even among a thousand closed accounts, two alike is a one-in-a-million chance.
    pseudonym = PSEUDONYM_PREFIX + secrets.token_hex(5)
    db.execute(update(SecurityEvent).where(SecurityEvent.user_id == user_id)
               .values(user_id=None, subject=pseudonym))
    # Where they acted (their own downloads), the actor goes too: here, next to the pseudonym,
    # rather than left to the foreign key's SET NULL when the user row is deleted.
    db.execute(update(SecurityEvent).where(SecurityEvent.actor_id == user_id).values(actor_id=None))
    return pseudonym


def prune(db: Session, now: datetime, retention_days: int) -> int:
    """Delete every event older than the retention (closed accounts' and everyone else's);
    returns how many went. The caller commits."""
    cutoff = now - timedelta(days=retention_days)
    return cast(CursorResult, db.execute(delete(SecurityEvent).where(SecurityEvent.at < cutoff))).rowcount or 0


def prune_old(app: Flask, now: datetime | None = None) -> int:
    """One prune with the app's retention, in its own transaction (for the CLI and workers)."""
    with session_scope(app) as db:
        return prune(db, now or utcnow(), app.config["SECURITY_LOG_RETENTION_DAYS"])


@click.command("prune-security-log")
@with_appcontext
def prune_command() -> None:
    """Delete security events older than SECURITY_LOG_RETENTION_DAYS (run it daily)."""
    app = current_flask_app()
    removed = prune_old(app)
    click.echo(f"prune-security-log: {removed} deleted, older than {app.config['SECURITY_LOG_RETENTION_DAYS']} days")


def init_app(app: Flask) -> None:
    """Register the prune command."""
    app.cli.add_command(prune_command)
