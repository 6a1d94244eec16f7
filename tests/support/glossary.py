"""Read locales/GLOSSARY.md and every nb/sv text users read (catalogs and content data)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from backend.i18n_tools import ROOT, po_path

GLOSSARY = ROOT / "locales" / "GLOSSARY.md"


@dataclass(frozen=True)
class Term:
    """One row of the glossary."""

    key: str
    en: str
    nb: str
    sv: str
    ruled_out: dict  # language -> [(term, compiled pattern)]


def _pattern(term: str) -> re.Pattern:
    stem = term.endswith("*")
    body = re.escape(term.rstrip("*"))
    end = "" if stem else r"(?![\w])"
    return re.compile(r"(?<![\w])" + body + end, re.IGNORECASE)


def read_glossary(path: Path = GLOSSARY) -> list[Term]:
    """The table's rows; a row that does not parse is an error, not a silent skip."""
    terms = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith(("| key", "|---")):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 7, f"glossary row needs 7 cells: {line}"
        key, en, nb, sv, not_nb, not_sv, _why = cells
        ruled = {lang: [(t, _pattern(t)) for t in re.findall(r"`([^`]+)`", cell)]
                 for lang, cell in (("nb", not_nb), ("sv", not_sv))}
        terms.append(Term(key, en, nb, sv, ruled))
    return terms


def catalog_texts(lang: str) -> list[tuple[str, str]]:
    """(where, text) for every msgstr of a language (each plural form on its own)."""
    with open(po_path(lang), "rb") as fh:
        catalog = read_po(fh, locale=lang)
    found = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for text in strings:
            found.append((f"messages.po: {msgid!r}" + (f" [{message.context}]" if message.context else ""), text))
    return found


def _walk(value, where: str, lang: str, out: list) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == lang and isinstance(inner, str | list | dict):
                _collect(inner, f"{where}.{key}", out)
            elif key not in ("en", "nb", "sv"):
                _walk(inner, f"{where}.{key}", lang, out)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            _walk(inner, f"{where}[{i}]", lang, out)


def _collect(value, where: str, out: list) -> None:
    if isinstance(value, str):
        out.append((where, value))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            _collect(inner, f"{where}[{i}]", out)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _collect(inner, f"{where}.{key}", out)


def content_texts(lang: str) -> list[tuple[str, str]]:
    """(where, text) for the content data people read in a language: exercises and crisis lines."""
    out: list = []
    files = [*sorted((ROOT / "grounding" / "data").glob("*.json")),
             ROOT / "safety_plans" / "data" / "crisis_lines.json"]
    for path in files:
        _walk(json.loads(path.read_text(encoding="utf-8")), path.relative_to(ROOT).as_posix(), lang, out)
    return out
