"""Configuration from the environment, with safe defaults.

Order (as in flaskr): built-in defaults -> environment -> the test config a caller passes in.
The secret key is generated once and kept in the instance folder so sessions survive restarts.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from backend.mail import mail_config

REPO_ROOT = Path(__file__).resolve().parent.parent


def _instance_secret(instance_path: Path) -> str:
    """Return the secret key kept in the instance folder, creating it on first run."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    # Owner-only permissions: this key signs every session. If two workers start at once, one
    # links its file into place and the other reads that one.
    tmp = key_file.with_name(f"secret_key.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    try:
        os.link(tmp, key_file)  # atomic: fails if another process got there first
    except FileExistsError:
        key = key_file.read_text().strip()
    finally:
        tmp.unlink()
    return key


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def build_config(instance_path: Path) -> dict:
    """Return the app's configuration, read from the environment."""
    port = int(os.environ.get("PORT", "5000"))
    base_url = os.environ.get("TRYGG_BASE_URL", f"http://127.0.0.1:{port}").rstrip("/")
    secure_cookies = urlsplit(base_url).scheme == "https"
    cookie_prefix = "__Host-" if secure_cookies else ""
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'trygg.sqlite3'}"
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance_path),
        "DATABASE_URL": normalise_database_url(db_url),
        "TRYGG_BASE_URL": base_url,
        # Names a deploy; the service worker's cache version changes with it.
        "TRYGG_RELEASE": os.environ.get("TRYGG_RELEASE", ""),
        "PORT": port,
        # Cookies: Secure whenever we are served over https; never readable by scripts.
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Over https the cookies are __Host- ones: Secure, path /, never set by a subdomain.
        "SESSION_COOKIE_NAME": f"{cookie_prefix}trygg_session",
        "REMEMBER_COOKIE_NAME": f"{cookie_prefix}trygg_remember",
        "HSTS": secure_cookies,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # A client's own phone stays signed in; therapists never get a remember cookie.
        "REMEMBER_COOKIE_DURATION": timedelta(days=365),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=365),
        # Set the cookie only when the session changes: background requests (the service worker
        # warming its cache) that finish after a sign-out must not write the old session back.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # Flask-Login's "basic" protection marks a session not-fresh by writing to it on the first
        # request without its id, such as every signed-out request after a sign-out: a background
        # one would write the old session over a new sign-in. Our sessions are server-side rows
        # (ended on the server at sign-out), and nothing asks for a "fresh" login.
        "SESSION_PROTECTION": None,
        "THERAPIST_IDLE_TIMEOUT": timedelta(minutes=30),
        "THERAPIST_ABSOLUTE_TIMEOUT": timedelta(hours=12),
        # However long the cookies live, a client's sign-in ends on the server after a year.
        "CLIENT_ABSOLUTE_TIMEOUT": timedelta(days=365),
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead, so a long plan edit never expires
        "WTF_CSRF_SSL_STRICT": secure_cookies,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(REPO_ROOT / "locales"),
        "LANGUAGES": ("nb", "sv", "en"),
        # Login rate limits: failures allowed in the window, per account and per client address.
        "LOGIN_WINDOW": timedelta(minutes=15),
        "LOGIN_LIMIT_PER_ACCOUNT": 5,
        "LOGIN_LIMIT_PER_IP": 20,
        # Second-step codes (backend/accounts/code_limit.py): this many, then a wait that doubles
        # with each further batch, up to a day. A guesser holding the password gets about 1,900
        # codes a year, each a 3-in-a-million chance (now ± one step): about 1 in 180 a year, and
        # every batch mails the person that someone has their password.
        "CODE_LIMIT": 5,
        "CODE_WAIT": timedelta(minutes=15),
        "CODE_WAIT_MAX": timedelta(days=1),
        # New accounts from one address in the window.
        "REGISTER_WINDOW": timedelta(hours=1),
        "REGISTER_LIMIT_PER_IP": 10,
        # Invite codes a client may try (backend/accounts/limits.py), per person and per address, as
        # for passwords; a right code does not count. The window is LOGIN_WINDOW's, because a
        # successful sign-in deletes every attempt row older than that.
        "INVITE_WINDOW": timedelta(minutes=15),
        "INVITE_LIMIT_PER_PERSON": 5,
        "INVITE_LIMIT_PER_IP": 20,
        # A browser that signed in before carries this signed cookie (a year): its own counter.
        "DEVICE_COOKIE_NAME": f"{cookie_prefix}trygg_device",
        "DEVICE_COOKIE_LIFETIME": timedelta(days=365),
        # Security events (sign-ins, wrong codes, resets: backend/security_log.py) are kept this
        # long, a closed account's under a pseudonym, then `flask prune-security-log` deletes them.
        # Normen (v6.0) and its fact sheet 15, "Logging og innsyn i logg", ask for security logs
        # kept and followed up for a period the organisation sets from its risk assessment; they
        # give no number for sign-in logs outside a patient record (a record's access log follows
        # the record, 10+ years: fact sheet 25), and GDPR art. 5(1)(e) caps it at what the purpose
        # needs. Two years, so an intrusion found late can still be traced: our assumption, for
        # the data controller to confirm (the account page states it in months).
        "SECURITY_LOG_RETENTION_DAYS": int(os.environ.get("SECURITY_LOG_RETENTION_DAYS", "730")),
        **mail_config(),
    }
