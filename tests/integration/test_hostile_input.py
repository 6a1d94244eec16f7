"""Malformed and hostile input gets a 4xx, never a 500: ids beyond any integer column, NUL bytes,
JSON nested too deep or of the wrong types, odd dates; and 405 answers say what is allowed."""

from __future__ import annotations

import uuid

import pytest
from conftest import PASSWORD

from support.forms import csrf_token

BEYOND_BIGINT = str(2**63 + 5)  # overflowed SQLite
BEYOND_INT = str(2**31 + 5)  # overflowed PostgreSQL's INTEGER


def _signed_in(app, make_user, role="client"):
    client = app.test_client()
    email = make_user(role)
    token = csrf_token(client)
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client, csrf_token(client, "/")


@pytest.fixture
def member(app, make_user):
    """A signed-in client with a plan (id 1) and the CSRF token for their requests."""
    client, token = _signed_in(app, make_user)
    assert client.get("/plans/mine").status_code in (200, 302)
    return client, token


@pytest.mark.parametrize("number", [BEYOND_BIGINT, BEYOND_INT])
@pytest.mark.parametrize(
    "path",
    [
        "/plans/{n}",
        "/plans/{n}/edit",
        "/plans/{n}/history",
        "/api/v1/plans/{n}",
        "/api/v1/plans/{n}/changes",
        "/api/v1/plans/{n}/commitments",
        "/grounding/custom/{n}",
    ],
)
def test_ids_beyond_the_integer_range_are_not_found(member, path, number):
    client, _ = member
    assert client.get(path.format(n=number)).status_code == 404


