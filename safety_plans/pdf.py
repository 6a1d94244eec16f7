"""The plan as a PDF, drawn with fpdf2 (pure Python) in DejaVu Sans so å, æ, ø, ä and ö print, with
Symbola behind it for the emoji people put in names and messages ("Ingrid 🌿"), which DejaVu lacks.

The fonts come from Debian's fonts-dejavu-core and fonts-symbola (`make fonts` installs both);
`TRYGG_PDF_FONT_DIR` points elsewhere. Without Symbola the PDF is still made, emoji left out.

The headings are the PDF's outline and have the print page's levels: the plan (h1), its parts (h2),
the prompts of My hope (h3). A part with nothing in it is left out, and a heading never ends a page:
it goes to the next page with its first entry. Photos (JPEG bytes handed over through
`safety_plans.extras`) are embedded as they are, at most 6 cm high, with their caption under them.
"""
from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import NamedTuple, cast

from fpdf import FPDF
from fpdf.enums import MethodReturnValue
from PIL import Image, UnidentifiedImageError

log = logging.getLogger(__name__)

PHOTO_MAX_HEIGHT_MM = 60

FONT_DIRS = [Path(os.environ["TRYGG_PDF_FONT_DIR"])] if os.environ.get("TRYGG_PDF_FONT_DIR") else []
FONT_DIRS += [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/TTF"),
              Path("/usr/share/fonts/truetype/ancient-scripts")]  # fonts-symbola's folder
EMOJI_FONT = "Symbola_hint.ttf"

# Font size (pt) and line height (mm) of a heading, by level: 1 a part of the plan, 2 a prompt of My hope.
HEADING_STYLE = {1: (12, 7.0), 2: (11, 6.0)}
BODY_SIZE, BODY_LINE = 11, 6.0
BULLET = "•  "


class FontMissing(RuntimeError):
    """DejaVu Sans is not installed."""


class Part(NamedTuple):
    """A heading and what is under it. `level` 1 is a part of the plan (h2 on the print page), 2 one
    of My hope's prompts (h3). An entry is a string, `("text", line)` or `("image", jpeg, caption)`."""

    title: str
    level: int
    entries: list


