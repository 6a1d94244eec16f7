"""hope_media: photos, voice recordings and written messages on a client's plan ("What matters to
me", and any other section that opts in) — private by default, kept on the client's device, shown
in the crisis walk-through.

Where each rule lives: `files` (checking uploads by content, re-encoding, storage), `access` (who
sees what: the private zone), `services` (adding, sharing, removing, counts, offline list, data
download), `render` (how items look on the plan's pages), `views` (pages and the file route) and
`api` (the recorder's JSON endpoint). The plan's pages draw it through `safety_plans.extras`.
"""
from __future__ import annotations

import os

from flask import Flask, request
from flask_babel import lazy_gettext as _l

from backend.offline import register_warm_urls
from backend.personal_data import add_source
from backend.security import content_security_policy

# Pages with the recorder may use the microphone (everywhere else it stays off).
RECORDER_PAGES = {"safety_plans.edit", "hope_media.page", "hope_media.add"}
RECORDER_POLICY = "camera=(), microphone=(self), geolocation=()"


def _warm_media(db, user) -> list:
    """The client's own files for offline use, within the budget (services.OFFLINE_BUDGET_BYTES)."""
    from hope_media import services
    from safety_plans.plans import plan_of

    plan = plan_of(db, user) if getattr(user, "role", None) == "client" else None
    return services.offline_urls(db, user, plan) if plan else []


def init_app(app: Flask) -> None:
    """Routes, the plan's section extra, offline files, data download and account deletion."""
    from backend import audit

    audit.describe_with(app, "hope_media")  # its access-log lines: hope_media/words/access.json
    from hope_media import api, models, render, services, storage, views  # noqa: F401 - models declares the table
    from safety_plans.extras import SectionExtra, register_section_extra

    for name in ("TRYGG_MEDIA_DIR", "TRYGG_MEDIA_STORE", "TRYGG_S3_ENDPOINT"):  # hope_media/storage.py
        app.config.setdefault(name, os.environ.get(name) or None)
    app.extensions["trygg.media_store"] = storage.configured(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    api.register_openapi(app)
    register_section_extra(app, SectionExtra(render.render_extra, render.sections, services.stamp,
                                             pdf_lines=render.pdf_lines))
    register_warm_urls(app, _warm_media)
    add_source(app, "photos_and_recordings", services.personal_data, _l("Photos, recordings and messages"))
    app.extensions.setdefault("trygg.before_account_closed", []).append(services.remove_all_files_of)

    @app.after_request
    def _microphone(response):
        # The recorder's "listen back" plays the recording from a blob: URL before it is saved.
        if request.endpoint in RECORDER_PAGES:
            response.headers["Permissions-Policy"] = RECORDER_POLICY
            response.headers["Content-Security-Policy"] = content_security_policy() + "; media-src 'self' blob:"
        return response
