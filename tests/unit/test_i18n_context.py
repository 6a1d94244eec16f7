"""One English word, one job: a msgid used in two roles needs pgettext, and every count needs
ngettext. Runs over what the code and the catalogs hold at the time, so new strings are checked
too."""
from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from backend.i18n_tools import KEYWORDS, ROOT, SOURCES, po_path

# English words known to do two jobs (verb on a button, noun on a label or a status): every use
# carries a msgctxt, so a translator sees which one it is.
KNOWN_AMBIGUOUS = {"Text", "Open", "Call", "Chat", "Edit", "Hold", "Done", "Close", "Check", "Note",
                   "Review", "Kept", "Present", "Record", "Rate", "Plan", "Share", "Clear", "Book"}
# A number in a message that must agree with it ("1 minutes").
COUNT = re.compile(r"%\((count|num|n)\)[sd]|\{(n|count|num)\}")
ACTION_TAGS = {"button", "a", "summary"}
LABEL_TAGS = {"label", "th", "legend", "dt", "caption"}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The code's messages with every place they are used."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
                    *KEYWORDS, "-o", str(pot), *SOURCES], check=True, cwd=ROOT, capture_output=True)
    with open(pot, "rb") as fh:
        return [m for m in read_po(fh) if m.id]


def role_of(path: Path, lineno: int, msgid: str) -> str:
    """"action" (a button or link), "label" (a field label or table heading) or "text", from the
    code around the place the message is used."""
    lines = path.read_text(encoding="utf-8").splitlines()
    line = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    before = line[:line.find(msgid)] if msgid in line else line
    if path.suffix == ".py":
        if re.search(r"SubmitField\(", before):
            return "action"
        if re.search(r"(Field|label=)\s*\(?$|Field\(\s*_l?\($", before.rstrip()):
            return "label"
        return "text"
    tags = re.findall(r"<\s*(\w+)", before)
    closed = re.findall(r"</\s*(\w+)", before)
    open_tags = [t for t in tags if tags.count(t) > closed.count(t)]
    innermost = open_tags[-1].lower() if open_tags else ""
    if innermost in ACTION_TAGS or 'class="button' in before.split("<")[-1]:
        return "action"
    if innermost in LABEL_TAGS:
        return "label"
    return "text"


def test_role_rules_read_buttons_and_labels():
    sample = ROOT / "safety_plans" / "templates" / "safety_plans" / "_macros.html"
    text = sample.read_text(encoding="utf-8").splitlines()
    line = next(i for i, source in enumerate(text, 1) if "sp-call" in source)
    assert role_of(sample, line, "Call") == "action"
    edit = ROOT / "safety_plans" / "templates" / "safety_plans" / "_editor.html"
    line = next(i for i, source in enumerate(edit.read_text(encoding="utf-8").splitlines(), 1)
                if '<label for="text-' in source)
    assert role_of(edit, line, "Name or place") == "label"


def test_no_msgid_without_context_is_used_as_a_button_and_as_a_label(extracted):
    both = []
    for message in extracted:
        if message.context or not isinstance(message.id, str):
            continue
        roles = defaultdict(list)
        for filename, lineno in message.locations:
            path = next((Path(src).parent / filename for src in SOURCES if (Path(src).parent / filename).exists()),
                        None) or ROOT / filename
            if path.exists():
                roles[role_of(path, lineno, message.id)].append(f"{filename}:{lineno}")
        if roles.get("action") and roles.get("label"):
            both.append(f"{message.id!r}: button/link at {roles['action']}, label at {roles['label']}")
    assert both == [], "use pgettext for each role:\n" + "\n".join(both)


def test_known_two_job_words_always_carry_a_context(extracted):
    bare = sorted({f"{m.id!r} at {m.locations[:3]}" for m in extracted
                   if isinstance(m.id, str) and m.id in KNOWN_AMBIGUOUS and not m.context})
    assert bare == [], "say which job the word does with pgettext:\n" + "\n".join(bare)


def test_the_sms_button_and_the_text_field_are_two_messages(extracted):
    contexts = {m.context for m in extracted if m.id == "Text"}
    assert len(contexts) >= 2 and None not in contexts


def test_every_count_has_plural_forms(extracted):
    single = sorted({m.id for m in extracted if isinstance(m.id, str) and COUNT.search(m.id)})
    assert single == [], "use ngettext for messages with a count:\n" + "\n".join(single)


def test_no_message_spells_out_one_of_a_count(extracted):
    """ "1 change is waiting" next to "%(n)s changes are waiting" is a plural done by hand."""
    by_hand = sorted({m.id for m in extracted if isinstance(m.id, str) and re.match(r"1 \w", m.id)})
    assert by_hand == []


@pytest.mark.parametrize("lang", ["nb", "sv", "en"])
def test_catalog_counts_are_plural_entries_with_both_forms(lang):
    with open(po_path(lang), "rb") as fh:
        catalog = read_po(fh, locale=lang)
    assert catalog.num_plurals == 2
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, str):
            if COUNT.search(message.id):
                wrong.append(f"{message.id!r} is not a plural entry")
        elif lang != "en" and not all(message.string):
            wrong.append(f"{message.id[0]!r} lacks a plural form")
    assert wrong == [], "\n".join(wrong)
