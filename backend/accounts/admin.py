"""Admins manage accounts (never plans): a page and a CLI command to create staff accounts."""
from __future__ import annotations

import sys

import click
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField
from wtforms.validators import DataRequired

from backend import db, security_log
from backend.access import roles
from backend.accounts import mails, services
from backend.accounts.forms import CreateUserForm
from backend.accounts.models import User
from backend.accounts.passwords import verify_password
from backend.i18n import COUNTRY_ZONES, DEFAULT_COUNTRY, LANGUAGE_NAMES, LANGUAGE_ZONE

LANGUAGES = tuple(LANGUAGE_NAMES)

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.route("/users", methods=["GET", "POST"])
@roles("admin")
def users():
    """List accounts and create therapist or admin accounts."""
    form = CreateUserForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session(), form.email.data, form.password.data, role=form.role.data,
                display_name=(form.display_name.data or "").strip(),
            )
        except services.AccountError as exc:
            form.email.errors.append(str(exc))
            status = 400
        else:
            security_log.record(db.session(), "admin_created_user", user.id, current_user.id, detail=user.role)
            db.session().commit()
            flash(_("Account created for %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    elif form.is_submitted():
        status = 400
    people = db.session().scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("accounts/admin_users.html", form=form, people=people), status


class ResetTwoStepForm(FlaskForm):
    """The admin confirms with their own password."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})


@bp.route("/users/<int:user_id>/two-step", methods=["GET", "POST"])
@roles("admin")
def reset_two_step(user_id: int):
    """A lost factor (phone and recovery codes gone) is reset by an admin, after checking who is
    asking (ASVS V6.4.4): the app and codes stop working, the person is signed out everywhere and
    mailed, and sets up a new app at their next sign-in. Never one's own: that is /account's."""
    from backend.accounts.two_step_manage import turn_off
    from backend.accounts.two_step_views import claim_code, wait_message

    person = db.session().get(User, user_id)
    if person is None or not person.totp_secret or person.id == current_user.id:
        abort(404)
    form = ResetTwoStepForm()
    status = 200
    if form.validate_on_submit():
        admin = db.session().get(User, current_user.id)
        assert admin is not None
        claim = claim_code(admin)  # a held admin browser cannot guess the admin's password here
        if not claim.allowed:
            form.password.errors.append(wait_message(claim))
            status = 429
        elif not verify_password(admin.password_hash, form.password.data):
            form.password.errors.append(_("That is not your current password."))
            status = 400
        else:
            turn_off(person)
            services.end_other_sessions(db.session(), person, None)
            security_log.record(db.session(), "two_step_reset", person.id, admin.id)
            db.session().commit()
            mails.two_step_changed(person, "reset")
            flash(_("Two-step sign-in is reset for %(name)s. They set up a new app at their next sign-in.",
                    name=person.name), "success")
            return redirect(url_for("admin.users"))
    elif form.is_submitted():
        status = 400
    return render_template("accounts/admin_reset_two_step.html", form=form, person=person), status


@bp.route("/security")
@roles("admin")
def security():
    """The security log, newest first (optionally one kind of event)."""
    from backend.accounts.account import when

    kind = request.args.get("kind") or None
    events = security_log.recent(db.session(), kind if kind in security_log.KINDS else None)
    return render_template("accounts/admin_security.html", events=events, kinds=security_log.KINDS,
                           kind=kind, when=when)


@click.command("create-user")
@with_appcontext
@click.option("--role", type=click.Choice(services.ROLES), required=True)
@click.option("--email", required=True)
@click.option("--name", default="", help="The name shown to others (e.g. \"Dr Kari Berg\").")
@click.option("--locale", type=click.Choice(LANGUAGES), default=None,
              help="The account's language until the person picks one on the sign-in page.")
@click.option("--country", default=None, help="Country code (NO, SE, DK, FI, GB, US): crisis lines and time zone.")
def create_user_command(role: str, email: str, name: str, locale: str | None, country: str | None) -> None:
    """Create an account; the password is read from standard input."""
    fields: dict = {"display_name": name.strip()}
    if country:
        country = country.strip().upper()
        if country not in COUNTRY_ZONES:
            raise click.BadParameter(f"one of {', '.join(sorted(COUNTRY_ZONES))}", param_hint="--country")
        fields.update(country=country, time_zone=COUNTRY_ZONES[country][0])
    if locale:
        fields["locale"] = locale
        if not country:
            fields.update(country=DEFAULT_COUNTRY[locale], time_zone=LANGUAGE_ZONE[locale])
    password = click.prompt("Password", hide_input=True) if sys.stdin.isatty() else sys.stdin.readline()
    password = password.rstrip("\r\n")
    with current_app.test_request_context():  # messages in the default language
        try:
            with db.session_scope(current_app) as session:
                services.create_user(session, email, password, role=role, **fields)
        except services.AccountError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {role} {services.normalise_email(email)}")
