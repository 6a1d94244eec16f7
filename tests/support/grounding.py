"""Fixtures for grounding tests: users by id, care links, and JSON posts with the CSRF token."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from backend.accounts.care import link
from backend.accounts.models import User
from backend.db import session_scope
from support.forms import csrf_token


def user_id(app, email: str) -> int:
    """The id of the account with this email."""
    with session_scope(app) as db:
        return db.scalar(select(User.id).where(User.email == email))


def post_json(client, url: str, payload, token_page: str = "/grounding/"):
    """POST JSON the way player.js does: CSRF token from a page, in the X-CSRFToken header."""
    token = csrf_token(client, token_page) if token_page else ""
    return client.post(url, json=payload, headers={"X-CSRFToken": token})


def session_payload(exercise: str = "five-senses", before=8, after=4, **extra) -> dict:
    """A session as the player sends it, with a fresh client uuid."""
    return {"client_uuid": str(uuid.uuid4()), "exercise": exercise, "started_at": "2026-11-20T10:00:00Z",
            "duration_seconds": 300, "distress_before": before, "distress_after": after,
            "completed": True, **extra}


@pytest.fixture
def grounding_client(app, auth, make_user):
    """A signed-in client; returns (email, id)."""
    email = make_user("client", display_name="Astrid")
    auth.login(email, "correct horse battery staple")
    return email, user_id(app, email)


@pytest.fixture
def link_users(app):
    """Link a therapist to a client by email."""

    def make(therapist_email: str, client_email: str) -> None:
        with session_scope(app) as db:
            link(db, user_id(app, therapist_email), user_id(app, client_email))

    return make


def browser_for(app, email: str):
    """Another browser (test client) signed in as this user."""
    from support.forms import AuthActions

    other = app.test_client()
    AuthActions(other).login(email, "correct horse battery staple")
    return other
