"""Admins manage accounts (never plans): a page and a CLI command to create staff accounts."""
from __future__ import annotations

import sys

import click
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from backend import db, security_log
from backend.access import roles
from backend.accounts import services
from backend.accounts.forms import CreateUserForm
from backend.accounts.models import User
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
