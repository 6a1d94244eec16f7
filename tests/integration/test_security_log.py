"""The security log: what happened to accounts, readable by admins only, free of content."""
from __future__ import annotations

from conftest import PASSWORD
from sqlalchemy import select

from backend.db import session_scope
from backend.security_log import SecurityEvent
from support.forms import AuthActions, csrf_token


def _kinds(app):
    with session_scope(app) as db:
        return [e.kind for e in db.scalars(select(SecurityEvent).order_by(SecurityEvent.id))]


def test_sign_ins_failures_resets_changes_exports_and_admin_actions_are_logged(app, world):
    AuthActions(app.test_client()).login(world.owner, "not the password at all")
    owner = app.test_client()
    AuthActions(owner).login(world.owner, PASSWORD)
    owner.get(f"/plans/{world.plan_id}/export.json")
    owner.post("/account/password", data={"csrf_token": csrf_token(owner, "/account/"), "current": PASSWORD,
                                          "password": "a brand new long phrase"})
    anon = app.test_client()
    anon.post("/auth/forgot", data={"email": world.owner, "csrf_token": csrf_token(anon, "/auth/forgot")})
    admin = app.test_client()
    AuthActions(admin).login(world.admin, PASSWORD)
    admin.post("/admin/users", data={"csrf_token": csrf_token(admin, "/admin/users"), "email": "dr.new@example.org",
                                     "display_name": "Dr New", "role": "therapist", "password": "a long first phrase"})
    kinds = _kinds(app)
    for kind in ("sign_in_failed", "sign_in", "export", "password_changed", "reset_requested", "two_step_on",
                 "admin_created_user"):
        assert kind in kinds, kind

    page = admin.get("/admin/security")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "wrong password" in html and "administrator created an account" in html and world.owner in html
    assert "Sister Kari" not in html and "a brand new long phrase" not in html
    only = admin.get("/admin/security?kind=export").get_data(as_text=True)
    assert "downloaded data" in only and "wrong password" not in only.split("<tbody>")[1]


def test_a_wrong_two_step_code_is_logged(app, make_user):
    email = make_user("therapist")
    AuthActions(app.test_client()).login(email, PASSWORD)  # sets the app up
    other = app.test_client()
    AuthActions(other).login(email, PASSWORD, two_step=False)
    other.post("/auth/two-step", data={"code": "000000", "csrf_token": csrf_token(other, "/auth/two-step")})
    assert "code_failed" in _kinds(app)


def test_only_admins_read_the_security_log(app, world, sign_in, client):
    for who, expected in ((world.owner, 403), (world.linked_therapist, 403)):
        sign_in(who)
        assert client.get("/admin/security").status_code == expected
    sign_in(None)
    assert client.get("/admin/security").status_code == 302
