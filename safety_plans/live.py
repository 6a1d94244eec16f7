"""The live channel of the co-editor: one server-sent-event stream per open editor.

Served by an event-driven worker (gevent, `deploy/gunicorn.conf.py`), an open stream is a greenlet
idle on its broker mailbox, not a thread, so one process holds thousands. They are still capped per
process (`LIVE_MAX_STREAMS`, 5,000) and per person in each process (`LIVE_MAX_STREAMS_PER_PERSON`,
10): beyond either, 503 + Retry-After and the page polls. Each ends after `LIVE_STREAM_SECONDS`
(the browser's EventSource reconnects and catches up from its last revision). Under gunicorn a
small watcher notices the moment a reader's connection closes, so its slot and its presence are
given back at once rather than at the next heartbeat. Events carry ids and numbers, plus the names
of the people who have the plan open.
"""
from __future__ import annotations

import json
import os
import select as io_select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from flask import Flask, Response, jsonify
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from backend.accounts.care import CareLink
from backend.accounts.models import User
from backend.broker import get_broker
from backend.db import session_scope, utcnow
from safety_plans.access import can_view
from safety_plans.models import Plan, PlanPresence
from safety_plans.ops import new_uuid

# LIVE_MAX_STREAMS_PER_PERSON: a person with a phone, a laptop and a tablet, each with the editor
# and a session page open, holds about six streams; a reload or a new tab can hold a second one
# for a moment before the old one is noticed gone. Ten leaves room for that, while one person can
# no longer take a process's slots for themselves (200 were measured open by one client). Counted
# per process like LIVE_MAX_STREAMS: a person's streams land on at most WORKERS processes, so no
# one holds more than WORKERS x 10 in all; a shared count would cost a database or broker round
# trip on every open and close, and a crashed process would leave its counts behind.
DEFAULTS = {"LIVE_MAX_STREAMS": 5000, "LIVE_MAX_STREAMS_PER_PERSON": 10, "LIVE_STREAM_SECONDS": 300,
            "LIVE_HEARTBEAT_SECONDS": 15, "LIVE_RETRY_SECONDS": 5}


class StreamSlots:
    """Open streams in this process, refusing more than `limit` in all or `per_person` for one person."""

    def __init__(self, limit: int, per_person: int):
        self.limit = limit
        self.per_person = per_person
        self.open = 0
        self.by_person: dict[int, int] = {}
        self._lock = threading.Lock()

    def take(self, person: int) -> bool:
        """Claim a slot for this person; False when every slot, or every one of theirs, is taken."""
        with self._lock:
            theirs = self.by_person.get(person, 0)
            if self.open >= self.limit or theirs >= self.per_person:
                return False
            self.open += 1
            self.by_person[person] = theirs + 1
            return True

    def give_back(self, person: int) -> None:
        """Free one of this person's slots (a person with none left is forgotten)."""
        with self._lock:
            self.open = max(0, self.open - 1)
            left = self.by_person.get(person, 0) - 1
            if left > 0:
                self.by_person[person] = left
            else:
                self.by_person.pop(person, None)


def init_app(app: Flask) -> None:
    """Read the live settings (environment, then the app's config) and make the slot counter."""
    for name, default in DEFAULTS.items():
        app.config.setdefault(name, type(default)(os.environ.get(name, default)))
    app.extensions["trygg.live_slots"] = StreamSlots(app.config["LIVE_MAX_STREAMS"],
                                                     app.config["LIVE_MAX_STREAMS_PER_PERSON"])
    app.extensions["trygg.live_presence"] = PresenceMemo()
    app.extensions["trygg.live_heart"] = Heart(app)


def slots(app: Flask) -> StreamSlots:
    """This process's stream slots."""
    return app.extensions["trygg.live_slots"]


def answer_stream(app: Flask, db: Session,
                  open_: Callable[[], tuple[Iterator[str], Callable[[], None]]]) -> Response:
    """An EventSource's answer: the stream `open_` makes (for the signed-in person, who gets the slot
    back when it closes), in one of this process's slots; beyond the process's cap or the person's,
    503 with Retry-After (the page polls meanwhile). What the request logged is committed first."""
    person = current_user.id
    if not slots(app).take(person):
        db.commit()
        response = jsonify(error="busy", status=503,
                           message=_("Live updates are busy right now. Changes still arrive every few seconds."))
        response.status_code = 503
        response.headers["Retry-After"] = str(app.config["LIVE_RETRY_SECONDS"] * 6)
        return response
    # A slot taken and never given back would be lost to this person until the process restarts.
    try:
        stream, close = open_()
    except BaseException:
        slots(app).give_back(person)
        raise
    try:
        db.commit()
    except BaseException:
        close()
        raise
    response = Response(stream, mimetype="text/event-stream")
    response.call_on_close(close)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # a proxy in front must not hold events back
    return response


