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
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
