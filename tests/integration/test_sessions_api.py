"""The sessions API: a whole session through JSON, who may do what, history and stale saves."""
from __future__ import annotations

import pytest

from support.plans import PASSWORD, JsonClient
from support.sessions import start_session


def url(world, sid=None) -> str:
    base = f"/api/v1/plans/{world.plan_id}/sessions"
    return base if sid is None else f"{base}/{sid}"


def as_(app, auth_email):
    """A fresh signed-in JSON client."""
    from support.forms import AuthActions

    client = app.test_client()
    assert AuthActions(client).login(auth_email, PASSWORD).status_code == 302
    return JsonClient(client)


def test_a_whole_session_through_the_api(app, world):
    client, therapist = as_(app, world.owner), as_(app, world.linked_therapist)
    made = client.post(url(world), {})
    assert made.status_code == 201, made.get_json()
    sid, version = made.get_json()["id"], made.get_json()["version"]
    assert [c["text"] for c in made.get_json()["commitments"]] == ["Call Kari on Sunday"]
    checked = client.patch(url(world, sid), {
        "uuid": "checkin-1", "base_version": version,
        "fields": {"mood": 6, "coping": "I walked every day", "unsafe": False},
        "commitments": [{"id": world.commitment_id, "status": "partly", "note": "Called once"}]})
    assert checked.status_code == 200, checked.get_json()
    body = checked.get_json()
    assert (body["mood"], body["coping"], body["unsafe"], body["version"]) == (6, "I walked every day", False, 2)
    # The commitment changed through the plan's own service: its page and API agree.
    listed = therapist.get(f"/api/v1/plans/{world.plan_id}/commitments").get_json()["commitments"]
    assert [(c["status"], c["note"]) for c in listed] == [("partly", "Called once")]
    seen = therapist.get(url(world, sid)).get_json()
    assert seen["mood"] == 6 and seen["commitments"][0]["status"] == "partly"
    reviewed = therapist.patch(url(world, sid), {"base_version": 2, "review": {"next_review": "2099-03-01"}})
    assert reviewed.get_json()["reviewed_plan"] is True
    assert reviewed.get_json()["next_review_on"] == "2099-03-01"
    out = therapist.patch(url(world, sid), {"base_version": 3, "fields": {"takeaway": "Walks help"},
                                            "new_commitments": [{"text": "Walk after dinner", "due": "2099-01-10"}]})
    assert [c["text"] for c in out.get_json()["new_commitments"]] == ["Walk after dinner"]
    feedback = {"fb_heard": 9, "fb_wanted": 8, "fb_fit": 8, "fb_overall": 9, "hope": 7, "not_right": ""}
    assert therapist.patch(url(world, sid), {"base_version": 4, "fields": {"fb_heard": 3}}).status_code == 403
    given = client.patch(url(world, sid), {"base_version": 4, "fields": feedback, "state": "done"})
    assert given.status_code == 200, given.get_json()
    assert therapist.get(url(world, sid)).get_json()["fb_heard"] == 9
    assert therapist.get(url(world)).get_json()["sessions"][0]["state"] == "done"


def test_a_stale_save_of_the_same_field_is_refused_and_changes_nothing(app, world, session_id):
    client, therapist = as_(app, world.owner), as_(app, world.linked_therapist)
    assert client.patch(url(world, session_id), {"base_version": 1, "fields": {"coping": "Mine"}}).status_code == 200
    stale = therapist.patch(url(world, session_id), {"base_version": 1, "fields": {"coping": "Theirs"}})
    assert stale.status_code == 409
    assert stale.get_json()["error"] == "stale" and "Ingrid" in stale.get_json()["message"]
    assert client.get(url(world, session_id)).get_json()["coping"] == "Mine"
    # Another field, untouched since, goes through on the same old base.
    other = therapist.patch(url(world, session_id), {"base_version": 1, "fields": {"takeaway": "Rest"}})
    assert other.status_code == 200 and other.get_json()["coping"] == "Mine"


