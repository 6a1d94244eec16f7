"""Deny by default: every route declares who may open it, and one that doesn't is closed."""
from __future__ import annotations

from backend.access import undeclared_endpoints


def test_every_route_declares_an_access_rule(app):
    assert undeclared_endpoints(app) == []


def test_a_route_without_a_rule_is_refused(app, client):
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert undeclared_endpoints(app) == ["forgotten"]
    response = client.get("/forgotten")
    assert response.status_code == 403 and "secret" not in response.get_data(as_text=True)
