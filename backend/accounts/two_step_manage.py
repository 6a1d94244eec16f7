"""Changing a second factor: turn it on from /account, move it to another app, get new recovery
codes, or turn it off (clients only). Each needs the person to confirm it is them first (ASVS V7.5.1): their
password and a current code or a recovery code (only the password when there is no factor yet, to
turn it on). Someone who merely holds a signed-in browser can do none of it. Every change is in
the security log and mailed to the person.

Only setting up an app takes a page of its own (the QR code): for that, the confirmation is kept
in the signed session for a few minutes and used up by the set-up.
"""
from __future__ import annotations

import time

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import delete
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from backend import db, security_log
from backend.access import signed_in
from backend.accounts import code_limit
from backend.accounts import mails as account_mail
from backend.accounts import two_step as rules
from backend.accounts.models import RecoveryCode, User
from backend.accounts.passwords import verify_password
from backend.accounts.two_step_views import claim_code, known_device, wait_message
from backend.accounts.views import bp
from backend.db import utcnow

CONFIRMED = "two_step_confirmed"
CONFIRMED_SECONDS = 10 * 60
ACTIONS = ("setup", "codes", "off")


class ConfirmForm(FlaskForm):
    """Password, and a code when the account has a factor."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})
    code = StringField(_l("Code from your app, or a recovery code"), validators=[Optional(), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


def confirmed(action: str) -> bool:
    """Did the signed-in person confirm it is them for this action, in the last few minutes?"""
    data = session.get(CONFIRMED)
    return (isinstance(data, dict) and data.get("u") == current_user.id and data.get("a") == action
            and time.time() - data.get("t", 0) <= CONFIRMED_SECONDS)


def use_confirmation() -> None:
    """One confirmation, one change."""
    session.pop(CONFIRMED, None)


def _me() -> User:
    user = db.session().get(User, current_user.id)
    if user is None:
        abort(404)
    return user


def _check(user: User, form: ConfirmForm) -> tuple[str, int] | None:
    """None when the password (and the code, if the account has a factor) are right; else the
    message for the form and the status. Each try takes a code slot, so a held browser cannot
    guess either."""
    claim = claim_code(user)
    if not claim.allowed:
        return wait_message(claim), 429
    right_password = verify_password(user.password_hash, form.password.data)
    if user.totp_secret:
        if not form.code.data:
            return _("Write the code from your app, or a recovery code."), 400
        right_code = rules.verify(db.session(), user, form.code.data, utcnow())
        if not (right_password and right_code):
            db.session().rollback()  # a right code with a wrong password is not used up
            security_log.record(db.session(), "code_failed", user.id, detail="confirm")
            db.session().commit()
            return _("That password and code do not match. Codes change every 30 seconds; try the newest one."), 400
    elif not right_password:
        return _("That is not your current password."), 400
    code_limit.succeeded(db.session(), user, known_device(user))
    return None


@bp.route("/two-step/confirm/<action>", methods=["GET", "POST"])
@signed_in
def two_step_confirm(action: str):
    """Confirm it is you, then make the change asked for: set up an app (the next page), ten new
    recovery codes, or (clients) turn two-step sign-in off."""
    user = _me()
    if action not in ACTIONS or (action != "setup" and not user.totp_secret) or (
            action == "off" and user.role in rules.REQUIRED_FOR):
        abort(404)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        problem = _check(user, form)
        if problem is None:
            return _DO[action](user)
        form.password.errors.append(problem[0])
        status = problem[1]
    elif form.is_submitted():
        status = 400
    return render_template("accounts/two_step_confirm.html", form=form, action=action,
                           has_factor=bool(user.totp_secret)), status


def _to_setup(user: User):
    session[CONFIRMED] = {"u": user.id, "a": "setup", "t": int(time.time())}
    db.session().commit()
    return redirect(url_for("auth.two_step_setup"))


def _new_codes(user: User):
    """Ten new recovery codes; the old ones stop working."""
    codes = rules.new_recovery_codes(db.session(), user)
    security_log.record(db.session(), "two_step_changed", user.id, detail="recovery codes")
    db.session().commit()
    account_mail.two_step_changed(user, "codes")
    session["recovery_codes"] = {"codes": codes, "next": url_for("account.index")}
    return redirect(url_for("auth.recovery_codes"))


def _off(user: User):
    """A client turns two-step sign-in off (therapists and admins must keep it)."""
    turn_off(user)
    security_log.record(db.session(), "two_step_off", user.id)
    db.session().commit()
    account_mail.two_step_changed(user, "off")
    flash(_("Two-step sign-in is off. Signing in now asks only for your password."), "info")
    return redirect(url_for("account.index"))


_DO = {"setup": _to_setup, "codes": _new_codes, "off": _off}


def turn_off(user: User) -> None:
    """No app, no recovery codes, no count of wrong codes. The caller logs and commits."""
    user.totp_secret = None
    user.totp_last_step = None
    db.session().execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    code_limit.forget(db.session(), user)