def sse(event: str, data: dict, event_id: int | None = None) -> str:
    """One server-sent event."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'), ensure_ascii=False)}\n\n"


def people_here(db, plan: Plan) -> list[dict]:
    """Who has the plan open: id, name and role (the page words the sentence)."""
    return [{"id": u.id, "name": u.name, "role": u.role} for u in present(db, plan)]


def _touch(app: Flask, plan_id: int, user_id: int, stream_id: str, present: bool = True) -> bool:
    """Heartbeat: mark this editor present (unless the page only follows the plan); False when the
    user may no longer see the plan."""
    with app.app_context(), session_scope(app) as db:
        plan, user = db.get(Plan, plan_id), db.get(User, user_id)
        if plan is None or user is None or not can_view(db, user, plan):
            return False
        if present and touch_presence(db, plan, user, stream_id):
            announce_presence(db, plan_id)
        return True


def _leave(app: Flask, plan_id: int, stream_id: str) -> None:
    with app.app_context(), session_scope(app) as db:
        leave_presence(db, stream_id)
        announce_presence(db, plan_id)


def _here(app: Flask, plan_id: int) -> list[dict]:
    with app.app_context(), session_scope(app) as db:
        plan = db.get(Plan, plan_id)
        return people_here(db, plan) if plan is not None else []


class PresenceMemo:
    """Who is here, read once per presence announcement and shared by every stream of this process
    that received it: a plan open in many places would otherwise ask the database once per stream
    for each arrival (n² reads). The streams told of one announcement ask at the same moment, so
    the first one reads and the others wait for its answer (else a crowd arriving takes every
    pooled connection at once). An announcement is delivered after its commit, so the first reader
    already sees it; the few newest announcements are remembered."""

    KEEP = 64
    WAIT_SECONDS = 5.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[tuple[int, str], list[dict]] = {}
        self._reading: dict[tuple[int, str], threading.Event] = {}

    def here(self, app: Flask, plan_id: int, announcement: str | None) -> list[dict]:
        """The people with the plan open as of this announcement."""
        if announcement is None:
            return _here(app, plan_id)
        key = (plan_id, announcement)
        with self._lock:
            known = self._seen.get(key)
            reading = self._reading.get(key)
            if known is None and reading is None:
                self._reading[key] = threading.Event()
        if known is not None:
            return known
        if reading is not None:  # another stream is reading it now: its answer is ours
            reading.wait(self.WAIT_SECONDS)
            with self._lock:
                known = self._seen.get(key)
            return known if known is not None else _here(app, plan_id)
        return self._read(app, plan_id, key)

    def _read(self, app: Flask, plan_id: int, key: tuple[int, str]) -> list[dict]:
        """Read for everyone waiting on `key`, remember it, then wake them (also if it failed)."""
        try:
            people = _here(app, plan_id)
            with self._lock:
                self._seen[key] = people
                while len(self._seen) > self.KEEP:
                    del self._seen[next(iter(self._seen))]
            return people
        finally:
            with self._lock:
                done = self._reading.pop(key)
            done.set()


def watch_reader(connection: socket.socket | None, gone: Callable[[], None], closed: threading.Event,
                 every: float = 5.0) -> None:
    """Call `gone` as soon as the reader closes its connection (an EventSource sends nothing after its
    request, so a readable socket that peeks empty has been closed). Runs beside the stream; under
    the event-driven worker it is a greenlet, elsewhere it is not started (a thread per stream).
    poll(), not select(): select() refuses descriptors above 1023, and a server holding a thousand
    streams has them (past about a thousand, each new stream ended as soon as it began)."""
    if connection is None:
        return

    def watch() -> None:
        try:
            poller = io_select.poll()
            poller.register(connection, io_select.POLLIN)
            while not closed.is_set():
                if poller.poll(every * 1000):
                    if not connection.recv(1, socket.MSG_PEEK):
                        gone()
                    return  # closed, or the client is sending its next request: done watching
        except (OSError, ValueError):
            gone()
        except BaseException:  # noqa: BLE001 - gevent may kill the watcher with its connection
            return

    threading.Thread(target=watch, name="trygg-live-watch", daemon=True).start()


class Heart:
    """One presence heartbeat for all of this process's open streams: every
    `LIVE_HEARTBEAT_SECONDS`, one transaction marks them all present and checks, for all at once,
    that each reader may still see the plan. A stream whose reader may not is told (as when a link
    ends) and checks for itself before it lets go. Thousands of streams cost one write a beat,
    not one each. The beat runs while there are streams (a greenlet under the gevent worker)."""

    CHUNK = 500

    def __init__(self, app: Flask):
        self._app = app
        self._lock = threading.Lock()
        self._streams: dict[str, tuple[int, int, Callable[[dict], None]]] = {}
        self._running = False

    def add(self, stream_id: str, plan_id: int, user_id: int, tell: Callable[[dict], None]) -> None:
        """Keep this stream's presence fresh from now on."""
        with self._lock:
            self._streams[stream_id] = (plan_id, user_id, tell)
            if not self._running:
                self._running = True
                threading.Thread(target=self._beat, name="trygg-live-heart", daemon=True).start()

    def remove(self, stream_id: str) -> None:
        """The stream closed."""
        with self._lock:
            self._streams.pop(stream_id, None)

    def _beat(self) -> None:
        while True:
            time.sleep(self._app.config["LIVE_HEARTBEAT_SECONDS"])
            with self._lock:
                streams = dict(self._streams)
                if not streams:
                    self._running = False
                    return
            try:
                lost = self.beat(streams)
            except Exception:  # noqa: BLE001 - keep beating whatever happened
                self._app.logger.exception("live presence heartbeat failed; trying again")
                continue
            for stream_id in lost:
                plan_id, user_id, tell = streams[stream_id]
                tell({"plan": plan_id, "access_ended": user_id})

    def beat(self, streams: dict[str, tuple[int, int, Callable[[dict], None]]]) -> list[str]:
        """Mark every stream present; the ids of those whose reader may no longer see the plan."""
        ids = list(streams)
        with self._app.app_context(), session_scope(self._app) as db:
            now = utcnow()
            for start in range(0, len(ids), self.CHUNK):
                db.execute(update(PlanPresence).where(PlanPresence.stream.in_(ids[start:start + self.CHUNK]))
                           .values(last_seen=now).execution_options(synchronize_session=False))
            plan_ids = sorted({plan_id for plan_id, _, _ in streams.values()})
            owners: dict[int, int] = {}
            for start in range(0, len(plan_ids), self.CHUNK):
                owners.update((row[0], row[1]) for row in db.execute(
                    select(Plan.id, Plan.owner_id).where(Plan.id.in_(plan_ids[start:start + self.CHUNK]))))
            readers = sorted({user_id for plan_id, user_id, _ in streams.values() if owners.get(plan_id) != user_id})
            linked: set[tuple[int, int]] = set()
            for start in range(0, len(readers), self.CHUNK):
                linked.update((row[0], row[1]) for row in db.execute(
                    select(CareLink.therapist_id, CareLink.client_id).where(
                        CareLink.therapist_id.in_(readers[start:start + self.CHUNK]), CareLink.ended_at.is_(None))))
        return [stream_id for stream_id, (plan_id, user_id, _) in streams.items()
                if owners.get(plan_id) is None
                or (owners[plan_id] != user_id and (user_id, owners[plan_id]) not in linked)]


