"""Live updates: delivered after commit, never after rollback, to every subscriber of a topic,
and across app instances sharing one database (each its own broker, as separate processes are)."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from backend import create_app
from backend.broker import PostgresBroker, get_broker
from backend.db import get_engine, session_scope
from safety_plans.live import newest_news
from sessions.live import session_news
from support.databases import is_postgres


def test_message_is_delivered_after_commit_only(app):
    broker = get_broker(app)
    first, second = broker.subscribe("plan:1"), broker.subscribe("plan:1")
    other = broker.subscribe("plan:2")
    try:
        with session_scope(app) as db:
            db.execute(text("SELECT 1"))
            broker.publish(db, "plan:1", {"plan": 1, "revision": 5})
            assert first.get(timeout=0.2) is None  # not before the commit
        assert first.get(timeout=5) == {"plan": 1, "revision": 5}
        assert second.get(timeout=5) == {"plan": 1, "revision": 5}
        assert other.get(timeout=0.3) is None
    finally:
        for subscription in (first, second, other):
            subscription.close()
    assert broker.count() == 0


def test_rolled_back_change_is_not_announced(app):
    broker = get_broker(app)
    subscription = broker.subscribe("plan:1")
    try:
        try:
            with session_scope(app) as db:
                db.execute(text("SELECT 1"))
                broker.publish(db, "plan:1", {"plan": 1, "revision": 6})
                raise RuntimeError("the write failed")
        except RuntimeError:
            pass
        assert subscription.get(timeout=0.5) is None
    finally:
        subscription.close()


def test_slow_reader_keeps_the_newest_news(app):
    broker = get_broker(app)
    subscription = broker.subscribe("plan:1")
    for revision in range(300):
        broker.dispatch("plan:1", {"revision": revision})
    received = [subscription.get(timeout=0.1)["revision"] for _ in range(256)]
    subscription.close()
    assert received[-1] == 299 and len(set(received)) == 256


def test_an_editor_behind_in_a_crowd_is_told_the_newest_revision_and_who_is_here_once(app):
    """A plan open in many places: each arrival announces itself to every other stream. A stream
    whose reader is behind keeps one "who is here" and the newest revision, never losing the
    revision to the crowd's announcements (a plain bounded queue dropped it after 256)."""
    broker = get_broker(app)
    editor = broker.subscribe("plan:1", merge=newest_news)
    session_page = broker.subscribe("plan:1", merge=session_news)
    try:
        broker.dispatch("plan:1", {"plan": 1, "revision": 7})
        for n in range(1000):
            broker.dispatch("plan:1", {"plan": 1, "presence": True, "id": f"arrival-{n}"})
        broker.dispatch("plan:1", {"plan": 1, "session": 3, "version": 2})
        broker.dispatch("plan:1", {"plan": 1, "revision": 6})  # a slower process's older news
        broker.dispatch("plan:1", {"plan": 1, "access_ended": 9})
        broker.dispatch("plan:1", {"plan": 1, "session": 3, "version": 4})
        broker.dispatch("plan:1", {"plan": 1, "revision": 8})

        told = list(iter(lambda: editor.get(timeout=0.05), None))
        assert told == [
            {"plan": 1, "revision": 8},
            {"plan": 1, "presence": True, "id": "arrival-999"},
            {"plan": 1, "session": 3, "version": 2},
            {"plan": 1, "access_ended": 9},
            {"plan": 1, "session": 3, "version": 4},
        ]
        told = list(iter(lambda: session_page.get(timeout=0.05), None))
        assert told == [
            {"plan": 1, "revision": 8},
            {"plan": 1, "presence": True, "id": "arrival-999"},
            {"plan": 1, "session": 3, "version": 4},
            {"plan": 1, "access_ended": 9},
        ]
    finally:
        editor.close()
        session_page.close()


def test_a_reader_waiting_is_woken_by_news(app):
    broker = get_broker(app)
    subscription = broker.subscribe("plan:1", merge=newest_news)
    got = []
    reader = threading.Thread(target=lambda: got.append(subscription.get(timeout=5)))
    reader.start()
    time.sleep(0.1)
    broker.dispatch("plan:1", {"plan": 1, "revision": 3})
    reader.join(timeout=5)
    subscription.close()
    assert got == [{"plan": 1, "revision": 3}]


def test_two_app_instances_share_updates(app, tmp_path):
    """Two instances = two worker processes: each has its own broker (and on SQLite its own
    poller, on PostgreSQL its own listener)."""
    other = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": str(tmp_path)})
    subscription = get_broker(other).subscribe("plan:9")
    try:
        with session_scope(app) as db:
            get_broker(app).publish(db, "plan:9", {"plan": 9, "revision": 2})
        assert subscription.get(timeout=5) == {"plan": 9, "revision": 2}
    finally:
        subscription.close()
        get_broker(other).stop()
        get_engine(other).dispose()


def test_a_rolled_back_change_never_reaches_another_instance(app, tmp_path):
    other = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": str(tmp_path)})
    subscription = get_broker(other).subscribe("plan:9")
    try:
        try:
            with session_scope(app) as db:
                get_broker(app).publish(db, "plan:9", {"plan": 9, "revision": 3})
                raise RuntimeError("the write failed")
        except RuntimeError:
            pass
        with session_scope(app) as db:
            get_broker(app).publish(db, "plan:9", {"plan": 9, "revision": 4})
        assert subscription.get(timeout=5) == {"plan": 9, "revision": 4}
        assert subscription.get(timeout=0.5) is None
    finally:
        subscription.close()
        get_broker(other).stop()
        get_engine(other).dispose()


@pytest.mark.skipif(not is_postgres(), reason="the LISTEN connection's keep-alive is PostgreSQL's")
def test_news_that_arrives_during_the_listeners_keep_alive_is_told_at_once(app):
    """A NOTIFY that reaches the LISTEN connection while its keep-alive statement runs is read with
    that statement's answer. It must still be told then, not when the next NOTIFY happens to come
    (a co-editor's last change, or their arrival, was never shown)."""
    broker = get_broker(app)
    assert isinstance(broker, PostgresBroker)
    keep_alive, sent = broker._keep_alive, threading.Event()

    def keep_alive_with_news_waiting(conn) -> None:
        if not sent.is_set():
            sent.set()
            with session_scope(app) as db:
                broker.publish(db, "plan:7", {"plan": 7, "revision": 1})
            time.sleep(0.3)  # the NOTIFY is on the listener's socket before the keep-alive is sent
        keep_alive(conn)

    broker._keep_alive = keep_alive_with_news_waiting  # type: ignore[method-assign]
    subscription = broker.subscribe("plan:7")
    try:
        assert sent.wait(timeout=5), "the listener never ran its keep-alive"
        assert subscription.get(timeout=3) == {"plan": 7, "revision": 1}
    finally:
        subscription.close()
