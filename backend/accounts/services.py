"""Account rules: registering, creating staff accounts, signing in and out, session lifetimes.

Plain functions over a SQLAlchemy session, so they are tested without HTTP.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from backend.accounts.models import AuthSession, LoginAttempt, User
from backend.accounts.passwords import hash_password, needs_rehash, password_problem, verify_password
from backend.db import utcnow
from backend.prepared import Prepared

ROLES = ("client", "therapist", "admin")
# How often last_seen is written: often enough for a 30-minute idle limit, rarely enough to be cheap.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


class AccountError(ValueError):
    """A rule was broken; the message is for the user, in their language."""


class WrongPassword(AccountError):
    """The current password given to confirm something was not the right one."""


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def find_user(db: Session, email: str) -> User | None:
    """The account with this email, if any."""
    return db.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    db: Session, email: str, password: str, role: str = "client", **fields
) -> User:
    """Create an account after checking the email is free and the password acceptable."""
    if role not in ROLES:
        raise AccountError(_("Unknown role."))
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(_("Enter a valid email address."))
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem)
    if find_user(db, email) is not None:
        raise AccountError(_("An account with this email already exists. Try signing in."))
    if fields.get("country") and "time_zone" not in fields:  # a person in Sweden lives on Stockholm's clock
        from backend.i18n import COUNTRY_ZONES

        fields["time_zone"] = COUNTRY_ZONES.get(fields["country"], ["Europe/Oslo"])[0]
    user = User(email=email, password_hash=hash_password(password), role=role, **fields)
    db.add(user)
    db.flush()
    return user


def adopt_page_language(user: User, page_language: str | None, languages) -> bool:
    """At sign-in: the language chosen on the page becomes the account's, unless the person chose
    one before. Returns whether the page's language should stay for this session (False: the
    account's own choice wins)."""
    if page_language is None or page_language not in languages:
        return False
    if user.locale_chosen and user.locale in languages:
        return user.locale == page_language
    user.locale, user.locale_chosen = page_language, True
    return True


def register_client(db: Session, email: str, password: str, **fields) -> User | None:
    """A new client account, or None when the email is taken. Both take about the same time (one
    argon2 hash), and the caller answers both the same way, so registration reveals nothing."""
    if find_user(db, email) is not None:
        hash_password(password)  # the work a new account would have cost
        return None
    return create_user(db, email, password, role="client", **fields)


@dataclass
class LoginResult:
    """What a sign-in attempt came to: a user, or a message for the form."""

    user: User | None = None
    error: str | None = None
    rate_limited: bool = False


def _recent(db: Session, since: datetime, *conditions) -> int:
    """Attempts matching the conditions since a moment."""
    return db.scalar(select(func.count(LoginAttempt.id)).where(LoginAttempt.at >= since, *conditions)) or 0


def _too_many(config: dict) -> LoginResult:
    minutes = int(config["LOGIN_WINDOW"].total_seconds() // 60)
    return LoginResult(
        # Never "always open": several of the lines listed below it are not (their hours are shown).
        error=ngettext(
            "Too many sign-in attempts. Wait %(num)d minute and try again. If you need help now, "
            "you can call the numbers below: they work without Trygg.",
            "Too many sign-in attempts. Wait %(num)d minutes and try again. If you need help now, "
            "you can call the numbers below: they work without Trygg.",
            minutes,
        ),
        rate_limited=True,
    )


def authenticate(db: Session, email: str, password: str, ip: str, config: dict,
                 device: tuple[int, str] | None = None) -> LoginResult:
    """Check a sign-in, rate-limited without races and without locking the owner out.

    The attempt is written and committed *before* it is counted, so of any number of parallel
    guesses at most the limit see a count within it (each sees at least every attempt committed
    before its own). `device` is the (user id, device id) of a valid device cookie: a browser that
    signed in to this account before is counted on its own (OWASP's device cookies); every other
    browser is counted per account and per address. The failure message is the same whether or
    not the account exists, and one argon2 verification runs either way.
    """
    email = normalise_email(email)
    since = utcnow() - config["LOGIN_WINDOW"]
    user = find_user(db, email)
    trusted = device[1] if device and user is not None and device[0] == user.id else None
    db.add(LoginAttempt(email=email, ip=ip, device=trusted, kind="login", at=utcnow()))
    db.commit()
    if trusted:
        limited = _recent(db, since, LoginAttempt.device == trusted) > config["LOGIN_LIMIT_PER_ACCOUNT"]
    else:
        untrusted = (LoginAttempt.kind == "login", LoginAttempt.device.is_(None))
        limited = (
            _recent(db, since, LoginAttempt.email == email, *untrusted) > config["LOGIN_LIMIT_PER_ACCOUNT"]
            or _recent(db, since, LoginAttempt.ip == ip, *untrusted) > config["LOGIN_LIMIT_PER_IP"]
        )
    if limited:
        return _too_many(config)
    # Always one argon2 verification (against a dummy hash when there is no account), so the time
    # taken does not say whether an email is registered.
    matches = verify_password(user.password_hash if user else None, password)
    if user is None or not matches or not user.active:
        return LoginResult(error=_("That email and password do not match. Please try again."))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    mine = LoginAttempt.device == trusted if trusted else LoginAttempt.device.is_(None)
    # Only password attempts: wrong second-step codes are counted across password rounds
    # (backend.accounts.code_limit), or the right password would wipe the guesses at the code.
    db.execute(delete(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.kind == "login", mine))
    # Old attempts of every kind go, but only once older than the longest window counting them
    # (registrations count an hour, sign-ins a quarter).
    longest = max(config["LOGIN_WINDOW"], config["REGISTER_WINDOW"], config.get("INVITE_WINDOW", timedelta(0)))
    db.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - longest))
    return LoginResult(user=user)


