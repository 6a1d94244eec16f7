"""Database: SQLAlchemy 2 engine, a request-scoped session and the declarative base.

Feature packages declare models on `Base`; the naming convention keeps constraint names stable so
Alembic migrations work on SQLite too (it rebuilds tables by name).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import DateTime, Integer, MetaData, ScalarSelect, create_engine, event, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_View = TypeVar("_View", bound=Callable)


class Base(DeclarativeBase):
    """Declarative base shared by every package's models."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Store naive UTC, hand back aware UTC datetimes, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Convert an aware datetime to naive UTC before storing."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        """Mark a stored value as UTC."""
        return None if value is None else value.replace(tzinfo=UTC)


def never_reuse_ids(metadata: MetaData) -> None:
    """SQLite hands a deleted row's id to the next insert unless the table says AUTOINCREMENT; an
    id is shown and referenced (custom-<id>, logs, links), so a reused one would show another
    person's words. Every table with one integer `id` key gets it (PostgreSQL sequences never
    reuse). Called once the feature packages have declared their models."""
    for table in metadata.tables.values():
        key = list(table.primary_key.columns)
        if len(key) == 1 and key[0].name == "id" and key[0].type._type_affinity is Integer:
            table.dialect_kwargs["sqlite_autoincrement"] = True


def joined_in_order(column) -> ScalarSelect:
    """A sorted subquery's values as one comma-joined string ("" for none), as a column of a bigger
    statement: a stamp of many rows read in the same round trip as everything else. The order is
    the subquery's (group_concat on SQLite, which before 3.44 takes no ORDER BY; string_agg on
    PostgreSQL): were it ever another, a page would get a new version for nothing, never a stale one."""
    return select(func.coalesce(func.aggregate_strings(column, ","), "")).scalar_subquery()


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers and a writer work at once; busy_timeout waits instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _private_file(path: str | None) -> None:
    """The SQLite file holds health data: owner-only (0600) from the moment it exists. SQLite gives
    its -wal and -shm files the database file's permissions."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)


def make_engine(url: str) -> Engine:
    """Create an engine with the pragmas and pool settings Trygg relies on."""
    if url.startswith("sqlite"):
        _private_file(make_url(url).database)
        engine = create_engine(url, connect_args={"timeout": 5})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping: it costs a round trip at every checkout (several per request). A connection
    # that died (a database restart) fails one request and SQLAlchemy then drops the whole pool.
    # LIFO keeps the few busiest connections warm (their prepared statements with them); under
    # the gevent worker a process may run many requests at once, hence the larger pool.
    return create_engine(url, pool_pre_ping=False, pool_size=int(os.environ.get("TRYGG_DB_POOL", "20")),
                         max_overflow=int(os.environ.get("TRYGG_DB_OVERFLOW", "20")), pool_use_lifo=True,
                         pool_recycle=3600, pool_timeout=10)


def init_app(app: Flask) -> None:
    """Attach an engine and session factory to the app; close the session after each request."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["trygg.engine"] = engine
    app.extensions["trygg.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    # The same pool; its connections run each statement on its own (see `without_transaction`).
    # Not on SQLite: it sends no BEGIN for a read anyway, and switching a connection's isolation
    # there and back runs a PRAGMA each way (a cached crisis view took 0.3 ms longer).
    app.extensions["trygg.sessionmaker.autocommit"] = (
        app.extensions["trygg.sessionmaker"] if engine.dialect.name == "sqlite"
        else sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False))
    app.teardown_appcontext(_close_session)


def get_engine(app: Flask | None = None) -> Engine:
    """The app's engine."""
    return (app or current_app).extensions["trygg.engine"]


def session() -> Session:
    """The session of the current app context, opened on first use."""
    if "db_session" not in g:
        name = "trygg.sessionmaker.autocommit" if _view_wants_no_transaction() else "trygg.sessionmaker"
        g.db_session = current_app.extensions[name]()
    return g.db_session


def without_transaction(view: _View) -> _View:
    """Mark a view whose statements need no transaction around them: reads, and writes that stand
    on their own (the access-log line of a therapist's open, the sign-in's last-seen time). Its
    session runs each statement by itself (autocommit). On PostgreSQL that saves BEGIN and
    COMMIT, two of the crisis view's four round trips (SQLite keeps its usual session).
    Put it right under the route, so the registered function carries the mark."""
    view.trygg_without_transaction = True  # type: ignore[attr-defined]
    return view


def _view_wants_no_transaction() -> bool:
    if not has_request_context() or request.endpoint is None:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "trygg_without_transaction", False)


def _close_session(_exc: BaseException | None) -> None:
    """Roll back anything uncommitted and return the connection to the pool."""
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """A session outside a request (CLI, workers): commit on success, roll back on error."""
    db_session = app.extensions["trygg.sessionmaker"]()
    try:
        yield db_session
        db_session.commit()
    except BaseException:
        db_session.rollback()
        raise
    finally:
        db_session.close()
