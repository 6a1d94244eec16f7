"""The plan as a PDF, drawn with fpdf2 (pure Python) in DejaVu Sans so å, æ, ø, ä and ö print.

The font comes from Debian's fonts-dejavu-core (`make fonts` installs it on a clean machine);
`TRYGG_PDF_FONT_DIR` points elsewhere. Photos (JPEG bytes handed over through
`safety_plans.extras`) are embedded as they are, at most 6 cm high, with their caption under them.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

from fpdf import FPDF
from PIL import Image, UnidentifiedImageError

PHOTO_MAX_HEIGHT_MM = 60

FONT_DIRS = [Path(os.environ["TRYGG_PDF_FONT_DIR"])] if os.environ.get("TRYGG_PDF_FONT_DIR") else []
FONT_DIRS += [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/TTF")]


class FontMissing(RuntimeError):
    """DejaVu Sans is not installed."""


def _font_file(name: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise FontMissing(f"{name} not found in {', '.join(map(str, FONT_DIRS))}: install fonts-dejavu-core (make fonts)")


def _photo(pdf: FPDF, data: bytes, caption: str) -> None:
    """A photo at most 6 cm high and the page's width, kept on one page with its caption; a file
    that will not open is left out (its caption stays)."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width_px, height_px = probe.size
    except (UnidentifiedImageError, OSError, ValueError):
        width_px = height_px = 0
    if width_px and height_px:
        height = min(PHOTO_MAX_HEIGHT_MM, (pdf.epw - 4) * height_px / width_px)
        width = height * width_px / height_px
        needed = height + (7 if caption else 1.5)
        if pdf.get_y() + needed > pdf.page_break_trigger:
            pdf.add_page()
        pdf.image(io.BytesIO(data), x=pdf.l_margin + 4, w=width, h=height)
        pdf.ln(1)
    if caption:
        pdf.set_font("DejaVu", "", 10)
        pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(pdf.epw - 4, 5, caption, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 11)
    pdf.ln(1.5)


def build_pdf(doc: dict) -> bytes:
    """`doc` holds text already in the reader's language: title, meta (lines under the title),
    emergency, sections [(title, [lines])], note. A line is a string, `("text", line)` or
    `("image", jpeg_bytes, caption)` (see `safety_plans.extras`). Returns the PDF's bytes."""
    pdf = FPDF(format="A4")
    pdf.set_title(doc["title"])
    pdf.set_author("Trygg")
    pdf.set_creator("Trygg")
    pdf.add_font("DejaVu", "", str(_font_file("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(_font_file("DejaVuSans-Bold.ttf")))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(width, 9, doc["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for line in doc["meta"]:
        pdf.multi_cell(width, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 13)
    pdf.set_line_width(0.6)
    pdf.multi_cell(width, 9, doc["emergency"], border=1, new_x="LMARGIN", new_y="NEXT", padding=2)
    pdf.ln(2)
    for title, lines in doc["sections"]:
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(width, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 11)
        for line in lines or ["—"]:
            if isinstance(line, tuple) and line[0] == "image":
                _photo(pdf, line[1], line[2])
                continue
            text = line[1] if isinstance(line, tuple) else line
            pdf.multi_cell(width, 6, f"•  {text}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(width, 5, doc["note"], new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
