"""Grounding: the exercise catalog (data per exercise, in nb, sv and en), the guided player,
sessions with before/after distress ratings, the progress chart, personal exercises and
therapist recommendations. Knows nothing of plans: the plan asks
`grounding.services.exercises_for_client`."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from backend.nav import add_nav_item


def init_app(app: Flask) -> None:
    """Check the catalog (a bad exercise file stops the app here, not mid-crisis), then register
    the pages, the API and the navigation link."""
    from backend import audit

    audit.describe_with(app, "grounding")  # its access-log lines: grounding/words/access.json
    from grounding import api, models, offline, views  # noqa: F401 - models declares the tables
    from grounding.catalog import catalog

    catalog()  # raises CatalogError naming the file and the problem
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    api.register_openapi(app)
    offline.init_app(app)
    from backend.personal_data import add_source
    from grounding.services import personal_data

    add_source(app, "grounding", personal_data, _l("Your grounding"))
    add_nav_item(app, "grounding.index", _l("Grounding"), ("client", "therapist"), order=40)
