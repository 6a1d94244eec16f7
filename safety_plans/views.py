"""HTML pages of the plan: thin views that parse, call a service, then render or redirect."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from backend import audit, db, words
from backend.access import roles
from backend.answers import render_page
from backend.db import utcnow
from backend.errors import ServiceError
from backend.i18n import format_clock, format_day, format_moment, viewer_zone
from backend.offline import versioned_page
from safety_plans import commitments as commitment_rules
from safety_plans import crisis_cache, crisis_lines, editing, feed, hope, ops
from safety_plans import plans as plan_rules
from safety_plans.access import load_plan, load_plan_head
from safety_plans.content import BY_KEY, COMMITMENT_STATUSES, SECTIONS
from safety_plans.forms import default_due, op_from_form
from safety_plans.models import Plan, PlanItem

bp = Blueprint("safety_plans", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/safety_plans")

PLAN_ROLES = ("client", "therapist")


def _locale() -> str:
    return str(get_locale())


def _plan_context(plan, **extra) -> dict:
    session = db.session()
    locale = _locale()
    from grounding.services import exercises_for_client

    items = plan_rules.items_by_section(session, plan)
    return {
        "plan": plan,
        "owner": plan.owner,
        "is_owner": plan.owner_id == current_user.id,
        "sections": SECTIONS,
        "items": items,
        "hope_authors": hope.authors(session, items),
        "lines": crisis_lines.lines_for(plan.country, locale),
        "country_name": crisis_lines.country_name(plan.country, locale),
        "commitments": commitment_rules.commitments_of(session, plan),
        "statuses": COMMITMENT_STATUSES,
        "exercises": exercises_for_client(session, plan.owner_id, locale),
        "countries": [(c, crisis_lines.country_name(c, locale)) for c in crisis_lines.countries()],
        **extra,
    }


# -- the client's own plan ------------------------------------------------------------------------

@bp.route("/plans/mine")
@roles("client")
def my_plan():
    """A client's home: their plan (started on first visit, so they can begin alone)."""
    return _to_my_plan("safety_plans.view")


@bp.route("/plans/mine/edit")
@roles("client")
def my_plan_edit():
    """Straight to the client's editor."""
    return _to_my_plan("safety_plans.edit")


def _to_my_plan(endpoint: str):
    plan = plan_rules.get_or_create_plan(db.session(), current_user)
    db.session().commit()
    return redirect(url_for(endpoint, plan_id=plan.id))


@bp.route("/plans/<int:plan_id>")
@db.without_transaction  # opened more than any other page: two round trips fewer on PostgreSQL
@roles(*PLAN_ROLES)
def view(plan_id: int):
    """The crisis view: help now at the top, then the plan in the order it is used."""
    head = load_plan_head(db.session(), current_user, plan_id, "open")  # a therapist's read is logged here
    db.session().commit()
    parts = head.version_parts()
    # A client's own crisis view is their home: "/" leads here (safety_plans.offline.client_home).
    return versioned_page(lambda: _render_view(head, parts), *parts, home=head.owner_id == current_user.id)


def _render_view(head, parts: tuple) -> Response:
    """The crisis view with its body from the per-version cache (safety_plans/crisis_cache.py). The
    plan itself is loaded only when something is drawn afresh."""
    from safety_plans.hope_views import wins_for

    def shell() -> dict:
        plan = db.session().get_one(Plan, head.id)  # asked once: a second get is the session's copy
        return {"plan": plan, "owner": plan.owner, "is_owner": plan.owner_id == current_user.id}

    def body() -> dict:
        plan = shell()["plan"]
        return {**_plan_context(plan), "wins": wins_for(plan)}

    key = crisis_cache.body_key(head, current_user, _locale(), parts)
    return crisis_cache.render_page("safety_plans/view.html", key, body, shell, locale=_locale())


def _plan_parts(plan) -> tuple:
    return plan_rules.version_parts(db.session(), plan)


@bp.route("/plans/<int:plan_id>/edit")
@roles(*PLAN_ROLES)
def edit(plan_id: int):
    """The editor: every section with its hint, items, ideas to pick from, and undo."""
    plan = load_plan(db.session(), current_user, plan_id, "open")
    db.session().commit()
    return versioned_page(lambda: _render_editor(plan), *_plan_parts(plan))


def _render_editor(plan, status: int = 200, failed: dict | None = None):
    # A refused form from a page that embeds the editor comes back here with its words; the next
    # save from here still returns to that page.
    context = _plan_context(plan, editor_back=editing.embedding_page(plan) if failed else None)
    context.update(editing.editor_context(plan, failed))
    return render_page("safety_plans/edit.html", status, **context)