def cooperative() -> bool:
    """True under gevent's patched standard library (the event-driven worker): a watcher is free."""
    import sys

    monkey = sys.modules.get("gevent.monkey")
    return bool(monkey and monkey.is_module_patched("socket"))


def newest_news(waiting: dict, new: dict) -> dict | None:
    """What an editor still to be told needs of two messages: the newer revision, the newer "who is
    here" (the page asks for the rest itself). Anything else is told as it came."""
    if waiting.get("presence") and new.get("presence"):
        return new
    if "revision" in waiting and "revision" in new:
        return new if new["revision"] > waiting["revision"] else waiting
    return None


def open_stream(app: Flask, plan: Plan, user: User, connection: socket.socket | None = None,
                present: bool = True) -> tuple[Iterator[str], Callable[[], None]]:
    """Subscribe now, then yield events until the time is up, the reader goes away, or their
    access ends. Returns (events, close): the caller has taken a slot for `user`, and `close` (safe
    to call twice; hook it to the response) unsubscribes, gives the slot back and clears the presence.
    `connection` (the reader's socket, when the server tells it) is watched so that a reader who
    goes frees everything at once. `present=False`: a page that only follows the plan (the
    client's own crisis view, a therapist's history or print): it hears changes and "gone", but
    is never shown as "here too" and hears nothing of who is (nobody watches a client reading
    their plan)."""
    plan_id, user_id, revision = plan.id, user.id, plan.revision
    stream_id = new_uuid()
    subscription = get_broker(app).subscribe(f"plan:{plan_id}", merge=newest_news)
    config = app.config
    heartbeat = config["LIVE_HEARTBEAT_SECONDS"]
    closed = threading.Event()
    memo: PresenceMemo = app.extensions["trygg.live_presence"]
    heart: Heart = app.extensions["trygg.live_heart"]

    def close() -> None:
        if closed.is_set():
            return
        closed.set()
        heart.remove(stream_id)
        subscription.close()
        slots(app).give_back(user_id)
        if not present:
            return
        try:
            _leave(app, plan_id, stream_id)
        except Exception:  # noqa: BLE001 - a closing stream must never raise into the server
            app.logger.exception("could not clear the presence of a closed editor")

    def reader_left() -> None:
        subscription.deliver({"reader_left": True})

    def events() -> Iterator[str]:
        gone = sse("gone", {"plan": plan_id})  # this reader's access ended: let go of the plan
        watch_reader(connection, reader_left, closed)
        try:
            if not _touch(app, plan_id, user_id, stream_id, present):
                yield gone
                return
            if present:
                heart.add(stream_id, plan_id, user_id, subscription.deliver)
            yield f"retry: {config['LIVE_RETRY_SECONDS'] * 1000}\n\n"
            here = _here(app, plan_id) if present else []
            yield sse("hello", {"plan": plan_id, "revision": revision, "here": here}, revision)
            deadline = time.monotonic() + config["LIVE_STREAM_SECONDS"]
            sent = revision
            while (left := deadline - time.monotonic()) > 0 and not closed.is_set():
                # The broker brings changes from every process (and presence news).
                message = subscription.get(timeout=min(heartbeat, left))
                if message is not None and message.get("reader_left"):
                    return
                # Presence is kept fresh by the process's Heart; a reader whose access may have
                # ended (a link ended, or the Heart found it gone) is checked here, once.
                if message is not None and message.get("access_ended") == user_id:
                    if not _touch(app, plan_id, user_id, stream_id, present):
                        yield gone
                        return
                if message is None:
                    yield ": heartbeat\n\n"
                elif message.get("presence"):
                    if not present:
                        continue
                    yield sse("presence", {"plan": plan_id, "here": memo.here(app, plan_id, message.get("id"))})
                elif "revision" in message and message["revision"] > sent:
                    sent = message["revision"]
                    yield sse("change", {"plan": plan_id, "revision": message["revision"]}, message["revision"])
        finally:
            close()

    return events(), close


