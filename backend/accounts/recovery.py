"""Forgot password: a link by mail (signed, 30 minutes, works once) and choosing a new password.

The answer to "send me a link" is the same whether or not the address has an account.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from backend import db, security_log
from backend.access import public
from backend.accounts import mails, services, tokens
from backend.accounts.forms import ForgotForm, NewPasswordForm
from backend.accounts.views import bp


@bp.route("/forgot", methods=["GET", "POST"])
@public
def forgot():
    """Ask for a reset link."""
    form = ForgotForm()
    if form.validate_on_submit():
        email = services.normalise_email(form.email.data)
        user = services.find_user(db.session(), email)
        security_log.record(db.session(), "reset_requested", user.id if user else None)
        db.session().commit()
        mails.password_reset(email, user)
        return redirect(url_for("auth.forgot_sent"))
    return render_template("accounts/one_field.html", form=form, field_name="email", autocomplete="email",
                           heading=_("Forgot your password?"), submit=_("Send the link"),
                           intro=_("Write the email address of your account. We will send you a link to choose "
                                   "a new password.")), 400 if form.is_submitted() else 200


@bp.route("/forgot/sent")
@public
def forgot_sent():
    """The same words for every address."""
    return render_template("accounts/check_email.html", reset=True)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset(token: str):
    """Choose a new password; every session of the account ends, and the link stops working."""
    session = db.session()
    user = tokens.user_for_token(session, current_app.config["SECRET_KEY"], "reset", token)
    if user is None:
        return render_template("accounts/link_expired.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(session, user, form.password.data)
        except services.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            security_log.record(session, "password_reset", user.id)
            session.commit()
            flash(_("Your new password is saved. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("accounts/one_field.html", form=form, field_name="password", autocomplete="new-password",
                           heading=_("Choose a new password"), submit=_("Save the new password"),
                           hint=_("Saving signs you out everywhere else.")), 400 if form.is_submitted() else 200
