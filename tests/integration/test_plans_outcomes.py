"""Every op outcome is replayable, a uuid means one change only, versions not HTML decide a page's
freshness, saved pages belong to one person, and the access log stays calm."""
from __future__ import annotations

from sqlalchemy import select

from backend.audit import AccessEvent
from backend.db import session_scope
from safety_plans.models import PlanItem
from support.plans import add_op, new_id


def _walk(app, text="I stop answering messages"):
    with session_scope(app) as db:
        item = db.scalar(select(PlanItem).where(PlanItem.text == text))
        return item.uuid, item.version


def _post(api, plan_id, *ops):
    return api.post(f"/api/v1/plans/{plan_id}/changes", {"ops": list(ops)})


def test_a_delete_kept_once_is_kept_on_every_retry(app, api, sign_in, world):
    uuid, version = _walk(app)
    sign_in(world.linked_therapist)
    api._token = None
    assert _post(api, world.plan_id, {"uuid": new_id(), "type": "edit", "item": uuid, "base_version": version,
                                      "fields": {"text": "I go quiet"}}).status_code == 200
    sign_in(world.owner)
    api._token = None
    delete = {"uuid": new_id(), "type": "delete", "item": uuid, "base_version": version}
    first = _post(api, world.plan_id, delete).get_json()["results"][0]
    assert first["status"] == "kept"
    # The client now sees the therapist's edit and edits too; the old delete is retried later.
    _, newer = _walk(app, "I go quiet")
    _post(api, world.plan_id, {"uuid": new_id(), "type": "edit", "item": uuid, "base_version": newer,
                               "fields": {"text": "I go very quiet"}})
    again = _post(api, world.plan_id, delete).get_json()["results"][0]
    assert again["status"] == "kept" and again["replayed"] is True
    with session_scope(app) as db:
        assert db.scalar(select(PlanItem.deleted).where(PlanItem.uuid == uuid)) is False


def test_a_commitment_with_a_plan_ops_uuid_is_refused_not_a_500(app, api, sign_in, world):
    sign_in(world.owner)
    op = add_op("reasons", "My dog")
    assert _post(api, world.plan_id, op).status_code == 200
    response = api.post(f"/api/v1/plans/{world.plan_id}/commitments", {"text": "Walk", "uuid": op["uuid"]})
    assert response.status_code == 409 and response.get_json()["error"] == "uuid_taken"
    review = api.patch(f"/api/v1/plans/{world.plan_id}/commitments/{world.commitment_id}",
                       {"status": "kept", "uuid": op["uuid"]})
    assert review.status_code == 409


def test_an_op_uuid_reused_for_another_kind_of_change_is_refused(app, api, sign_in, world):
    uuid, version = _walk(app)
    sign_in(world.owner)
    op = add_op("reasons", "My dog")
    _post(api, world.plan_id, op)
    reused = {"uuid": op["uuid"], "type": "edit", "item": uuid, "base_version": version, "fields": {"text": "x y"}}
    response = _post(api, world.plan_id, reused)
    assert response.status_code == 409 and response.get_json()["error"] == "uuid_taken"
    assert _walk(app)[0] == uuid  # the text was not changed


def test_a_reused_op_uuid_is_reported_by_its_index_not_as_a_field(app, api, sign_in, world):
    sign_in(world.owner)
    op = add_op("reasons", "My dog")
    _post(api, world.plan_id, op)
    body = _post(api, world.plan_id, add_op("reasons", "My cat"), {**op, "item": new_id()}).get_json()
    assert body["error"] == "uuid_taken" and body["op_index"] == 1 and "field" not in body


def test_a_kept_page_states_its_version_and_answers_304(app, client, sign_in, world):
    sign_in(world.owner)
    editor = f"/plans/{world.plan_id}/edit"
    first, second = client.get(editor), client.get(editor)
    assert first.headers["ETag"] == second.headers["ETag"] and first.headers["Trygg-Keep"] == "1"
    assert first.get_data() != second.get_data()  # fresh form uuids: the HTML differs, the version not
    assert client.get(editor, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    client.post(f"/plans/{world.plan_id}/changes", data={
        "csrf_token": _token(client, world), "action": "add", "section": "reasons", "text": "Spring",
        "op": new_id(), "item": new_id()})
    client.get(editor)  # the page after the post shows its message ("Saved.")
    changed = client.get(editor, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def _token(client, world):
    from support.forms import csrf_token
    return csrf_token(client, f"/plans/{world.plan_id}/edit")


def test_saved_pages_belong_to_one_person_and_therapists_keep_none(app, client, sign_in, world):
    sign_in(world.owner)
    owner_key = client.get(f"/plans/{world.plan_id}").headers["Trygg-User"]
    sign_in(world.linked_therapist)
    page = client.get(f"/plans/{world.plan_id}")
    assert page.headers["Trygg-User"] not in (owner_key, "-")
    assert "Trygg-Keep" not in page.headers and "no-store" in page.headers["Cache-Control"]
    sign_in(None)
    assert client.get("/auth/login").headers["Trygg-User"] == "-"


def test_a_therapist_in_session_is_one_calm_line_of_the_log(app, api, client, sign_in, world):
    app.config.update(LIVE_STREAM_SECONDS=0.1)
    sign_in(world.linked_therapist)
    for _ in range(3):
        client.get(f"/plans/{world.plan_id}/edit")
        client.get(f"/api/v1/plans/{world.plan_id}/changes?since=0")
        client.get(f"/api/v1/plans/{world.plan_id}/events").get_data()
    with session_scope(app) as db:
        rows = list(db.scalars(select(AccessEvent)))
    assert [(r.action, r.count) for r in rows] == [("open", 3)]  # three opens; the syncs do not count
    sign_in(world.owner)
    page = client.get(f"/plans/{world.plan_id}/access-log").get_data(as_text=True)
    assert "Dr Berg opened your plan 3 times" in page and "UTC" not in page


def test_the_feed_lists_removed_items_in_plan_order(app, api, sign_in, world):
    uuid, version = _walk(app)
    sign_in(world.owner)
    _post(api, world.plan_id, {"uuid": new_id(), "type": "delete", "item": uuid, "base_version": version})
    feed = api.get(f"/api/v1/plans/{world.plan_id}/changes?since=0").get_json()
    assert feed["removed"] == [{"uuid": uuid, "text": "I stop answering messages"}]


def test_a_plain_form_commitment_with_a_date_out_of_range_is_refused_kindly(app, client, sign_in, world):
    from support.forms import csrf_token

    sign_in(world.owner)
    token = csrf_token(client, f"/plans/{world.plan_id}/commitments")
    response = client.post(f"/plans/{world.plan_id}/commitments",
                           data={"csrf_token": token, "text": "Walk", "due": "0001-01-01", "op": new_id()})
    assert response.status_code == 400 and "YYYY-MM-DD" in response.get_data(as_text=True)
    assert "Walk" in response.get_data(as_text=True)  # the words are kept in the form
