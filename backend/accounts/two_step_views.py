"""The second step of signing in: a code from an authenticator app (or a recovery code), and
setting the app up — at sign-in only for an account that has no factor yet (a therapist's or
admin's first sign-in, or after an admin reset it), otherwise only after the person confirmed it is
them (`two_step_manage`: password and a current code).

Between the password and the code, the (signed) Flask session holds only who is half-way in and
since when; nothing is signed in until the code is right. Codes are limited across password rounds,
browsers and parallel requests (`code_limit`).
"""
from __future__ import annotations

import time

import segno
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from backend import db, security_log
from backend.access import public
from backend.accounts import code_limit, devices
from backend.accounts import mails as account_mail
from backend.accounts import two_step as rules
from backend.accounts.models import User
from backend.accounts.views import _safe_next, _sign_in, bp
from backend.db import utcnow

PENDING = "two_step"
PENDING_SECONDS = 10 * 60


class CodeForm(FlaskForm):
    """Six digits from the app, or a recovery code."""

    code = StringField(_l("Code"), validators=[DataRequired(_l("Write the code.")), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


def start(user: User, remember: bool, next_url: str | None):
    """After the right password: remember who is half-way in, and ask for the code (or set-up)."""
    session[PENDING] = {"u": user.id, "r": bool(remember), "n": next_url or "", "t": int(time.time())}
    endpoint = "auth.two_step" if user.totp_secret else "auth.two_step_setup"
    return redirect(url_for(endpoint))


def _pending_user() -> User | None:
    data = session.get(PENDING)
    if not isinstance(data, dict) or time.time() - data.get("t", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user = db.session().get(User, data.get("u"))
    return user if user is not None and user.active else None


def _finish(user: User):
    """The code was right: sign in for real, with the device cookie, and go where they were going."""
    data = session.get(PENDING) or {}
    device = devices.read(request.cookies, current_app.config)
    _sign_in(user, remember=bool(data.get("r")))
    response = redirect(_safe_next(data.get("n")))
    devices.remember(response, user.id, current_app.config, device)
    return response


def known_device(user: User) -> str | None:
    """This browser's device id, if it signed in to this account before (its own code count)."""
    device = devices.read(request.cookies, current_app.config)
    return device[1] if device and device[0] == user.id else None


def claim_code(user: User) -> code_limit.Claim:
    """A slot for one code, or how long to wait. The batch that starts a wait is logged and mailed:
    whoever typed those codes had the password."""
    claim = code_limit.claim(db.session(), user, known_device(user), current_app.config, utcnow())
    if claim.started_wait:
        security_log.record(db.session(), "code_limited", user.id)
        db.session().commit()
        account_mail.codes_limited(user)
    return claim


def wait_message(claim: code_limit.Claim) -> str:
    return ngettext("Too many wrong codes. For your safety, wait %(num)d minute and try again.",
                    "Too many wrong codes. For your safety, wait %(num)d minutes and try again.",
                    claim.wait_minutes)


@bp.route("/two-step", methods=["GET", "POST"], endpoint="two_step")
@public
def code_page():
    """Ask for the code after the password."""
    user = _pending_user()
    if user is None or not user.totp_secret:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        claim = claim_code(user)
        if not claim.allowed:
            form.code.errors.append(wait_message(claim))
            status = 429
        elif rules.verify(db.session(), user, form.code.data, utcnow()):
            code_limit.succeeded(db.session(), user, known_device(user))
            db.session().commit()
            return _finish(user)
        else:
            security_log.record(db.session(), "code_failed", user.id)
            db.session().commit()
            form.code.errors.append(
                _("That code did not work. Codes change every 30 seconds; try the newest one."))
            status = 400
    elif form.is_submitted():
        status = 400
    return render_template("accounts/one_field.html", form=form, field_name="code", autocomplete="one-time-code",
                           heading=_("Your code"), submit=_("Sign in"),
                           intro=_("Open your authenticator app and write the six digits it shows for Trygg. "
                                   "No phone at hand? Use one of your recovery codes.")), status


def _setup_user() -> User | None:
    """Who may set up an app now, or None. Half-way through signing in: only an account with no
    factor (C1 of the 2026-12 review: otherwise the password alone replaced the owner's app).
    Signed in: only right after confirming it is them (password, and a current code if they have
    a factor)."""
    if current_user.is_authenticated:
        from backend.accounts.two_step_manage import confirmed

        return db.session().get(User, current_user.id) if confirmed("setup") else None
    user = _pending_user()
    return user if user is not None and not user.totp_secret else None


def _away_from_setup():
    """Where someone who may not set up now belongs."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.two_step_confirm", action="setup"))
    return redirect(url_for("auth.two_step" if _pending_user() else "auth.login"))


@bp.route("/two-step/setup", methods=["GET", "POST"])
@public
def two_step_setup():
    """Show the QR code and the secret as text; the first code from the app turns it on (or moves
    it to this app) and gives ten recovery codes."""
    user = _setup_user()
    if user is None:
        session.pop("two_step_secret", None)
        return _away_from_setup()
    secret = session.get("two_step_secret")
    if not secret:
        secret = session["two_step_secret"] = rules.new_secret()
    form = CodeForm()
    if form.validate_on_submit():
        had_factor = bool(user.totp_secret)
        codes = rules.confirm_setup(db.session(), user, secret, form.code.data, utcnow())
        if codes is not None:
            code_limit.forget(db.session(), user)
            security_log.record(db.session(), "two_step_changed" if had_factor else "two_step_on", user.id)
            db.session().commit()
            account_mail.two_step_changed(user, "changed" if had_factor else "on")
            session.pop("two_step_secret", None)
            if current_user.is_authenticated:
                from backend.accounts.two_step_manage import use_confirmation

                use_confirmation()
                response, next_url = redirect(url_for("auth.recovery_codes")), url_for("account.index")
            else:  # signs in (a fresh session) and sets the device cookie on this response
                response = _finish(user)
                next_url, response.location = response.location, url_for("auth.recovery_codes")
            session["recovery_codes"] = {"codes": codes, "next": next_url}
            flash(_("Two-step sign-in is on.") if not had_factor
                  else _("Two-step sign-in now uses your new app. The old one no longer works."), "success")
            return response
        form.code.errors.append(_("That code did not work. Check that the app shows Trygg, and try the newest code."))
    uri = rules.provisioning_uri(user, secret)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/two_step_setup.html", form=form, qr=qr, secret=grouped,
                           required=user.role in rules.REQUIRED_FOR, replacing=bool(user.totp_secret)), status


@bp.route("/two-step/recovery-codes")
@public
def recovery_codes():
    """The recovery codes, shown once right after set-up."""
    data = session.pop("recovery_codes", None)
    if not data or not current_user.is_authenticated:
        return redirect(url_for("core.home"))
    next_url = data.get("next") or url_for("core.home")
    return render_template("accounts/recovery_codes.html", codes=data["codes"], next_url=_safe_next(next_url))
