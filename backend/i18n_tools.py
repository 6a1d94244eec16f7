"""Catalog upkeep for developers: extract, update, fill in and check translations.

    python -m backend.i18n_tools update           # extract messages, merge into nb/sv/en catalogs
    python -m backend.i18n_tools set FILE.json    # {"msgid": {"nb": "...", "sv": "...", "en": "..."}}
                                                  # pgettext: "context<EOT>msgid"; plural: "one<NUL>many": [..]
    python -m backend.i18n_tools missing          # list messages still untranslated in nb or sv
    python -m backend.i18n_tools compile          # write the .mo files the app reads

Every command holds a lock on the catalogs, so two people (or helpers) can run them at once.
"""
from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
LANGS = ("nb", "sv", "en")
# Where translatable messages live (never the virtualenv).
PACKAGES = ("backend", "safety_plans", "grounding", "pwa", "sessions", "hope_media")
SOURCES = [str(ROOT / d) for d in PACKAGES if (ROOT / d).is_dir()]
# Babel knows _, gettext, ngettext, pgettext and npgettext; these are our lazy forms (backend.i18n).
KEYWORDS = ["-k", "_l", "-k", "_lp:1c,2", "-k", "lazy_pgettext:1c,2", "-k", "lazy_ngettext:1,2",
            "-k", "plural_forms:1,2"]


def po_path(lang: str) -> Path:
    """The catalog of one language."""
    return LOCALES / lang / "LC_MESSAGES" / "messages.po"


@contextmanager
def locked():
    """Hold an exclusive lock on the catalogs."""
    LOCALES.mkdir(exist_ok=True)
    with open(LOCALES / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read(lang: str):
    with open(po_path(lang), "rb") as fh:
        return read_po(fh, locale=lang)


def _write(lang: str, catalog) -> None:
    with open(po_path(lang), "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)


def update() -> None:
    """Extract every message from the code and merge it into the three catalogs."""
    pot = LOCALES / "messages.pot"
    babel = [sys.executable, "-m", "babel.messages.frontend"]
    subprocess.run(babel + ["extract", "-F", str(ROOT / "babel.cfg"), *KEYWORDS, "--no-location",
                            "--sort-output", "-o", str(pot), *SOURCES], check=True, cwd=ROOT,
                   stderr=subprocess.DEVNULL)
    for lang in LANGS:
        action = "update" if po_path(lang).exists() else "init"
        extra = ["--no-fuzzy-matching", "--ignore-obsolete"] if action == "update" else []
        subprocess.run(babel + [action, "-i", str(pot), "-d", str(LOCALES), "-l", lang] + extra,
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        _write(lang, _read(lang))  # one line width for every writer, so diffs show only real changes


def set_translations(path: Path) -> int:
    """Fill in translations from a JSON file; adds messages that are not in a catalog yet."""
    table = json.loads(path.read_text(encoding="utf-8"))
    for lang in LANGS:
        catalog = _read(lang)
        for msgid, texts in table.items():
            if lang not in texts:
                continue
            text = texts[lang]
            context, _, bare = msgid.rpartition("\x04")  # "context\x04msgid" for pgettext
            key = tuple(bare.split("\x00")) if "\x00" in bare else bare
            message = catalog.get(key, context=context or None)
            if message is None:
                catalog.add(key, text if isinstance(text, str) else tuple(text), context=context or None)
            else:
                message.string = text if isinstance(text, str) else tuple(text)
                message.flags.discard("fuzzy")
        _write(lang, catalog)
    return len(table)


def missing() -> list[tuple[str, str]]:
    """(language, msgid) for every message empty or fuzzy in nb or sv."""
    found = []
    for lang in ("nb", "sv"):
        for message in _read(lang):
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(strings):
                found.append((lang, message.id if isinstance(message.id, str) else message.id[0]))
    return found


def compile_all() -> None:
    """Write messages.mo next to each catalog."""
    for lang in LANGS:
        catalog = _read(lang)
        with open(po_path(lang).with_suffix(".mo"), "wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)


def main(argv: list[str]) -> int:
    """Command-line entry point."""
    if not argv:
        print(__doc__)
        return 2
    with locked():
        if argv[0] == "update":
            update()
        elif argv[0] == "set":
            print(f"{set_translations(Path(argv[1]))} messages set")
        elif argv[0] == "missing":
            rows = missing()
            for lang, msgid in rows:
                print(f"{lang}\t{msgid}")
            return 1 if rows else 0
        elif argv[0] == "compile":
            compile_all()
        else:
            print(__doc__)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
