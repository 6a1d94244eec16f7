"""HTML pages of issue 12's "hope" work: Our agreement and Small wins. Thin: parse, call the
services (`agreement`, `wins`), render or redirect. A therapist's every read and write is in the
client's access log (objects `agreement` and `wins`)."""
from __future__ import annotations

from datetime import date

from babel.dates import format_date, format_datetime
from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from backend import audit, db
from backend.access import roles
from backend.answers import render_page
from backend.errors import ServiceError
from safety_plans import agreement as agreement_rules
from safety_plans import ops
from safety_plans import wins as win_rules
from safety_plans.access import load_plan
from safety_plans.views import PLAN_ROLES, _zone

bp = Blueprint("hope", __name__, template_folder="templates")


def _locale() -> str:
    return str(get_locale())


def _load(plan_id: int, what: str):
    """The plan if the user may reach it; a therapist's access is logged on `what` (a change when posting)."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, None)
    if current_user.role == "therapist":
        audit.record(session, current_user, plan.owner_id, "change" if request.method == "POST" else "open",
                     what, plan.id)
    return plan


def _refused(plan_id: int, what: str):
    """After a refused save nothing of it is kept; the page is drawn again around what was typed."""
    db.session().rollback()
    return _load(plan_id, what)


def _done(endpoint: str, plan, message: str, category: str = "success"):
    db.session().commit()
    flash(message, category)
    return redirect(url_for(endpoint, plan_id=plan.id))


def present_wins(found: list[win_rules.SmallWin]) -> list[dict]:
    """Small wins as the `_wins.html` macro shows them: words and a day in the reader's zone."""
    zone, locale = _zone(), _locale()
    shown = []
    for win in found:
        if win.kind == "commitment":
            what = (_("I kept my commitment: %(text)s", text=win.text) if win.status == "kept"
                    else _("I partly kept my commitment: %(text)s", text=win.text))
        elif win.kind == "grounding":
            what = _("%(exercise)s: my distress went from %(before)d to %(after)d", exercise=win.text,
                     before=win.before, after=win.after)
        else:
            what = win.text
        shown.append({"kind": win.kind, "text": what, "by": win.by, "iso": win.at.isoformat(),
                      "when": format_date(win.at.astimezone(zone).date() if win.kind != "note" else win.at.date(),
                                          "long", locale=locale)})
    return shown


def wins_for(plan, limit: int = 5) -> list[dict]:
    """The newest small wins of a plan, ready for `_wins.html` (for the viewer signed in now)."""
    return present_wins(win_rules.small_wins(db.session(), plan, limit, viewer=current_user, locale=_locale()))


# -- small wins -----------------------------------------------------------------------------------

@bp.route("/plans/<int:plan_id>/wins", methods=["GET", "POST"])
@roles(*PLAN_ROLES)
def wins(plan_id: int):
    """All small wins, and a form to note something the client managed."""
    plan = _load(plan_id, "wins")
    error, field, status = None, None, 200
    if request.method == "POST":
        try:
            day = date.fromisoformat(request.form["happened_on"]) if request.form.get("happened_on") else None
        except ValueError:
            day = date.min
        try:
            win_rules.add_win(db.session(), plan, current_user, request.form.get("text", ""), day,
                              op_uuid=request.form.get("op") or None)
        except ServiceError as exc:
            plan, (error, field, status) = _refused(plan_id, "wins"), (exc.message, exc.field, 400)
        else:
            return _done("hope.wins", plan, _("Noted. Well done."))
    context = dict(plan=plan, is_owner=plan.owner_id == current_user.id, wins=wins_for(plan, 200),
                   error=error, field=field, values=request.form, op_uuid=ops.new_uuid())
    return render_page("safety_plans/wins.html", status, **context)


# -- our agreement --------------------------------------------------------------------------------

@bp.route("/plans/<int:plan_id>/agreement", methods=["GET", "POST"])
@roles(*PLAN_ROLES)
def agreement(plan_id: int):
    """The agreement both edit, with every saved version below it."""
    session = db.session()
    plan = _load(plan_id, "agreement")
    error, field, status, values = None, None, 200, None
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in agreement_rules.FIELDS}
        try:
            base = int(request.form.get("base_version", ""))
        except ValueError:
            base = -1
        try:
            saved = agreement_rules.save(session, plan, current_user, values, base)
        except ServiceError as exc:
            plan = _refused(plan_id, "agreement")
            error, field, status = exc.message, exc.field, (409 if exc.code == "stale" else 400)
        else:
            return _done("hope.agreement", plan, _("Saved.") if saved.changed else _("Nothing was changed."),
                         "success" if saved.changed else "info")
    latest = agreement_rules.current(session, plan)
    history = agreement_rules.versions(session, plan)
    zone, locale = _zone(), _locale()
    context = dict(
        plan=plan, is_owner=plan.owner_id == current_user.id, error=error, field=field,
        values=values or agreement_rules.values_of(latest), saved=agreement_rules.values_of(latest),
        base_version=latest.version if latest else 0, stale=status == 409,
        saved_by=latest.author.name if latest and latest.author else _("someone"),
        history=[{"v": v, "when": format_datetime(v.at, "medium", tzinfo=zone, locale=locale)} for v in history],
    )
    return render_page("safety_plans/agreement.html", status, **context)
