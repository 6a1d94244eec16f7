"""Everything Trygg holds about a person, gathered from every package, for "download my data".

Packages register a source, `add_source(app, name, fn(db, user) -> JSON-able)`, in their init_app;
the platform never imports them."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy.orm import Session


def add_source(app: Flask, name: str, source: Callable, title=None) -> None:
    """Declare one part of a person's data (`title`: a heading for the readable page)."""
    app.extensions.setdefault("trygg.personal_data", {})[name] = (title or name, source)


def collect(app: Flask, db: Session, user) -> dict:
    """Every registered part, by name."""
    return {name: source(db, user) for name, (_, source) in app.extensions.get("trygg.personal_data", {}).items()}


def titles(app: Flask) -> dict:
    """Each part's heading."""
    return {name: title for name, (title, _) in app.extensions.get("trygg.personal_data", {}).items()}
