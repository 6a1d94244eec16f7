"""The crisis moment: the help strip on every page, the public /help page and the "I need help
now" walk-through. Nothing here writes to the database: a person in crisis only reads and calls
(the country a person not signed in chooses is kept in their browser, a cookie)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

from flask import Blueprint, Flask, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from backend import db
from backend.access import public, roles
from backend.answers import render_page
from backend.i18n import (
    COUNTRY_COOKIE,
    COUNTRY_COOKIE_AGE,
    browser_country,
    country_is_a_guess,
    register_countries,
    request_country,
    zone_countries,
)
from backend.offline import versioned_page
from backend.redirects import safe_path
from safety_plans import crisis_lines
from safety_plans import plans as plan_rules
from safety_plans.access import load_plan

bp = Blueprint("crisis", __name__, template_folder="templates")

# Where the quick exit goes: a busy, ordinary page (weather), local to the country so it looks
# like something one might open. We only navigate there; our pages never load anything from it.
EXIT_SITES = {"NO": "https://www.yr.no/", "SE": "https://www.smhi.se/", "DK": "https://www.dmi.dk/",
              "FI": "https://www.ilmatieteenlaitos.fi/", "US": "https://www.weather.gov/"}
DEFAULT_EXIT_SITE = "https://www.bbc.co.uk/weather"


def _locale() -> str:
    return str(get_locale())


def user_country(user) -> str | None:
    """A client's country is their plan's (they choose it there); others' their account's."""
    if getattr(user, "role", None) == "client":
        country = plan_rules.country_of(db.session(), user)
        if country is not None:
            return country
    return getattr(user, "country", None)


def help_context() -> dict:
    """What the help strip needs: the country, its name and its emergency line. Never fails: an
    error page must still show a number, so a broken database falls back to the browser."""
    if "trygg_help" in g:  # several parts of one page ask; the answer is the same
        return g.trygg_help
    locale = _locale()
    try:
        chosen = g.get("trygg_country")  # chosen by this very request (/help?country=)
        country = chosen or request_country(locale)
        guessing = not chosen and country_is_a_guess(locale)
    except Exception:  # noqa: BLE001 - the strip must render on a 500 page too
        try:
            db.session().rollback()
        except Exception:  # noqa: BLE001 - the database is gone; the browser still knows
            pass
        country, guessing = browser_country(locale), False
    g.trygg_help = {"country": country, "country_name": crisis_lines.country_name(country, locale),
                    "emergency": crisis_lines.emergency_line(country, locale),
                    "helplines": crisis_lines.helplines(country, locale),
                    "exit_url": EXIT_SITES.get(country, DEFAULT_EXIT_SITE),
                    "countries": [(c, crisis_lines.country_name(c, locale)) for c in crisis_lines.countries()],
                    "guess": _zone_guess(country, locale) if guessing else ""}
    return g.trygg_help


@lru_cache(maxsize=64)
def _zone_guess(country: str, locale: str) -> str:
    """What the time-zone guess (pwa/static/country.js) needs, as JSON for a data attribute: the
    country the page was drawn for, the zone table, and each country's emergency call and name.
    Only on pages drawn from the browser's languages alone (signed out, nothing remembered); the
    numbers change only with a deploy, so it is made once per country and language."""
    calls = {}
    for code in crisis_lines.countries():
        line = crisis_lines.emergency_line(code, locale)
        if line is not None:
            calls[code] = [line.number, line.tel_href, crisis_lines.country_name(code, locale)]
    return json.dumps({"country": country, "zones": zone_countries(calls), "calls": calls},
                      separators=(",", ":"), ensure_ascii=False)


def remember_country(response, country: str):
    """Keep a person's country in this browser (a year; no account needed)."""
    response.set_cookie(COUNTRY_COOKIE, country, max_age=COUNTRY_COOKIE_AGE, samesite="Lax", httponly=False,
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


# -- the walk-through -----------------------------------------------------------------------------

@dataclass
class Step:
    """One screen of the walk-through: a heading, a line of guidance, the person's own words."""

    key: str
    title: object
    lead: object
    items: list = field(default_factory=list)
    people: bool = False


STEP_TEXT = {
    "inner_coping": (_l("What I can do myself"), _l("Pick one thing and do it now. Then come back.")),
    "distraction": (_l("Places and people that take my mind off it"),
                    _l("Go somewhere, or be with someone, for a while.")),
    "support": (_l("People I can ask for help"), _l("It is all right to call. You do not have to explain everything.")),
    "professionals": (_l("Professionals I can call"), _l("They know how to help. Call or text them.")),
    "safe_environment": (_l("Keeping my surroundings safe"),
                         _l("Do one of these now, or ask someone to help you with it.")),
    "reasons": (_l("What matters to me"), _l("Read these slowly. This is what you are holding on for.")),
}


def walkthrough_steps(items: dict, lines: list, has_exercises: bool = False, extra: set | frozenset = frozenset()
                      ) -> list[Step]:
    """The screens after the first, in the plan's order, leaving out the empty ones. Chosen
    grounding exercises belong to "what I can do myself", so they keep that step; photos,
    recordings and messages (`extra`: sections with them) keep theirs."""
    steps = []
    for key in ("inner_coping", "distraction", "support", "professionals"):
        if items.get(key) or (key == "inner_coping" and has_exercises):
            title, lead = STEP_TEXT[key]
            steps.append(Step(key, title, lead, items[key], people=key != "inner_coping"))
    helplines = [line for line in lines if line.kind != "emergency"]
    if helplines:
        steps.append(Step("helplines", _l("Helplines"), _l("Someone is there to listen. You can stay anonymous."),
                          helplines))
    for key in ("safe_environment", "reasons"):
        if items.get(key) or key in extra:
            title, lead = STEP_TEXT[key]
            steps.append(Step(key, title, lead, items[key]))
    return steps


def _render_walkthrough(plan, is_owner: bool):
    locale = _locale()
    items = plan_rules.items_by_section(db.session(), plan)
    lines = crisis_lines.lines_for(plan.country, locale)
    people = [i for key in ("support", "professionals") for i in items[key] if i.phone][:4]
    from grounding.services import exercises_for_client
    from safety_plans.extras import sections_with_extras

    exercises = exercises_for_client(db.session(), plan.owner_id, locale)[:3]
    from safety_plans import hope
    from safety_plans.hope_views import wins_for

    extra = sections_with_extras(db.session(), current_user, plan)
    context = dict(
        hope=hope.crisis_parts(items), hope_authors=hope.authors(db.session(), items), wins=wins_for(plan, 3),
        plan=plan, is_owner=is_owner, people=people, steps=walkthrough_steps(items, lines, bool(exercises), extra),
        emergency=crisis_lines.emergency_line(plan.country, locale), exercises=exercises,
        plan_url=url_for("safety_plans.view", plan_id=plan.id),
    )
    return render_page("safety_plans/now.html", **context)


@bp.route("/now")
@public
def now():
    """The home-screen shortcut "I need help now": a client's own walk-through; anyone else gets
    the public help page (never a sign-in wall in a crisis)."""
    if current_user.is_authenticated and current_user.role == "client":
        plan = plan_rules.get_or_create_plan(db.session(), current_user)
        db.session().commit()
        # The client's device keeps it (offline from the home-screen shortcut), versioned like the plan.
        return versioned_page(lambda: _render_walkthrough(plan, True), *plan_rules.version_parts(db.session(), plan))
    return redirect(url_for("crisis.help_page"))


@bp.route("/plans/<int:plan_id>/now")
@roles("client", "therapist")
def plan_now(plan_id: int):
    """The walk-through of one plan (a therapist can go through it with their client)."""
    plan = load_plan(db.session(), current_user, plan_id, "open")
    return _render_walkthrough(plan, plan.owner_id == current_user.id)


# -- /help ----------------------------------------------------------------------------------------

@bp.route("/help")
@public
def help_page():
    """Every crisis line, for anyone: the person's country first, the others folded below.
    `?country=` chooses another country (signed out, this browser remembers it; a signed-in
    person's numbers follow their plan or account, so for them it is for this page only)."""
    locale = _locale()
    chosen = request.args.get("country", "").upper()
    remember = crisis_lines.known(chosen) and not current_user.is_authenticated
    if remember:
        g.pop("trygg_help", None)
        g.trygg_country = chosen  # the strip of this very page already shows the new choice
    country = chosen if crisis_lines.known(chosen) else help_context()["country"]
    others = [(c, crisis_lines.country_name(c, locale), crisis_lines.lines_for(c, locale))
              for c in crisis_lines.countries() if c != country]
    response = make_response(render_template(
        "safety_plans/help.html", country=country, country_name=crisis_lines.country_name(country, locale),
        lines=crisis_lines.lines_for(country, locale), others=others,
        countries=[(c, crisis_lines.country_name(c, locale)) for c in crisis_lines.countries()],
    ))
    return remember_country(response, chosen) if remember else response


@bp.route("/country", methods=["POST"])
@public
def choose_country():
    """The strip's country choice: remember it in this browser, then go back to the same page."""
    chosen = request.form.get("country", "").upper()
    response = redirect(safe_path(request.form.get("next"), url_for("crisis.help_page")))
    return remember_country(response, chosen) if crisis_lines.known(chosen) else response


def init_app(app: Flask) -> None:
    """Routes, the strip's template helper, and the country list for registration."""
    app.register_blueprint(bp)
    register_countries(app, lambda locale: [(c, crisis_lines.country_name(c, locale))
                                            for c in crisis_lines.countries()], user_country)

    @app.context_processor
    def _crisis_help() -> dict:
        return {"crisis_help": help_context}
