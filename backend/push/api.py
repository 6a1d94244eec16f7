"""JSON API for the PWA: the VAPID public key, and adding or removing this browser's subscription.

JSON posts carry the CSRF token in X-CSRFToken, like every state-changing request.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user

from backend import db
from backend.access import signed_in
from backend.push import services
from backend.push.keys import load_keys

bp = Blueprint("push_api", __name__, url_prefix="/api/v1/push")

_ERR = {"description": "Refused", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}}}}}


def openapi_paths() -> dict:
    """These endpoints' part of /api/v1/openapi.json, built with it: the push services allowed are
    the app's PUSH_SERVICE_HOSTS."""
    subscription = {"type": "object", "required": ["endpoint", "keys"], "properties": {
        "endpoint": {"type": "string", "format": "uri", "maxLength": services.MAX_ENDPOINT,
                     "pattern": services.endpoint_pattern(current_app.config),
                     "description": "an https URL of a known push service: "
                                    + ", ".join(current_app.config["PUSH_SERVICE_HOSTS"])
                                    + " (a leading dot: any host under it)"},
        "expirationTime": {"type": "number", "nullable": True},
        "keys": {"type": "object", "required": ["p256dh", "auth"], "properties": {
            "p256dh": {"type": "string", "pattern": services.P256DH_PATTERN,
                       "description": "the browser's P-256 public key, uncompressed, base64url"},
            "auth": {"type": "string", "pattern": services.AUTH_PATTERN,
                     "description": "the 16-byte auth secret, base64url"}}}}}
    return {
        "/api/v1/push/public-key": {"get": {
            "summary": "The VAPID public key (applicationServerKey) to subscribe with",
            "responses": {"200": {"description": "{\"publicKey\": base64url}", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"publicKey": {"type": "string"}}}}}},
                "401": _ERR}}},
        "/api/v1/push/subscriptions": {
            "post": {"summary": "Add this browser's push subscription (PushSubscription.toJSON())",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": subscription}}},
                     "responses": {"201": {"description": "{\"id\", \"label\"}"},
                                   "400": _ERR, "401": _ERR}},
            "delete": {"summary": "Remove this browser's subscription ({\"endpoint\"})",
                       "requestBody": {"content": {"application/json": {"schema": {
                           "type": "object", "properties": {"endpoint": {"type": "string"}}}}}},
                       "responses": {"204": {"description": "removed (or was not there)"},
                                     "400": _ERR, "401": _ERR}}},
    }


@bp.route("/public-key")
@signed_in
def public_key():
    """The key browsers bind their subscription to."""
    return jsonify(publicKey=load_keys(current_app).public_key)


@bp.route("/subscriptions", methods=["POST"])
@signed_in
def add_subscription():
    """Store this browser's subscription for the signed-in person."""
    try:
        subscription = services.add_subscription(
            db.session(), current_user, request.get_json(silent=True) or {},
            request.headers.get("User-Agent", ""), current_user.get_id(), current_app.config,
        )
    except services.SubscriptionError as exc:
        return jsonify(error=str(exc), status=400), 400
    db.session().commit()
    return jsonify(id=subscription.id, label=subscription.label), 201


@bp.route("/subscriptions", methods=["DELETE"])
@signed_in
def remove_subscription():
    """Forget this browser's subscription (idempotent). No body is fine; a body is a JSON object."""
    body = request.get_json(silent=True) if request.get_data() else {}
    if not isinstance(body, dict):
        return jsonify(error="expected {endpoint}", status=400), 400
    endpoint = str(body.get("endpoint") or "")
    if services.remove_subscription(db.session(), current_user, endpoint):
        db.session().commit()
    return "", 204
