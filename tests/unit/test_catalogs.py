"""Every message is translated: none empty or fuzzy in nb or sv, and none missing from a catalog."""
from __future__ import annotations

import subprocess
import sys

from babel.messages.pofile import read_po

from backend.i18n_tools import KEYWORDS, LANGS, ROOT, SOURCES, missing, po_path


def test_no_message_is_empty_or_fuzzy_in_nb_or_sv():
    assert missing() == []


def test_every_message_in_the_code_is_in_every_catalog(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), *KEYWORDS, "-o", str(pot), *SOURCES],
                   check=True, cwd=ROOT, capture_output=True)
    with open(pot, "rb") as fh:
        wanted = {(m.id, m.context) for m in read_po(fh) if m.id}
    # The extractor really read Python and templates of every package (a wrong babel.cfg once
    # made it read five files).
    assert {(("Use at least %(num)d character.", "Use at least %(num)d characters."), None),
            ("Skip to content", None), ("Install Trygg", None), ("Open", "commitment status")} <= wanted
    for lang in LANGS:
        with open(po_path(lang), "rb") as fh:
            have = {(m.id, m.context) for m in read_po(fh, locale=lang) if m.id}
        assert wanted - have == set(), f"{lang} lacks {sorted(map(str, wanted - have))[:5]}"