# -- presence: who else has the plan open (a row per open stream) -------------------------------------

PRESENCE_TTL = timedelta(seconds=45)


def touch_presence(db: Session, plan: Plan, user: User, stream: str) -> bool:
    """Mark one open editor as here now; True when it is new (worth announcing)."""
    row = db.scalar(select(PlanPresence).where(PlanPresence.stream == stream))
    if row is None:
        db.add(PlanPresence(stream=stream, plan_id=plan.id, user_id=user.id, last_seen=utcnow()))
        db.execute(delete(PlanPresence).where(PlanPresence.last_seen < utcnow() - PRESENCE_TTL * 4))
        return True
    row.last_seen = utcnow()
    return False


def leave_presence(db: Session, stream: str) -> None:
    """An editor closed the plan."""
    db.execute(delete(PlanPresence).where(PlanPresence.stream == stream))


def announce_presence(db: Session, plan_id: int) -> None:
    """Tell open editors that who is here changed (they ask for the names themselves)."""
    get_broker().publish(db, f"plan:{plan_id}", {"plan": plan_id, "presence": True, "id": new_uuid()})


def present(db: Session, plan: Plan, now: datetime | None = None) -> list[User]:
    """The people with the plan open now, each once."""
    since = (now or utcnow()) - PRESENCE_TTL
    return list(db.scalars(select(User).where(User.id.in_(
        select(PlanPresence.user_id).where(PlanPresence.plan_id == plan.id, PlanPresence.last_seen > since)
    )).order_by(User.id)))
