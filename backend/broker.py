"""Live updates between open editors: "plan P is now at revision R".

With SQLite a publish goes to this process's subscribers right after the commit, and is written
to the small `live_message` table in the writer's transaction; one thread per process (started
by the first subscriber) reads the table every 100 ms and hands other processes' messages to its
own subscribers, so several worker processes share updates. With PostgreSQL every process
LISTENs on one channel and a publish is a NOTIFY sent inside the writer's transaction, delivered
to every process, this one included, only if and when the change commits. Either way nothing is
announced that did not commit. Payloads carry ids and numbers only, never plan text.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import String, Text, delete, event, func, insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from backend.db import Base, UTCDateTime, get_engine, utcnow

log = logging.getLogger(__name__)
CHANNEL = "trygg_live"
_PENDING_KEY = "trygg_broker_pending"


class LiveMessage(Base):
    """A published message, kept a minute so other worker processes on SQLite can read it."""

    __tablename__ = "live_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str] = mapped_column(String(80))
    payload: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


# Built once: every published change is written down, its values given as parameters.
_WRITE_DOWN = insert(LiveMessage)

Merge = Callable[[dict, dict], "dict | None"]


class Subscription:
    """One open editor's mailbox for one topic.

    A subscriber may say how a new message supersedes one still waiting (`merge(waiting, new)`
    returns the one message to keep, or None when both must be told): "the plan is at revision R"
    needs only the newest R, "who is here changed" only the newest announcement. A reader that
    falls behind (a burst of arrivals, an overloaded server) then finds one message of each kind
    waiting, not hundreds, and news that matters is never pushed out by news that does not.
    """

    def __init__(self, broker: Broker, topic: str, maxsize: int = 256, merge: Merge | None = None):
        self.topic = topic
        self._broker = broker
        self._maxsize = maxsize
        self._merge = merge
        self._waiting: deque[dict] = deque()
        self._ready = threading.Condition()

    def deliver(self, message: dict) -> None:
        """Called by the broker; never blocks. Past `maxsize` waiting messages that nothing merged
        (a reader that stopped reading), the oldest goes."""
        with self._ready:
            if not self._merged_into_waiting(message):
                if len(self._waiting) >= self._maxsize:
                    self._waiting.popleft()
                self._waiting.append(message)
            self._ready.notify()

    def _merged_into_waiting(self, message: dict) -> bool:
        if self._merge is None:
            return False
        for index, waiting in enumerate(self._waiting):
            kept = self._merge(waiting, message)
            if kept is not None:
                self._waiting[index] = kept
                return True
        return False

    def get(self, timeout: float) -> dict | None:
        """The next message, or None after `timeout` seconds."""
        with self._ready:
            if not self._ready.wait_for(lambda: self._waiting, timeout):
                return None
            return self._waiting.popleft()

    def messages(self, timeout: float) -> Iterator[dict | None]:
        """Messages as they come; None at every quiet `timeout` (time for a heartbeat)."""
        while True:
            yield self.get(timeout)

    def close(self) -> None:
        """Stop receiving."""
        self._broker.unsubscribe(self)


class Broker:
    """In-process fan-out: topic -> subscriptions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._topics: dict[str, set[Subscription]] = {}

    def subscribe(self, topic: str, merge: Merge | None = None) -> Subscription:
        """Open a mailbox for a topic (e.g. "plan:12"); `merge` as in `Subscription`."""
        subscription = Subscription(self, topic, merge=merge)
        with self._lock:
            self._topics.setdefault(topic, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Close a mailbox."""
        with self._lock:
            subscribers = self._topics.get(subscription.topic)
            if subscribers:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._topics[subscription.topic]

    def count(self, topic: str | None = None) -> int:
        """Open mailboxes (for one topic, or all): the number of live editors in this process."""
        with self._lock:
            if topic is not None:
                return len(self._topics.get(topic, ()))
            return sum(len(s) for s in self._topics.values())

    def dispatch(self, topic: str, message: dict) -> None:
        """Hand a message to this process's subscribers of a topic."""
        with self._lock:
            subscribers = list(self._topics.get(topic, ()))
        for subscription in subscribers:
            subscription.deliver(message)

    def publish(self, db: Session, topic: str, message: dict) -> None:
        """Send after `db` commits (nothing is sent if it rolls back)."""
        db.info.setdefault(_PENDING_KEY, []).append((topic, message))

    def after_commit(self, db: Session) -> None:
        """Deliver what the committed transaction published."""
        for topic, message in db.info.pop(_PENDING_KEY, []):
            self.dispatch(topic, message)

    def after_rollback(self, db: Session) -> None:
        """Forget what a rolled-back transaction published."""
        db.info.pop(_PENDING_KEY, None)

    def stop(self) -> None:
        """Nothing to stop in process."""


class SqliteBroker(Broker):
    """In-process delivery at commit, plus a shared table read by every process's poller."""

    POLL_SECONDS = 0.1
    KEEP = timedelta(minutes=1)

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine
        self._origin = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._last_id = 0

    def publish(self, db: Session, topic: str, message: dict) -> None:
        """Deliver here after commit; write it down for the other processes in the same commit."""
        super().publish(db, topic, message)
        db.execute(_WRITE_DOWN, {"origin": self._origin, "topic": topic,
                                 "payload": json.dumps(message, separators=(",", ":")), "at": utcnow()})

    def subscribe(self, topic: str, merge: Merge | None = None) -> Subscription:
        """Open a mailbox; the first one starts this process's poller."""
        with self._start_lock:
            if self._thread is None:
                with self._engine.connect() as conn:
                    self._last_id = conn.scalar(func.max(LiveMessage.id).select()) or 0
                self._thread = threading.Thread(target=self._poll, name="trygg-broker", daemon=True)
                self._thread.start()
        return super().subscribe(topic, merge)

    def _poll(self) -> None:
        """Read what other processes published since last time; tidy old rows now and then."""
        rounds = 0
        while not self._stopping.wait(self.POLL_SECONDS):
            try:
                with self._engine.begin() as conn:
                    rows = conn.execute(
                        LiveMessage.__table__.select()
                        .where(LiveMessage.id > self._last_id).order_by(LiveMessage.id)
                    ).all()
                    rounds += 1
                    if rounds % 300 == 0:  # every half minute
                        conn.execute(delete(LiveMessage).where(LiveMessage.at < utcnow() - self.KEEP))
                for row in rows:
                    self._last_id = row.id
                    if row.origin != self._origin:
                        self.dispatch(row.topic, json.loads(row.payload))
            except Exception:  # noqa: BLE001 - keep polling whatever happened
                log.exception("live-update poller failed; trying again")

    def stop(self) -> None:
        """End the poller."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


class PostgresBroker(Broker):
    """Fan-out across processes with LISTEN/NOTIFY on one channel."""

    KEEPALIVE_SECONDS = 1.0

    def __init__(self, dsn: str) -> None:
        super().__init__()
        self._dsn = dsn
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def subscribe(self, topic: str, merge: Merge | None = None) -> Subscription:
        """Open a mailbox; the first one starts this process's listener (none without editors)."""
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._listen, name="trygg-broker", daemon=True)
                self._thread.start()
        self._ready.wait(timeout=10)
        return super().subscribe(topic, merge)

    def publish(self, db: Session, topic: str, message: dict) -> None:
        """NOTIFY inside the writer's transaction: PostgreSQL delivers it on commit."""
        payload = json.dumps({"topic": topic, "message": message}, separators=(",", ":"))
        db.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload})

    def after_commit(self, db: Session) -> None:
        """Delivery comes back through LISTEN, also to this process."""

    def _listen(self) -> None:
        """Keep one connection LISTENing; reconnect if it drops."""
        import psycopg

        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._ready.set()
                    while not self._stopping.is_set():
                        # `notifies` first hands over what arrived while another statement ran
                        # (psycopg keeps it aside), then waits on the socket for up to a second.
                        # Waiting on the socket alone lost exactly those: a NOTIFY that came in
                        # during the keep-alive was read with its answer, so the socket stayed
                        # quiet and the news waited for the next NOTIFY (a lost live update).
                        for note in conn.notifies(timeout=self.KEEPALIVE_SECONDS):
                            self._receive(note.payload)
                        self._keep_alive(conn)
            except Exception:  # noqa: BLE001 - keep listening whatever happened
                self._ready.set()
                log.exception("live-update listener lost its connection; reconnecting")
                self._stopping.wait(1.0)

    def _keep_alive(self, conn) -> None:
        """A statement every second notices a dead connection."""
        conn.execute("SELECT 1")

    def _receive(self, payload: str) -> None:
        """Pass a NOTIFY on to local subscribers."""
        try:
            data = json.loads(payload)
            self.dispatch(data["topic"], data["message"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed live-update payload")

    def stop(self) -> None:
        """End the listener thread."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _libpq_dsn(url: str) -> str:
    """SQLAlchemy's postgresql+psycopg://… as a plain libpq URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def init_app(app: Flask) -> None:
    """Pick the broker for the database and hook delivery to commits."""
    url = app.config["DATABASE_URL"]
    broker: Broker = (PostgresBroker(_libpq_dsn(url)) if url.startswith("postgresql")
                      else SqliteBroker(get_engine(app)))
    app.extensions["trygg.broker"] = broker
    maker = app.extensions["trygg.sessionmaker"]
    event.listen(maker, "after_commit", broker.after_commit)
    event.listen(maker, "after_soft_rollback", lambda db, _tx: broker.after_rollback(db))


def get_broker(app: Flask | None = None) -> Broker:
    """This app's broker."""
    return (app or current_app).extensions["trygg.broker"]
