"""A page script's words reach it translated, in one attribute, with its placeholders intact."""
from __future__ import annotations

import html
import io
import json
import re

import pytest
from conftest import PASSWORD

from backend import words


def _words_of(page: str, element_id: str) -> dict:
    found = re.search(r'id="' + element_id + r'"[^>]*data-words=\'([^\']*)\'', page)
    assert found, f"no data-words on #{element_id}"
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize("lang, offline_starts, waiting_one, waiting_many", [
    ("nb", "Du er uten nett", "1 endring venter", "{n} endringer venter"),
    ("en", "You are offline", "{n} change is waiting", "{n} changes are waiting"),
])
def test_the_offline_bar_gets_its_words_in_the_page_language(client, lang, offline_starts, waiting_one, waiting_many):
    words = _words_of(client.get(f"/auth/login?lang={lang}").get_data(as_text=True), "pwa-bar")
    assert words["offline"].startswith(offline_starts) and "{time}" in words["offline"]
    assert words["waitingOne"].replace("{n}", "1").startswith(waiting_one.replace("{n}", "1"))
    assert words["waitingMany"].startswith(waiting_many)


def test_the_editor_gets_named_placeholders_and_the_limit_placeholder(client, auth, make_user):
    auth.login(make_user("client"), PASSWORD)
    plan_page = client.get("/?lang=sv", follow_redirects=True)
    editor = client.get(plan_page.request.path.rstrip("/") + "/edit?lang=sv").get_data(as_text=True)
    words = _words_of(editor, "coedit")
    assert "{name}" in words["hereOne"] and "%(" not in words["hereOne"]
    assert "{limit}" in words["tooLong"]
    assert words["saved"] != "Saved."  # Swedish, not the msgid


def test_the_extractor_gives_babel_every_msgid_and_both_plural_forms():
    source = json.dumps({"a": "%(name)s is here.", "b": {"one": "one %(num)s", "many": "%(num)s many", "n": 2}})
    found = list(words.extract(io.BytesIO(source.encode()), [], [], {}))
    assert found == [(1, "gettext", "%(name)s is here.", []), (1, "ngettext", ("one %(num)s", "%(num)s many"), [])]
