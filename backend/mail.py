"""Outgoing mail: SMTP when the environment names a server, otherwise `instance/mail/*.eml` (0600),
whose path the server log names, so a newcomer under `make run` can still follow a link. The log
never holds a mail's body: its links are sign-in, reset and invite secrets (ASVS V16.2.5).

Settings: TRYGG_SMTP_HOST, TRYGG_SMTP_PORT (587), TRYGG_SMTP_USER, TRYGG_SMTP_PASSWORD,
TRYGG_SMTP_TLS (starttls | ssl | none; starttls by default), TRYGG_MAIL_FROM.
"""
from __future__ import annotations

import os
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from flask import Flask

from backend.db import utcnow
from backend.extensions import current_flask_app


def mail_config() -> dict:
    """The mail settings from the environment (read when the app is made)."""
    return {
        "SMTP_HOST": os.environ.get("TRYGG_SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("TRYGG_SMTP_PORT") or 587),
        "SMTP_USER": os.environ.get("TRYGG_SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("TRYGG_SMTP_PASSWORD", ""),
        "SMTP_TLS": os.environ.get("TRYGG_SMTP_TLS", "starttls").lower(),
        "MAIL_FROM": os.environ.get("TRYGG_MAIL_FROM", "Trygg <trygg@localhost>"),
    }


def build_message(config: dict, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message from Trygg."""
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = utcnow().strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(body)
    return message


def _write_to_folder(app: Flask, message: EmailMessage) -> Path:
    folder = Path(app.instance_path) / "mail"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{utcnow().strftime('%Y%m%dT%H%M%S%f')}-{secrets.token_hex(4)}.eml"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(message.as_bytes())
    return path


def send_mail(to: str, subject: str, body: str, app: Flask | None = None) -> None:
    """Send one message now. Failures are logged, never shown: the person's answer is the same."""
    app = app or current_flask_app()
    config = app.config
    message = build_message(config, to, subject, body)
    if not config.get("SMTP_HOST"):
        path = _write_to_folder(app, message)
        app.logger.warning("Mail to %s not sent (no TRYGG_SMTP_HOST); kept in %s", to, path)
        return
    try:
        smtp: smtplib.SMTP
        if config["SMTP_TLS"] == "ssl":
            smtp = smtplib.SMTP_SSL(config["SMTP_HOST"], config["SMTP_PORT"], timeout=15,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=15)
        with smtp:
            if config["SMTP_TLS"] == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        app.logger.exception("Mail to a user could not be sent")
