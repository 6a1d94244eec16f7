"""/account: a person's own page — where they are signed in, their password.

Thin views over `services`; every form is a plain POST followed by a redirect.
"""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm

from backend import db, personal_data, security_log
from backend.access import roles, signed_in
from backend.accounts import data_rights, services, two_step
from backend.accounts.forms import ChangePasswordForm, CloseAccountForm
from backend.accounts.models import User
from backend.accounts.passwords import verify_password
from backend.i18n import format_moment

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="templates")


def when(moment) -> str:
    """A time in the reader's language and time zone ("i dag kl. 14:05")."""
    return format_moment(moment)


def _page(password_form: ChangePasswordForm, status: int = 200, close_form=None):
    sessions = services.sessions_of(db.session(), current_user)
    return render_template("accounts/account.html", sessions=sessions, here=current_user.get_id(),
                           password_form=password_form, form=FlaskForm(), when=when,
                           close_form=close_form or CloseAccountForm(formdata=None),
                           codes_left=two_step.recovery_codes_left(db.session(), current_user)), status


@bp.route("/")
@signed_in
def index():
    """Settings, where I am signed in, my password."""
    return _page(ChangePasswordForm(formdata=None))


def _signed_out(ended: int, message: str) -> None:
    security_log.record(db.session(), "sessions_ended", current_user.id, detail=f"{ended} signed out")
    db.session().commit()
    flash(message, "success")


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@signed_in
def end_session(session_id: int):
    """Sign one browser out (one of mine)."""
    if FlaskForm().validate_on_submit() and services.end_session_of(db.session(), current_user, session_id):
        _signed_out(1, _("That device is signed out."))
    return redirect(url_for("account.index"))


@bp.route("/sessions/end-others", methods=["POST"])
@signed_in
def end_others():
    """Sign out everywhere but here."""
    if FlaskForm().validate_on_submit():
        _signed_out(services.end_other_sessions(db.session(), current_user, current_user.get_id()),
                    _("You are signed out everywhere else."))
    return redirect(url_for("account.index"))


@bp.route("/password", methods=["POST"])
@signed_in
def change_password():
    """Change my password: the current one first; every other browser is signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(db.session(), current_user, form.current.data, form.password.data,
                                     keep_token=current_user.get_id())
        except services.AccountError as exc:
            target = form.current if isinstance(exc, services.WrongPassword) else form.password
            target.errors.append(str(exc))
        else:
            security_log.record(db.session(), "password_changed", current_user.id)
            db.session().commit()
            flash(_("Your password is changed, and you are signed out everywhere else."), "success")
            return redirect(url_for("account.index"))
    return _page(form, 400)


def _my_data(kind: str) -> dict:
    """Everything Trygg holds about me; the download itself is in my security log."""
    data = personal_data.collect(current_app, db.session(), current_user)
    security_log.record(db.session(), "export", current_user.id, current_user.id, detail=kind)
    db.session().commit()
    return data


@bp.route("/data")
@signed_in
def data_page():
    """Everything Trygg holds about me, as a page to read."""
    return render_template("accounts/my_data.html", data=_my_data("page"), titles=personal_data.titles(current_app))


@bp.route("/data.json")
@signed_in
def data_json():
    """Everything Trygg holds about me, as JSON to keep or take elsewhere."""
    body = {"format": "trygg-personal-data", "version": 1, **_my_data("json")}
    response = current_app.response_class(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="trygg-my-data.json"'
    return response


@bp.route("/close", methods=["POST"])
@roles("client")
def close():
    """Close my account (with my password): my data goes, my therapists are told."""
    form = CloseAccountForm()
    if form.validate_on_submit():
        user = db.session().get(User, current_user.id)
        if user is None:
            abort(404)
        if verify_password(user.password_hash, form.password.data):
            token = current_user.get_id()
            # Recorded as theirs, so it takes the pseudonym with the rest of their events.
            security_log.record(db.session(), "account_deleted", user.id, None, detail="client")
            db.session().flush()
            data_rights.close_client_account(db.session(), user)
            db.session().commit()
            services.end_session(db.session(), token)
            logout_user()
            session.clear()
            flash(_("Your account is closed and your data is deleted. Take care of yourself."), "info")
            response = redirect(url_for("auth.login"))
            response.headers["Clear-Site-Data"] = '"cache", "storage"'
            return response
        form.password.errors.append(_("That is not your current password."))
    return _page(ChangePasswordForm(formdata=None), 400, close_form=form)


NAV_LABEL = _l("My account")
