"""What stays usable offline: the catalog and every exercise's player (registered with the
platform's offline registry; the pwa package caches them after sign-in)."""
from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from backend.offline import register_warm_urls
from grounding import services
from grounding.catalog import catalog


def warm_urls(db, user) -> list:
    """The catalog (listed on the offline page), each exercise, and a client's personal exercises."""
    urls: list = [(url_for("grounding.index"), _l("Grounding exercises"))]
    urls += [url_for("grounding.player", slug=exercise.slug) for exercise in catalog().exercises]
    if user is not None and user.role == "client":
        urls += [url_for("grounding.custom_player", exercise_id=custom.id)
                 for custom in services.custom_exercises_of(db, user.id)]
    return urls


def init_app(app: Flask) -> None:
    """Tell the platform what to keep offline."""
    register_warm_urls(app, warm_urls)
