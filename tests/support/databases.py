"""Fresh databases for tests: a temp SQLite file, or (when DATABASE_URL names PostgreSQL, as in
CI) a new database on that server."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from backend.config import normalise_database_url


def server_url() -> str | None:
    """The PostgreSQL URL the run was given, or None for SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    return normalise_database_url(url) if url.startswith(("postgres://", "postgresql")) else None


def is_postgres() -> bool:
    """True when this test run is on PostgreSQL."""
    return server_url() is not None


def fresh_database_url(tmp_dir: Path) -> str:
    """An empty database of the run's kind."""
    base = server_url()
    if base is None:
        return f"sqlite:///{tmp_dir / f'trygg-{uuid.uuid4().hex[:8]}.sqlite3'}"
    name = f"trygg_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Remove a database made by fresh_database_url (SQLite files go with the temp dir)."""
    base = server_url()
    if base is None or not url.startswith("postgresql"):
        return
    name = make_url(url).database
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
