"""Web Push: reminders on a person's phone, sent by a worker from what the database says is due.

`flask --app backend send-due-reminders` runs one pass (`--loop 60` keeps running);
`flask --app backend vapid-keys` shows the public key or makes a new pair for the environment.
"""
from __future__ import annotations

import os
import time as clock
from typing import cast

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from backend.db import utcnow
from backend.extensions import current_flask_app
from backend.nav import add_nav_item
from backend.openapi import add_paths

# Push services we send to. A subscription's endpoint is a URL the server will POST to, so it
# must belong to a real push service, never to something on our own network.
PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "android.googleapis.com",
    "updates.push.services.mozilla.com",
    "push.services.mozilla.com",
    ".push.apple.com",
    ".notify.windows.com",
)


@click.command("send-due-reminders")
@click.option("--loop", "interval", type=float, default=None,
              help="Keep running, one pass every this many seconds.")
@with_appcontext
def send_due_reminders_command(interval: float | None) -> None:
    """Send the reminders that are due now (one pass, or forever with --loop)."""
    from backend.push.reminders import run_pass
    from backend.security_log import prune_old

    app = current_flask_app()
    while True:
        try:
            report = run_pass(app, utcnow())
        except Exception:  # noqa: BLE001 - a worker in a loop outlives a database hiccup
            if interval is None:
                raise
            app.logger.exception("send-due-reminders: the pass failed; trying again next time")
        else:
            if interval is None or report.queued or report.failed or report.expired:
                click.echo(f"send-due-reminders: {report.summary()}")
        try:  # the worker that runs every minute also keeps the security log to its retention
            prune_old(app)
        except Exception:  # noqa: BLE001 - as above
            if interval is None:
                raise
            app.logger.exception("send-due-reminders: pruning the security log failed; trying again next time")
        if interval is None:
            return
        clock.sleep(interval)


@click.command("vapid-keys")
@click.option("--new", is_flag=True, help="Print a fresh key pair for VAPID_PRIVATE_KEY / VAPID_PUBLIC_KEY.")
@with_appcontext
def vapid_keys_command(new: bool) -> None:
    """Show the public VAPID key in use, or make a new pair for the environment."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    from backend.push.keys import load_keys, new_private_pem, public_key_of

    if new:
        pem = new_private_pem()
        click.echo(f"VAPID_PRIVATE_KEY='{pem.decode().strip()}'")
        key = cast(ec.EllipticCurvePrivateKey, load_pem_private_key(pem, None))  # new_private_pem makes a P-256 key
        click.echo(f"VAPID_PUBLIC_KEY={public_key_of(key)}")
        return
    keys = load_keys(current_app)
    click.echo(f"public key: {keys.public_key}\nsubject: {keys.subject}")


def init_app(app: Flask) -> None:
    """Settings page, subscription API, the daily reminder source and the worker commands."""
    from backend.personal_data import add_source
    from backend.push import api, models, views  # noqa: F401 - models declares the tables
    from backend.push.reminders import chosen, register_daily

    def push_data(db, user):
        """Devices that get reminders (their names, not their keys) and the reminder settings."""
        from sqlalchemy import select

        devices = db.scalars(select(models.PushSubscription).where(models.PushSubscription.user_id == user.id))
        settings = db.get(models.NotificationSettings, user.id)
        return {"devices": [{"device": d.label, "since": d.created_at.isoformat()} for d in devices],
                "settings": None if settings is None else {
                    **chosen(db, user.id), "daily_time": settings.daily_time.isoformat()}}

    add_source(app, "reminders", push_data, _l("Your reminders"))

    env_hosts = os.environ.get("PUSH_SERVICE_HOSTS")
    app.config.setdefault(
        "PUSH_SERVICE_HOSTS", tuple(h.strip() for h in env_hosts.split(",")) if env_hosts else PUSH_SERVICE_HOSTS
    )
    app.config.setdefault("PUSH_ALLOW_HTTP", False)  # only tests with a loopback push service
    app.config.setdefault("PUSH_RETRY_ATTEMPTS", 4)
    app.config.setdefault("PUSH_RETRY_BASE_SECONDS", 1.0)
    app.config.setdefault("PUSH_RETRY_MAX_SECONDS", 30.0)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(send_due_reminders_command)
    app.cli.add_command(vapid_keys_command)
    register_daily(app)
    add_paths(app, api.openapi_paths)
    add_nav_item(app, "push.settings", _l("Notifications"), roles=("client",), order=80)
