"""The plan on paper (issue 27, points 7 and 10): the PDF keeps the emoji in names and messages,
writes dates as the reader's language does, keeps every heading with its first lines, leaves empty
parts out, shows each crisis line's hours, and has the same heading levels as the print page."""

from __future__ import annotations

import html as html_lib
import io
import re
import time
from pathlib import Path

from pypdf import PdfReader
from test_hope_media_print import add_message

from backend.accounts.services import find_user
from backend.db import session_scope
from safety_plans import commitments, crisis_lines, ops
from safety_plans.models import Plan
from support.plans import add_op

MESSAGE = "You are not alone 💛"


def _words(text: str) -> str:
    """Text with every run of white space made one space (the PDF wraps long lines)."""
    return " ".join(text.split())


def _pdf(client, plan_id: int, keep: Path | None = None) -> PdfReader:
    response = client.get(f"/plans/{plan_id}/plan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    if keep:
        keep.write_bytes(response.data)  # to look at: pdftoppm -png -r 60 plan.pdf page
    return PdfReader(io.BytesIO(response.data))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _ingrid_with_emoji(app, client, sign_in, world, lang: str = "nb") -> None:
    """Ingrid 🌿 with a cat 🐈 among what matters to her, one hope, a message with a heart, and a
    commitment due on 14 December 2026; most parts of her plan are empty."""
    with app.test_request_context(), session_scope(app) as db:
        owner = find_user(db, world.owner)
        owner.display_name = "Ingrid 🌿"
        plan = db.get(Plan, world.plan_id)
        ops.apply_ops(db, plan, owner, [add_op("reasons", "My cat Pus 🐈"), add_op("hope_for", "To see the sea")])
        commitments.add_commitment(db, plan, find_user(db, world.linked_therapist), "Walk by the river",
                                   due="2026-12-14")
    sign_in(world.owner)
    add_message(client, world.plan_id, text=MESSAGE)
    client.get(f"/help?lang={lang}")


def test_the_pdf_keeps_emoji_in_names_and_messages(app, client, sign_in, world, tmp_path):
    _ingrid_with_emoji(app, client, sign_in, world)
    reader = _pdf(client, world.plan_id, tmp_path / "plan.pdf")
    text = _text(reader)
    assert "Ingrid 🌿" in text, text[:300]
    assert "My cat Pus 🐈" in text and "💛" in text
    fonts = {str(font.get("/BaseFont")) for page in reader.pages
             for font in page["/Resources"]["/Font"].get_object().values()}
    assert any("Symbola" in name for name in fonts), fonts  # drawn in a font that has them
    sign_in(world.linked_therapist)  # the bold title has the name too
    client.get("/help?lang=en")
    theirs = _pdf(client, world.plan_id)
    assert theirs.outline[0].title == "Safety plan of Ingrid 🌿"
    assert theirs.pages[0].extract_text().startswith("Safety plan of Ingrid 🌿")


def test_the_pdf_writes_dates_as_the_readers_language_does(app, client, sign_in, world):
    _ingrid_with_emoji(app, client, sign_in, world, "nb")
    norwegian = _words(_text(_pdf(client, world.plan_id)))
    assert "Walk by the river (innen 14. desember 2026)" in norwegian
    client.get("/help?lang=sv")
    swedish = _words(_text(_pdf(client, world.plan_id)))
    assert "14 december 2026" in swedish
    assert "2026-12-14" not in norwegian + swedish


def test_the_pdf_leaves_empty_parts_out_and_the_print_keeps_room_to_write(app, client, sign_in, world):
    _ingrid_with_emoji(app, client, sign_in, world, "en")
    text = _text(_pdf(client, world.plan_id))
    assert "• —" not in text and "•  —" not in text
    assert "Professionals and services" not in text  # nothing written there
    assert "My warning signs" in text and "I stop answering messages" in text
    printed = client.get(f"/plans/{world.plan_id}/print").get_data(as_text=True)
    assert "Professionals and services" in printed  # on paper, a blank line to write on by hand


def test_every_line_on_paper_has_its_hours(app, client, sign_in, world):
    _ingrid_with_emoji(app, client, sign_in, world, "nb")
    text = _words(_text(_pdf(client, world.plan_id)))
    printed = _words(html_lib.unescape(re.sub(r"<[^>]+>", "", client.get(f"/plans/{world.plan_id}/print")
                                             .get_data(as_text=True))))
    for words in ("Kirkens SOS: 22 40 00 40 (Åpen hele døgnet)",
                  "Kors på halsen, Røde Kors (under 18 år): 800 33 321 (Ettermiddag og kveld; sjekk tidene)"):
        assert words in text and words in printed, words
    helplines = crisis_lines.helplines("NO", "nb")
    assert helplines and all(line.hours for line in helplines)
    for line in helplines:
        assert _words(crisis_lines.line_text(line)) in text, line.id
        assert _words(crisis_lines.line_text(line)) in printed, line.id


def _last_run_is_bold(page) -> bool:
    """Whether the last words drawn on a page are in a bold font, as headings are (and no body
    text is): a heading left alone at the foot of the page."""
    runs: list[tuple[str, str]] = []

    def visit(text, _cm, _tm, font, _size):
        if text.strip():
            runs.append((text, str((font or {}).get("/BaseFont", ""))))

    page.extract_text(visitor_text=visit)
    return bool(runs) and "Bold" in runs[-1][1]


def test_no_page_of_the_pdf_ends_with_a_heading(app, client, sign_in, world, tmp_path):
    """Warning signs are added one by one: each pushes every later heading a line further down, so
    every heading passes the foot of page 1 once."""
    _ingrid_with_emoji(app, client, sign_in, world, "nb")
    with app.test_request_context(), session_scope(app) as db:
        ops.apply_ops(db, db.get(Plan, world.plan_id), find_user(db, world.owner), [
            add_op("inner_coping", "Go for a walk"), add_op("distraction", "The library"),
            add_op("safe_environment", "Pills kept by my sister")])
    started, orphans, pages = time.monotonic(), [], 0
    for n in range(48):
        reader = _pdf(client, world.plan_id)
        pages = max(pages, len(reader.pages))
        orphans += [(n, i + 1) for i, page in enumerate(reader.pages) if _last_run_is_bold(page)]
        with app.test_request_context(), session_scope(app) as db:
            ops.apply_ops(db, db.get(Plan, world.plan_id), find_user(db, world.owner),
                          [add_op("warning_signs", f"Sign {n}")])
        assert time.monotonic() - started < 120, "too slow"
    assert pages >= 2  # the headings did reach the foot of a page
    assert orphans == [], f"(signs added, page) ending with a heading: {orphans}"


def _print_headings(html: str) -> list[tuple[int, str]]:
    article = html[html.index('<article class="sp-print">'):html.index("</article>")]
    return [(int(level), _words(html_lib.unescape(re.sub(r"<[^>]+>", "", text))))
            for level, text in re.findall(r"<h([1-6])\b[^>]*>(.*?)</h\1>", article, re.S)]


def _outline(reader: PdfReader, entries=None, level: int = 1) -> list[tuple[int, str]]:
    found = []
    for entry in reader.outline if entries is None else entries:
        if isinstance(entry, list):
            found += _outline(reader, entry, level + 1)
        else:
            found.append((level, _words(entry.title)))
    return found


def _no_skipped_levels(headings: list[tuple[int, str]]) -> bool:
    levels = [level for level, _ in headings]
    return bool(levels) and levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))


def test_the_print_page_and_the_pdf_have_the_same_heading_levels(app, client, sign_in, world):
    _ingrid_with_emoji(app, client, sign_in, world, "sv")
    printed = _print_headings(client.get(f"/plans/{world.plan_id}/print").get_data(as_text=True))
    outline = _outline(_pdf(client, world.plan_id))
    assert _no_skipped_levels(printed), printed
    assert _no_skipped_levels(outline), outline
    assert (1, "Min krisplan") in outline and any(level == 3 for level, _ in outline), outline
    # Every heading of the PDF is on the print page, at the same level and in the same order (the
    # print also keeps the empty parts, with room to write by hand).
    rest = iter(printed)
    assert all(heading in rest for heading in outline), (outline, printed)
