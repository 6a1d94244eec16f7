"""Every safety_plans route and every /api/v1 route of ours is in the access matrix, and the
OpenAPI document describes every /api/v1 route there is."""
from __future__ import annotations

import re

from backend.access import rule_of
from support.plans import ACCESS_MATRIX

OURS = ("safety_plans.", "plans_api.", "hope.")


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_safety_plans_and_api_route_is_in_the_access_matrix(app):
    covered = {(endpoint, method) for endpoint, method, *_ in ACCESS_MATRIX}
    missing = [
        (rule.endpoint, method, rule.rule) for rule, method in _routes(app)
        if rule.endpoint.startswith(OURS) and (rule.endpoint, method) not in covered
    ]
    assert missing == [], f"add these routes to support/plans.py ACCESS_MATRIX: {missing}"


def test_every_api_route_declares_an_access_rule(app):
    undeclared = [rule.rule for rule, _ in _routes(app)
                  if rule.rule.startswith("/api/v1") and rule_of(app, rule.endpoint) is None]
    assert undeclared == []


def test_openapi_document_describes_every_api_route_of_ours(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for rule, method in _routes(app):
        if not rule.endpoint.startswith("plans_api."):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in paths, path
        assert method.lower() in paths[path], (method, path)
