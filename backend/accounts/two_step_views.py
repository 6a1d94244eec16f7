"""The second step of signing in: a code from an authenticator app (or a recovery code), and
setting the app up — at a therapist's or admin's first sign-in, or from /account for a client.

Between the password and the code, the (signed) Flask session holds only who is half-way in and
since when; nothing is signed in until the code is right.
"""
from __future__ import annotations

import time

import segno
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from backend import db, security_log
from backend.access import public
from backend.accounts import devices, services
from backend.accounts import two_step as rules
from backend.accounts.models import LoginAttempt, User
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


def _too_many_codes(user: User) -> bool:
    """Wrong codes count like wrong passwords (recorded first, then counted)."""
    config = current_app.config
    db.session().add(LoginAttempt(email=user.email, ip=request.remote_addr or "?", kind="code", at=utcnow()))
    db.session().commit()
    since = utcnow() - config["LOGIN_WINDOW"]
    return services._recent(db.session(), since, LoginAttempt.kind == "code",
                            LoginAttempt.email == user.email) > config["LOGIN_LIMIT_PER_ACCOUNT"]


@bp.route("/two-step", methods=["GET", "POST"], endpoint="two_step")
@public
def code_page():
    """Ask for the code after the password."""
    user = _pending_user()
    if user is None or not user.totp_secret:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if _too_many_codes(user):
            session.pop(PENDING, None)
            flash(_("Too many wrong codes. Sign in again in a while."), "error")
            return redirect(url_for("auth.login"))
        if rules.verify(db.session(), user, form.code.data, utcnow()):
            db.session().commit()
            return _finish(user)
        security_log.record(db.session(), "code_failed", user.id)
        db.session().commit()
        form.code.errors.append(_("That code did not work. Codes change every 30 seconds; try the newest one."))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/one_field.html", form=form, field_name="code", autocomplete="one-time-code",
                           heading=_("Your code"), submit=_("Sign in"),
                           intro=_("Open your authenticator app and write the six digits it shows for Trygg. "
                                   "No phone at hand? Use one of your recovery codes.")), status


def _setup_user() -> User | None:
    """Whoever is setting up: half-way through signing in, or signed in (from /account)."""
    if current_user.is_authenticated:
        return db.session().get(User, current_user.id)
    return _pending_user()


@bp.route("/two-step/setup", methods=["GET", "POST"])
@public
def two_step_setup():
    """Show the QR code and the secret as text; the first code from the app turns it on and
    gives ten recovery codes."""
    user = _setup_user()
    if user is None:
        return redirect(url_for("auth.login"))
    secret = session.get("two_step_secret")
    if not secret:
        secret = session["two_step_secret"] = rules.new_secret()
    form = CodeForm()
    if form.validate_on_submit():
        codes = rules.confirm_setup(db.session(), user, secret, form.code.data, utcnow())
        if codes is not None:
            security_log.record(db.session(), "two_step_on", user.id)
            db.session().commit()
            session.pop("two_step_secret", None)
            if current_user.is_authenticated:
                response, next_url = redirect(url_for("auth.recovery_codes")), url_for("account.index")
            else:  # signs in (a fresh session) and sets the device cookie on this response
                response = _finish(user)
                next_url, response.location = response.location, url_for("auth.recovery_codes")
            session["recovery_codes"] = {"codes": codes, "next": next_url}
            flash(_("Two-step sign-in is on."), "success")
            return response
        form.code.errors.append(_("That code did not work. Check that the app shows Trygg, and try the newest code."))
    uri = rules.provisioning_uri(user, secret)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/two_step_setup.html", form=form, qr=qr, secret=grouped,
                           required=user.role in rules.REQUIRED_FOR), status


@bp.route("/two-step/recovery-codes")
@public
def recovery_codes():
    """The recovery codes, shown once right after set-up."""
    data = session.pop("recovery_codes", None)
    if not data or not current_user.is_authenticated:
        return redirect(url_for("core.home"))
    next_url = data.get("next") or url_for("core.home")
    return render_template("accounts/recovery_codes.html", codes=data["codes"], next_url=_safe_next(next_url))
