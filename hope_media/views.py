"""Pages and the file route for hope items: thin — parse, ask access and services, render."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from backend import audit, db
from backend.access import roles
from backend.answers import render_page
from backend.errors import ServiceError
from backend.offline import KEEP_HEADER
from backend.redirects import safe_path
from hope_media import files, services, storage
from hope_media.access import load_file, load_media
from hope_media.render import MEDIA_SECTIONS, panel_context
from safety_plans.access import load_plan

bp = Blueprint("hope_media", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/hope_media")
PLAN_ROLES = ("client", "therapist")
IMMUTABLE = "private, max-age=31536000, immutable"


@bp.url_value_preprocessor
def _room_for_uploads(endpoint, _values) -> None:
    """The form takes a photo of 10 MB (1 MB elsewhere). Set before anything reads the form (the
    request guard and CSRF run as before_request functions, after this). A blueprint's hook runs
    only for its own endpoints: the recorder's API sets its own limit (`hope_media.api`)."""
    if endpoint == "hope_media.add":
        request.max_content_length = files.FORM_BODY_MAX_BYTES


def _next_url(plan_id: int) -> str:
    return safe_path(request.form.get("next"), url_for("safety_plans.edit", plan_id=plan_id) + "#reasons")


@bp.route("/plans/<int:plan_id>/media")
@roles(*PLAN_ROLES)
def page(plan_id: int):
    """Photos, recordings and messages of one plan, with the forms to add more."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, "open")
    section = request.args.get("section", "reasons")
    if section not in MEDIA_SECTIONS:
        section = "reasons"
    context = panel_context(plan, section)
    return render_page("hope_media/page.html", **context)


@bp.route("/plans/<int:plan_id>/media", methods=["POST"])
@roles(*PLAN_ROLES)
def add(plan_id: int):
    """Add a photo, a recording (a file, when the page's recorder is not there) or a message."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, "change")
    form = request.form
    section = form.get("section", "reasons") if form.get("section") in MEDIA_SECTIONS else "reasons"
    # Two file fields ("Take a photo", "Or choose a picture you have"): the one that holds a file.
    upload = next((f for f in request.files.getlist("file") if f and f.filename), None)
    try:
        duration = int(form.get("duration_ms") or 0)
    except ValueError:
        duration = 0
    try:
        services.add_media(session, plan, current_user, uuid=form.get("uuid", ""), kind=form.get("kind", ""),
                           caption=form.get("caption", ""), transcript=form.get("transcript", ""),
                           data=upload.read() if upload else b"", duration_ms=duration, section=section,
                           item_uuid=form.get("item", "")[:64] or None, shared=form.get("shared") == "y")
    except ServiceError as exc:
        session.rollback()
        failed = {"kind": form.get("kind"), "field": exc.field, "message": exc.message, "values": form.to_dict()}
        return render_template("hope_media/page.html", **panel_context(plan, section, failed)), 400
    if current_user.id != plan.owner_id:
        audit.record(session, current_user, plan.owner_id, "change", "media")
    session.commit()
    flash(_("Saved."), "info")
    return redirect(_next_url(plan.id))


@bp.route("/plans/<int:plan_id>/media/<int:media_id>/remove", methods=["POST"])
@roles(*PLAN_ROLES)
def remove(plan_id: int, media_id: int):
    """Remove an item and its file."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, "change")
    media = load_media(session, current_user, plan, media_id, change=True)
    services.remove(session, media)
    if current_user.id != plan.owner_id:
        audit.record(session, current_user, plan.owner_id, "change", "media", media.id)
    session.commit()
    flash(_("Removed."), "info")
    return redirect(_next_url(plan.id))


@bp.route("/plans/<int:plan_id>/media/<int:media_id>/share", methods=["POST"])
@roles("client")
def share(plan_id: int, media_id: int):
    """The client shares one of their items with their therapists, or stops sharing it."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, None, owner_only=True)
    media = load_media(session, current_user, plan, media_id, change=True)
    shared = request.form.get("shared") == "y"
    services.set_shared(session, plan, current_user, media, shared)
    session.commit()
    flash(_("Shared with your therapist.") if shared else _("Only you see this now."), "info")
    return redirect(_next_url(plan.id))


@bp.route("/plans/<int:plan_id>/media/<name>")
@roles(*PLAN_ROLES)
def media_file(plan_id: int, name: str):
    """A file, to those who may see it (anyone else: 404). The client's own device may keep it
    for good (the name is its content's hash); a therapist's device keeps nothing."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, None)
    media = load_file(session, current_user, plan, name)
    session.commit()
    response = storage.store().send(plan.id, media.file_name, mimetype=media.mime, conditional=True,
                                    etag=media.file_name.split(".")[0], max_age=None)
    if response is None:
        abort(404)
    owner = plan.owner_id == current_user.id
    # The service worker's own fetch (no element asked: Sec-Fetch-Dest "empty") keeps it in the
    # person's cache, dropped at sign-out; an <img> or <audio> without it leaves nothing behind.
    if owner and request.headers.get("Sec-Fetch-Dest") == "empty":
        response.headers["Cache-Control"] = IMMUTABLE
    else:
        response.headers["Cache-Control"] = "private, no-store"
    if owner:
        response.headers[KEEP_HEADER] = "1"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
