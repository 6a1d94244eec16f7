"""The API against its own description: schemathesis generates requests from /api/v1/openapi.json,
sends them signed in as a client and as a therapist, and every answer must be a non-5xx response
with a status, content type and body the document describes. Both ways: a request the document calls
valid is not refused (no 400 or 422: positive_data_acceptance), and one it calls invalid is not
carried out (no 2xx: negative_data_rejection).

Requests name the plan, commitment and session that exist (random ids would only meet 404, which
proves nothing about the body), and a recording is one. A few rules cannot be written in JSON Schema:
who asks, the clock, what is stored. The document says them in words; a refusal under one of them is
let through only where the test sees that the rule applies (`_rule_the_schema_cannot_say`).

Bounded (a few examples per operation) so it runs in well under two minutes per database."""
from __future__ import annotations

import base64
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
import schemathesis
from conftest import PASSWORD
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config._checks import NegativeDataRejectionConfig
from schemathesis.core.parameters import ParameterLocation

from backend import create_app
from backend.db import get_engine
from backend.guard import _plausible_date
from backend.openapi import date_pattern, date_time_pattern
from backend.push.services import SubscriptionError, check_endpoint
from grounding.services import EARLIEST_SESSION
from support.forms import AuthActions, csrf_token
from support.media import WEBM_OPUS
from support.sessions import start_session

MAX_EXAMPLES = int(os.environ.get("TRYGG_SCHEMATHESIS_EXAMPLES", "10"))
RECORDING = base64.b64encode(WEBM_OPUS).decode()
# Requests sent and how they came out, per role (printed with -s; the closing note quotes them).
TALLY: Counter = Counter()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _load_schema():
    """The document as an app serves it (read once, from an app with no database in use); each test
    then sends its cases to its own app. The event stream is left out: it holds a connection for
    minutes, and its access rules are tested elsewhere."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp}/schema.sqlite3",
                          "INSTANCE_PATH": f"{tmp}/instance"})
        loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        get_engine(app).dispose()
    # No NUL in generated text: the request guard refuses it in every string (PostgreSQL cannot store
    # it; the document's description says so, and test_hostile_input.py checks it). No generated
    # session cookie: the test signs in for real, so a "missing cookie" case would still carry the
    # real one and look like invalid data accepted (401 without it is tested elsewhere).
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], allow_x00=False,
                                    with_security_parameters=False)
    # A batch of more than the most ops is refused as too large (413): a refusal like any other.
    loaded.config.checks.negative_data_rejection = NegativeDataRejectionConfig(
        expected_statuses=[*NegativeDataRejectionConfig().expected_statuses, "413"])
    return loaded.exclude(path_regex=r"/events$")


schema = _load_schema()


@dataclass
class Caller:
    """Someone signed in (once per operation, not per example) and what they have been told."""

    client: object
    token: str
    cookie: str
    role: str
    ids: dict
    answered: set = field(default_factory=set)  # (operation, uuid) of writes answered 2xx


def _signed_in(app, email, role, ids) -> Caller:
    """A signed-in test client (a therapist passes the second step too) and its CSRF token."""
    client = app.test_client()
    assert AuthActions(client).login(email, PASSWORD).status_code == 302
    assert client.get("/api/v1/plans").status_code == 200  # really signed in
    return Caller(client, csrf_token(client, "/"), client.get_cookie("trygg_session").value, role, ids)


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    print(f"\nschemathesis tally: {dict(sorted(TALLY.items()))}")


def _invalid_at(case, location: ParameterLocation) -> bool:
    return case.meta is not None and case.meta.is_negative_at(location)


def _real_things(case, ids: dict) -> None:
    """Point the case at things that exist, and give a recording real sound (what a file holds is
    not JSON Schema's to say), unless that part is the invalid one."""
    if not _invalid_at(case, ParameterLocation.PATH):
        for name in case.path_parameters or {}:
            if name in ids:
                case.path_parameters[name] = ids[name]
    body = case.body
    if not _invalid_at(case, ParameterLocation.BODY) and isinstance(body, dict) and body.get("kind") == "audio" \
            and isinstance(body.get("data"), str):
        body["data"] = RECORDING


def _parsed(value, parse):
    try:
        return parse(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _rule_the_schema_cannot_say(case, response, role: str) -> str | None:
    """The rule a refused valid request broke, when JSON Schema cannot state it and it applies here."""
    answer = _parsed(response, lambda r: r.json()) if response.status_code in (400, 422) else None
    if not isinstance(answer, dict) or not isinstance(case.body, dict):
        return None
    body, error = case.body, answer.get("error")
    if error == "therapist_only" and role == "client":
        return "who asks: only a therapist writes in the therapist's sections"
    if error == "section_full":
        return "what is stored: the section already holds its most items"
    if error == "unknown_exercise" and re.fullmatch(r"custom-[0-9]+", str(body.get("exercise"))):
        return "what is stored: a custom exercise must be the client's own"
    if error == "bad_time" and answer.get("field") == "started_at":
        started = _parsed(body.get("started_at"), datetime.fromisoformat)
        if started is not None and started.tzinfo is not None \
                and not EARLIEST_SESSION <= started <= datetime.now(UTC) + timedelta(minutes=10):
            return "the clock: a grounding session cannot start in the future"
    if error == "bad_date" and answer.get("field") == "next_review":
        review = body.get("review")
        on = _parsed(review.get("next_review"), date.fromisoformat) if isinstance(review, dict) else None
        if on is not None and on <= datetime.now(UTC).date() + timedelta(days=1):  # the person's today
            return "the clock: the next review is after today"
    return None


def _retry_of(case, caller: Caller) -> bool:
    """Whether the case sends a uuid already answered: an idempotent write answers a retry with its
    first result without reading the rest of the body again, by design."""
    sent = case.body.get("uuid", case.body.get("client_uuid")) if isinstance(case.body, dict) else None
    return isinstance(sent, str) and bool(sent) and (case.operation.label, sent) in caller.answered


def _check(case, app, caller: Caller):
    _real_things(case, caller.ids)
    retry = _retry_of(case, caller)
    # The signed-in client carries the real session cookie. Identity encoding: the app gzips, and the
    # checks read the body as sent.
    response = case.call(app=app, session=caller.client, cookies={"trygg_session": caller.cookie},
                         headers={"X-CSRFToken": caller.token, "Accept-Encoding": "identity"})
    role = caller.role
    TALLY[f"{role} requests"] += 1
    TALLY[f"{role} {response.status_code // 100}xx"] += 1
    checks = list(CHECKS)
    rule = _rule_the_schema_cannot_say(case, response, role)
    if rule:
        TALLY[f"{role} refused by a rule the schema cannot say ({rule})"] += 1
    else:
        checks.append(positive_data_acceptance)
    if not retry:
        checks.append(negative_data_rejection)
    if 200 <= response.status_code < 300 and isinstance(case.body, dict):
        sent = case.body.get("uuid", case.body.get("client_uuid"))
        if isinstance(sent, str):
            caller.answered.add((case.operation.label, sent))
    try:
        case.validate_response(response, checks=checks)
    except BaseException:  # schemathesis raises a group of failures (a BaseExceptionGroup)
        TALLY[f"{role} failed checks"] += 1
        raise


BOUNDED = settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))


