"""Alembic environment: the metadata of every package's models, the app's engine."""
from __future__ import annotations

from alembic import context

from backend.db import Base, get_engine

config = context.config
app = config.attributes.get("flask_app")
if app is None:  # run by the alembic CLI directly
    from backend import create_app

    app = create_app()


def run_migrations() -> None:
    """Run online; SQLite needs batch mode to alter tables."""
    engine = get_engine(app)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Rebuilding a table (batch mode) drops the old one; with foreign keys on, that drop
            # deletes every row that references it (ON DELETE CASCADE). Off for the migration,
            # outside any transaction (SQLite ignores it inside one), checked again at the end.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left dangling references: {broken[:5]}")
        connection.commit()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


run_migrations()
