"""Session pages: the list with "start a session", the one page both open in session (check-in,
plan review, check-out, feedback), and the printable summary. Plain forms post and redirect; the
page's script sends the same saves as JSON through the outbox and keeps the page live."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from backend import audit, db
from backend.access import roles
from backend.answers import render_page
from backend.errors import ServiceError
from backend.i18n import format_day, format_moment
from safety_plans import agreement, hope
from safety_plans import plans as plan_rules
from safety_plans.content import COMMITMENT_STATUSES, SECTIONS
from safety_plans.editing import editor_context
from safety_plans.hope_views import wins_for
from safety_plans.ops import new_uuid
from sessions import access, services
from sessions import help as checkin_help
from sessions.api import local_today

bp = Blueprint("sessions", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/sessions")
ROLES = ("client", "therapist")
STEPS = ("checkin", "review", "checkout", "feedback", "finish", "reopen")
NEXT_REVIEW = timedelta(days=91)  # about three months, a common interval for revisiting a plan


def _zone():
    try:
        return ZoneInfo(getattr(current_user, "time_zone", None) or "Europe/Oslo")
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Oslo")


def when(moment, width: str = "medium") -> str:
    """A time in the reader's language and time zone ("i dag kl. 14:05"; see backend/i18n.py)."""
    return format_moment(moment) if moment else ""


def day(value, width: str = "long") -> str:
    """A date in the reader's language ("24. nov.", "i morgen")."""
    return format_day(value) if value else ""


