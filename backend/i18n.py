"""Three languages: the choice order is ?lang=, the remembered choice, the user's setting, then
the browser's Accept-Language."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_skeleton, format_time, format_timedelta, get_timezone_location
from babel.numbers import format_decimal
from flask import Flask, current_app, request, session
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_login import current_user

from backend import words
from backend.extensions import babel

LANGUAGE_NAMES = {"nb": "Norsk bokmål", "sv": "Svenska", "en": "English"}
# Default country for crisis lines by language; a user can change it.
DEFAULT_COUNTRY = {"nb": "NO", "sv": "SE", "en": "GB"}
# A language spoken mostly in one country, for a browser that names no region ("sv", not "sv-FI").
LANGUAGE_COUNTRY = {"nb": "NO", "nn": "NO", "no": "NO", "sv": "SE", "da": "DK", "fi": "FI"}
# A person's time zone when they have not chosen one: their country's, else their language's.
COUNTRY_ZONES = {"NO": ["Europe/Oslo"], "SE": ["Europe/Stockholm"], "DK": ["Europe/Copenhagen"],
                 "FI": ["Europe/Helsinki"], "GB": ["Europe/London"],
                 "US": ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
                        "America/Anchorage", "Pacific/Honolulu"]}
LANGUAGE_ZONE = {"nb": "Europe/Oslo", "sv": "Europe/Stockholm", "en": "Europe/London"}
# Where a device's time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`) says it is: a
# phone set to English in Oslo needs 113, not 911. Every zone of the countries we have numbers for
# (tzdata's zone.tab, with Svalbard and Åland under Norway's and Finland's numbers), and the older
# names ICU still reports for some of them.
ZONE_COUNTRY = {zone: country for country, zones in COUNTRY_ZONES.items() for zone in zones} | {
    "Arctic/Longyearbyen": "NO", "Atlantic/Jan_Mayen": "NO", "Europe/Mariehamn": "FI", "Europe/Belfast": "GB",
    **dict.fromkeys((
        "America/Detroit", "America/Kentucky/Louisville", "America/Kentucky/Monticello", "America/Louisville",
        "America/Indiana/Indianapolis", "America/Indianapolis", "America/Fort_Wayne", "America/Indiana/Vincennes",
        "America/Indiana/Winamac", "America/Indiana/Marengo", "America/Indiana/Petersburg",
        "America/Indiana/Vevay", "America/Indiana/Tell_City", "America/Indiana/Knox", "America/Knox_IN",
        "America/Menominee", "America/North_Dakota/Center", "America/North_Dakota/New_Salem",
        "America/North_Dakota/Beulah", "America/Boise", "America/Phoenix", "America/Juneau", "America/Sitka",
        "America/Metlakatla", "America/Yakutat", "America/Nome", "America/Adak", "America/Atka",
        "US/Eastern", "US/Central", "US/Mountain", "US/Pacific", "US/Alaska", "US/Hawaii", "US/Arizona",
    ), "US"),
}
# The country a person chose (on the strip or /help), or their device's time zone said: kept in
# the browser, no account needed. Not HttpOnly: the time-zone guess (pwa/static/country.js) sets it.
COUNTRY_COOKIE = "trygg_country"
COUNTRY_COOKIE_AGE = 365 * 24 * 3600
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


def _signed_in_country(known) -> str | None:
    if current_user and current_user.is_authenticated:
        fn = current_app.extensions.get("trygg.user_country")
        country = (fn(current_user) if fn else None) or current_user.country
        if country in known:
            return country
    return None


def remembered_country(known) -> str | None:
    """The country this browser remembers (chosen, or guessed from its time zone), if we know it."""
    country = request.cookies.get(COUNTRY_COOKIE, "").upper()
    return country if country in known else None


def request_country(locale: str) -> str:
    """The country whose numbers this request shows: a signed-in person's own (a client's plan),
    else the one this browser remembers (chosen on the strip or /help, or its time zone), else the
    browser's language region."""
    known = {code for code, _ in country_choices(locale)}
    return _signed_in_country(known) or remembered_country(known) or browser_country(locale)


def country_is_a_guess(locale: str) -> bool:
    """True when the request's country comes only from the browser's languages: the page then
    carries the time-zone guess, which a script turns into the remembered country."""
    known = {code for code, _ in country_choices(locale)}
    return _signed_in_country(known) is None and remembered_country(known) is None


def zone_countries(known) -> dict[str, str]:
    """Time zone -> country, for the countries we have numbers for (what the guess script reads)."""
    return {zone: country for zone, country in ZONE_COUNTRY.items() if country in known}


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


