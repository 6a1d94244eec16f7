"""Data rights at /account: download everything (JSON and a readable page); a client closes their
account with their password — their data goes, links end, therapists are told, and only a
content-free record remains."""

from __future__ import annotations

from conftest import PASSWORD
from sqlalchemy import func, select

from backend.accounts.care import CareLink
from backend.accounts.data_rights import ClosedAccount
from backend.accounts.models import User
from backend.audit import AccessEvent
from backend.db import session_scope
from grounding.models import GroundingSession
from safety_plans.models import Plan, PlanChange, PlanItem
from support.forms import AuthActions, csrf_token
from support.grounding import post_json, session_payload


def _owner(app, world):
    client = app.test_client()
    AuthActions(client).login(world.owner, PASSWORD)
    return client


def test_i_can_download_everything_as_json_and_read_it_as_a_page(app, world):
    owner = _owner(app, world)
    assert post_json(owner, "/api/v1/grounding/sessions", session_payload()).status_code == 201
    therapist = app.test_client()
    AuthActions(therapist).login(world.linked_therapist, PASSWORD)
    therapist.get(f"/plans/{world.plan_id}")  # an access I should see

    response = owner.get("/account/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    data = response.get_json()
    assert data["account"]["email"] == world.owner
    assert data["safety_plan"]["format"] and "Sister Kari" in str(data["safety_plan"])
    assert len(data["grounding"]["sessions"]) == 1
    assert any(e["who"] == "Dr Berg" for e in data["account"]["who_accessed_my_data"])
    assert "p256dh" not in str(data) and "password_hash" not in str(data)

    page = owner.get("/account/data").get_data(as_text=True)
    assert "Sister Kari" in page and "Your safety plan" in page and "Dr Berg" in page


def test_closing_needs_the_password(app, world):
    owner = _owner(app, world)
    wrong = owner.post(
        "/account/close", data={"csrf_token": csrf_token(owner, "/account/"), "password": "nope nope nope"}
    )
    assert wrong.status_code == 400 and "not your current password" in wrong.get_data(as_text=True)
    with session_scope(app) as db:
        assert db.scalar(select(User).where(User.email == world.owner)) is not None


def test_closing_deletes_the_clients_data_ends_links_and_tells_the_therapist(app, world):
    owner = _owner(app, world)
    post_json(owner, "/api/v1/grounding/sessions", session_payload())
    therapist = app.test_client()
    AuthActions(therapist).login(world.linked_therapist, PASSWORD)
    therapist.get(f"/plans/{world.plan_id}")
    with session_scope(app) as db:
        owner_id = db.scalar(select(User.id).where(User.email == world.owner))

    response = owner.post("/account/close", data={"csrf_token": csrf_token(owner, "/account/"), "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    assert owner.get("/account/").headers["Location"].startswith("/auth/login")
    assert AuthActions(app.test_client()).login(world.owner, PASSWORD).status_code == 400

    with session_scope(app) as db:
        assert db.get(User, owner_id) is None
        assert db.get(Plan, world.plan_id) is None
        for model, column in ((PlanItem, PlanItem.plan_id), (PlanChange, PlanChange.plan_id)):
            assert db.scalar(select(func.count()).select_from(model).where(column == world.plan_id)) == 0
        assert (
            db.scalar(select(func.count()).select_from(GroundingSession).where(GroundingSession.user_id == owner_id))
            == 0
        )
        assert db.scalar(select(func.count()).select_from(CareLink).where(CareLink.client_id == owner_id)) == 0
        assert db.scalar(select(func.count()).select_from(AccessEvent).where(AccessEvent.client_id == owner_id)) == 0
        closed = db.scalars(select(ClosedAccount)).all()
        assert [(c.role,) for c in closed] == [("client",)]
        # The other client and their plan are untouched.
        assert db.get(Plan, world.other_plan_id) is not None

    clients = therapist.get("/clients").get_data(as_text=True)
    assert "Ingrid closed their account" in clients and "Sister Kari" not in clients
    assert therapist.get(f"/plans/{world.plan_id}").status_code == 404


def test_therapists_cannot_close_their_account_here(app, world):
    therapist = app.test_client()
    AuthActions(therapist).login(world.linked_therapist, PASSWORD)
    response = therapist.post(
        "/account/close", data={"csrf_token": csrf_token(therapist, "/account/"), "password": PASSWORD}
    )
    assert response.status_code == 403
