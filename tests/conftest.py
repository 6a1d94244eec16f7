"""Fixtures in the shape of flaskr's: an app with its own empty database per test, a client, a
CLI runner, an auth helper, and users of every role."""
from __future__ import annotations

import itertools

import pytest

from backend import create_app
from backend.accounts.services import create_user
from backend.broker import get_broker
from backend.db import Base, get_engine, session_scope
from backend.i18n_tools import compile_all
from support.databases import drop_database, fresh_database_url, is_postgres
from support.forms import AuthActions

PASSWORD = "correct horse battery staple"
_counter = itertools.count()

pytest_plugins = ["support.live", "support.plans", "support.grounding", "support.mail", "support.push_service",
                  "support.sessions", "support.object_store"]


def pytest_sessionstart(session) -> None:
    """The app reads compiled catalogs; build them so a bare `pytest` works too."""
    compile_all()


@pytest.fixture
def app(tmp_path):
    """A Trygg app on a fresh, empty database of the run's kind, tables made from the models."""
    url = fresh_database_url(tmp_path)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "instance")})
    Base.metadata.create_all(get_engine(app))
    yield app
    get_broker(app).stop()
    get_engine(app).dispose()
    drop_database(url)


@pytest.fixture
def client(app):
    """A test client that keeps cookies like a browser."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """The app's CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def auth(client):
    """Sign in and out through the real forms."""
    return AuthActions(client)


@pytest.fixture
def make_user(app):
    """Create an account of a role directly through the service; returns its email."""

    def make(role: str = "client", email: str | None = None, password: str = PASSWORD, **fields) -> str:
        email = email or f"{role}{next(_counter)}@example.org"
        with app.test_request_context(), session_scope(app) as db:
            create_user(db, email, password, role=role, **fields)
        return email

    return make


@pytest.fixture
def postgres_only():
    """Skip helper for the few tests that exist only for PostgreSQL behaviour."""
    if not is_postgres():
        pytest.skip("PostgreSQL-only behaviour; runs in CI's PostgreSQL pass")
