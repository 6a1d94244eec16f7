"""The JSON API under /api/v1 (described by /api/v1/openapi.json).

Bad input always gets a 4xx with `{"error": code, "message": text, "status": n}` (a ServiceError,
answered by backend.errors) and changes nothing; access is checked by the same `safety_plans.access` as the HTML pages.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from backend import audit, db
from backend.access import public, roles
from backend.answers import json_object, reply
from backend.errors import ServiceError
from backend.extensions import current_flask_app
from safety_plans import commitments as commitment_rules
from safety_plans import crisis_lines, feed, hope, live, ops
from safety_plans import plans as plan_rules
from safety_plans.access import BACKGROUND, load_plan
from safety_plans.content import SECTIONS
from safety_plans.export import plan_dict
from safety_plans.openapi import openapi_document

api = Blueprint("plans_api", __name__, url_prefix="/api/v1")
PLAN_ROLES = ("client", "therapist")


def _lines_json(country: str, locale: str) -> list[dict]:
    return [
        {"id": line.id, "kind": line.kind, "number": line.number, "label": line.label, "hours": line.hours,
         "note": line.note, "tel": line.tel_href, "sms": line.sms_href, "source": line.source,
         "checked_on": line.checked_on}
        for line in crisis_lines.lines_for(country, locale)
    ]


@api.route("/openapi.json")
@public
def openapi():
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_document())


@api.route("/crisis-lines")
@public
def crisis_lines_list():
    """Crisis lines for one country, labelled in the reader's language (never behind a login)."""
    country = (request.args.get("country") or "").upper()
    if country not in crisis_lines.countries():
        raise ServiceError("unknown_country", _("We have no crisis lines for that country yet."), 404)
    locale = str(get_locale())
    return jsonify(country=country, name=crisis_lines.country_name(country, locale),
                   lines=_lines_json(country, locale))


@api.route("/sections")
@public
def sections():
    """The plan's sections with their hints and ideas, in the reader's language."""
    return jsonify(sections=[
        {"key": s.key, "title": str(s.title), "hint": str(s.hint), "people": s.people,
         "suggestions": [str(x) for x in s.suggestions]}
        for s in SECTIONS
    ])


@api.route("/plans")
@roles(*PLAN_ROLES)
def plans():
    """The plans this user may open: a client's own, a therapist's linked clients'."""
    session = db.session()
    if current_user.role == "client":
        plan = plan_rules.plan_of(session, current_user)
        found = [plan] if plan else []
        listed = [{"id": p.id, "client": current_user.name, "revision": p.revision} for p in found]
    else:
        listed = [{"id": p.id, "client": c.name, "revision": p.revision}
                  for c, p in plan_rules.plans_of_clients(session, current_user) if p]
    return jsonify(plans=listed)


@api.route("/plans/<int:plan_id>")
@roles(*PLAN_ROLES)
def plan(plan_id: int):
    """The whole plan, with the crisis lines for its country."""
    session = db.session()
    found = load_plan(session, current_user, plan_id, "open")
    body = {**plan_dict(session, found), "crisis_lines": _lines_json(found.country, str(get_locale()))}
    return reply(body)


@api.route("/plans/<int:plan_id>", methods=["PATCH"])
@roles("client")
def update_plan(plan_id: int):
    """The client changes the plan's country."""
    session = db.session()
    found = load_plan(session, current_user, plan_id, owner_only=True)
    body = json_object()
    if set(body) - {"country"} or not isinstance(body.get("country"), str):
        raise ServiceError("bad_fields", _("Only “country” can be changed here."), 400)
    plan_rules.set_country(session, found, current_user, body["country"].upper(), set(crisis_lines.countries()))
    return reply(id=found.id, country=found.country, revision=found.revision)


@api.route("/plans/<int:plan_id>/changes")
@roles(*PLAN_ROLES)
def changes(plan_id: int):
    """The catch-up feed: changes after `since` (a revision), oldest first."""
    session = db.session()
    found = load_plan(session, current_user, plan_id, BACKGROUND)
    since = request.args.get("since", "0")
    if not (since.isascii() and since.isdigit()):
        raise ServiceError("bad_since", _("“since” must be a revision number."), 400)
    changes = feed.changes_since(session, found, int(since))
    more = bool(changes) and changes[-1].revision < found.revision
    body = dict(revision=found.revision, changes=[feed.change_dict(c) for c in changes], more=more,
                order=feed.section_order(session, found),
                removed=[{"uuid": i.uuid, "text": i.text}
                         for i in hope.restorable_by(current_user, feed.removed_items(session, found))])
    return reply(body)


