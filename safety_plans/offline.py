"""What a client keeps offline: their crisis view and editor, and the crisis lines for the offline
page (registered with the platform's offline registry; the pwa package serves them)."""
from __future__ import annotations

from flask import Flask, render_template, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from backend.offline import register_home, register_offline_section, register_public_urls, register_warm_urls
from safety_plans import crisis_lines, plans


def _client_plan(db, user):
    """The signed-in client's plan, if they have one."""
    if user is None or user.role != "client":
        return None
    return plans.plan_of(db, user)


def warm_urls(db, user) -> list:
    """A client's crisis view, "I need help now", editor and commitments (the crisis view and the
    editor listed on the offline page). In the order a person in crisis needs them: a warming cut
    short (the app closed a second after sign-in) has kept the first ones."""
    plan = _client_plan(db, user)
    if plan is None:
        return []
    return [(url_for("safety_plans.view", plan_id=plan.id), _l("My safety plan")),
            url_for("crisis.now"),
            (url_for("safety_plans.edit", plan_id=plan.id), _l("Edit my plan")),
            url_for("safety_plans.commitments", plan_id=plan.id)]


def client_home(db, user) -> str:
    """A client's home is their crisis view (the plan is started on the first visit)."""
    return url_for("safety_plans.view", plan_id=plans.get_or_create_plan(db, user).id)


def therapist_home(db, user) -> str:
    """A therapist's home is their clients."""
    return url_for("safety_plans.clients")


def offline_help(db, user, locale: str) -> Markup:
    """The crisis lines of the person's country: a client's plan's, a signed-in person's own,
    else the browser's region (never the UI language's: an English page in Norway shows 113)."""
    from safety_plans.crisis import help_context

    country = help_context()["country"]
    return Markup(render_template(
        "safety_plans/_offline_help.html",
        lines=crisis_lines.lines_for(country, locale),
        country_name=crisis_lines.country_name(country, locale),
    ))


def init_app(app: Flask) -> None:
    """Tell the platform what to keep offline."""
    register_warm_urls(app, warm_urls)
    register_home(app, "client", client_home)
    register_home(app, "therapist", therapist_home)
    register_offline_section(app, offline_help)
    register_public_urls(app, lambda: [url_for("crisis.help_page")])