def test_a_retried_save_is_applied_once(app, world, session_id):
    client = as_(app, world.owner)
    body = {"uuid": "same-save", "base_version": 1,
            "new_commitments": [{"text": "Sleep by eleven"}], "fields": {"mood": 4}}
    first = client.patch(url(world, session_id), body).get_json()
    again = client.patch(url(world, session_id), body).get_json()
    assert first["version"] == again["version"] == 2
    texts = [c["text"] for c in client.get(f"/api/v1/plans/{world.plan_id}/commitments").get_json()["commitments"]]
    assert texts.count("Sleep by eleven") == 1


def test_every_save_is_in_the_history_with_its_author(app, world, session_id):
    from backend.db import session_scope
    from sessions.models import SessionChange

    client, therapist = as_(app, world.owner), as_(app, world.linked_therapist)
    client.patch(url(world, session_id), {"base_version": 1, "fields": {"coping": "First"}})
    therapist.patch(url(world, session_id), {"base_version": 2, "fields": {"coping": "Second"}})
    with app.app_context(), session_scope(app) as db:
        rows = db.query(SessionChange).filter_by(session_id=session_id).order_by(SessionChange.version).all()
        assert [(r.version, r.author.name, r.after.get("coping")) for r in rows] == [
            (1, "Dr Berg", None), (2, "Ingrid", "First"), (3, "Dr Berg", "Second")]
        assert rows[2].before == {"coping": "First"}


@pytest.mark.parametrize("who, status", [("other_client", 404), ("unlinked_therapist", 404), ("admin", 403)])
def test_others_cannot_reach_a_session(app, world, session_id, who, status):
    other = as_(app, getattr(world, who))
    assert other.get(url(world, session_id)).status_code == status
    assert other.get(url(world)).status_code == status
    assert other.patch(url(world, session_id), {"base_version": 1, "fields": {"mood": 1}}).status_code == status
    assert other.post(url(world), {}).status_code == status


def test_signed_out_gets_401_and_a_session_of_another_plan_is_404(app, world, client, session_id):
    assert client.get(url(world, session_id)).status_code == 401
    owner = as_(app, world.owner)
    foreign = start_session(app, world.other_plan_id, world.other_client)
    assert owner.get(url(world, foreign)).status_code == 404


def test_a_therapist_whose_link_ended_cannot_read_the_session_any_more(app, world, session_id):
    from backend.accounts import care
    from backend.accounts.services import find_user
    from backend.db import session_scope

    therapist = as_(app, world.linked_therapist)
    assert therapist.get(url(world, session_id)).status_code == 200
    with app.app_context(), session_scope(app) as db:
        care.end_link(db, world.linked_therapist_id, find_user(db, world.owner).id)
    assert therapist.get(url(world, session_id)).status_code == 404


def test_therapist_reads_are_in_the_clients_access_log(app, world, session_id):
    therapist, client = as_(app, world.linked_therapist), as_(app, world.owner)
    therapist.get(url(world, session_id))
    therapist.patch(url(world, session_id), {"base_version": 1, "fields": {"takeaway": "x"}})
    html = client.get(f"/plans/{world.plan_id}/access-log").get_data(as_text=True)
    assert "Dr Berg opened your sessions (check-in, check-out and feedback) once" in html
    assert "Dr Berg wrote in your sessions once" in html


@pytest.mark.parametrize("body", [
    {"base_version": 1, "fields": {"mood": 11}}, {"base_version": 1, "fields": {"mood": "x"}},
    {"base_version": 1, "fields": {"nope": 1}}, {"fields": {"mood": 1}}, {"base_version": 1, "state": "gone"},
    {"base_version": 1, "commitments": [{"id": 999999, "status": "kept"}]},
    {"base_version": 1, "review": {"next_review": "2000-01-01"}},
])
def test_bad_saves_are_refused_with_4xx_and_change_nothing(app, world, session_id, body):
    client = as_(app, world.owner)
    answer = client.patch(url(world, session_id), body)
    assert 400 <= answer.status_code < 500, answer.get_json()
    assert client.get(url(world, session_id)).get_json()["version"] == 1
