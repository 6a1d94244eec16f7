"""Words a feature declares as data, in a JSON file of its package (`<package>/words/<name>.json`):
the words a page script shows (handed to the page translated, as one `data-words` attribute) and
phrases chosen by key at run time (the access log's "Dr Berg opened your sessions 3 times").

An entry is a msgid (`"saved": "Saved."`) or, for a count, `{"one": …, "many": …}`; a script's
count entry adds `"n": 1|2`, the form for exactly one or for more (our three languages differ only
there), and `"num"`, the script's placeholder for the count (`{n}` unless given). `%(name)s` in a msgid becomes
`{name}`, which the script fills (pwa/static/helpers.js `fmt`). `pybabel extract` reads these
files through `extract` (babel.cfg), so the catalogs hold their words like any other.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from flask_babel import get_locale, get_translations

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@cache
def _entries(package: str, name: str) -> dict:
    with open(ROOT / package.replace(".", "/") / "words" / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


def _fill(msgid: str, **fixed: str) -> dict[str, str]:
    """Every placeholder stays a placeholder, for the script to fill."""
    return {key: fixed.get(key, "{" + key + "}") for key in PLACEHOLDER.findall(msgid)}


def _translate(entry: str | dict) -> str:
    translations = get_translations()
    if isinstance(entry, str):
        text, fills = translations.gettext(entry), _fill(entry)
    else:
        one, many = entry["one"], entry["many"]  # not literals in a call: the extractor would take them
        text, fills = translations.ngettext(one, many, entry["n"]), _fill(many, num=entry.get("num", "{n}"))
    return text % fills if fills else text


@cache
def _words(package: str, name: str, locale: str) -> str:
    return json.dumps({key: _translate(entry) for key, entry in _entries(package, name).items()},
                      ensure_ascii=False, separators=(",", ":"))


def counted(package: str, file: str, key: str, count: int, **values) -> str | None:
    """The phrase `key` of a words file for `count`, filled with `values`; None if it has no such key."""
    entry = _entries(package, file).get(key)
    if entry is None:
        return None
    one, many = entry["one"], entry["many"]  # not literals in a call: the extractor would take them
    return get_translations().ngettext(one, many, count) % {"num": count, **values}


def for_script(package: str, name: str) -> str:
    """The script's words in the reader's language, as JSON (Jinja escapes it into the attribute)."""
    return _words(package, name, str(get_locale()))


def extract(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel's extractor for the words files: each msgid, or singular and plural of a count."""
    text = fileobj.read().decode("utf-8")
    for key, entry in json.loads(text).items():
        line = text[:text.find(f'"{key}"')].count("\n") + 1
        if isinstance(entry, str):
            yield line, "gettext", entry, []
        else:
            yield line, "ngettext", (entry["one"], entry["many"]), []