@api.route("/plans/<int:plan_id>/events")
@roles(*PLAN_ROLES)
def events(plan_id: int):
    """Server-sent events for an open editor: `hello` (the current revision and who is here),
    `change` ({plan, revision}) and `presence`; a comment every ~15 s; ends after a few minutes
    (EventSource reconnects). Beyond this process's cap: 503 with Retry-After (then poll).
    `?follow=1`: a page that only follows the plan (pwa/static/live.js): changes and `gone`, but
    the reader is never shown as present and hears nothing of who is."""
    session = db.session()
    found = load_plan(session, current_user, plan_id, BACKGROUND)
    app = current_flask_app()
    # Under the event-driven worker the reader's socket is watched, so a reader who goes frees its slot at once.
    connection = request.environ.get("gunicorn.socket") if live.cooperative() else None
    present = request.args.get("follow") != "1"
    return live.answer_stream(app, session,
                              lambda: live.open_stream(app, found, current_user, connection, present=present))


def _change_of(plan_id: int):
    """A write's parts: the database session, the plan (if the user may change it) and the JSON body."""
    session = db.session()
    return session, load_plan(session, current_user, plan_id, "change"), json_object()


@api.route("/plans/<int:plan_id>/changes", methods=["POST"])
@roles(*PLAN_ROLES)
def post_changes(plan_id: int):
    """Apply a batch of ops: `{"ops": [...]}` → per-op results and the new revision."""
    session, found, body = _change_of(plan_id)
    if "ops" not in body:
        raise ServiceError("bad_ops", _("“ops” must be a list of changes."), 400)
    results = ops.apply_ops(session, found, current_user, body["ops"])
    return reply(revision=found.revision, results=[r.to_dict() for r in results])


@api.route("/plans/<int:plan_id>/commitments")
@roles(*PLAN_ROLES)
def commitments(plan_id: int):
    """Every commitment, newest first."""
    session = db.session()
    found = load_plan(session, current_user, plan_id, "open")
    listed = [commitment_rules.commitment_dict(c) for c in commitment_rules.commitments_of(session, found)]
    return reply(commitments=listed)


@api.route("/plans/<int:plan_id>/commitments", methods=["POST"])
@roles(*PLAN_ROLES)
def add_commitment(plan_id: int):
    """Record a commitment: `{"text", "due"?, "made_on"?, "uuid"?}`."""
    session, found, body = _change_of(plan_id)
    made = commitment_rules.add_commitment(session, found, current_user, body.get("text"), due=body.get("due"),
                                   made_on=body.get("made_on"), op_uuid=body.get("uuid"))
    return reply(commitment_rules.commitment_dict(made), 201)


@api.route("/plans/<int:plan_id>/commitments/<int:commitment_id>", methods=["PATCH"])
@roles(*PLAN_ROLES)
def review_commitment(plan_id: int, commitment_id: int):
    """Say how it went: `{"status": "kept"|"partly"|"not_kept", "note"?, "uuid"?}`."""
    session, found, body = _change_of(plan_id)
    done = commitment_rules.review_commitment(session, found, current_user, commitment_id, body.get("status"),
                                      body.get("note", ""), op_uuid=body.get("uuid"))
    return reply(commitment_rules.commitment_dict(done))


@api.route("/plans/<int:plan_id>/access-log")
@roles("client")
def access_log(plan_id: int):
    """The client's own log of therapist access."""
    session = db.session()
    found = load_plan(session, current_user, plan_id, owner_only=True)
    return jsonify(events=[
        {"actor": e.actor.name, "actor_id": e.actor_id, "action": e.action,
         "object_type": e.object_type, "object_id": e.object_id, "at": e.at.isoformat(),
         "last_at": e.until.isoformat(), "count": e.count}
        for e in audit.events_for(session, found.owner_id)
    ])
