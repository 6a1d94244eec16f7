"""Three languages: the choice order is ?lang=, the remembered choice, the user's setting, then
the browser's Accept-Language."""
from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import get_locale, lazy_gettext as _l
from flask_login import current_user

from backend.extensions import babel


LANGUAGE_NAMES = {"nb": "Norsk bokmål", "sv": "Svenska", "en": "English"}
# Default country for crisis lines by language; a user can change it.
DEFAULT_COUNTRY = {"nb": "NO", "sv": "SE", "en": "GB"}


def select_locale() -> str:
    """Pick the language for this request."""
    languages = current_app.config["LANGUAGES"]
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


__all__ = ["select_locale", "init_app", "LANGUAGE_NAMES", "DEFAULT_COUNTRY", "_l"]
