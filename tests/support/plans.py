"""Fixtures for safety_plans tests: a small world of people around one plan, and JSON helpers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from backend.accounts import care
from backend.accounts.services import find_user
from backend.db import session_scope
from safety_plans import commitments, invites, ops, plans
from support.forms import csrf_token

PASSWORD = "correct horse battery staple"


def new_id() -> str:
    """A fresh op or item uuid, as browser code makes them."""
    return str(uuid.uuid4())


def add_op(section: str, text: str, **fields) -> dict:
    """An op that adds one item."""
    return {"uuid": new_id(), "type": "add", "item": new_id(), "section": section, "fields": {"text": text, **fields}}


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
    commitment_id: int
    invite_id: int
    invite_code: str
    linked_therapist_id: int


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
        plan = plans.get_or_create_plan(db, o)
        other_plan = plans.get_or_create_plan(db, x)
        care.link(db, t.id, o.id)
        ops.apply_ops(
            db,
            plan,
            o,
            [
                add_op("warning_signs", "I stop answering messages"),
                add_op("support", "Sister Kari", phone="+47 999 88 777", agreed=True, sms_message="Can you call me?"),
            ],
        )
        commitment = commitments.add_commitment(db, plan, t, "Call Kari on Sunday", due="2026-12-01")
        invite = invites.create_invite(db, t)
        db.flush()
        ids = (plan.id, other_plan.id, commitment.id, invite.id, invite.code, t.id)
    return World(owner, other, linked, unlinked, admin, *ids)


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
            return self.client.open(url, method=method, data=raw, headers=headers, content_type="application/json")
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


# -- the access matrix: every safety_plans route and /api/v1 route, for every kind of person -----
ROLES = ("anonymous", "other_client", "unlinked_therapist", "admin", "linked_therapist", "owner")
OK, FOUND, REDIRECT = 200, 404, 302


def _who(anonymous, owner, other_client, linked_therapist, unlinked_therapist, admin) -> dict:
    return dict(
        anonymous=anonymous,
        owner=owner,
        other_client=other_client,
        linked_therapist=linked_therapist,
        unlinked_therapist=unlinked_therapist,
        admin=admin,
    )


PLAN_PAGE = _who(302, 200, 404, 200, 404, 403)
PLAN_POST = _who(302, 302, 404, 302, 404, 403)
OWNER_PAGE = _who(302, 200, 404, 403, 403, 403)
OWNER_POST = _who(302, 302, 404, 403, 403, 403)
CLIENT_REDIRECT = _who(302, 302, 302, 403, 403, 403)
CLIENT_PAGE = _who(302, 200, 200, 403, 403, 403)
THERAPIST_PAGE = _who(302, 403, 403, 200, 200, 403)
API_PLAN = _who(401, 200, 404, 200, 404, 403)
API_OWNER = _who(401, 200, 404, 403, 403, 403)
API_LIST = _who(401, 200, 200, 200, 200, 403)
PUBLIC = _who(200, 200, 200, 200, 200, 200)


def _form_add(w):
    return {"action": "add", "section": "reasons", "text": "My cat", "op": new_id(), "item": new_id()}


# (endpoint, method, url template, body maker or None, "form" | "json", expected by role)
ACCESS_MATRIX = [
    ("safety_plans.my_plan", "GET", "/plans/mine", None, None, CLIENT_REDIRECT),
    ("safety_plans.my_plan_edit", "GET", "/plans/mine/edit", None, None, CLIENT_REDIRECT),
    ("safety_plans.view", "GET", "/plans/{plan}", None, None, PLAN_PAGE),
    ("safety_plans.edit", "GET", "/plans/{plan}/edit", None, None, PLAN_PAGE),
    ("safety_plans.history", "GET", "/plans/{plan}/history", None, None, PLAN_PAGE),
    ("safety_plans.print_view", "GET", "/plans/{plan}/print", None, None, PLAN_PAGE),
    ("safety_plans.export", "GET", "/plans/{plan}/export.json", None, None, PLAN_PAGE),
    ("safety_plans.commitments", "GET", "/plans/{plan}/commitments", None, None, PLAN_PAGE),
    (
        "safety_plans.commitments",
        "POST",
        "/plans/{plan}/commitments",
        lambda w: {"text": "Walk on Tuesday", "due": "2026-12-01", "op": new_id()},
        "form",
        PLAN_POST,
    ),
    (
        "safety_plans.review_commitment",
        "POST",
        "/plans/{plan}/commitments/{commitment}",
        lambda w: {"status": "kept", "note": "", "op": new_id()},
        "form",
        PLAN_POST,
    ),
    ("safety_plans.change", "POST", "/plans/{plan}/changes", _form_add, "form", PLAN_POST),
    (
        "safety_plans.restore",
        "POST",
        "/plans/{plan}/history/restore",
        lambda w: {"item": "no-such-item", "text": "Old words", "op": new_id()},
        "form",
        PLAN_POST,
    ),
    ("safety_plans.country", "POST", "/plans/{plan}/country", lambda w: {"country": "SE"}, "form", OWNER_POST),
    ("safety_plans.access_log", "GET", "/plans/{plan}/access-log", None, None, OWNER_PAGE),
    ("safety_plans.clients", "GET", "/clients", None, None, THERAPIST_PAGE),
    (
        "safety_plans.revoke_invite",
        "POST",
        "/clients/invites/{invite}/revoke",
        lambda w: {},
        "form",
        _who(302, 403, 403, 302, 302, 403),
    ),
    (
        "safety_plans.create_invite",
        "POST",
        "/clients/invites",
        lambda w: {},
        "form",
        _who(302, 403, 403, 302, 302, 403),
    ),
    ("safety_plans.invite", "GET", "/clients/invites/{invite}", None, None, _who(302, 403, 403, 200, 404, 403)),
    ("safety_plans.care_page", "GET", "/care", None, None, CLIENT_PAGE),
    (
        "safety_plans.enter_code",
        "POST",
        "/care/link",
        lambda w: {"code": w.invite_code},
        "form",
        _who(302, 302, 302, 403, 403, 403),
    ),
    ("safety_plans.accept", "GET", "/care/link/{code}", None, None, CLIENT_PAGE),
    # The other client accepts first, so the owner finds it used: an invite works once.
    ("safety_plans.accept", "POST", "/care/link/{code}", lambda w: {}, "form", _who(302, 410, 302, 403, 403, 403)),
    (
        "safety_plans.end_access",
        "POST",
        "/care/{therapist}/end",
        lambda w: {},
        "form",
        _who(302, 302, 302, 403, 403, 403),
    ),
    ("safety_plans.static", "GET", "/static/safety_plans/plans.css", None, None, PUBLIC),
    ("plans_api.openapi", "GET", "/api/v1/openapi.json", None, None, PUBLIC),
    ("plans_api.crisis_lines_list", "GET", "/api/v1/crisis-lines?country=NO", None, None, PUBLIC),
    ("plans_api.sections", "GET", "/api/v1/sections", None, None, PUBLIC),
    ("plans_api.plans", "GET", "/api/v1/plans", None, None, API_LIST),
    ("plans_api.plan", "GET", "/api/v1/plans/{plan}", None, None, API_PLAN),
    ("plans_api.update_plan", "PATCH", "/api/v1/plans/{plan}", lambda w: {"country": "DK"}, "json", API_OWNER),
    ("plans_api.changes", "GET", "/api/v1/plans/{plan}/changes?since=0", None, None, API_PLAN),
    ("plans_api.events", "GET", "/api/v1/plans/{plan}/events", None, None, API_PLAN),
    (
        "plans_api.post_changes",
        "POST",
        "/api/v1/plans/{plan}/changes",
        lambda w: {"ops": [add_op("reasons", "My garden")]},
        "json",
        API_PLAN,
    ),
    ("plans_api.commitments", "GET", "/api/v1/plans/{plan}/commitments", None, None, API_PLAN),
    (
        "plans_api.add_commitment",
        "POST",
        "/api/v1/plans/{plan}/commitments",
        lambda w: {"text": "Sleep before midnight"},
        "json",
        _who(401, 201, 404, 201, 404, 403),
    ),
    (
        "plans_api.review_commitment",
        "PATCH",
        "/api/v1/plans/{plan}/commitments/{commitment}",
        lambda w: {"status": "partly", "note": "Two nights of three"},
        "json",
        API_PLAN,
    ),
    ("plans_api.access_log", "GET", "/api/v1/plans/{plan}/access-log", None, None, API_OWNER),
    # The crisis moment: help for everyone, the walk-through, the plan to share.
    ("crisis.help_page", "GET", "/help", None, None, PUBLIC),
    # The strip's country choice, remembered in the browser: anyone, and back to where they were.
    ("crisis.choose_country", "POST", "/country", lambda w: {"country": "SE", "next": "/help"}, "form",
     _who(302, 302, 302, 302, 302, 302)),
    ("crisis.now", "GET", "/now", None, None, _who(302, 200, 200, 302, 302, 302)),
    ("crisis.plan_now", "GET", "/plans/{plan}/now", None, None, PLAN_PAGE),
    # Issue 12: our agreement and small wins, the client's and their linked therapist's.
    ("hope.agreement", "GET", "/plans/{plan}/agreement", None, None, PLAN_PAGE),
    (
        "hope.agreement",
        "POST",
        "/plans/{plan}/agreement",
        lambda w: {"base_version": "0", "towards": "Calmer evenings", "how": "", "expect": "", "focus": ""},
        "form",
        PLAN_POST,
    ),
    ("hope.wins", "GET", "/plans/{plan}/wins", None, None, PLAN_PAGE),
    ("hope.wins", "POST", "/plans/{plan}/wins", lambda w: {"text": "Went to the shop", "op": new_id()}, "form",
     PLAN_POST),
    ("share.plan_pdf", "GET", "/plans/{plan}/plan.pdf", None, None, PLAN_PAGE),
    ("share.clinic", "GET", "/clients/clinic", None, None, THERAPIST_PAGE),
    (
        "share.clinic",
        "POST",
        "/clients/clinic",
        lambda w: {"clinic_name": "DPS Nord", "clinic_phone": "+47 22 33 44 55"},
        "form",
        _who(302, 403, 403, 302, 302, 403),
    ),
]


def fill(url: str, w: World) -> str:
    """Put the world's ids into a matrix URL."""
    return url.format(
        plan=w.plan_id,
        commitment=w.commitment_id,
        invite=w.invite_id,
        code=w.invite_code,
        therapist=w.linked_therapist_id,
    )


def email_of(w: World, role: str) -> str | None:
    """The account behind a role of the matrix."""
    return (
        None
        if role == "anonymous"
        else getattr(
            w,
            {
                "owner": "owner",
                "other_client": "other_client",
                "linked_therapist": "linked_therapist",
                "unlinked_therapist": "unlinked_therapist",
                "admin": "admin",
            }[role],
        )
    )
