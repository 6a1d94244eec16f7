"""The migrations build the schema the models describe, on an empty database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from backend import create_app
from backend.db import Base, get_engine
from backend.migrate import upgrade
from support.databases import drop_database, fresh_database_url


def test_migrations_apply_on_an_empty_database_and_match_the_models(tmp_path):
    url = fresh_database_url(tmp_path)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path)})
    try:
        upgrade(app)
        engine = get_engine(app)
        assert "user" in inspect(engine).get_table_names()
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        upgrade(app)  # running again is harmless
    finally:
        get_engine(app).dispose()
        drop_database(url)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    engine = get_engine(app)
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_reminder_choices_people_made_survive_the_move_to_registered_kinds(tmp_path):
    from sqlalchemy import text

    url = fresh_database_url(tmp_path)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path)})
    try:
        upgrade(app, "0008_coedit_holds")
        with get_engine(app).begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO \"user\" (id, email, password_hash, role, display_name, locale, country, "
                    "time_zone, active, created_at) VALUES (7, 'a@example.org', 'x', 'client', '', 'nb', "
                    "'NO', 'Europe/Oslo', true, '2026-01-01 00:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO notification_settings (user_id, commitments, daily, daily_time, plan_updated, "
                    "show_text, updated_at) VALUES (7, false, true, '08:30:00', true, false, "
                    "'2026-01-01 00:00:00')"
                )
            )
        upgrade(app, "0011_reminder_choices")
        with get_engine(app).connect() as conn:
            rows = set(conn.execute(text("SELECT key, enabled FROM notification_choice WHERE user_id = 7")))
        assert rows == {("commitments", False), ("daily", True), ("plan_updated", True)}
    finally:
        get_engine(app).dispose()
        drop_database(url)