def registration_allowed(db: Session, ip: str, config: dict) -> bool:
    """Registrations per address are limited (recorded first, then counted, as sign-ins are)."""
    since = utcnow() - config["REGISTER_WINDOW"]
    db.add(LoginAttempt(email="", ip=ip, kind="register", at=utcnow()))
    db.commit()
    count = _recent(db, since, LoginAttempt.kind == "register", LoginAttempt.ip == ip)
    return count <= config["REGISTER_LIMIT_PER_IP"]


def start_session(db: Session, user: User, remember: bool, device_label: str = "") -> str:
    """Record a new signed-in browser and return its fresh token (a new id at every login)."""
    token = secrets.token_urlsafe(32)
    db.add(AuthSession(token=token, user_id=user.id, remember=remember and user.role == "client",
                       device_label=device_label[:80]))
    db.flush()
    user.auth_token = token
    return token


def session_expired(role: str, created_at: datetime, last_seen_at: datetime, config: dict, now: datetime) -> bool:
    """Therapists and admins are signed out after 30 idle minutes or 12 hours in all; clients
    after a year in all, whatever their cookies say."""
    if role == "client":
        return now - created_at > config["CLIENT_ABSOLUTE_TIMEOUT"]
    return (
        now - last_seen_at > config["THERAPIST_IDLE_TIMEOUT"]
        or now - created_at > config["THERAPIST_ABSOLUTE_TIMEOUT"]
    )


# Every signed-in request starts here, so this is one read run on the driver (backend.prepared):
# the person's columns and the session's two times. Through the ORM it cost more than the rest of a
# cached crisis view.
_PERSON = tuple((attribute.key, attribute.columns[0]) for attribute in User.__mapper__.column_attrs)
_SESSION_USER = Prepared(select(*(column for _, column in _PERSON), AuthSession.created_at, AuthSession.last_seen_at)
                         .join(AuthSession, AuthSession.user_id == User.id)
                         .where(AuthSession.token == bindparam("token")))


def load_session_user(db: Session, token: str, config: dict) -> User | None:
    """The user behind a session token, or None if it was ended or has expired."""
    row = _SESSION_USER.first(db, token=token)
    if row is None:
        return None
    person = dict(zip((key for key, _ in _PERSON), row, strict=False))
    created_at, last_seen_at = row[len(_PERSON):]
    if not person["active"]:
        return None
    now = utcnow()
    if session_expired(person["role"], created_at, last_seen_at, config, now):
        end_session(db, token)
        return None
    if now - last_seen_at >= LAST_SEEN_RESOLUTION:
        db.execute(update(AuthSession).where(AuthSession.token == token).values(last_seen_at=now))
        db.commit()
    user = _in_session(db, person)
    user.auth_token = token
    return user


def _in_session(db: Session, person: dict) -> User:
    """The person as an object of this session, made from the row just read: what a load would
    give (changes to it are written on commit), without loading it a second time."""
    known = db.identity_map.get(identity_key(User, person["id"]))
    if known is not None:
        return cast(User, known)
    user = User(**person)
    make_transient_to_detached(user)  # as if just loaded: no pending changes
    db.add(user)
    return user


def end_session(db: Session, token: str | None) -> None:
    """Sign one browser out on the server side."""
    if token:
        db.execute(delete(AuthSession).where(AuthSession.token == token))
        db.commit()


def set_password(db: Session, user: User, password: str, keep_token: str | None = None) -> None:
    """A new password for an account; every other signed-in browser is signed out (all of them
    unless `keep_token` names the one making the change)."""
    problem = password_problem(password, user.email, user.display_name)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    query = delete(AuthSession).where(AuthSession.user_id == user.id)
    if keep_token:
        query = query.where(AuthSession.token != keep_token)
    db.execute(query)
    db.execute(delete(LoginAttempt).where(LoginAttempt.email == user.email))


def sessions_of(db: Session, user: User) -> list[AuthSession]:
    """Where this person is signed in, most recently used first."""
    return list(db.scalars(select(AuthSession).where(AuthSession.user_id == user.id)
                           .order_by(AuthSession.last_seen_at.desc(), AuthSession.id.desc())))


def end_session_of(db: Session, user: User, session_id: int) -> bool:
    """Sign one of this person's own browsers out; False if it is not theirs (or already gone)."""
    result = cast(CursorResult, db.execute(
        delete(AuthSession).where(AuthSession.id == session_id, AuthSession.user_id == user.id)))
    return bool(result.rowcount)


def end_other_sessions(db: Session, user: User, keep_token: str | None) -> int:
    """Sign out everywhere but here; returns how many browsers were signed out."""
    query = delete(AuthSession).where(AuthSession.user_id == user.id)
    if keep_token:
        query = query.where(AuthSession.token != keep_token)
    return cast(CursorResult, db.execute(query)).rowcount or 0


def change_password(db: Session, user: User, current: str, new: str, keep_token: str | None) -> None:
    """Change a password after checking the current one; other browsers are signed out."""
    if not verify_password(user.password_hash, current):
        raise WrongPassword(_("That is not your current password."))
    set_password(db, user, new, keep_token=keep_token)