def _op_of(session, plan, form) -> tuple[PlanItem | None, dict]:
    """The item an editor form is about, and the op it asks for (a move needs the item's place)."""
    item = session.query(PlanItem).filter_by(plan_id=plan.id, uuid=form.get("item", "")).one_or_none()
    index = None
    if item is not None and form.get("action") in ("up", "down"):
        live = plan_rules.items_by_section(session, plan).get(item.section, [])
        index = next((n for n, i in enumerate(live) if i.id == item.id), 0)
    return item, op_from_form(form, index)


@bp.route("/plans/<int:plan_id>/changes", methods=["POST"])
@roles(*PLAN_ROLES)
def change(plan_id: int):
    """Every editor form posts here; it builds an op and calls the same service as the API."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, "change")
    item, op = _op_of(session, plan, form := request.form)
    if op["type"] == "edit" and not op.get("fields"):
        session.commit()
        flash(_("Nothing was changed."), "info")
        return editing.back_to_editor(plan, item)
    try:
        [result] = ops.apply_ops(session, plan, current_user, [op])
    except ServiceError as exc:
        session.rollback()
        plan = load_plan(session, current_user, plan_id, "change")
        failed = {"item": form.get("item"), "section": form.get("section"), "message": exc.message,
                  "values": form}
        return _render_editor(plan, 400, failed)
    session.commit()
    if result.status == "conflict":
        # A stale form: the page the person saved from was older than someone else's change. Show
        # both texts on the item, with a button to bring the other person's text back.
        flash(_("Saved. Your change replaced what %(name)s wrote; it is kept in the history.",
                name=", ".join(c["author_name"] for c in result.conflicts)), "info")
        return editing.back(plan, f"item-{result.item}", conflict=result.op)
    if result.restored:
        flash(_("Saved. Someone had removed this item meanwhile; your change brought it back."), "info")
    elif result.status == "kept":
        flash(_("Someone changed this item after you opened the page, so it was kept. Have a look and try again."),
              "info")
    elif op["type"] == "delete":
        return editing.back(plan, "undo", deleted=op["item"])
    elif op["type"] == "restore":
        flash(_("Restored."), "success")
    elif op["type"] in ("add", "edit"):
        flash(_("Saved."), "success")
    return editing.back_to_editor(plan, item, op.get("section"))


@bp.route("/plans/<int:plan_id>/country", methods=["POST"])
@roles("client")
def country(plan_id: int):
    """The client chooses which country's crisis lines their plan shows."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, owner_only=True)
    try:
        plan_rules.set_country(session, plan, current_user, request.form.get("country", ""),
                             set(crisis_lines.countries()))
    except ServiceError as exc:
        session.rollback()
        plan = load_plan(session, current_user, plan_id, owner_only=True)
        return _render_editor(plan, 400, {"message": exc.message, "values": request.form})
    session.commit()
    flash(_("Your plan now shows the crisis lines for %(country)s.",
            country=crisis_lines.country_name(plan.country, _locale())), "success")
    return redirect(url_for("safety_plans.view", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/history")
@roles(*PLAN_ROLES)
def history(plan_id: int):
    """Every change, newest first, with who made it, when, before and after; `?section=` filters;
    any earlier text has a Restore button."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, "open")
    section = request.args.get("section") or None
    if section not in BY_KEY:
        section = None
    changes = [c for c in feed.history(session, plan) if section is None or feed.section_of(c) == section]
    current = {i.uuid: i for group in plan_rules.items_by_section(session, plan, include_deleted=True).values()
               for i in group}
    session.commit()
    return render_template("safety_plans/history.html", plan=plan, changes=changes, sections=BY_KEY,
                           section_list=SECTIONS, section=section, current=current, format_datetime=_when,
                           statuses=COMMITMENT_STATUSES, new_uuid=ops.new_uuid)


def _when(moment, width: str = "medium") -> str:
    """A time in the reader's language and time zone ("i dag kl. 14:05")."""
    return format_moment(moment)


@bp.route("/plans/<int:plan_id>/history/restore", methods=["POST"])
@roles(*PLAN_ROLES)
def restore(plan_id: int):
    """Bring an earlier text back (an edit of its own, so it is in the history too)."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, "change")
    try:
        feed.restore_text(session, plan, current_user, request.form.get("item", ""),
                              request.form.get("text", ""), request.form.get("op") or None)
    except ServiceError as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("safety_plans.history", plan_id=plan_id))
    session.commit()
    flash(_("The earlier text is back in the plan."), "success")
    back = request.form.get("next")
    if back == "edit":
        return redirect(url_for("safety_plans.edit", plan_id=plan.id))
    return redirect(url_for("safety_plans.history", plan_id=plan.id, section=request.form.get("section") or None))


@bp.route("/plans/<int:plan_id>/access-log")
@roles("client")
def access_log(plan_id: int):
    """The client's own page: who opened, printed, exported or changed their plan, and when."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, owner_only=True)
    lines = [access_line(group) for group in audit.groups_for(session, plan.owner_id, _zone())]
    return render_template("safety_plans/access_log.html", plan=plan, lines=lines)


def _access_what(action: str, object_type: str, name: str, times: int) -> str:
    """"Dr Berg opened your plan 3 times" in the reader's language (plural forms per language). Each
    feature words what its pages hold (`<package>/words/access.json`, registered with
    `audit.describe_with`); the plan's own words cover printing, downloads and anything else."""
    for key in (f"{action} {object_type}", action, "open"):
        for package in audit.described_by(current_app):
            phrase = words.counted(package, "access", key, times, name=name)
            if phrase is not None:
                return phrase
    raise LookupError(f"no access-log words for {action} {object_type}")


def access_line(group: audit.AccessGroup) -> dict:
    """One calm line of the access log: who, what, how often, and when in the reader's time."""
    what = _access_what(group.action, group.object_type, group.actor, group.times)
    day = format_day(group.first)
    start, end = format_clock(group.first), format_clock(group.last)
    when = (_("%(day)s at %(time)s", day=day, time=start) if start == end
            else _("%(day)s, %(start)s–%(end)s", day=day, start=start, end=end))
    return {"what": what, "when": when, "at": group.last.isoformat()}


def _zone():
    """The reader's time zone (backend.i18n decides it for every page)."""
    return viewer_zone()


# -- commitments ----------------------------------------------------------------------------------

@bp.route("/plans/<int:plan_id>/commitments", methods=["GET", "POST"])
@roles(*PLAN_ROLES)
def commitments(plan_id: int):
    """Commitments made in session: make a new one, see how the earlier ones went."""
    session = db.session()
    action = "change" if request.method == "POST" else "open"
    plan = load_plan(session, current_user, plan_id, action)
    status, error = 200, None
    if request.method == "POST":
        try:
            commitment_rules.add_commitment(session, plan, current_user, request.form.get("text", ""),
                                    due=request.form.get("due") or None, op_uuid=request.form.get("op") or None)
        except ServiceError as exc:
            session.rollback()
            plan = load_plan(session, current_user, plan_id, "change")
            status, error = 400, exc.message
        else:
            session.commit()
            flash(_("Commitment saved."), "success")
            return redirect(url_for("safety_plans.commitments", plan_id=plan.id))
    today = utcnow().date()
    context = dict(plan=plan, commitments=commitment_rules.commitments_of(session, plan),
                       statuses=COMMITMENT_STATUSES,
                   error=error, values=request.form, default_due=default_due(today).isoformat(),
                   op_uuid=ops.new_uuid(), is_owner=plan.owner_id == current_user.id)
    session.commit()
    if request.method == "GET":
        return versioned_page(lambda: render_template("safety_plans/commitments.html", **context),
                              *_plan_parts(plan), today)
    return render_template("safety_plans/commitments.html", **context), status


@bp.route("/plans/<int:plan_id>/commitments/<int:commitment_id>", methods=["POST"])
@roles(*PLAN_ROLES)
def review_commitment(plan_id: int, commitment_id: int):
    """Mark a commitment kept, partly kept or not kept, with a note."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, "change")
    try:
        commitment_rules.review_commitment(session, plan, current_user, commitment_id,
                                           request.form.get("status"), request.form.get("note", ""),
                                           op_uuid=request.form.get("op") or None)
    except ServiceError as exc:
        session.rollback()
        plan = load_plan(session, current_user, plan_id, "change")
        context = dict(plan=plan, commitments=commitment_rules.commitments_of(session, plan),
                       statuses=COMMITMENT_STATUSES,
                       error=exc.message, values={}, default_due="", op_uuid=ops.new_uuid(),
                       is_owner=plan.owner_id == current_user.id)
        session.commit()
        return render_template("safety_plans/commitments.html", **context), 400 if exc.status != 404 else 404
    session.commit()
    flash(_("Thank you. That is noted."), "success")
    return redirect(url_for("safety_plans.commitments", plan_id=plan.id))
