"""The OpenAPI 3 document for /api/v1 (a test checks it lists every /api/v1 route).

Other packages add their paths with `add_paths(app, {...})` in their init_app.
"""
from __future__ import annotations

from flask import current_app

from backend.guard import MAX_ID, MAX_JSON_DEPTH
from backend.openapi import ID_PATTERN, NOT_BLANK, SPACE, date_schema, one_of_words, registered_paths
from safety_plans import crisis_lines
from safety_plans.commitments import MAX_COMMITMENT_TEXT
from safety_plans.content import COMMITMENT_STATUSES, SECTION_KEYS, THERAPIST_ONLY
from safety_plans.ops import FIELDS, MAX_BATCH, MAX_ITEMS_PER_SECTION, OP_TYPES, TEXT_LIMITS

_ERR = {"$ref": "#/components/responses/Error"}
# Ids are PostgreSQL INTEGERs; larger numbers name nothing (404).
_ID = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
_PLAN_ID = {"name": "plan_id", "in": "path", "required": True, "schema": _ID}
_CID = {"name": "commitment_id", "in": "path", "required": True, "schema": _ID}
# safety_plans.ops: trimmed, digits, spaces, + - and brackets, and at least two digits unless empty.
_PHONE = f"^{SPACE}*(?:[0-9+()\\- ]*[0-9][0-9+()\\- ]*[0-9][0-9+()\\- ]*)?{SPACE}*$"
_RETRY_UUID = {"type": "string", "pattern": ID_PATTERN, "description": "a retry with the same uuid changes nothing"}
_NO_FIELDS = {"maxProperties": 0, "description": "only add and edit carry fields"}


def _ok(schema_ref: str, description: str = "OK") -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


def _errors(*codes: int) -> dict:
    return {str(c): _ERR for c in codes}


def _body(schema_ref: str) -> dict:
    schema = {"$ref": f"#/components/schemas/{schema_ref}"}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _plan_country() -> dict:
    """The plan's new country: one we have crisis lines for, in either case (the server upper-cases it)."""
    return {"type": "object", "additionalProperties": False, "required": ["country"], "properties": {
        "country": {"type": "string", "minLength": 2, "maxLength": 2,
                    "pattern": one_of_words(crisis_lines.countries(), case_insensitive=True),
                    "description": "a country Trygg has crisis lines for (ISO 3166 code)"}}}


