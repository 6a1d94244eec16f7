"""Grounding pages: the catalog, the guided player, the log with its chart, personal exercises,
and a therapist's view of a linked client. Thin: parse, ask access and services, render."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from backend import audit, db
from backend.access import require, roles, signed_in
from backend.accounts.care import clients_of
from backend.answers import render_page
from backend.errors import ServiceError
from backend.i18n import format_day, format_moment, plural_forms
from backend.offline import versioned_page
from grounding import access, services
from grounding.catalog import catalog
from grounding.chart import Point, render_chart
from grounding.forms import CustomExerciseForm
from grounding.stamp import stamp

bp = Blueprint("grounding", __name__, url_prefix="/grounding", template_folder="templates",
               static_folder="static", static_url_path="/static")

KIND_LABELS = {
    "mental": _l("Mental grounding"),
    "physical": _l("Physical grounding"),
    "soothing": _l("Soothing grounding"),
    "senses": _l("Senses"),
    "breathing": _l("Breathing"),
    "custom": _l("My own exercise"),
}


# What a therapist's access to a client's grounding is logged as (shown on the client's access log).
LOG, EXERCISES, EXERCISE = "grounding_log", "grounding", "grounding_exercise"


def _log(client_id: int, action: str, object_type: str, object_id: int | None = None) -> None:
    """Record a therapist's read or change of a client's grounding; the caller commits. A client's
    own use is not an access by someone else."""
    if current_user.role != "client" and current_user.id != client_id:
        audit.record(db.session(), current_user, client_id, action, object_type, object_id)


def _locale() -> str:
    return str(get_locale())


@bp.app_context_processor
def _grounding_globals() -> dict:
    return {"grounding_kind_label": lambda kind: KIND_LABELS.get(kind, kind)}


def _player_strings() -> dict:
    """Words the player script shows or speaks, translated here so the script has none."""
    return {
        "next": _("Next"), "finish": _("Finish"), "pause": _("Pause"), "resume": _("Resume"),
        "paused": _("Paused. Take the time you need."),
        "in": _("Breathe in"), "out": _("Breathe out"), "hold": pgettext("breathing pacer: hold the breath", "Hold"),
        "pacer_done": _("Done. Let your breath find its own pace."),
        **dict(zip(("timer_left_one", "timer_left"),
                   plural_forms("About %(num)s second on this step", "About %(num)s seconds on this step", "{s}"),
                   strict=True)),
        "timer_done": _("Take your time. Go on when you are ready."),
        "saved": _("Saved in your grounding log."),
        "queued": _("Kept on this device. It will be sent when you are online again."),
        "not_saved": _("This session could not be saved."),
        "step_of": _("Step %(number)s of %(total)s", number="{n}", total="{t}"),
        "result": _("Distress before: %(before)s. After: %(after)s.", before="{b}", after="{a}"),
        "not_rated": _("not rated"),
        "well_done": _("Well done for taking this time."),
        "still_hard": _("It is still hard right now. That is all right."),
    }


def _render_player(exercise: dict, custom_id: int | None = None):
    """The player for a catalog or personal exercise."""
    is_client = current_user.role == "client"
    alternative = None
    if exercise.get("alternative"):
        alt = catalog().get(exercise["alternative"])
        if alt:
            alternative = {"title": alt.localized(_locale())["title"],
                           "url": url_for("grounding.player", slug=alt.slug)}
    on_plan = (is_client and custom_id is None
               and exercise["slug"] in services.chosen_slugs(db.session(), current_user.id))
    steps = exercise["steps"]
    step_seconds = max(15, min(120, round(exercise["minutes"] * 60 / len(steps))))
    return render_template(
        "grounding/player.html", exercise=exercise, alternative=alternative, on_plan=on_plan,
        save_url=url_for("grounding_api.create_session") if is_client else "",
        is_client=is_client, is_custom=custom_id is not None, step_seconds=step_seconds,
        strings=_player_strings())


@bp.route("/")
@signed_in
def index():
    """The catalog: for a client, what helped them most comes first."""
    session = db.session()
    is_client = current_user.role == "client"
    client_id = current_user.id if is_client else None
    exercises = services.catalog_for(session, client_id, _locale())
    context = {"exercises": exercises, "is_client": is_client}
    if is_client:
        context.update(
            ranking=services.ranking(session, current_user.id, _locale()),
            plan={item["slug"]: item["source"] for item in
                  services.exercises_for_client(session, current_user.id, _locale())},
            customs=services.custom_exercises_of(session, current_user.id))
    elif current_user.role == "therapist":
        context["clients"] = clients_of(session, current_user.id)
    return versioned_page(lambda: render_template("grounding/index.html", **context), _my_stamp())


def _my_stamp() -> str:
    """What the signed-in person's grounding pages show changes with (grounding/stamp.py)."""
    return stamp(db.session(), current_user.id)


