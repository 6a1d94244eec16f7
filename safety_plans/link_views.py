"""Pages of the care link: a therapist's clients and invites (code, link, QR code), and a client
linking with a therapist and ending their access. Routes of the plan's blueprint."""
from __future__ import annotations

import segno
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from backend import db
from backend.access import roles
from backend.accounts import care, limits
from backend.errors import ServiceError
from safety_plans import invites
from safety_plans import plans as plan_rules
from safety_plans.models import Invite
from safety_plans.views import _when
from safety_plans.views import bp as plan_bp

# -- therapists: clients and invites --------------------------------------------------------------

@plan_bp.route("/clients")
@roles("therapist")
def clients():
    """A therapist's clients, and invites still waiting to be used. A package that builds a fuller
    workspace (sessions) registers it as `trygg.workspace` and draws this page instead."""
    workspace = current_app.extensions.get("trygg.workspace")
    if workspace is not None:
        return workspace()
    session = db.session()
    from backend.accounts.data_rights import notices_for

    return render_template("safety_plans/clients.html",
                           closed=notices_for(session, current_user.id), when=_when,
                           clients=plan_rules.plans_of_clients(session, current_user),
                           invites=invites.open_invites(session, current_user),
                           format_code=invites.format_code)


@plan_bp.route("/clients/invites", methods=["POST"])
@roles("therapist")
def create_invite():
    """Make a new invite (with the therapist's own label) and show its code, link and QR code."""
    try:
        invite = invites.create_invite(db.session(), current_user, label=request.form.get("label", ""))
    except ServiceError as exc:
        db.session().rollback()
        flash(exc.message, "error")
        return redirect(url_for("safety_plans.clients") + "#h-invite")
    db.session().commit()
    return redirect(url_for("safety_plans.invite", invite_id=invite.id))


@plan_bp.route("/clients/invites/<int:invite_id>/revoke", methods=["POST"])
@roles("therapist")
def revoke_invite(invite_id: int):
    """Take back an invite that was not used: its code stops working."""
    if invites.revoke_invite(db.session(), current_user, invite_id):
        db.session().commit()
        flash(_("The invite is taken back. Its code no longer works."), "success")
    return redirect(url_for("safety_plans.clients") + "#h-invite")


@plan_bp.route("/clients/invites/<int:invite_id>")
@roles("therapist")
def invite(invite_id: int):
    """One invite: the short code, the link and a QR code (drawn here, no outside service)."""
    found = db.session().get(Invite, invite_id)
    if found is None or found.therapist_id != current_user.id:
        return render_template("error.html", code=404, name="Not Found"), 404
    link = current_app.config["TRYGG_BASE_URL"] + url_for("safety_plans.accept", code=found.code)
    qr = segno.make(link, error="m").svg_data_uri(scale=6, border=2, dark="#000", light="#fff")
    return render_template("safety_plans/invite.html", invite=found, link=link, qr=qr,
                           code=invites.format_code(found.code), problem=invites.invite_problem(found))


# -- clients: linking and ending access -----------------------------------------------------------

@plan_bp.route("/care")
@roles("client")
def care_page():
    """The client's therapists, with a button to end each one's access, and a code box."""
    session = db.session()
    return render_template("safety_plans/care.html",
                           therapists=care.therapists_of(session, current_user.id),
                           plan=plan_rules.plan_of(session, current_user))


@plan_bp.route("/care/link", methods=["POST"])
@roles("client")
def enter_code():
    """A client types the code the therapist gave them."""
    code = invites.normalise_code(request.form.get("code", ""))
    if not code:
        flash(_("Please type the code from your therapist."), "error")
        return redirect(url_for("safety_plans.care_page"))
    return redirect(url_for("safety_plans.accept", code=code))


@plan_bp.route("/care/link/<code>", methods=["GET", "POST"])
@roles("client")
def accept(code: str):
    """Accept an invite: the therapist can then see and help with the plan. Every look-up is a try
    at guessing a code (limited per person and address); a right code does not count."""
    session = db.session()
    attempt = invites.try_code(session, current_user, request.remote_addr or "", current_app.config)
    if not attempt.allowed:
        return render_template("safety_plans/accept.html", invite=None, problem=invites.too_many_tries(attempt),
                               code=invites.normalise_code(code)), 429
    found = invites.find_invite(session, code)
    problem = invites.invite_problem(found)
    if not problem:
        limits.withdraw(session, attempt)
        session.commit()
    if request.method == "POST" and not problem:
        try:
            accepted = invites.accept_invite(session, code, current_user)
        except ServiceError as exc:
            session.rollback()
            problem = exc.message
        else:
            session.commit()
            flash(_("%(name)s can now see and help with your plan. You can end this at any time.",
                    name=accepted.therapist.name), "success")
            return redirect(url_for("safety_plans.care_page"))
    status = 200 if not problem else (404 if found is None else 410)
    return render_template("safety_plans/accept.html", invite=found, problem=problem,
                           code=invites.normalise_code(code)), status


@plan_bp.route("/care/<int:therapist_id>/end", methods=["POST"])
@roles("client")
def end_access(therapist_id: int):
    """The client ends a therapist's access at once."""
    session = db.session()
    if invites.end_access(session, current_user, therapist_id):
        session.commit()
        flash(_("Done. That therapist can no longer see your plan."), "success")
    return redirect(url_for("safety_plans.care_page"))
