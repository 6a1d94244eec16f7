"""backend.prepared: a read run on the driver gives the rows `session.execute` gives, with every
type converted the same way, sees the session's unwritten changes, shows in engine events, and fails
as SQLAlchemy fails. On both databases (the run's kind)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, event, func, literal, select, text
from sqlalchemy.exc import DBAPIError

from backend.accounts.care import CareLink
from backend.accounts.models import AuthSession, User
from backend.accounts.services import find_user
from backend.db import UTCDateTime, get_engine, joined_in_order, session_scope, utcnow
from backend.prepared import Prepared
from safety_plans import plans
from support.databases import is_postgres


def _both(db, statement, **params):
    """The rows of `statement` through Prepared and through the ORM session."""
    return Prepared(statement).all(db, **params), [tuple(row) for row in db.execute(statement, params)]


def test_the_plan_head_reads_what_the_orm_reads(app, world):
    with app.test_request_context(), session_scope(app) as db:
        prepared = plans._head_statement()
        fast = prepared.first(db, plan_id=world.plan_id)
        slow = tuple(db.execute(prepared.statement, {"plan_id": world.plan_id}).one())
        assert fast == slow
        head = plans.plan_head(db, world.plan_id)
        assert head.owner_id == find_user(db, world.owner).id and head.country == "NO" and head.revision > 0
        # The live care link is in the head, as its id.
        link = db.scalar(select(CareLink.id).where(CareLink.client_id == head.owner_id))
        assert head.stamps[-1] == str(link)
        assert plans.plan_head(db, 10**9) is None


def test_every_kind_of_value_comes_back_as_the_orm_gives_it(app, world, sign_in):
    sign_in(world.owner)  # a session row with its times
    with app.test_request_context(), session_scope(app) as db:
        user = find_user(db, world.owner)
        user.totp_secret = None
        db.flush()
        ids = select(func.cast(User.id, String).label("id")).order_by(User.id).subquery()
        statement = (select(User.id, User.email, User.active, User.locale_chosen, User.totp_secret,
                            AuthSession.created_at, AuthSession.remember, func.count(AuthSession.id),
                            literal("x", String), joined_in_order(ids.c.id))
                     .join(AuthSession, AuthSession.user_id == User.id)
                     .where(User.id == bindparam("who"), AuthSession.created_at <= bindparam("at", type_=UTCDateTime))
                     .group_by(User.id, User.email, User.active, User.locale_chosen, User.totp_secret,
                               AuthSession.created_at, AuthSession.remember))
        fast, slow = _both(db, statement, who=user.id, at=utcnow() + timedelta(minutes=1))
        assert fast == slow and len(fast) == 1
        row = fast[0]
        assert row[2] is True and row[4] is None and row[5].tzinfo is not None and row[7] == 1
        assert row[8] == "x" and str(user.id) in row[9].split(",")
        # A bound time in the past finds nothing: the parameter went through the column's type.
        assert _both(db, statement, who=user.id, at=utcnow() - timedelta(days=1)) == ([], [])


def test_it_sees_what_the_session_has_not_written_yet(app, world):
    with app.test_request_context(), session_scope(app) as db:
        user = find_user(db, world.owner)
        user.display_name = "Ingrid Changed"
        name = Prepared(select(User.display_name).where(User.id == bindparam("who")))
        assert name.first(db, who=user.id) == ("Ingrid Changed",)


def test_statement_listeners_see_it(app, world):
    seen: list[str] = []

    def tick(_conn, _cursor, statement, *_rest):
        seen.append(statement)

    engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", tick)
    try:
        with app.test_request_context(), session_scope(app) as db:
            Prepared(select(User.id).where(User.email == bindparam("email"))).first(db, email=world.owner)
    finally:
        event.remove(engine, "before_cursor_execute", tick)
    assert any("FROM " in statement and "email" in statement for statement in seen)


def test_it_refuses_what_it_cannot_run(app, world):
    with app.test_request_context(), session_scope(app) as db:
        with pytest.raises(TypeError):
            Prepared(select(User)).first(db)
        by_email = Prepared(select(User.id).where(User.email == bindparam("email")))
        with pytest.raises(TypeError):
            by_email.first(db)
        with pytest.raises(TypeError):
            by_email.first(db, email=world.owner, extra=1)
        with pytest.raises(TypeError):
            Prepared(select(User.id).where(User.id.in_(bindparam("ids", expanding=True)))).first(db, ids=[1])


def test_a_database_error_is_sqlalchemys(app):
    missing = Table("no_such_table", MetaData(), Column("id", Integer))
    with app.test_request_context(), session_scope(app) as db, pytest.raises(DBAPIError):
        Prepared(select(missing.c.id)).first(db)


@pytest.mark.skipif(not is_postgres(), reason="a server connection to lose is PostgreSQL's")
def test_a_lost_connection_is_dropped_from_the_pool(app, world):
    engine = get_engine(app)
    who = Prepared(select(User.id).where(User.email == bindparam("email")))
    with app.test_request_context(), session_scope(app) as db:
        pid = db.execute(text("SELECT pg_backend_pid()")).scalar()
        with engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as raised:
            who.first(db, email=world.owner)
        assert raised.value.connection_invalidated
        db.rollback()
        assert who.first(db, email=world.owner) is not None  # a new connection


def test_the_crisis_view_runs_without_a_transaction_on_postgresql(app, world):
    """`db.without_transaction`: the crisis view's statements run by themselves on PostgreSQL (no
    BEGIN and COMMIT round trips); other pages keep their transaction; SQLite keeps its own."""
    from backend import db as database

    def level(path: str) -> str:
        with app.test_request_context(path):
            return database.session().connection().get_execution_options().get("isolation_level", "")

    crisis, editor = level(f"/plans/{world.plan_id}"), level(f"/plans/{world.plan_id}/edit")
    assert (crisis == "AUTOCOMMIT") == is_postgres() and editor != "AUTOCOMMIT"


def test_a_therapists_open_of_the_crisis_view_is_logged_without_a_transaction(app, client, world, sign_in):
    from backend import audit

    sign_in(world.linked_therapist)
    assert client.get(f"/plans/{world.plan_id}").status_code == 200
    with app.test_request_context(), session_scope(app) as db:
        owner = find_user(db, world.owner)
        events = audit.events_for(db, owner.id)
    assert [(e.action, e.object_id) for e in events] == [("open", world.plan_id)]