@pytest.mark.parametrize("number", [BEYOND_BIGINT, BEYOND_INT])
def test_posts_to_ids_beyond_the_range_are_not_found(member, number):
    client, token = member
    for path in (
        f"/grounding/custom/{number}/delete",
        f"/care/{number}/end",
        f"/settings/notifications/devices/{number}/delete",
    ):
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path
    response = client.patch(
        f"/api/v1/plans/1/commitments/{number}", json={"status": "kept"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 404


def test_a_therapists_pages_for_a_client_id_beyond_the_range_are_not_found(app, make_user):
    client, token = _signed_in(app, make_user, "therapist")
    assert client.get(f"/grounding/clients/{BEYOND_BIGINT}").status_code == 404
    assert (
        client.post(
            f"/grounding/clients/{BEYOND_INT}/recommend", data={"csrf_token": token, "slug": "five-senses"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize("since", [BEYOND_BIGINT, BEYOND_INT, "²", "-1", "1.5", "١٢"])
def test_since_must_be_a_revision_in_range(member, since):
    client, _ = member
    response = client.get("/api/v1/plans/1/changes", query_string={"since": since})
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_since"


def test_since_in_range_still_works(member):
    client, _ = member
    assert client.get("/api/v1/plans/1/changes?since=2147483647").status_code == 200


def test_nul_bytes_are_refused_on_sign_in_and_registration_without_an_account(client):
    token = csrf_token(client)
    response = client.post(
        "/auth/login", data={"email": "a\x00@example.org", "password": "x\x00" * 6, "csrf_token": token}
    )
    assert response.status_code == 400
    token = csrf_token(client, "/auth/register")
    response = client.post(
        "/auth/register",
        data={
            "email": "a\x00b@example.org",
            "display_name": "N\x00",
            "password": "long enough\x00 password",
            "csrf_token": token,
        },
    )
    assert response.status_code == 400


def test_nul_bytes_are_refused_in_forms_paths_queries_and_json(member):
    client, token = member
    assert (
        client.post("/grounding/mine/new", data={"csrf_token": token, "title": "a\x00", "steps": "b\nc"}).status_code
        == 400
    )
    assert client.post("/care/link", data={"csrf_token": token, "code": "a\x00"}).status_code == 400
    assert client.get("/care/link/a%00").status_code == 400
    assert client.get("/api/v1/crisis-lines?country=N%00").status_code == 400
    for url, method, body in [
        ("/api/v1/plans/1/commitments", "post", {"text": "a\x00b"}),
        ("/api/v1/plans/1", "patch", {"country": "N\x00"}),
        ("/api/v1/plans/1/changes", "post", {"ops": [{"uuid": "a\x00", "type": "add"}]}),
        ("/api/v1/grounding/sessions", "post", {"client_uuid": str(uuid.uuid4()), "exercise": "x\x00"}),
        ("/api/v1/plans/1/commitments", "post", {"text": "ok", "k\x00": 1}),
    ]:
        response = getattr(client, method)(url, json=body, headers={"X-CSRFToken": token})
        assert response.status_code == 400, url
        assert response.get_json()["error"] == "not_text"


@pytest.mark.parametrize(
    "raw", ['{"text": "a\\udbbbb"}', '{"text": "ok", "due": "\\udc00"}', '{"\\ud800": 1, "text": "x"}']
)
def test_json_with_half_a_surrogate_pair_is_refused(member, raw):
    client, token = member
    response = client.post(
        "/api/v1/plans/1/commitments", data=raw, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 400 and response.get_json()["error"] == "not_text"


@pytest.mark.parametrize("depth", [65, 1000, 5000])
def test_json_nested_too_deep_is_refused(member, depth):
    client, token = member
    for url in ("/api/v1/plans/1/changes", "/api/v1/grounding/sessions", "/api/v1/push/subscriptions"):
        body = '{"ops":' + "[" * depth + "]" * depth + "}"
        response = client.post(url, data=body, content_type="application/json", headers={"X-CSRFToken": token})
        assert response.status_code == 400, url
        assert response.get_json()["error"] == "too_deep"


def test_json_nested_within_the_limit_reaches_the_service(member):
    client, token = member
    body = '{"ops": [' + "[" * 60 + "]" * 60 + "]}"
    response = client.post(
        "/api/v1/plans/1/changes", data=body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code in (400, 422) and response.get_json()["error"] != "too_deep"


@pytest.mark.parametrize(
    "body,code",
    [
        ({"status": ["kept"]}, "bad_status"),
        ({"status": {"a": 1}}, "bad_status"),
        ({"status": "kept", "note": 5}, "bad_note"),
        ({"status": "kept", "uuid": 7}, "bad_uuid"),
    ],
)
def test_commitment_review_of_the_wrong_types_is_refused(member, body, code):
    client, token = member
    made = client.post("/api/v1/plans/1/commitments", json={"text": "Walk"}, headers={"X-CSRFToken": token})
    assert made.status_code == 201
    response = client.patch(
        f"/api/v1/plans/1/commitments/{made.get_json()['id']}", json=body, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 400 and response.get_json()["error"] == code


@pytest.mark.parametrize(
    "fields",
    [
        {"started_at": "0001-01-01T00:00:00+14:00"},
        {"started_at": "9999-12-31T23:59:59-12:00"},
        {"started_at": "1970-01-01T00:00:00Z"},
        {"exercise": f"custom-{BEYOND_BIGINT}"},
        {"exercise": f"custom-{BEYOND_INT}"},
        {"exercise": "custom-٣"},
        {"duration_seconds": 10**30},
        {"distress_before": True},
        {"exercise": ["five-senses"]},
    ],
)
def test_odd_grounding_sessions_are_refused(member, fields):
    client, token = member
    body = {"client_uuid": str(uuid.uuid4()), "exercise": "five-senses", **fields}
    response = client.post("/api/v1/grounding/sessions", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 400


@pytest.mark.parametrize("body", ["x", [], 5, {"endpoint": ["https://fcm.googleapis.com/x"]}])
def test_odd_push_requests_are_refused_or_ignored(member, body):
    client, token = member
    added = client.post("/api/v1/push/subscriptions", json=body, headers={"X-CSRFToken": token})
    assert added.status_code == 400
    removed = client.delete("/api/v1/push/subscriptions", json=body, headers={"X-CSRFToken": token})
    assert removed.status_code in (204, 400)


def test_405_answers_say_which_methods_are_allowed(client):
    page = client.post("/healthz")
    assert page.status_code == 405 and set(page.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    api = client.delete("/api/v1/openapi.json")
    assert api.status_code == 405 and "GET" in api.headers["Allow"]
    assert api.get_json()["status"] == 405


@pytest.mark.parametrize("due", ["0001-01-01", "9999-12-31", "2026-02-30", "20261201", "2026-1-1"])
def test_commitment_dates_out_of_range_or_malformed_are_refused(member, due):
    client, token = member
    response = client.post(
        "/api/v1/plans/1/commitments", json={"text": "Walk", "due": due}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 400 and response.get_json()["error"] == "bad_date"


def test_a_plausible_commitment_date_is_accepted(member):
    client, token = member
    response = client.post(
        "/api/v1/plans/1/commitments", json={"text": "Walk", "due": "2027-01-31"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201