def _chart_context(client_id: int) -> dict:
    """The chart, the table behind it and the ranking for one client's log."""
    session = db.session()
    records = services.sessions_of(session, client_id)
    points = [Point(r.started_at, r.distress_before, r.distress_after,
                    services.exercise_title(session, r.exercise_slug, _locale())) for r in records]
    chart = render_chart(
        points,
        title=_("Distress before and after each session"),
        description=_("Each session is a column: a circle for distress before (0 to 10), a square for after. "
                      "Oldest on the left. The table below holds the same figures."),
        labels={"before": _("Before"), "after": _("After"), "axis": _("Distress 0–10")},
        date_format=lambda when: format_day(when, relative=False),
    )
    rows = [{"record": r, "title": p.label, "date": format_moment(r.started_at)}
            for r, p in zip(records, points, strict=True)]
    return {"chart": chart if records else None, "rows": list(reversed(rows)),
            "ranking": services.ranking(session, client_id, _locale())}


@bp.route("/history")
@roles("client")
def history():
    """The client's log: chart, table, what works for me, and the sharing choice."""
    return render_template("grounding/history.html", **_chart_context(current_user.id),
                           shares=services.shares_log(db.session(), current_user.id))


@bp.route("/sharing", methods=["POST"])
@roles("client")
def sharing():
    """The client turns sharing of their log with linked therapists on or off."""
    share = request.form.get("share") == "on"
    services.set_sharing(db.session(), current_user.id, share)
    db.session().commit()
    flash(_("Your therapist can now see your grounding log.") if share
          else _("Your grounding log is private to you."), "success")
    return redirect(url_for("grounding.history"))


@bp.route("/mine/new", methods=["GET", "POST"])
@roles("client")
def custom_new():
    """A client writes a personal exercise for their plan."""
    return _custom_form(current_user.id, url_for("grounding.index"))


def _custom_form(client_id: int, done_url: str, client_name: str | None = None):
    """Shared by client and therapist: write a personal exercise; 400 with the text kept if invalid."""
    form = CustomExerciseForm()
    if form.validate_on_submit():
        try:
            exercise = services.add_custom_exercise(db.session(), client_id, current_user.id,
                                                    form.title.data, form.steps.data)
        except ServiceError as exc:
            getattr(form, exc.field or "title").errors.append(exc.message)
        else:
            _log(client_id, "change", EXERCISE, exercise.id)
            db.session().commit()
            flash(_("Saved. “%(title)s” is now on the plan.", title=exercise.title), "success")
            return redirect(done_url)
    status = 400 if form.is_submitted() else 200
    return render_template("grounding/custom_form.html", form=form, client_name=client_name), status


