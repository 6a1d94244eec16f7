"""Alembic, driven from the app: `flask --app backend db-upgrade` brings any database up to date."""
from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import with_appcontext

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(app: Flask) -> Config:
    """An Alembic config pointing at our migrations and the app's database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", app.config["DATABASE_URL"].replace("%", "%%"))
    config.attributes["flask_app"] = app
    return config


def upgrade(app: Flask, revision: str = "heads") -> None:
    """Apply every migration up to `revision` (all branches by default)."""
    command.upgrade(alembic_config(app), revision)


@click.command("db-upgrade")
@with_appcontext
def db_upgrade_command() -> None:
    """Create or update the database tables."""
    upgrade(current_app)
    click.echo("Database is up to date.")


@click.command("db-revision")
@with_appcontext
@click.option("-m", "--message", required=True)
def db_revision_command(message: str) -> None:
    """Write a new migration by comparing the models with the database (for developers)."""
    command.revision(alembic_config(current_app), message=message, autogenerate=True)


def init_app(app: Flask) -> None:
    """Register the migration commands."""
    app.cli.add_command(db_upgrade_command)
    app.cli.add_command(db_revision_command)