def _font_file(name: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise FontMissing(f"{name} not found in {', '.join(map(str, FONT_DIRS))}: install fonts-dejavu-core (make fonts)")


def _add_fonts(pdf: FPDF) -> None:
    pdf.add_font("DejaVu", "", str(_font_file("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(_font_file("DejaVuSans-Bold.ttf")))
    try:
        emoji = _font_file(EMOJI_FONT)
    except FontMissing:
        log.warning("%s not found: the PDF leaves emoji out (install fonts-symbola: make fonts)", EMOJI_FONT)
        return
    pdf.add_font("Symbola", "", str(emoji))
    # Symbola has one style: bold headings ("Safety plan of Ingrid 🌿") fall back to it too.
    pdf.set_fallback_fonts(["Symbola"], exact_match=False)


def with_content(parts: list[Part]) -> list[Part]:
    """The parts worth printing: those with entries, and headings whose prompts have some (My hope)."""
    kept: list[Part] = []
    for part in reversed(parts):
        if part.entries or (kept and kept[0].level > part.level):
            kept.insert(0, part)
    return kept


def _photo_size(pdf: FPDF, data: bytes) -> tuple[float, float] | None:
    """Width and height (mm) a photo takes, or None for a file that will not open."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width_px, height_px = probe.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if not (width_px and height_px):
        return None
    height = min(PHOTO_MAX_HEIGHT_MM, (pdf.epw - 4) * height_px / width_px)
    return height * width_px / height_px, height


def _height(pdf: FPDF, width: float, line: float, text: str) -> float:
    """The height text takes in the current font, measured without drawing it."""
    # fpdf2 types every kind of answer multi_cell can give at once; HEIGHT is a number.
    return float(cast(float, pdf.multi_cell(width, line, text, dry_run=True, output=MethodReturnValue.HEIGHT)))


def _entry_height(pdf: FPDF, entry) -> float:
    """How much of the page an entry takes."""
    if isinstance(entry, tuple) and entry[0] == "image":
        size = _photo_size(pdf, entry[1])
        pdf.set_font("DejaVu", "", 10)
        caption = _height(pdf, pdf.epw - 4, 5, entry[2]) if entry[2] else 0.0
        return (size[1] + 1 if size else 0.0) + caption + 1.5
    text = entry[1] if isinstance(entry, tuple) else entry
    pdf.set_font("DejaVu", "", BODY_SIZE)
    return _height(pdf, pdf.epw, BODY_LINE, BULLET + text)


def _heading_height(pdf: FPDF, part: Part) -> float:
    size, line = HEADING_STYLE[part.level]
    pdf.set_font("DejaVu", "B", size)
    return _height(pdf, pdf.epw, line, part.title)


def _kept_with(pdf: FPDF, parts: list[Part], index: int) -> float:
    """The height a heading needs on its page: itself, the headings straight under it (My hope's
    first prompt) and the first entry under them."""
    part = parts[index]
    below = _entry_height(pdf, part.entries[0]) if part.entries else (
        _kept_with(pdf, parts, index + 1) if index + 1 < len(parts) else 0)
    return _heading_height(pdf, part) + below


def _photo(pdf: FPDF, data: bytes, caption: str) -> None:
    """A photo at most 6 cm high and the page's width, kept on one page with its caption; a file
    that will not open is left out (its caption stays)."""
    size = _photo_size(pdf, data)
    if size:
        width, height = size
        needed = height + (7 if caption else 1.5)
        if pdf.get_y() + needed > pdf.page_break_trigger:
            pdf.add_page()
        pdf.image(io.BytesIO(data), x=pdf.l_margin + 4, w=width, h=height)
        pdf.ln(1)
    if caption:
        pdf.set_font("DejaVu", "", 10)
        pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(pdf.epw - 4, 5, caption, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def _help_box(pdf: FPDF, emergency: str, lines: list[str]) -> None:
    """The emergency call in bold and the helplines with their hours, in one frame at the top."""
    top = pdf.get_y()
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 13)
    pdf.set_x(pdf.l_margin + 2)
    pdf.multi_cell(pdf.epw - 4, 7, emergency, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for line in lines:
        pdf.set_x(pdf.l_margin + 2)
        pdf.multi_cell(pdf.epw - 4, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_line_width(0.6)
    pdf.rect(pdf.l_margin, top, pdf.epw, pdf.get_y() - top)
    pdf.ln(3)


def _part(pdf: FPDF, parts: list[Part], index: int) -> None:
    part = parts[index]
    if pdf.get_y() + _kept_with(pdf, parts, index) > pdf.page_break_trigger:
        pdf.add_page()
    pdf.start_section(part.title, part.level)
    size, line = HEADING_STYLE[part.level]
    pdf.set_font("DejaVu", "B", size)
    pdf.multi_cell(pdf.epw, line, part.title, new_x="LMARGIN", new_y="NEXT")
    for entry in part.entries:
        if isinstance(entry, tuple) and entry[0] == "image":
            _photo(pdf, entry[1], entry[2])
            continue
        pdf.set_font("DejaVu", "", BODY_SIZE)
        text = entry[1] if isinstance(entry, tuple) else entry
        pdf.multi_cell(pdf.epw, BODY_LINE, BULLET + text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5 if part.entries else 0.5)


def build_pdf(doc: dict) -> bytes:
    """`doc` holds text already in the reader's language: title, lang, meta (lines under the title),
    emergency, lines (the helplines with their hours), parts [Part] and note. Returns the PDF's bytes."""
    pdf = FPDF(format="A4")
    pdf.set_title(doc["title"])
    pdf.set_lang(doc.get("lang", "en"))
    pdf.set_author("Trygg")
    pdf.set_creator("Trygg")
    _add_fonts(pdf)
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()

    pdf.start_section(doc["title"], 0)
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(pdf.epw, 9, doc["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for line in doc["meta"]:
        pdf.multi_cell(pdf.epw, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _help_box(pdf, doc["emergency"], doc["lines"])
    parts = with_content(doc["parts"])
    for index in range(len(parts)):
        _part(pdf, parts, index)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(pdf.epw, 5, doc["note"], new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