def _zone_or_none(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def viewer_zone() -> ZoneInfo:
    """The reader's time zone: their own setting, else their country's, else their language's.
    Pages never show UTC: every time a person reads is in this zone."""
    user = current_user if current_user and current_user.is_authenticated else None
    zone = _zone_or_none(getattr(user, "time_zone", None))
    if zone is None and user is not None and getattr(user, "country", None) in COUNTRY_ZONES:
        zone = _zone_or_none(COUNTRY_ZONES[user.country][0])
    return zone or ZoneInfo(LANGUAGE_ZONE.get(str(get_locale()), "Europe/Oslo"))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_day(day: date | datetime, relative: bool = True) -> str:
    """A day as people write it: "i dag", "i går", "24. nov." (nb), "24 nov." (sv), "Nov 24";
    with the year when it is not this year. A datetime is first put in the reader's zone."""
    zone = viewer_zone()
    if isinstance(day, datetime):
        day = _aware(day).astimezone(zone).date()
    today = datetime.now(UTC).astimezone(zone).date()
    if relative:
        words = {0: gettext("today"), 1: gettext("yesterday"), -1: gettext("tomorrow")}.get((today - day).days)
        if words:
            return words
    skeleton = "MMMd" if day.year == today.year else "yMMMd"
    return format_skeleton(skeleton, day, locale=str(get_locale()))


def format_clock(moment: datetime) -> str:
    """The time of day in the reader's zone and language ("14:05", "2:05 PM")."""
    return format_time(_aware(moment).astimezone(viewer_zone()), "short", locale=str(get_locale()))


def format_moment(moment: datetime, relative: bool = True) -> str:
    """A moment for a person: "i dag kl. 14:05", "24. nov. kl. 14:05", in their zone."""
    return gettext("%(day)s at %(time)s", day=format_day(moment, relative), time=format_clock(moment))


def format_number(value: float | int, digits: int = 1) -> str:
    """A number with the language's decimal sign ("4,0" in nb and sv)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=str(get_locale()))


def format_minutes(minutes: float | int, short: bool = False) -> str:
    """A duration through Babel: "1 minutt", "5 minutter", "2 timer" (short: "5 min")."""
    return format_timedelta(timedelta(minutes=max(0, minutes)), granularity="minute", threshold=1.5,
                            format="short" if short else "long", locale=str(get_locale()))


_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def format_value(value):
    """A stored value for a person to read: ISO moments and days (as exports hold them) in their
    language and zone, numbers with their decimal sign, anything else as it is."""
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            return format_moment(datetime.fromisoformat(value.replace("Z", "+00:00")), relative=False)
        except ValueError:
            return value
    if isinstance(value, str) and _ISO_DAY.match(value):
        try:
            return format_day(date.fromisoformat(value), relative=False)
        except ValueError:
            return value
    if isinstance(value, float):
        return format_number(value)
    return value


def plural_forms(singular: str, plural: str, placeholder: str) -> tuple[str, str]:
    """The one and many forms of a count message with `%(num)s` left as `placeholder`, for a
    script to fill in ("{n}"). Our three languages use the first form for exactly 1."""
    from flask_babel import get_translations

    translations = get_translations()
    return (translations.ungettext(singular, plural, 1) % {"num": placeholder},
            translations.ungettext(singular, plural, 2) % {"num": placeholder})


def zone_choices(country: str | None, locale: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The likely time zones for a country first, as (zone, city name in the language), then every
    zone name for a searchable list."""
    likely = [(name, get_timezone_location(name, locale=locale, return_city=True))
              for name in COUNTRY_ZONES.get(country or "", [])]
    return likely, sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


def init_app(app: Flask) -> None:
    """Set up Flask-Babel (language and the reader's time zone) and the template filters."""
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: viewer_zone().key)
    app.jinja_env.filters.update(day=format_day, clock=format_clock, moment=format_moment,
                                 number=format_number, minutes=format_minutes,
                                 readable=format_value)
    app.jinja_env.globals["js_words"] = words.for_script

    @app.context_processor
    def _languages() -> dict:
        return {"LANGUAGE_NAMES": LANGUAGE_NAMES, "current_locale": lambda: str(get_locale())}


__all__ = ["select_locale", "init_app", "LANGUAGE_NAMES", "DEFAULT_COUNTRY", "_l", "_lp", "country_from_languages",
           "register_countries", "country_choices", "browser_country", "request_country", "viewer_zone",
           "format_day", "format_clock", "plural_forms", "format_moment", "format_number", "format_minutes",
           "zone_choices", "COUNTRY_ZONES", "LANGUAGE_ZONE", "format_value", "ZONE_COUNTRY", "COUNTRY_COOKIE",
           "COUNTRY_COOKIE_AGE", "remembered_country", "country_is_a_guess", "zone_countries"]
