"""Live updates: delivered after commit, never after rollback, to every subscriber of a topic,
and across app instances sharing one database (each its own broker, as separate processes are)."""
from __future__ import annotations

from sqlalchemy import text

from backend import create_app
from backend.broker import get_broker
from backend.db import get_engine, session_scope


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
