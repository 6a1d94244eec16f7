"""Register, sign in, sign out, and the links sent by mail."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import IntegrityError

from backend import db, security_log
from backend.access import public, signed_in
from backend.accounts import devices, services, tokens, two_step
from backend.accounts import mails as account_mail
from backend.accounts.forms import LoginForm, RegisterForm
from backend.db import utcnow
from backend.i18n import COUNTRY_ZONES, LANGUAGE_ZONE, country_choices, request_country
from backend.redirects import safe_path

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in, never another host (nor CR/LF: a 500)."""
    return safe_path(target, url_for("core.home"))


def _new_csrf_secret() -> None:
    """Put a new CSRF secret in the (just cleared) session now."""
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # generate_csrf caches per request
    generate_csrf()


def _sign_in(user, remember: bool) -> None:
    """Start a fresh server-side session: a new id at every login, nothing kept from before."""
    keep = services.adopt_page_language(user, session.get("lang"), current_app.config["LANGUAGES"])
    lang = session.get("lang")
    session.clear()
    if keep:
        session["lang"] = lang
    from backend.push.services import device_label  # one naming of devices for pushes and sessions

    services.start_session(db.session(), user, remember, str(device_label(request.headers.get("User-Agent", ""))))
    security_log.record(db.session(), "sign_in", user.id)
    db.session().commit()
    session.permanent = bool(remember and user.role == "client")
    login_user(user, remember=remember and user.role == "client")
    # A fresh CSRF secret now, in this response: if the pages that follow each minted one, two
    # requests at once (a page and the service worker's) would write different secrets and the
    # later cookie would break the first page's forms.
    _new_csrf_secret()


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    """Anyone may create a client account. The answer is "check your email" whether or not the
    address already has an account; the mail says which (finish here, or sign in)."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    # Default: a country chosen on /help this visit, else the browser's region (en-NO -> Norway),
    # never the language's country.
    form = RegisterForm(country=request_country(str(get_locale())))
    form.country.choices = country_choices(str(get_locale()))
    valid = form.validate_on_submit()
    if valid and not services.registration_allowed(db.session(), request.remote_addr or "?", current_app.config):
        form.email.errors.append(_("Too many new accounts from this network. Please try again in an hour."))
        return render_template("accounts/register.html", form=form), 429
    if valid:
        locale = str(get_locale())
        email = services.normalise_email(form.email.data)
        try:
            user = services.register_client(
                db.session(), email, form.password.data,
                display_name=(form.display_name.data or "").strip(), locale=locale,
                locale_chosen=session.get("lang") == locale, country=form.country.data,
                time_zone=COUNTRY_ZONES.get(form.country.data, [LANGUAGE_ZONE.get(locale, "Europe/Oslo")])[0],
            )
            db.session().commit()
        except IntegrityError:  # the same address registered at the same moment
            db.session().rollback()
            user = None
        except services.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            account_mail.registration(email, user, request.args.get("next"))
            return redirect(url_for("auth.register_sent"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/register.html", form=form), status


@bp.route("/register/sent")
@public
def register_sent():
    """Where every registration ends: the same words for a new and a known address."""
    return render_template("accounts/check_email.html")


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@public
def welcome(token: str):
    """The link in the registration mail: a button (a POST, so a link alone never signs anyone
    into an account) that signs the new client in, once, and never past a second step they have
    turned on (it then asks for the code, as the password does)."""
    user = tokens.user_for_token(db.session(), current_app.config["SECRET_KEY"], "welcome", token)
    if user is None:
        return render_template("accounts/link_expired.html"), 404
    form = FlaskForm()
    if form.validate_on_submit():
        if not tokens.use_welcome(db.session(), user, utcnow()):
            db.session().rollback()
            return render_template("accounts/link_expired.html"), 404
        security_log.record(db.session(), "welcome_used", user.id)
        db.session().commit()
        if two_step.required(user):
            from backend.accounts.two_step_views import start

            return start(user, True, request.args.get("next"))
        _sign_in(user, remember=True)
        flash(_("Welcome to Trygg. Your account is ready."), "success")
        return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/welcome.html", form=form, person=user)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Email and password; the same message whether or not the account exists."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        device = devices.read(request.cookies, current_app.config)
        result = services.authenticate(
            db.session(), form.email.data, form.password.data, request.remote_addr or "?",
            current_app.config, device=device,
        )
        if result.user is not None and two_step.required(result.user):
            db.session().commit()
            from backend.accounts.two_step_views import start

            return start(result.user, bool(form.remember.data), request.args.get("next"))
        if result.user is not None:
            _sign_in(result.user, remember=bool(form.remember.data))
            response = redirect(_safe_next(request.args.get("next")))
            devices.remember(response, result.user.id, current_app.config, device)
            return response
        form.password.errors.append(result.error)
        status = 429 if result.rate_limited else 400
        known = services.find_user(db.session(), form.email.data)
        security_log.record(db.session(), "sign_in_limited" if result.rate_limited else "sign_in_failed",
                            known.id if known else None)
        db.session().commit()
    elif form.is_submitted():
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    """End the session here and on the server, and forget the remember cookie."""
    services.end_session(db.session(), current_user.get_id())
    logout_user()
    session.clear()
    session["_remember"] = "clear"  # Flask-Login's mark (cleared above): drop the remember cookie too
    _new_csrf_secret()  # see _sign_in: the next requests must not each mint their own
    flash(_("You are signed out."), "info")
    response = redirect(url_for("auth.login"))
    # Tells the service worker (and any open tab) to drop this user's cached pages.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
