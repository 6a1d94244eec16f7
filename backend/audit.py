"""Who looked at or changed a client's data, and when.

The platform keeps the log; feature packages call `record` whenever a therapist opens, prints,
exports or changes something of a client's, and the client reads it back with `groups_for`.

A calm log: one row stands for a half-hour window of the same person doing the same thing to the
same object. A later access in that window bumps the row's `count` and `last_at` instead of adding
a row, so a therapist who keeps the plan open in session is one line, not hundreds; background
reads (the live editor's sync feed and event stream) keep the window open without counting as
another "open".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from flask import Flask
from sqlalchemy import ForeignKey, Index, String, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from backend.accounts.models import User
from backend.db import Base, UTCDateTime, utcnow

ACTIONS = ("open", "print", "export", "change")
WINDOW = timedelta(minutes=30)


class AccessEvent(Base):
    """Accesses by someone other than the client to the client's data within one window."""

    __tablename__ = "access_event"
    __table_args__ = (Index("ix_access_event_client_at", "client_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(32), default="plan")
    object_id: Mapped[int | None] = mapped_column(default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    count: Mapped[int] = mapped_column(default=1, server_default="1")

    actor: Mapped[User] = relationship(foreign_keys=[actor_id])

    @property
    def until(self) -> datetime:
        """The last access this row stands for."""
        return self.last_at or self.at


def _open_window(db: Session, actor: User, client_id: int, action: str, object_type: str,
                 object_id: int | None, now: datetime) -> AccessEvent | None:
    return db.scalar(select(AccessEvent).where(
        AccessEvent.actor_id == actor.id, AccessEvent.client_id == client_id,
        AccessEvent.action == action, AccessEvent.object_type == object_type,
        AccessEvent.object_id == object_id, AccessEvent.at > now - WINDOW,
    ).order_by(AccessEvent.at.desc()).limit(1))


def record(db: Session, actor: User, client_id: int, action: str, object_type: str = "plan",
           object_id: int | None = None, counts: bool = True) -> AccessEvent:
    """Log an access; the caller commits with the rest of its work.

    `counts=False` is for background reads that belong to an access already counted (a sync poll
    of an editor the person opened): they are logged only when no row covers the last half hour.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    now = utcnow()
    event = _open_window(db, actor, client_id, action, object_type, object_id, now)
    if event is None:
        event = AccessEvent(actor_id=actor.id, client_id=client_id, action=action,
                            object_type=object_type, object_id=object_id, at=now, last_at=now)
        db.add(event)
    elif counts:
        event.count = (event.count or 1) + 1
        event.last_at = now
    return event


def record_each(db: Session, actor: User, client_ids: list[int], action: str, object_type: str) -> None:
    """`record` for many clients at once (a therapist's overview of all their clients): one query
    for the open windows, whatever the number of clients."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    if not client_ids:
        return
    now = utcnow()
    open_rows = {e.client_id: e for e in db.scalars(select(AccessEvent).where(
        AccessEvent.actor_id == actor.id, AccessEvent.client_id.in_(client_ids), AccessEvent.action == action,
        AccessEvent.object_type == object_type, AccessEvent.object_id.is_(None), AccessEvent.at > now - WINDOW,
    ).order_by(AccessEvent.at))}
    # Two statements whatever the number of clients: one update for the open windows, one insert.
    if open_rows:
        db.execute(update(AccessEvent).where(AccessEvent.id.in_([e.id for e in open_rows.values()]))
                   .values(count=AccessEvent.count + 1, last_at=now).execution_options(synchronize_session=False))
    new = [dict(actor_id=actor.id, client_id=client_id, action=action, object_type=object_type, object_id=None,
                at=now, last_at=now, count=1) for client_id in client_ids if client_id not in open_rows]
    if new:
        db.execute(insert(AccessEvent), new)


def events_for(db: Session, client_id: int, limit: int = 500) -> list[AccessEvent]:
    """The newest accesses to one client's data first."""
    return list(db.scalars(
        select(AccessEvent).where(AccessEvent.client_id == client_id)
        .order_by(AccessEvent.at.desc(), AccessEvent.id.desc()).limit(limit)
    ))


@dataclass
class AccessGroup:
    """One line of the client's log: a person, an action, a day, how often and from when to when."""

    actor: str
    action: str
    object_type: str
    day: datetime
    first: datetime
    last: datetime
    times: int


def groups_for(db: Session, client_id: int, zone: tzinfo, limit: int = 500) -> list[AccessGroup]:
    """The client's log grouped by person, action and local day, newest first."""
    groups: dict[tuple, AccessGroup] = {}
    for event in events_for(db, client_id, limit):
        day = event.at.astimezone(zone).date()
        key = (event.actor_id, event.action, event.object_type, day)
        group = groups.get(key)
        if group is None:
            groups[key] = AccessGroup(event.actor.name, event.action, event.object_type, event.at,
                                      event.at, event.until, event.count or 1)
        else:
            group.first = min(group.first, event.at)
            group.last = max(group.last, event.until)
            group.times += event.count or 1
    return sorted(groups.values(), key=lambda g: g.last, reverse=True)


def describe_with(app: Flask, package: str) -> None:
    """`package` words the access log's lines for what its pages hold (`<package>/words/access.json`)."""
    app.extensions.setdefault("trygg.access_words", []).append(package)


def described_by(app: Flask) -> list[str]:
    """The packages that word access-log lines, in the order they registered."""
    return app.extensions.get("trygg.access_words", [])
