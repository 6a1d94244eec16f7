"""The shared list of /api/v1 endpoint descriptions: each package adds its own, and the
package that serves /api/v1/openapi.json puts them all in one document.

Also the string shapes several packages' descriptions share, written as the server checks them, so
a request the document calls valid is one the server accepts (tests/integration/test_api_schemathesis.py).
"""
from __future__ import annotations

import calendar
from collections.abc import Callable

from flask import Flask

from backend.guard import EARLIEST_YEAR, LATEST_YEAR

Paths = dict | Callable[[], dict]

# `format: date` alone allows years 0001–9999; the request guard takes 2000–2100 (backend/guard.py).
_DAY = "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
# RFC 3339's time with an offset, as Python's datetime.fromisoformat reads it (so no leap second).
_TIME = "T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,6})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"


def _date(first_year: int, last_year: int) -> str:
    """Every real day of these years (29 February in leap years only), years spelled out."""
    years = "|".join(str(y) for y in range(first_year, last_year + 1))
    leap = "|".join(str(y) for y in range(first_year, last_year + 1) if calendar.isleap(y))
    return f"(?:(?:{years})-{_DAY}" + (f"|(?:{leap})-02-29)" if leap else ")")


def date_pattern(first_year: int = EARLIEST_YEAR, last_year: int = LATEST_YEAR) -> str:
    """YYYY-MM-DD, a real day in these years."""
    return f"^{_date(first_year, last_year)}$"


def date_time_pattern(first_year: int = EARLIEST_YEAR, last_year: int = LATEST_YEAR) -> str:
    """YYYY-MM-DDThh:mm:ss[.ffffff] with Z or an offset, a real day in these years."""
    return f"^{_date(first_year, last_year)}{_TIME}$"


# A uuid made by the browser for an op (safety_plans.ops.ID_PATTERN).
ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$"


def _python_spaces() -> str:
    """What str.strip() trims (str.isspace, all in the Basic Multilingual Plane) as a character
    class's body: JSON Schema's `\\s` is ECMAScript's, which differs (U+001C–U+001F and U+0085 are
    spaces to Python only, U+FEFF to ECMAScript only)."""
    points = [n for n in range(0x10000) if chr(n).isspace()]
    ranges: list[list[int]] = []
    for n in points:
        if ranges and ranges[-1][1] == n - 1:
            ranges[-1][1] = n
        else:
            ranges.append([n, n])
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


_SPACES = _python_spaces()
SPACE = f"[{_SPACES}]"
# Text the server keeps after trimming spaces: it must not be only spaces.
NOT_BLANK = f"[^{_SPACES}]"


def date_schema(**extra) -> dict:
    """A YYYY-MM-DD date the API accepts (the request guard's years)."""
    return {"type": "string", "format": "date", "pattern": date_pattern(), **extra}


def date_time_schema(first_year: int = EARLIEST_YEAR, last_year: int = LATEST_YEAR, **extra) -> dict:
    """A date and time with its offset in these years."""
    return {"type": "string", "format": "date-time", "pattern": date_time_pattern(first_year, last_year), **extra}


def literal(text: str) -> str:
    """Text as itself in a pattern, for Python and ECMAScript alike: ECMAScript's unicode mode allows
    `\\` only before syntax characters (re.escape also escapes "-", which it refuses)."""
    return "".join(f"\\{c}" if c in "\\^$.|?*+()[]{}/" else c for c in text)


def one_of_words(words, case_insensitive: bool = False, or_patterns: tuple[str, ...] = ()) -> str:
    """A pattern that matches exactly one of `words` (in any case, if asked: JSON Schema's regular
    expressions have no flags, so each letter lists both cases), or one of `or_patterns`."""
    def spelled(word: str) -> str:
        return "".join(f"[{c.upper()}{c.lower()}]" if case_insensitive and c.isalpha() else literal(c) for c in word)

    return "^(?:" + "|".join([*(spelled(w) for w in words), *or_patterns]) + ")$"


def add_paths(app: Flask, paths: Paths) -> None:
    """Describe some /api/v1 endpoints (OpenAPI 3 path items), or give a function that describes them
    when the document is built (for descriptions that read the app's settings or data)."""
    app.extensions.setdefault("trygg.openapi_paths", []).append(paths)


def registered_paths(app: Flask) -> dict:
    """Every path item the packages added (call inside an app context)."""
    merged: dict = {}
    for paths in app.extensions.get("trygg.openapi_paths", []):
        merged.update(paths() if callable(paths) else paths)
    return merged
