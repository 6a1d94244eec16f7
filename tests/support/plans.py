"""Fixtures for safety_plans tests: a small world of people around one plan, and JSON helpers."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from backend.accounts import care
from backend.accounts.services import find_user
from backend.db import session_scope
from safety_plans import services
from support.forms import csrf_token

PASSWORD = "correct horse battery staple"


def new_id() -> str:
    """A fresh op or item uuid, as browser code makes them."""
    return str(uuid.uuid4())


def add_op(section: str, text: str, **fields) -> dict:
    """An op that adds one item."""
    return {"uuid": new_id(), "type": "add", "item": new_id(), "section": section,
            "fields": {"text": text, **fields}}


@dataclass
class World:
    """Who is who around one plan (emails) and the plan ids."""

    owner: str
    other_client: str
    linked_therapist: str
    unlinked_therapist: str
    admin: str
    plan_id: int
    other_plan_id: int


@pytest.fixture
def world(app, make_user) -> World:
    """A client with a plan linked to one therapist; another client with a plan; another
    therapist; an admin."""
    owner = make_user("client", display_name="Ingrid", country="NO")
    other = make_user("client", display_name="Olle", country="SE")
    linked = make_user("therapist", display_name="Dr Berg")
    unlinked = make_user("therapist", display_name="Dr Lund")
    admin = make_user("admin")
    with app.test_request_context(), session_scope(app) as db:
        o, x, t = find_user(db, owner), find_user(db, other), find_user(db, linked)
        plan = services.get_or_create_plan(db, o)
        other_plan = services.get_or_create_plan(db, x)
        care.link(db, t.id, o.id)
        services.apply_ops(db, plan, o, [add_op("warning_signs", "I stop answering messages"),
                                         add_op("support", "Sister Kari", phone="+47 999 88 777",
                                                agreed=True, sms_message="Can you call me?")])
        db.flush()
        plan_id, other_plan_id = plan.id, other_plan.id
    return World(owner, other, linked, unlinked, admin, plan_id, other_plan_id)


class JsonClient:
    """JSON calls with the CSRF token in the X-CSRFToken header, as the PWA sends them."""

    def __init__(self, client):
        self.client = client
        self._token = None

    def token(self) -> str:
        if self._token is None:
            self._token = csrf_token(self.client, "/")
        return self._token

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def send(self, method: str, url: str, body=None, raw: str | None = None):
        headers = {"X-CSRFToken": self.token()}
        if raw is not None:
            return self.client.open(url, method=method, data=raw, headers=headers,
                                    content_type="application/json")
        return self.client.open(url, method=method, json=body, headers=headers)

    def post(self, url, body=None, raw=None):
        return self.send("POST", url, body, raw)

    def patch(self, url, body=None, raw=None):
        return self.send("PATCH", url, body, raw)


@pytest.fixture
def api(client):
    """A JSON client sharing the test client's cookies."""
    return JsonClient(client)


@pytest.fixture
def sign_in(client, auth):
    """Sign the test client in as someone (or out, with None)."""

    def do(email: str | None):
        auth.logout()
        if email:
            response = auth.login(email, PASSWORD)
            assert response.status_code in (302, 303), response.get_data(as_text=True)[:400]

    return do
