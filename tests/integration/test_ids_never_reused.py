"""Ids are never handed out twice (SQLite reused a deleted row's id), so one client's log can never
show another client's words; and what a deleted exercise leaves behind names nothing."""
from __future__ import annotations

from conftest import PASSWORD
from sqlalchemy import inspect, select, text

from backend import create_app
from backend.db import get_engine, session_scope
from backend.migrate import upgrade
from grounding.models import CustomExercise
from support.databases import drop_database, fresh_database_url
from support.forms import AuthActions, csrf_token
from support.grounding import post_json, session_payload


def _browser(app, email):
    client = app.test_client()
    assert AuthActions(client).login(email, PASSWORD).status_code == 302
    return client


def _new_exercise(app, client, title):
    token = csrf_token(client, "/grounding/mine/new")
    response = client.post("/grounding/mine/new", data={"csrf_token": token, "title": title,
                                                         "steps": "Feel your feet\nBreathe out slowly"})
    assert response.status_code == 302
    with session_scope(app) as db:
        return db.scalar(select(CustomExercise.id).where(CustomExercise.title == title))


def test_a_deleted_exercises_id_is_never_given_to_another_client(app, make_user):
    a, b = _browser(app, make_user("client")), _browser(app, make_user("client"))
    a_id = _new_exercise(app, a, "Anna's own words")
    logged = post_json(a, "/api/v1/grounding/sessions", session_payload(f"custom-{a_id}", before=7, after=3))
    assert logged.status_code == 201
    token = csrf_token(a, "/grounding/")
    assert a.post(f"/grounding/custom/{a_id}/delete", data={"csrf_token": token}).status_code == 302

    b_id = _new_exercise(app, b, "Bjørn's secret place")
    assert b_id != a_id

    history = a.get("/grounding/history").get_data(as_text=True)
    sessions = a.get("/api/v1/grounding/sessions").get_json()
    assert "Bjørn" not in history and "Bjørn" not in str(sessions)
    assert sessions["sessions"][0]["title"] != f"custom-{a_id}"  # named as removed, not as a code
    assert post_json(a, "/api/v1/grounding/sessions", session_payload(f"custom-{b_id}")).status_code == 400


def test_every_table_with_an_integer_id_autoincrements_on_sqlite(tmp_path):
    url = fresh_database_url(tmp_path)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "instance")})
    try:
        upgrade(app)
        engine = get_engine(app)
        if engine.dialect.name != "sqlite":
            return  # PostgreSQL sequences never reuse an id
        with engine.connect() as conn:
            for table in inspect(engine).get_table_names():
                if table == "alembic_version":
                    continue
                key = inspect(engine).get_pk_constraint(table)["constrained_columns"]
                sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar()
                if key == ["id"]:
                    assert "AUTOINCREMENT" in sql, table
    finally:
        get_engine(app).dispose()
        drop_database(url)


def test_the_rebuild_keeps_every_row_and_reference(tmp_path):
    """Upgrading an existing database: the tables are rebuilt, nothing cascades away."""
    url = fresh_database_url(tmp_path)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "instance")})
    try:
        upgrade(app, "0007_live_messages")
        engine = get_engine(app)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO \"user\" (id, email, password_hash, role, display_name, locale, country,"
                              " time_zone, active, created_at) VALUES (1, 'k@example.org', 'x', 'client', 'Kari',"
                              " 'nb', 'NO', 'Europe/Oslo', true, '2026-01-01 00:00:00')"))
            conn.execute(text("INSERT INTO plan (id, owner_id, country, revision, created_at, updated_at)"
                              " VALUES (1, 1, 'NO', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
            conn.execute(text("INSERT INTO grounding_custom_exercise (id, client_id, author_id, title, steps_text,"
                              " on_plan, created_at) VALUES (1, 1, 1, 'Mine', 'a', true, '2026-01-01 00:00:00')"))
        upgrade(app)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM plan")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM grounding_custom_exercise")).scalar() == 1
            if engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        get_engine(app).dispose()
        drop_database(url)