@bp.route("/sessions/mine")
@roles("client")
def mine():
    """A client's sessions (their plan is started on first visit, as for the plan itself)."""
    plan = plan_rules.get_or_create_plan(db.session(), current_user)
    db.session().commit()
    return redirect(url_for("sessions.index", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/sessions", methods=["GET", "POST"])
@roles(*ROLES)
def index(plan_id: int):
    """A plan's sessions and a button to start one (with an optional time, to plan it ahead)."""
    session = db.session()
    plan = access.plan_of(session, current_user, plan_id, "change" if request.method == "POST" else "open")
    error, status = None, 200
    if request.method == "POST":
        raw = request.form.get("scheduled_at", "").strip()
        try:
            scheduled = datetime.fromisoformat(raw).replace(tzinfo=_zone()) if raw else None
        except ValueError:
            error, status = _("Please give the date and time like 2026-12-01 14:00."), 400
        else:
            found = services.create_session(session, plan, current_user, scheduled)
            session.commit()
            return redirect(url_for("sessions.page", plan_id=plan.id, session_id=found.id))
    listed = services.sessions_of(session, plan)
    session.commit()
    return render_template("sessions/list.html", plan=plan, sessions=listed, when=when, error=error,
                           is_owner=plan.owner_id == current_user.id, values=request.form), status


def _body_from_form(form, step: str, open_ids: list[int]) -> dict:
    """The same save the page's script sends as JSON, from a plain form."""
    body: dict = {"uuid": form.get("op") or new_uuid()}
    try:
        body["base_version"] = int(form.get("base_version", ""))
    except ValueError:
        body["base_version"] = 0
    if step == "checkin":
        body["fields"] = {n: form.get(n, "") for n in services.CHECK_IN if n in form or n != "unsafe"}
        body["commitments"] = [{"id": cid, "status": form.get(f"c-{cid}-status", ""),
                                "note": form.get(f"c-{cid}-note", "")} for cid in open_ids]
    elif step == "review":
        body["review"] = {"next_review": form.get("next_review") or None}
    elif step == "checkout":
        body["fields"] = {"takeaway": form.get("takeaway", "")}
        body["new_commitments"] = [{"text": form.get("new_text", ""), "due": form.get("new_due") or None}]
    elif step == "feedback":
        body["fields"] = {n: form.get(n, "") for n in services.FEEDBACK}
    elif step in ("finish", "reopen"):
        body["state"] = "done" if step == "finish" else "open"
    return body


def _history_lines(changes) -> list[dict]:
    """Each save: when, who, and which steps it changed (in the reader's words)."""
    steps = ((services.CHECK_IN + ("commitments_reviewed",), _("Check-in")), (("reviewed_plan",), _("The plan")),
             (services.CHECK_OUT + ("commitments_made",), _("Check-out")), (services.FEEDBACK, _("Feedback")))
    lines = []
    for change in changes:
        after = change.after or {}
        what = ", ".join(label for keys, label in steps if any(k in after for k in keys))
        if not what:
            what = {"done": _("Finished"), "open": _("Started") if change.version == 1 else _("Opened again")}.get(
                str(after.get("state")), "")
        lines.append({"at": change.at, "who": change.author.name if change.author else None, "what": what})
    return lines


def _render(plan, found, status: int = 200, failed: dict | None = None):
    session = db.session()
    today = local_today(current_user)
    items = plan_rules.items_by_section(session, plan)
    context = dict(
        plan=plan, s=found, is_owner=plan.owner_id == current_user.id, when=when, day=day,
        open_commitments=services.open_commitments(session, plan, found),
        made=services.made_in(session, plan, found),
        history=_history_lines(services.history_of(session, found)[:20]),
        statuses=COMMITMENT_STATUSES, op_uuid=new_uuid(), failed=failed or {},
        sections=SECTIONS, items=items, hope_authors=hope.authors(session, items), editor=editor_context(plan),
        wins=wins_for(plan), focus=agreement.focus_for(session, plan),
        default_next=(today + NEXT_REVIEW).isoformat(), default_due=(today + timedelta(days=7)).isoformat(),
        # the client's own help block (sessions/help.py): in their page, hidden until an answer asks
        help_block=checkin_help.block(plan, items) if plan.owner_id == current_user.id else None,
        help_shown=checkin_help.offers_help(found.mood, found.unsafe), help_mood=checkin_help.MOOD_AT_MOST,
    )
    return render_page("sessions/session.html", status, **context)


@bp.route("/plans/<int:plan_id>/sessions/<int:session_id>", methods=["GET", "POST"])
@roles(*ROLES)
def page(plan_id: int, session_id: int):
    """The session page both people have open. A POST saves one step and comes back to it."""
    session = db.session()
    action = "change" if request.method == "POST" else "open"
    # The page's own script reloads it in the background (?live=1): that keeps the therapist's
    # half-hour line in the access log open without counting as another open.
    background = request.method == "GET" and request.args.get("live") == "1"
    plan, found = access.load(session, current_user, plan_id, session_id, action=action, counts=not background)
    if request.method == "GET":
        if current_user.role == "therapist":  # the plan review shows the whole plan: a read of it too
            audit.record(session, current_user, plan.owner_id, "open", "plan", plan.id, counts=not background)
        return _render(plan, found)
    step = request.form.get("step", "")
    if step not in STEPS:
        abort(400)
    open_ids = [c.id for c in services.open_commitments(session, plan, found)]
    try:
        services.save(session, plan, found, current_user, _body_from_form(request.form, step, open_ids),
                      local_today(current_user))
    except ServiceError as exc:
        session.rollback()
        plan, found = access.load(session, current_user, plan_id, session_id, action="change")
        failed = {"step": step, "message": exc.message, "field": exc.field, "values": request.form}
        return _render(plan, found, 409 if exc.status == 409 else (403 if exc.status == 403 else 400), failed)
    session.commit()
    if step == "finish":
        return redirect(url_for("sessions.summary", plan_id=plan.id, session_id=found.id))
    flash({"review": _("Noted: you reviewed the plan together today."),
           "reopen": _("The session is open again.")}.get(step, _("Saved.")), "success")
    return redirect(url_for("sessions.page", plan_id=plan.id, session_id=found.id) + f"#{_landing(plan, found, step)}")


def _landing(plan, found, step: str) -> str:
    """Where the page opens after a plain save: its step, or the help block when a client's own
    check-in asked for it (the same rule as the page's script: sessions/help.py)."""
    if step == "checkin" and plan.owner_id == current_user.id and checkin_help.offers_help(found.mood, found.unsafe):
        return "checkin-help"
    return step


@bp.route("/plans/<int:plan_id>/sessions/<int:session_id>/summary")
@roles(*ROLES)
def summary(plan_id: int, session_id: int):
    """What both see afterwards and can print: check-in, commitments, what I take with me."""
    session = db.session()
    plan, found = access.load(session, current_user, plan_id, session_id)
    context = dict(plan=plan, s=found, is_owner=plan.owner_id == current_user.id, when=when, day=day,
                   reviewed=services.made_in(session, plan, found, "reviewed"),
                   made=services.made_in(session, plan, found), statuses=COMMITMENT_STATUSES)
    return render_page("sessions/summary.html", **context)
