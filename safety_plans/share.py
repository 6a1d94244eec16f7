"""A plan to share: the print view, the JSON export and the PDF. What print and PDF carry (date, names,
clinic phone, commitments, chosen grounding exercises, "reviewed together on"), the PDF itself, and the
therapist's clinic details that go on it. Therapists' prints and PDFs are in the client's access log (load_plan)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date
from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from backend import db, security_log
from backend.access import roles
from backend.accounts import care
from backend.answers import render_page
from backend.i18n import viewer_zone
from safety_plans import commitments as commitment_rules
from safety_plans import crisis_lines, extras, hope
from safety_plans import plans as plan_rules
from safety_plans.access import load_plan
from safety_plans.content import SECTIONS
from safety_plans.export import export_plan
from safety_plans.pdf import Part, build_pdf
from safety_plans.views import PLAN_ROLES, _plan_context
from safety_plans.views import bp as plan_bp

bp = Blueprint("share", __name__, template_folder="templates")

MAX_CLINIC_NAME, MAX_CLINIC_PHONE, MAX_DISPLAY_NAME = 120, 40, 80


def _locale() -> str:
    return str(get_locale())


@dataclass(frozen=True)
class OpenCommitment:
    """A commitment still open, as paper shows it: its words and the day it is due, written out."""

    text: str
    due: date | None
    due_words: str


def long_day(day: date) -> str:
    """A day written out in the reader's language: "14. desember 2026", "14 december 2026"."""
    return format_date(day, "long", locale=_locale())


def reviewed_on(plan):
    """When client and therapist last went through the plan together. The review itself comes
    with a later change (a `reviewed_on` date on the plan); until then there is nothing to show."""
    return getattr(plan, "reviewed_on", None)


def sharing_context(plan) -> dict:
    """Everything the print view and the PDF show beyond the plan's own items."""
    session = db.session()
    therapists = care.therapists_of(session, plan.owner_id)
    reviewed = reviewed_on(plan)
    return {
        "today": long_day(datetime.now(viewer_zone()).date()),  # the reader's day, not the server's
        "therapists": therapists,
        "reviewed_on": long_day(reviewed) if reviewed else None,
        "open_commitments": [OpenCommitment(c.text, c.due, long_day(c.due) if c.due else "")
                             for c in commitment_rules.commitments_of(session, plan) if c.status == "open"],
    }


def _pdf_parts(plan, context: dict) -> list[Part]:
    """The plan's parts under the print page's headings: "1. My warning signs" … (numbered as on the
    print page, so "part 4" is the same part on both), My hope with its prompts, My commitments.
    Empty parts are there too; the PDF leaves them out."""
    session = db.session()
    items = plan_rules.items_by_section(session, plan)
    authors = hope.authors(session, items)
    parts: list[Part] = []
    number = 0
    for section in SECTIONS:
        entries: list = [f"{i.text} — {i.phone}" if i.phone else i.text for i in items[section.key]]
        if section.therapist_only:
            entries = [f"“{i.text}” — {authors[i.uuid]}" if authors.get(i.uuid) else i.text
                       for i in items[section.key]]
        if section.key == "grounding":
            entries += [e["title"] for e in context["exercises"]]
        # Photos, recordings and messages others added (safety_plans.extras), for this reader.
        entries += extras.pdf_entries(session, current_user, plan, section.key)
        if section.group:
            if not any(part.level == 2 for part in parts):
                parts.append(Part(_("My hope"), 1, []))
            parts.append(Part(str(section.title), 2, entries))
        else:
            number += 1
            parts.append(Part(f"{number}. {section.title}", 1, entries))
    parts.append(Part(_("My commitments"), 1, [
        c.text + (f" ({_('by %(date)s', date=c.due_words)})" if c.due else "") for c in context["open_commitments"]]))
    return parts


