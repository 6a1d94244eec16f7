"""The session API: idempotent by the client's uuid, clear 4xx answers on bad input, never 500."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from backend.db import session_scope
from grounding.models import GroundingSession
from support.grounding import browser_for, post_json, session_payload

URL = "/api/v1/grounding/sessions"


def count_sessions(app) -> int:
    with session_scope(app) as db:
        return db.scalar(select(func.count()).select_from(GroundingSession))


def test_a_session_is_recorded(app, client, grounding_client):
    response = post_json(client, URL, session_payload(before=8, after=4))
    assert response.status_code == 201
    body = response.get_json()
    assert (body["exercise"], body["distress_before"], body["distress_after"]) == ("five-senses", 8, 4)
    assert body["started_at"] == "2026-11-20T10:00:00Z" and body["completed"] is True
    assert count_sessions(app) == 1


def test_a_retry_with_the_same_uuid_is_recorded_once(app, client, grounding_client):
    payload = session_payload()
    first = post_json(client, URL, payload)
    second = post_json(client, URL, payload)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json() == second.get_json()
    assert count_sessions(app) == 1


def test_a_uuid_used_by_another_client_is_refused(app, client, auth, make_user, grounding_client):
    payload = session_payload()
    assert post_json(client, URL, payload).status_code == 201
    other = browser_for(app, make_user("client"))
    response = post_json(other, URL, payload)
    assert response.status_code == 409 and response.get_json()["field"] == "client_uuid"
    assert count_sessions(app) == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"distress_before": 11}, "distress_before"),
        ({"distress_before": -1}, "distress_before"),
        ({"distress_after": 4.5}, "distress_after"),
        ({"distress_after": "4"}, "distress_after"),
        ({"distress_after": True}, "distress_after"),
        ({"exercise": "no-such-exercise"}, "exercise"),
        ({"exercise": None}, "exercise"),
        ({"client_uuid": "not-a-uuid"}, "client_uuid"),
        ({"client_uuid": None}, "client_uuid"),
        ({"duration_seconds": -5}, "duration_seconds"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"started_at": "2026-11-20T10:00:00"}, "started_at"),
        ({"completed": "yes"}, "completed"),
    ],
)
def test_bad_input_gets_a_clear_400(app, client, grounding_client, change, field):
    response = post_json(client, URL, session_payload(**change))
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == field and body["error"]
    assert count_sessions(app) == 0


def test_a_body_that_is_not_a_json_object_is_refused(client, grounding_client):
    from support.forms import csrf_token

    token = csrf_token(client, "/grounding/")
    for body in ("[1, 2]", "nonsense", ""):
        response = client.post(URL, data=body, content_type="application/json", headers={"X-CSRFToken": token})
        assert response.status_code == 400 and response.is_json


def test_ratings_may_be_skipped(client, grounding_client):
    response = post_json(client, URL, session_payload(before=None, after=None, completed=False))
    assert response.status_code == 201
    assert response.get_json()["distress_before"] is None


def test_only_a_clients_own_personal_exercise_counts_as_known(app, client, auth, make_user, grounding_client):
    from support.forms import post_form

    post_form(
        client, "/grounding/mine/new", {"title": "My walk", "steps": "Walk\nBreathe"}, token_page="/grounding/mine/new"
    )
    assert post_json(client, URL, session_payload(exercise="custom-1")).status_code == 201
    other = browser_for(app, make_user("client"))
    assert post_json(other, URL, session_payload(exercise="custom-1")).status_code == 400


def test_the_api_needs_a_signed_in_client(client, auth, make_user):
    assert post_json(client, URL, session_payload(), token_page="/auth/login").status_code == 401
    auth.login(make_user("therapist"), "correct horse battery staple")
    assert post_json(client, URL, session_payload()).status_code == 403


def test_the_api_needs_the_csrf_token(client, grounding_client):
    response = client.post(URL, json=session_payload())
    assert response.status_code == 400 and response.is_json


def test_list_sessions_returns_own_sessions_and_ranking(client, grounding_client):
    post_json(client, URL, session_payload(exercise="kind-words", before=7, after=6))
    post_json(client, URL, session_payload(exercise="five-senses", before=8, after=3))
    body = client.get(URL).get_json()
    assert [s["exercise"] for s in body["sessions"]] == ["kind-words", "five-senses"]
    assert [r["slug"] for r in body["ranking"]] == ["five-senses", "kind-words"]
    assert str(uuid.UUID(body["sessions"][0]["client_uuid"]))


def test_the_openapi_document_describes_the_grounding_api(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("grounding_api."):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert method.lower() in paths[rule.rule], (method, rule.rule)


def test_a_refusal_speaks_the_clients_language(app, client, auth, make_user):
    """Grounding's refusals are ServiceErrors like every other service's: a code for programs and a
    message in the person's language (they were English on Norwegian pages)."""
    email = make_user("client", locale="nb")
    auth.login(email, "correct horse battery staple")
    response = post_json(client, URL, session_payload(before=11))
    body = response.get_json()
    assert response.status_code == 400
    assert (body["error"], body["field"]) == ("bad_rating", "distress_before")
    assert body["message"] == "Hvordan du har det, er et helt tall fra 0 til 10."