@pytest.fixture
def ids(app, world):
    """The world's plan, its commitment and a session on it, by the names of the path parameters."""
    return {"plan_id": world.plan_id, "commitment_id": world.commitment_id,
            "session_id": start_session(app, world.plan_id, world.linked_therapist)}


@pytest.fixture
def as_client(app, world, ids):
    """Signed in as the client who owns the plan."""
    return _signed_in(app, world.owner, "client", ids)


@pytest.fixture
def as_therapist(app, world, ids):
    """Signed in as the linked therapist (each sign-in spends a TOTP step)."""
    return _signed_in(app, world.linked_therapist, "therapist", ids)


@schema.parametrize()
@BOUNDED
def test_api_as_a_client(case, app, as_client):
    _check(case, app, as_client)


@schema.parametrize()
@BOUNDED
def test_api_as_a_therapist(case, app, as_therapist):
    _check(case, app, as_therapist)


def test_every_operation_documents_the_request_guards_400(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert "400" in operation["responses"], (method, path)


def test_the_documented_dates_are_the_ones_the_guard_takes():
    """Every day from a week before the guard's first year to a week after its last, and a few
    shapes that are not dates: the pattern in the document and the request guard agree on each."""
    pattern = re.compile(date_pattern())
    day, last = date(1999, 12, 25), date(2101, 1, 7)
    while day <= last:
        text = day.isoformat()
        assert bool(pattern.fullmatch(text)) == _plausible_date(text), text
        day += timedelta(days=1)
    for text in ("2024-02-30", "2100-02-29", "2023-13-01", "2023-00-10", "0035-01-01", "2023-1-01", "20230101"):
        assert not pattern.fullmatch(text) and not _plausible_date(text), text


def test_the_documented_date_times_are_read_by_the_server():
    """What the date-time pattern lets through, Python's datetime reads with its offset, in those years."""
    pattern = re.compile(date_time_pattern())
    for text in ("2000-01-01T00:00:00Z", "2100-12-31T23:59:59.123456+23:59", "2024-02-29T12:00:00-05:30"):
        assert pattern.fullmatch(text), text
        assert datetime.fromisoformat(text).tzinfo is not None
    for text in ("2024-02-29T12:00:00", "1999-12-31T23:59:59Z", "2023-06-01T24:00:00Z", "2023-06-01T23:59:60Z",
                 "2023-06-01t10:00:00z", "2101-01-01T00:00:00Z"):
        assert not pattern.fullmatch(text), text


def test_the_documented_push_endpoints_are_the_ones_the_server_takes(client):
    """The document's endpoint pattern and the server's SSRF guard agree, on real push services'
    URLs and on ones that only look like them."""
    document = client.get("/api/v1/openapi.json").get_json()
    body = document["paths"]["/api/v1/push/subscriptions"]["post"]["requestBody"]["content"]["application/json"]
    pattern = re.compile(body["schema"]["properties"]["endpoint"]["pattern"])
    config = client.application.config
    for endpoint in ("https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bE-x_y", "https://web.push.apple.com/QGx1",
                     "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB%2fa", "https://push.apple.com/x",
                     "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk", "http://fcm.googleapis.com/x",
                     "https://fcm.googleapis.com.evil.example/x", "https://evil.example/fcm.googleapis.com",
                     "https://user@fcm.googleapis.com/x", "https://fcm.googleapis.com/a%zz", "https://10.0.0.5/x",
                     "https://fcm.googleapis.com/x\n", "https://FCM.googleapis.com/x", ""):
        try:
            taken = bool(check_endpoint(endpoint, config))
        except SubscriptionError:
            taken = False
        assert bool(pattern.fullmatch(endpoint)) == taken, endpoint