def _pdf_document(plan, context: dict) -> dict:
    """The PDF's text, in the reader's language (safety_plans.pdf.build_pdf draws it)."""
    locale = _locale()
    emergency = crisis_lines.emergency_line(plan.country, locale)
    meta = [_("Made on %(date)s with Trygg.", date=context["today"]), _("Client: %(name)s", name=plan.owner.name)]
    for therapist in context["therapists"]:
        clinic = ", ".join(p for p in (therapist.clinic_name, therapist.clinic_phone) if p)
        meta.append(_("Therapist: %(name)s", name=therapist.name) + (f" ({clinic})" if clinic else ""))
    if context["reviewed_on"]:
        meta.append(_("Reviewed together on %(date)s", date=context["reviewed_on"]))
    number = emergency.number if emergency else ""
    return {
        "title": _("My safety plan") if plan.owner_id == current_user.id
        else _("Safety plan of %(name)s", name=plan.owner.name),
        "lang": locale,
        "meta": meta,
        "emergency": _("In danger now? Call %(number)s.", number=number),
        "lines": [crisis_lines.line_text(line) for line in crisis_lines.helplines(plan.country, locale)],
        "parts": _pdf_parts(plan, context),
        "note": _("Nobody watches Trygg. In an emergency, call %(number)s.", number=number),
    }


@plan_bp.route("/plans/<int:plan_id>/print")
@roles(*PLAN_ROLES)
def print_view(plan_id: int):
    """The plan on one page and a wallet-size card to cut out."""
    plan = load_plan(db.session(), current_user, plan_id, "print")
    # What other packages print in a section (photos, recordings, messages), already limited to
    # what this person may see: drawn through safety_plans.extras, never imported here.
    print_extras = {section.key: extras.render(plan, section.key, "print") for section in SECTIONS}
    # Photos can take the plan past one page; a count of private items cannot.
    photos = any("<img" in str(extra) for extra in print_extras.values())
    context = _plan_context(plan, **sharing_context(plan), print_extras=print_extras, photos_on_paper=photos)
    return render_page("safety_plans/print.html", **context)


@plan_bp.route("/plans/<int:plan_id>/export.json")
@roles(*PLAN_ROLES)
def export(plan_id: int):
    """The whole plan and its history as JSON (format: safety_plans/EXPORT.md)."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, "export")
    body = export_plan(session, plan)
    security_log.record(session, "export", plan.owner_id, current_user.id, detail=f"plan {plan.id}")
    session.commit()
    response = Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="trygg-plan-{plan.id}.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/plans/<int:plan_id>/plan.pdf")
@roles("client", "therapist")
def plan_pdf(plan_id: int):
    """The plan as a dated PDF (a therapist's download is logged as an export)."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, "export")
    from grounding.services import exercises_for_client

    context = {**sharing_context(plan), "exercises": exercises_for_client(session, plan.owner_id, _locale())}
    body = build_pdf(_pdf_document(plan, context))
    session.commit()
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="trygg-plan-{plan.id}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/clients/clinic", methods=["GET", "POST"])
@roles("therapist")
def clinic():
    """A therapist's name as clients see it, and clinic name and phone, printed on the plans they share."""
    errors = {}
    values = {"display_name": current_user.display_name, "clinic_name": current_user.clinic_name,
              "clinic_phone": current_user.clinic_phone}
    if request.method == "POST":
        # A form without the name field (an older page) keeps the name as it is.
        values = {k: request.form.get(k, values[k] if k == "display_name" else "").strip() for k in values}
        if "display_name" in request.form and not values["display_name"] \
                or len(values["display_name"]) > MAX_DISPLAY_NAME:
            errors["display_name"] = ngettext(
                "Please give the name your clients know you by (up to %(num)s character).",
                "Please give the name your clients know you by (up to %(num)s characters).", MAX_DISPLAY_NAME)
        if len(values["clinic_name"]) > MAX_CLINIC_NAME:
            errors["clinic_name"] = ngettext("Please keep it under %(num)s character.",
                                             "Please keep it under %(num)s characters.", MAX_CLINIC_NAME)
        phone = values["clinic_phone"]
        if len(phone) > MAX_CLINIC_PHONE or (phone and not all(c.isdigit() or c in "+ -()" for c in phone)):
            errors["clinic_phone"] = _("Use digits, spaces and + only, like +47 22 33 44 55.")
        if not errors:
            user = db.session().merge(current_user)
            user.clinic_name, user.clinic_phone = values["clinic_name"], phone
            user.display_name = values["display_name"]
            db.session().commit()
            flash(_("Saved. Your clinic is now printed on the plans you share."), "success")
            return redirect(url_for("share.clinic"))
    return render_template("safety_plans/clinic.html", values=values, errors=errors), 400 if errors else 200


def init_app(app: Flask) -> None:
    """Register the sharing routes."""
    app.register_blueprint(bp)
