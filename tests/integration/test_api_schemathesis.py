"""The API against its own description: schemathesis generates requests from /api/v1/openapi.json,
sends them signed in as a client and as a therapist, and every answer must be a non-5xx response
with a status, content type and body the document describes.

Bounded (a few examples per operation) so it runs in well under two minutes per database."""
from __future__ import annotations

import os
import tempfile
from collections import Counter

import pytest
import schemathesis
from conftest import PASSWORD
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from backend import create_app
from backend.db import get_engine
from support.forms import AuthActions, csrf_token

MAX_EXAMPLES = int(os.environ.get("TRYGG_SCHEMATHESIS_EXAMPLES", "10"))
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
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return loaded.exclude(path_regex=r"/events$")


schema = _load_schema()


def _signed_in(app, email):
    """A signed-in test client (a therapist passes the second step too) and its CSRF token."""
    client = app.test_client()
    assert AuthActions(client).login(email, PASSWORD).status_code == 302
    assert client.get("/api/v1/plans").status_code == 200  # really signed in
    return client, csrf_token(client, "/"), client.get_cookie("trygg_session").value


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    print(f"\nschemathesis tally: {dict(sorted(TALLY.items()))}")


def _check(case, app, client, token, cookie, role):
    # The document names the session cookie, so schemathesis sets (and afterwards deletes) it: pass
    # the real one. Identity encoding: the app gzips, and the checks read the body as sent.
    response = case.call(app=app, session=client, cookies={"trygg_session": cookie},
                         headers={"X-CSRFToken": token, "Accept-Encoding": "identity"})
    TALLY[f"{role} requests"] += 1
    TALLY[f"{role} {response.status_code // 100}xx"] += 1
    try:
        case.validate_response(response, checks=CHECKS)
    except Exception:
        TALLY[f"{role} failed checks"] += 1
        raise


BOUNDED = settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))


@pytest.fixture
def as_client(app, world):
    """Signed in once per operation (not per example), as the client who owns the plan."""
    return _signed_in(app, world.owner)


@pytest.fixture
def as_therapist(app, world):
    """Signed in once per operation, as the linked therapist (each sign-in spends a TOTP step)."""
    return _signed_in(app, world.linked_therapist)


@schema.parametrize()
@BOUNDED
def test_api_as_a_client(case, app, as_client):
    _check(case, app, *as_client, "client")


@schema.parametrize()
@BOUNDED
def test_api_as_a_therapist(case, app, as_therapist):
    _check(case, app, *as_therapist, "therapist")


def test_every_operation_documents_the_request_guards_400(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert "400" in operation["responses"], (method, path)
