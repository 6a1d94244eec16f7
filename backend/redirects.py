"""Where a form may send the person afterwards: one check for every `next` and `back`.

A browser reads a Location header more loosely than `urlsplit` does: it drops tabs and newlines
anywhere (`/\t/evil.example` becomes `//evil.example`, another host), reads `\\` as `/`, and strips
control characters and spaces at the ends. Werkzeug refuses CR/LF in a header with a ValueError (a
500). So a target is followed only when it is plainly a path on this site, with nothing a browser
would drop or reinterpret; anything else goes to the page's own fallback.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

# Unicode categories a browser may drop or a header may choke on: controls (Cc), invisible
# formatting (Cf: zero-width space, direction marks, BOM), lone surrogates (Cs), line and paragraph
# separators (Zl, Zp) and spaces other than the ASCII one (Zs).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp", "Zs"})


def _plain(char: str) -> bool:
    """Nothing a browser would drop or read differently (an ASCII space inside a path is encoded)."""
    if char == " ":
        return True
    return char != "\\" and unicodedata.category(char) not in _REFUSED_CATEGORIES


def safe_path(target: str | None, fallback: str) -> str:
    """`target` if it is a path on this site (`/…`, no scheme or host, no backslash, no control or
    invisible character), else `fallback`. Never raises."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return fallback
    if target != target.strip() or not all(_plain(char) for char in target):
        return fallback
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. an unbalanced "[" that urlsplit reads as an IPv6 host
        return fallback
    if parts.scheme or parts.netloc:
        return fallback
    return target
