"""Fixtures for sessions tests: the plans world signed in, and a session started on its plan."""
from __future__ import annotations

import pytest

from backend.accounts.services import find_user
from backend.db import session_scope
from safety_plans.models import Plan
from sessions import services


def start_session(app, plan_id: int, email: str) -> int:
    """Start a session on a plan as someone (no HTTP); its id."""
    with app.test_request_context(), session_scope(app) as db:
        found = services.create_session(db, db.get(Plan, plan_id), find_user(db, email))
        db.flush()
        return found.id


@pytest.fixture
def session_id(app, world) -> int:
    """A session on the world's plan, started by the linked therapist."""
    return start_session(app, world.plan_id, world.linked_therapist)