PATHS = {
    "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [],
                                     "responses": {"200": {"description": "OpenAPI 3 document"}}}},
    "/api/v1/crisis-lines": {"get": {
        "summary": "Crisis lines for a country (no sign-in needed)", "security": [],
        "parameters": [{"name": "country", "in": "query", "required": True,
                        "schema": {"type": "string", "example": "NO"}}],
        "responses": {"200": _ok("CrisisLines"), **_errors(404)}}},
    "/api/v1/sections": {"get": {
        "summary": "Plan sections with hints and suggestions in the reader's language", "security": [],
        "responses": {"200": {"description": "Sections"}}}},
    "/api/v1/plans": {"get": {
        "summary": "Plans the signed-in user may open",
        "responses": {"200": {"description": "List of plans"}, **_errors(401, 403)}}},
    "/api/v1/plans/{plan_id}": {
        "get": {"summary": "A whole plan with its crisis lines", "parameters": [_PLAN_ID],
                "responses": {"200": _ok("Plan"), **_errors(401, 403, 404)}},
        "patch": {"summary": "Change the plan's country (client only)", "parameters": [_PLAN_ID],
                  "requestBody": _body("PlanCountry"),
                  "responses": {"200": {"description": "Updated"}, **_errors(400, 401, 403, 404, 422)}},
    },
    "/api/v1/plans/{plan_id}/changes": {
        "get": {"summary": "Changes after a revision (catch-up feed), oldest first", "parameters": [
                    _PLAN_ID, {"name": "since", "in": "query",
                               "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}],
                "responses": {"200": _ok("ChangeFeed"), **_errors(400, 401, 403, 404)}},
        "post": {"summary": "Apply a batch of ops (idempotent by op uuid)", "parameters": [_PLAN_ID],
                 "requestBody": _body("OpBatch"),
                 "responses": {"200": _ok("OpResults"), **_errors(400, 401, 403, 404, 409, 413, 422)}},
    },
    "/api/v1/plans/{plan_id}/events": {
        "get": {"summary": "Live updates for an open editor (text/event-stream): `hello` {plan, revision, here}, "
                           "`change` {plan, revision}, `presence` {plan, here}; a heartbeat comment every ~15 s; "
                           "the stream ends after a few minutes and EventSource reconnects (Last-Event-ID)",
                "parameters": [_PLAN_ID],
                "responses": {"200": {"description": "An event stream", "content": {"text/event-stream": {}}},
                              "503": {"description": "Too many open streams in this process: poll the feed "
                                                     "(Retry-After says when to try the stream again)"},
                              **_errors(401, 403, 404)}},
    },
    "/api/v1/plans/{plan_id}/commitments": {
        "get": {"summary": "Commitments, newest first", "parameters": [_PLAN_ID],
                "responses": {"200": {"description": "Commitments"}, **_errors(401, 403, 404)}},
        "post": {"summary": "Record a commitment made in session", "parameters": [_PLAN_ID],
                 "requestBody": _body("NewCommitment"),
                 "responses": {"201": _ok("Commitment", "Created"), **_errors(400, 401, 403, 404, 422)}},
    },
    "/api/v1/plans/{plan_id}/commitments/{commitment_id}": {
        "patch": {"summary": "Say how a commitment went", "parameters": [_PLAN_ID, _CID],
                  "requestBody": _body("CommitmentReview"),
                  "responses": {"200": _ok("Commitment"), **_errors(400, 401, 403, 404, 422)}},
    },
    "/api/v1/plans/{plan_id}/access-log": {
        "get": {"summary": "Who opened, printed, exported or changed the plan (client only)",
                "parameters": [_PLAN_ID],
                "responses": {"200": {"description": "Events, newest first"}, **_errors(401, 403, 404)}},
    },
}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error", "status"], "properties": {
        "error": {"type": "string", "description": "stable code, e.g. unknown_section, too_long, bad_json"},
        "message": {"type": "string", "description": "for people, in their language"},
        "status": {"type": "integer"}, "op_index": {"type": "integer"}}},
    "Fields": {"type": "object", "additionalProperties": False, "properties": {
        "text": {"type": "string", "maxLength": TEXT_LIMITS["text"], "pattern": NOT_BLANK,
                 "description": "trimmed; not only spaces"},
        "phone": {"type": "string", "maxLength": TEXT_LIMITS["phone"], "pattern": _PHONE,
                  "description": "digits, spaces, + - and brackets, with at least two digits (or empty)"},
        "agreed": {"type": "boolean", "description": "has agreed to be on my plan"},
        "sms_message": {"type": "string", "maxLength": TEXT_LIMITS["sms_message"]}}},
    # What every op may carry; which of it each type needs is in the oneOf (safety_plans.ops.check_op).
    "Op": {"type": "object", "required": ["uuid", "type", "item"], "properties": {
        "uuid": {"type": "string", "pattern": ID_PATTERN,
                 "description": "made by the client; a retry with the same uuid returns the first result"},
        "type": {"type": "string", "enum": list(OP_TYPES)},
        "item": {"type": "string", "pattern": ID_PATTERN,
                 "description": "the item's uuid (made by the client for add)"},
        "section": {"type": "string", "enum": list(SECTION_KEYS),
                    "description": "required for add; only a therapist writes in " + ", ".join(sorted(THERAPIST_ONLY))
                                   + f" (422 therapist_only); a section holds at most {MAX_ITEMS_PER_SECTION} "
                                     "items (422 section_full)"},
        "fields": {"$ref": "#/components/schemas/Fields"},
        "position": {"type": "integer", "minimum": 0,
                     "description": "index in the section (add, move); past the end means at the end"},
        "base_version": {"type": "integer", "minimum": 0,
                         "description": "the item version the change was based on (required for edit, delete); "
                                        "newer than the item's: 409"}},
        "oneOf": [
            {"properties": {"type": {"enum": ["add"]}, "fields": {"required": ["text"]}},
             "required": ["section", "fields"]},
            {"properties": {"type": {"enum": ["edit"]}, "fields": {"minProperties": 1}},
             "required": ["base_version", "fields"]},
            {"properties": {"type": {"enum": ["move"]}, "fields": _NO_FIELDS}, "required": ["position"]},
            {"properties": {"type": {"enum": ["delete"]}, "fields": _NO_FIELDS}, "required": ["base_version"]},
            {"properties": {"type": {"enum": ["restore"]}, "fields": _NO_FIELDS}}]},
    "OpBatch": {"type": "object", "required": ["ops"], "properties": {
        "ops": {"type": "array", "maxItems": MAX_BATCH, "items": {"$ref": "#/components/schemas/Op"},
                "description": f"more than {MAX_BATCH}: 413"}}},
    "OpResult": {"type": "object", "properties": {
        "op": {"type": "string"}, "item": {"type": "string"},
        "status": {"type": "string", "enum": ["applied", "conflict", "kept"],
                   "description": "conflict: applied over words another person set after base_version or saved "
                                  "within the last 120 s (see conflicts); "
                                  "kept: a delete refused because the item was edited since base_version"},
        "revision": {"type": "integer"}, "version": {"type": "integer"},
        "replayed": {"type": "boolean", "description": "true when this is the stored result of a retry"},
        "restored": {"type": "boolean", "description": "true when an edit brought a removed item back"},
        "conflicts": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string", "enum": list(FIELDS)}, "overwritten": {},
            "author_id": {"type": "integer"}, "author_name": {"type": "string"}}}}}},
    "OpResults": {"type": "object", "properties": {
        "revision": {"type": "integer"},
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/OpResult"}}}},
    "Change": {"type": "object", "properties": {
        "revision": {"type": "integer"}, "op": {"type": "string"}, "op_uuid": {"type": "string"},
        "item": {"type": "string"}, "author_id": {"type": "integer", "nullable": True},
        "author": {"type": "string", "nullable": True}, "at": {"type": "string", "format": "date-time"},
        "before": {"type": "object", "nullable": True}, "after": {"type": "object", "nullable": True},
        "conflicts": {"type": "array", "description": "whose text this change overwrote (as in OpResult)"}}},
    "ChangeFeed": {"type": "object", "properties": {
        "revision": {"type": "integer"}, "more": {"type": "boolean"},
        "order": {"type": "object", "description": "each section's live item uuids in order",
                  "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "removed": {"type": "array", "description": "items taken off the plan that can be restored, in plan order",
                    "items": {"type": "object",
                              "properties": {"uuid": {"type": "string"}, "text": {"type": "string"}}}},
        "changes": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}}}},
    "Item": {"type": "object", "properties": {
        "uuid": {"type": "string"}, "section": {"type": "string"}, "text": {"type": "string"},
        "phone": {"type": "string"}, "agreed": {"type": "boolean"}, "sms_message": {"type": "string"},
        "position": {"type": "integer"}, "version": {"type": "integer"}, "deleted": {"type": "boolean"}}},
    "Plan": {"type": "object", "properties": {
        "id": {"type": "integer"}, "country": {"type": "string"}, "revision": {"type": "integer"},
        "sections": {"type": "array", "items": {"type": "object", "properties": {
            "key": {"type": "string"}, "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}}},
        "commitments": {"type": "array", "items": {"$ref": "#/components/schemas/Commitment"}},
        "crisis_lines": {"type": "array", "items": {"$ref": "#/components/schemas/CrisisLine"}}}},
    "NewCommitment": {"type": "object", "required": ["text"], "properties": {
        "text": {"type": "string", "minLength": 1, "maxLength": MAX_COMMITMENT_TEXT, "pattern": NOT_BLANK},
        "due": date_schema(), "made_on": date_schema(description="default today"),
        "uuid": _RETRY_UUID}},
    "CommitmentReview": {"type": "object", "required": ["status"], "properties": {
        "status": {"type": "string", "enum": list(COMMITMENT_STATUSES)},
        "note": {"type": "string", "maxLength": MAX_COMMITMENT_TEXT},
        "uuid": _RETRY_UUID}},
    "Commitment": {"type": "object", "properties": {
        "id": {"type": "integer"}, "uuid": {"type": "string"}, "text": {"type": "string"},
        "made_on": {"type": "string", "format": "date"}, "due": {"type": "string", "format": "date", "nullable": True},
        "status": {"type": "string"}, "note": {"type": "string"}}},
    "CrisisLine": {"type": "object", "properties": {
        "id": {"type": "string"}, "kind": {"type": "string"}, "number": {"type": "string"},
        "label": {"type": "string"}, "hours": {"type": "string"}, "tel": {"type": "string"},
        "sms": {"type": "string"}, "source": {"type": "string"}, "checked_on": {"type": "string", "format": "date"}}},
    "CrisisLines": {"type": "object", "properties": {
        "country": {"type": "string"}, "name": {"type": "string"},
        "lines": {"type": "array", "items": {"$ref": "#/components/schemas/CrisisLine"}}}},
}


def _with_guard_answers(paths: dict) -> dict:
    """Every operation may be answered 400 by the request guard (NUL bytes, JSON nested too deep,
    a field of the wrong type; backend/guard.py), whatever else it says."""
    described = {}
    for path, item in paths.items():
        described[path] = {method: ({**op, "responses": {"400": _ERR, **op.get("responses", {})}}
                                    if isinstance(op, dict) and "responses" in op else op)
                           for method, op in item.items()}
    return described


def openapi_document() -> dict:
    """The document served at /api/v1/openapi.json."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Trygg API", "version": "1",
                 "description": "JSON API used by Trygg's web app. Sign in through /auth/login; "
                                "state-changing requests send the CSRF token in an X-CSRFToken header. "
                                "No string anywhere may hold a NUL character or half of a UTF-16 surrogate "
                                f"pair, and JSON may nest at most {MAX_JSON_DEPTH} levels (400 before anything else)."},
        "servers": [{"url": "/"}],
        "paths": _with_guard_answers({**PATHS, **registered_paths(current_app)}),
        "components": {
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie",
                                            "name": current_app.config["SESSION_COOKIE_NAME"]}},
            "schemas": {**SCHEMAS, "PlanCountry": _plan_country()},
            "responses": {"Error": {
                "description": "Refused; nothing was changed",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
        },
        "security": [{"session": []}],
    }