@bp.route("/custom/<int:exercise_id>")
@roles("client", "therapist")
def custom_player(exercise_id: int):
    """The player for a personal exercise."""
    exercise = services.custom_exercise(db.session(), exercise_id)
    if exercise is None or not access.may_play_custom(db.session(), current_user, exercise):
        abort(404)
    _log(exercise.client_id, "open", EXERCISE, exercise.id)
    db.session().commit()
    data = {"slug": exercise.slug, "kind": "custom", "title": exercise.title, "purpose": "",
            "steps": exercise.steps, "cautions": [], "pacer": None, "alternative": None,
            "minutes": max(1, len(exercise.steps)), "optional": False, "default": False}
    return versioned_page(lambda: _render_player(data, custom_id=exercise.id), _my_stamp())


@bp.route("/custom/<int:exercise_id>/delete", methods=["POST"])
@roles("client", "therapist")
def custom_delete(exercise_id: int):
    """Remove a personal exercise (the client, or a linked therapist)."""
    session = db.session()
    exercise = services.custom_exercise(session, exercise_id)
    if exercise is None or not access.may_play_custom(session, current_user, exercise):
        abort(404)
    client_id = exercise.client_id
    _log(client_id, "change", EXERCISE, exercise.id)
    session.delete(exercise)
    session.commit()
    flash(_("The exercise was removed."), "info")
    if current_user.role == "therapist":
        return redirect(url_for("grounding.client", client_id=client_id))
    return redirect(url_for("grounding.index"))


@bp.route("/clients/<int:client_id>")
@roles("therapist")
def client(client_id: int):
    """A therapist's page for a linked client: recommendations, personal exercises and (only if
    the client allows it) their log."""
    session = db.session()
    person = access.linked_client(session, current_user, client_id)
    require(person is not None)
    context = {"person": person, "may_see_log": access.may_view_log(session, current_user, client_id),
               "exercises": services.catalog_for(session, None, _locale()),
               "recommended": {r.exercise_slug for r in services.recommendations_for(session, client_id)
                               if r.therapist_id == current_user.id},
               "customs": services.custom_exercises_of(session, client_id)}
    if context["may_see_log"]:
        context.update(_chart_context(client_id))
    _log(client_id, "open", LOG if context["may_see_log"] else EXERCISES)
    return render_page("grounding/client.html", **context)


@bp.route("/clients/<int:client_id>/recommend", methods=["POST"])
@roles("therapist")
def recommend(client_id: int):
    """Recommend (or withdraw) a catalog exercise for a linked client."""
    session = db.session()
    require(access.linked_client(session, current_user, client_id) is not None)
    slug = request.form.get("exercise", "")
    require(catalog().get(slug) is not None, 400)
    if request.form.get("withdraw"):
        services.withdraw_recommendation(session, current_user.id, client_id, slug)
        flash(_("Recommendation withdrawn."), "info")
    else:
        services.recommend(session, current_user.id, client_id, slug)
        flash(_("Recommended. It now shows on your client's plan."), "success")
    _log(client_id, "change", EXERCISES)
    session.commit()
    return redirect(url_for("grounding.client", client_id=client_id))


@bp.route("/clients/<int:client_id>/custom", methods=["GET", "POST"])
@roles("therapist")
def client_custom(client_id: int):
    """A therapist writes a personal exercise for a linked client."""
    person = access.linked_client(db.session(), current_user, client_id)
    if person is None:
        abort(404)
    return _custom_form(client_id, url_for("grounding.client", client_id=client_id), person.name)


@bp.route("/<slug>/plan", methods=["POST"])
@roles("client")
def choose(slug: str):
    """Put a catalog exercise on the client's plan, or take it off."""
    add = request.form.get("add") == "1"
    try:
        services.set_chosen(db.session(), current_user.id, slug, add)
    except ServiceError:
        abort(404)
    db.session().commit()
    flash(_("Added to your plan.") if add else _("Taken off your plan."), "success")
    return redirect(url_for("grounding.player", slug=slug))


@bp.route("/<slug>")
@signed_in
def player(slug: str):
    """The guided player for a catalog exercise."""
    exercise = catalog().get(slug)
    if exercise is None:
        abort(404)
    return versioned_page(lambda: _render_player(exercise.localized(_locale())), _my_stamp())
