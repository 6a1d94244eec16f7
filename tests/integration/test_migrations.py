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
