"""Three languages: the choice order is ?lang=, the remembered choice, the user's setting, then
the browser's Accept-Language."""
from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from backend.extensions import babel

LANGUAGE_NAMES = {"nb": "Norsk bokmål", "sv": "Svenska", "en": "English"}
# Default country for crisis lines by language; a user can change it.
DEFAULT_COUNTRY = {"nb": "NO", "sv": "SE", "en": "GB"}
# A language spoken mostly in one country, for a browser that names no region ("sv", not "sv-FI").
LANGUAGE_COUNTRY = {"nb": "NO", "nn": "NO", "no": "NO", "sv": "SE", "da": "DK", "fi": "FI"}
# Region subtags people use that are not the ISO code we keep.
REGION_ALIASES = {"UK": "GB"}


def country_from_languages(tags, known, locale: str = "en") -> str:
    """The country a person most likely lives in, from their browser's languages in order of
    preference (`en-NO` -> NO): the first tag whose region we know wins, then the first
    language spoken mostly in one country, then the UI language's default.

    The country decides which crisis numbers are shown, so it is never taken from the UI
    language when the browser says more (an English-speaking person in Norway needs 113).
    """
    known = set(known)
    tags = [str(t).replace("_", "-") for t in tags if t and t != "*"]
    for tag in tags:
        parts = tag.split("-")
        for part in parts[1:]:
            region = REGION_ALIASES.get(part.upper(), part.upper())
            if len(part) == 2 and region in known:
                return region
    for tag in tags:
        country = LANGUAGE_COUNTRY.get(tag.split("-")[0].lower())
        if country is not None and country in known:
            return country
    fallback = DEFAULT_COUNTRY.get(locale, "NO")
    return fallback if fallback in known or not known else sorted(known)[0]


def register_countries(app: Flask, choices, user_country=None) -> None:
    """A feature package says which countries exist (`choices(locale) -> [(code, name)]`) and,
    optionally, a signed-in person's country (`user_country(user) -> code or None`)."""
    app.extensions["trygg.countries"] = choices
    if user_country is not None:
        app.extensions["trygg.user_country"] = user_country


def country_choices(locale: str) -> list[tuple[str, str]]:
    """(code, name in `locale`) for every country we have crisis numbers for."""
    fn = current_app.extensions.get("trygg.countries")
    return fn(locale) if fn else []


def browser_country(locale: str) -> str:
    """The country the browser's Accept-Language points to."""
    known = [code for code, _ in country_choices(locale)]
    return country_from_languages([lang for lang, _ in request.accept_languages], known, locale)


def request_country(locale: str) -> str:
    """The country whose numbers this request shows: a signed-in person's own (a client's plan),
    else the one chosen on /help this visit, else the browser's region."""
    known = {code for code, _ in country_choices(locale)}
    if current_user and current_user.is_authenticated:
        fn = current_app.extensions.get("trygg.user_country")
        country = (fn(current_user) if fn else None) or current_user.country
        if country in known:
            return country
    if session.get("country") in known:
        return session["country"]
    return browser_country(locale)


def select_locale() -> str:
    """Pick the language for this request."""
    languages: tuple[str, ...] = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked  # a link with ?lang= is remembered for the pages that follow
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages, default="en") or "en"


def init_app(app: Flask) -> None:
    """Set up Flask-Babel and expose the language list to templates."""
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _languages() -> dict:
        return {"LANGUAGE_NAMES": LANGUAGE_NAMES, "current_locale": lambda: str(get_locale())}


__all__ = ["select_locale", "init_app", "LANGUAGE_NAMES", "DEFAULT_COUNTRY", "_l", "country_from_languages",
           "register_countries", "country_choices", "browser_country", "request_country"]
