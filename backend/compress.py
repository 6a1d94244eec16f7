"""gzip for text responses, so a page costs few bytes on a weak mobile connection even without a
proxy in front. Streams (server-sent events) and small bodies are left alone."""
from __future__ import annotations

import gzip
import re
import struct
import zlib

from flask import Flask, Response, request

COMPRESSIBLE = {
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "application/manifest+json", "image/svg+xml", "text/plain",
}
MIN_SIZE = 600


def accepts_gzip() -> bool:
    """Whether this request's browser takes a gzipped body."""
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def compress(response: Response) -> Response:
    """gzip the body when the browser accepts it and it is worth it."""
    if response.direct_passthrough and response.mimetype in COMPRESSIBLE and response.status_code == 200:
        # A static file sent as-is: read it so it can be compressed (our files are small).
        response.direct_passthrough = False
        response.get_data()
    if (
        response.is_streamed
        or response.status_code < 200
        or response.status_code in (204, 206, 304)
        or response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
        or not accepts_gzip()
    ):
        return response
    response.headers.add("Vary", "Accept-Encoding")
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(body, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    return response


class PageWithHoles:
    """A page rendered once whose few holes (a form token, the time) are filled per response, and
    whose gzip is made once too: its fixed pieces are compressed each on their own (a deflate stream
    may be cut into independently compressed, byte-aligned runs of blocks) and the holes are put
    between them as stored blocks, so a response costs a checksum instead of a compression."""

    def __init__(self, text: str, holes: tuple[str, ...]):
        found = re.compile("|".join(re.escape(hole) for hole in holes))
        self.pieces = found.split(text)
        self.holes = found.findall(text)
        self._encoded: list[bytes] = []
        self._deflated: list[bytes] | None = None  # made on the first gzipped response

    def fill(self, values: dict[str, str]) -> str:
        """The page with its holes filled."""
        out = [self.pieces[0]]
        for hole, piece in zip(self.holes, self.pieces[1:], strict=True):
            out += [values[hole], piece]
        return "".join(out)

    def answer(self, values: dict[str, str]) -> Response:
        """The filled page as a response, gzipped from the pieces when the browser takes gzip."""
        if not accepts_gzip():
            return Response(self.fill(values), mimetype="text/html")
        response = Response(self.gzipped(values), mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"
        response.headers.add("Vary", "Accept-Encoding")
        return response

    def gzipped(self, values: dict[str, str]) -> bytes:
        """The filled page as a gzip body (RFC 1952), made from the pieces compressed before."""
        if self._deflated is None:
            self._encoded = [piece.encode() for piece in self.pieces]
            self._deflated = [_deflate_run(piece) for piece in self._encoded]
        first = self._encoded[0]
        runs, crc, size = [self._deflated[0]], zlib.crc32(first), len(first)
        for hole, piece, deflated in zip(self.holes, self._encoded[1:], self._deflated[1:], strict=True):
            filled = values[hole].encode()
            runs += [_stored_block(filled), deflated]
            crc = zlib.crc32(piece, zlib.crc32(filled, crc))
            size += len(filled) + len(piece)
        # Header: gzip magic, deflate, no flags, no time, no extra flags, unknown OS. Then the runs,
        # an empty final block (fixed Huffman, end of block) and the trailer: CRC-32 and size.
        return b"".join([b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", *runs, b"\x03\x00",
                         struct.pack("<II", crc, size & 0xFFFFFFFF)])


def _deflate_run(data: bytes) -> bytes:
    """Raw deflate blocks for `data` that refer to nothing before them and end on a byte boundary."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _stored_block(data: bytes) -> bytes:
    """A non-final stored (uncompressed) deflate block; a hole is a few dozen bytes."""
    assert len(data) <= 0xFFFF
    return b"\x00" + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data


def init_app(app: Flask) -> None:
    """Compress after every other after_request hook has run (they run in reverse order)."""
    app.after_request_funcs.setdefault(None, []).insert(0, compress)
