"""The glossary (locales/GLOSSARY.md) holds: no nb or sv text uses a word it rules out."""
from __future__ import annotations

import re

import pytest

from support.glossary import catalog_texts, content_texts, read_glossary

TERMS = read_glossary()


def test_the_glossary_names_the_words_the_issue_asks_for():
    keys = {t.key for t in TERMS}
    assert {"plan", "warning_signs", "inner_coping", "distraction", "support", "professionals", "safe_environment",
            "therapist", "client", "commitment", "grounding", "distress", "status_done", "status_partly",
            "status_not_done", "crisis_line", "emergency_number", "call", "text", "check_in", "check_out",
            "feedback", "hope"} <= keys
    by_key = {t.key: t for t in TERMS}
    # NSSF's parts A–E are named in nb.
    assert all(f"NSSF {letter}" in " ".join(t.nb for t in TERMS) for letter in "ABCDE")
    assert by_key["warning_signs"].nb.startswith("faresignaler")
    assert any(term == "varseltegn*" for term, _ in by_key["warning_signs"].ruled_out["nb"])


def test_the_rules_match_words_not_parts_of_words():
    distress = {t.key: t for t in TERMS}["distress"]
    patterns = [p for _, p in distress.ruled_out["nb"]]
    assert any(p.search("Uro 0–10") for p in patterns)
    assert not any(p.search("Jeg er urolig") for p in patterns)  # another word
    warning = [p for _, p in {t.key: t for t in TERMS}["warning_signs"].ruled_out["nb"]]
    assert any(p.search("Mine varseltegnene") for p in warning)


def _offences(texts, lang):
    found = []
    for where, text in texts:
        for term in TERMS:
            for word, pattern in term.ruled_out[lang]:
                if pattern.search(text):
                    found.append(f"{where}: uses {word!r} ({term.key}: say {getattr(term, lang)!r}) in {text!r}")
    return found


@pytest.mark.parametrize("lang", ["nb", "sv"])
def test_no_catalog_message_uses_a_ruled_out_term(lang):
    offences = _offences(catalog_texts(lang), lang)
    assert offences == [], "\n".join(offences)


@pytest.mark.parametrize("lang", ["nb", "sv"])
def test_no_content_data_uses_a_ruled_out_term(lang):
    texts = content_texts(lang)
    assert len(texts) > 100  # the walk really reached the exercises and the crisis lines
    offences = _offences(texts, lang)
    assert offences == [], "\n".join(offences)


@pytest.mark.parametrize("lang", ["nb", "sv"])
def test_no_word_is_doubled(lang):
    """ "Tatt vare på på denne enheten": a doubled word is a slip a reader trips over."""
    doubled = re.compile(r"(?<![\w%])(\w+) \1(?![\w])", re.IGNORECASE)
    found = [f"{where}: {text!r}" for where, text in catalog_texts(lang) + content_texts(lang)
             if doubled.search(text)]
    assert found == [], "\n".join(found)
