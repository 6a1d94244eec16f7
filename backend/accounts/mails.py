"""The mails accounts send, in the person's language, with links to this server."""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from backend.accounts import tokens
from backend.accounts.models import User
from backend.mail import send_mail


def _link(endpoint: str, **values) -> str:
    base = current_app.config["TRYGG_BASE_URL"]
    return base + url_for(endpoint, **{k: v for k, v in values.items() if v})


def registration(email: str, user: User | None, next_url: str | None = None) -> None:
    """A new account: the link that finishes it. A known address: say so, and how to get in."""
    if user is not None:
        link = _link("auth.welcome", token=tokens.make_token(current_app.config["SECRET_KEY"], "welcome", user),
                     next=next_url)
        body = _("Hello,\n\nOpen this link to finish creating your Trygg account (it works once, for an hour):\n\n"
                 "%(link)s\n\nIf you did not ask for an account, you can ignore this mail.\n\nTrygg",
                 link=link)
        send_mail(email, _("Finish creating your Trygg account"), body)
        return
    body = _("Hello,\n\nSomeone, probably you, tried to create a Trygg account with this email address. "
             "You already have an account.\n\nSign in here: %(login)s\nForgot your password? Choose a new "
             "one here: %(reset)s\n\nIf it was not you, you can ignore this mail. Nothing has changed.\n\nTrygg",
             login=_link("auth.login"), reset=_link("auth.forgot"))
    send_mail(email, _("You already have a Trygg account"), body)


def password_reset(email: str, user: User | None) -> None:
    """The reset link (30 minutes, once); for an unknown address, a mail that says so."""
    if user is not None:
        link = _link("auth.reset", token=tokens.make_token(current_app.config["SECRET_KEY"], "reset", user))
        body = _("Hello,\n\nOpen this link to choose a new password for Trygg. It works once, for 30 "
                 "minutes:\n\n%(link)s\n\nIf you did not ask for this, you can ignore this mail. Your "
                 "password stays as it is.\n\nTrygg", link=link)
        send_mail(email, _("Choose a new Trygg password"), body)
        return
    body = _("Hello,\n\nSomeone asked to reset a Trygg password for this email address, but there is no "
             "Trygg account with it. If it was you, perhaps you used another address.\n\nTrygg")
    send_mail(email, _("Trygg password reset"), body)


def _two_step_sentence(what: str) -> str:
    return {
        "on": _("Two-step sign-in was turned on for your Trygg account."),
        "changed": _("Two-step sign-in for your Trygg account was moved to another authenticator app. "
                     "The app you used before no longer works."),
        "codes": _("New recovery codes were made for your Trygg account. The old ones no longer work."),
        "off": _("Two-step sign-in was turned off for your Trygg account. Your password alone now signs you in."),
        "reset": _("An administrator reset two-step sign-in for your Trygg account. You will set up an "
                   "authenticator app again the next time you sign in."),
    }[what]


def two_step_changed(user: User, what: str) -> None:
    """Every change to a second factor is mailed to its owner, so a change they did not make
    does not go unseen (ASVS V6.3.7, V7.5.1)."""
    with force_locale(user.locale):  # their language, also when an admin made the change
        body = _("Hello,\n\n%(what)s\n\nWas it not you? Someone may know your password. Choose a new one "
                 "here: %(reset)s\nThen tell your clinic or your Trygg administrator.\n\nTrygg",
                 what=_two_step_sentence(what), reset=_link("auth.forgot"))
        subject = _("Your two-step sign-in was changed")
    send_mail(user.email, subject, body)


def codes_limited(user: User) -> None:
    """Wrong codes after the right password: the password is probably known to someone else."""
    with force_locale(user.locale):
        body = _("Hello,\n\nSomeone signed in to your Trygg account with the right password, then typed "
                 "several wrong codes. If it was you, all is well: wait a while and try again.\n\nIf it was "
                 "not you, someone knows your password. Choose a new one here: %(reset)s\n\nTrygg",
                 reset=_link("auth.forgot"))
        subject = _("Wrong codes at your Trygg sign-in")
    send_mail(user.email, subject, body)
