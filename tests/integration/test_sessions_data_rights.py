"""A client's sessions are theirs: in "download my data", and gone when they close the account."""
from __future__ import annotations

from conftest import PASSWORD
from sqlalchemy import func, select

from backend.db import session_scope
from sessions.models import SessionChange, TherapySession
from support.forms import AuthActions, csrf_token
from support.plans import JsonClient


def test_sessions_are_in_my_data_and_go_when_i_close_my_account(app, world, session_id):
    client = app.test_client()
    AuthActions(client).login(world.owner, PASSWORD)
    JsonClient(client).patch(f"/api/v1/plans/{world.plan_id}/sessions/{session_id}",
                             {"base_version": 1, "fields": {"coping": "Long walks", "fb_heard": 8}})
    data = client.get("/account/data.json").get_json()
    [mine] = data["sessions"]
    assert mine["coping"] == "Long walks" and mine["fb_heard"] == 8
    assert [h["version"] for h in mine["history"]] == [1, 2]
    assert "Long walks" in client.get("/account/data").get_data(as_text=True)

    closed = client.post("/account/close", data={"csrf_token": csrf_token(client, "/account/"), "password": PASSWORD})
    assert closed.status_code == 302
    with session_scope(app) as db:
        assert db.scalar(select(func.count()).select_from(TherapySession)) == 0
        assert db.scalar(select(func.count()).select_from(SessionChange)) == 0
