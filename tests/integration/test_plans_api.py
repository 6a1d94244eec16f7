"""The JSON API: ops, the catch-up feed, commitments and clear 4xx answers to bad input."""

from __future__ import annotations

import pytest

from support.plans import add_op, new_id


@pytest.fixture
def owner_api(api, sign_in, world):
    sign_in(world.owner)
    return api


def _plan(api, world):
    return api.get(f"/api/v1/plans/{world.plan_id}").get_json()


def test_batch_of_ops_returns_results_and_the_new_revision(owner_api, world):
    before = _plan(owner_api, world)["revision"]
    ops = [add_op("reasons", "My cat"), add_op("inner_coping", "Tea")]
    response = owner_api.post(f"/api/v1/plans/{world.plan_id}/changes", {"ops": ops})
    assert response.status_code == 200
    body = response.get_json()
    assert body["revision"] == before + 2 and [r["status"] for r in body["results"]] == ["applied", "applied"]
    again = owner_api.post(f"/api/v1/plans/{world.plan_id}/changes", {"ops": ops}).get_json()
    assert again["revision"] == before + 2 and all(r["replayed"] for r in again["results"])


def test_catch_up_feed_returns_changes_after_a_revision(owner_api, world):
    start = _plan(owner_api, world)["revision"]
    owner_api.post(f"/api/v1/plans/{world.plan_id}/changes", {"ops": [add_op("reasons", "Spring")]})
    feed = owner_api.get(f"/api/v1/plans/{world.plan_id}/changes?since={start}").get_json()
    assert [c["after"]["text"] for c in feed["changes"]] == ["Spring"]
    assert feed["changes"][0]["revision"] == start + 1 and feed["revision"] == start + 1


@pytest.mark.parametrize(
    "body,raw,status,code",
    [
        ({"ops": [add_op("nowhere", "x")]}, None, 422, "unknown_section"),
        ({"ops": [add_op("reasons", "x" * 501)]}, None, 422, "too_long"),
        ({"ops": [{"uuid": 5, "type": "add"}]}, None, 400, "bad_uuid"),
        ({"ops": "add"}, None, 400, "bad_ops"),
        ({"nope": []}, None, 400, "bad_ops"),
        (None, "{not json", 400, "bad_json"),
        (None, "[1, 2]", 400, "bad_json"),
        (
            {"ops": [{"uuid": new_id(), "type": "edit", "item": new_id(), "base_version": 1, "fields": {"text": "x"}}]},
            None,
            404,
            "unknown_item",
        ),
    ],
)
def test_bad_input_gets_a_clear_4xx_and_changes_nothing(owner_api, world, body, raw, status, code):
    before = _plan(owner_api, world)
    response = owner_api.post(f"/api/v1/plans/{world.plan_id}/changes", body, raw=raw)
    assert response.status_code == status
    error = response.get_json()
    assert error["error"] == code and error["message"] and error["status"] == status
    assert _plan(owner_api, world) == before


def test_a_stale_version_from_the_future_is_refused(owner_api, world):
    item = _plan(owner_api, world)["sections"][0]["items"][0]
    op = {
        "uuid": new_id(),
        "type": "edit",
        "item": item["uuid"],
        "base_version": item["version"] + 5,
        "fields": {"text": "x"},
    }
    response = owner_api.post(f"/api/v1/plans/{world.plan_id}/changes", {"ops": [op]})
    assert response.status_code == 409 and response.get_json()["error"] == "version_ahead"


def test_unknown_plan_is_a_json_404(owner_api):
    response = owner_api.post("/api/v1/plans/99999/changes", {"ops": []})
    assert response.status_code == 404 and response.get_json()["status"] == 404


def test_stale_edit_of_the_same_field_tells_who_was_overwritten(api, sign_in, world):
    sign_in(world.owner)
    item = _plan(api, world)["sections"][0]["items"][0]
    first = {
        "uuid": new_id(),
        "type": "edit",
        "item": item["uuid"],
        "base_version": item["version"],
        "fields": {"text": "I stop eating"},
    }
    assert api.post(f"/api/v1/plans/{world.plan_id}/changes", {"ops": [first]}).status_code == 200
    sign_in(world.linked_therapist)
    api._token = None
    later = {**first, "uuid": new_id(), "fields": {"text": "I skip meals"}}
    result = api.post(f"/api/v1/plans/{world.plan_id}/changes", {"ops": [later]}).get_json()["results"][0]
    assert result["status"] == "conflict"
    assert (
        result["conflicts"][0]["overwritten"] == "I stop eating" and result["conflicts"][0]["author_name"] == "Ingrid"
    )


def test_commitments_through_the_api(owner_api, world):
    made = owner_api.post(f"/api/v1/plans/{world.plan_id}/commitments", {"text": "Walk daily", "due": "2026-12-05"})
    assert made.status_code == 201 and made.get_json()["status"] == "open"
    cid = made.get_json()["id"]
    bad = owner_api.patch(f"/api/v1/plans/{world.plan_id}/commitments/{cid}", {"status": "maybe"})
    assert bad.status_code == 422
    done = owner_api.patch(f"/api/v1/plans/{world.plan_id}/commitments/{cid}", {"status": "kept", "note": "Every day"})
    assert done.get_json()["status"] == "kept"
    assert owner_api.post(f"/api/v1/plans/{world.plan_id}/commitments", {"text": "x", "due": "soon"}).status_code == 400


def test_country_change_and_crisis_lines(owner_api, world):
    assert _plan(owner_api, world)["crisis_lines"][0]["number"] == "113"
    assert owner_api.patch(f"/api/v1/plans/{world.plan_id}", {"country": "XX"}).status_code == 422
    assert owner_api.patch(f"/api/v1/plans/{world.plan_id}", {"country": "SE"}).status_code == 200
    assert _plan(owner_api, world)["crisis_lines"][0]["number"] == "112"
    assert owner_api.get("/api/v1/crisis-lines?country=ZZ").status_code == 404


def test_openapi_document_is_openapi_3(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and "/api/v1/plans/{plan_id}/changes" in doc["paths"]
