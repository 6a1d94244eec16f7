"""A page gzipped once with holes filled per response (backend.compress.PageWithHoles) unpacks,
with any unpacker that follows RFC 1951/1952, to exactly the page with its holes filled."""
from __future__ import annotations

import gzip
import random
import zlib

from backend.compress import PageWithHoles

HOLES = ("@token@", "@now@")


def _page(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 6)):
        parts.append("".join(rng.choice("abcæøå <>\"\n") for _ in range(rng.randint(0, 4000))))
        parts.append(rng.choice(HOLES))
    parts.append("</html>" * rng.randint(0, 2))
    return "".join(parts)


def test_random_pages_unpack_to_the_filled_page():
    rng = random.Random(15)
    for _ in range(200):  # bounded: a few hundred milliseconds
        text = _page(rng)
        values = {"@token@": "t" * rng.randint(0, 200), "@now@": "2026-11-24T20:00:00"}
        page = PageWithHoles(text, HOLES)
        expected = text.replace("@token@", values["@token@"]).replace("@now@", values["@now@"])
        assert page.fill(values) == expected
        packed = page.gzipped(values)
        assert gzip.decompress(packed).decode() == expected
        stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
        assert stream.decompress(packed) == expected.encode() and stream.eof and not stream.unused_data


def test_each_response_gets_its_own_values_and_stays_small():
    text = "<p>" + "Ring Kari. " * 500 + '<input value="@token@"> at @now@</p>'
    page = PageWithHoles(text, HOLES)
    first = gzip.decompress(page.gzipped({"@token@": "one", "@now@": "10:00"})).decode()
    second = gzip.decompress(page.gzipped({"@token@": "two", "@now@": "10:01"})).decode()
    assert 'value="one"> at 10:00' in first and 'value="two"> at 10:01' in second
    assert len(page.gzipped({"@token@": "one", "@now@": "10:00"})) < len(text) / 10
