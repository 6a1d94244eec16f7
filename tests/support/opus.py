"""Real recordings made on the spot: Opus audio from the reference encoder (libopus, which Debian's
chromium package brings along) in an Ogg container (RFC 3533, RFC 7845), of a given length and,
when asked, of an exact size (Opus's own packet padding, which every decoder skips).

    ogg_opus(seconds=120, size=files.AUDIO_MAX_BYTES)   # two minutes, exactly at the limit
"""
from __future__ import annotations

import ctypes
import ctypes.util
import math
import struct
from array import array

import pytest

RATE = 48_000
FRAME = 960  # 20 ms at 48 kHz
OPUS_APPLICATION_AUDIO = 2049
OPUS_SET_BITRATE = 4002
OPUS_SET_VBR = 4006
OPUS_GET_LOOKAHEAD = 4027
PACKETS_PER_PAGE = 50  # about a second per page, as encoders write them
_VENDOR = b"trygg tests (libopus)"


def _libopus() -> ctypes.CDLL:
    name = ctypes.util.find_library("opus") or "libopus.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        pytest.fail("libopus is missing: install Debian's chromium (it depends on libopus0) or libopus0")
    lib.opus_encoder_create.restype = ctypes.c_void_p
    lib.opus_encoder_create.argtypes = [ctypes.c_int32, ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    lib.opus_encode.restype = ctypes.c_int32
    lib.opus_encode.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), ctypes.c_int,
                                ctypes.c_char_p, ctypes.c_int32]
    lib.opus_packet_pad.restype = ctypes.c_int
    lib.opus_packet_pad.argtypes = [ctypes.c_char_p, ctypes.c_int32, ctypes.c_int32]
    lib.opus_encoder_destroy.argtypes = [ctypes.c_void_p]
    return lib


def _voice_frames() -> list[array]:
    """A few 20 ms frames of a voice-like sound (a low tone with overtones), one per pitch."""
    frames = []
    for pitch in (150, 200, 250, 300, 200):  # multiples of 50 Hz: each frame holds whole periods
        frames.append(array("h", (int(9000 * math.sin(2 * math.pi * pitch * i / RATE)
                                      + 3000 * math.sin(2 * math.pi * 3 * pitch * i / RATE)
                                      + 1500 * math.sin(2 * math.pi * 5 * pitch * i / RATE))
                                  for i in range(FRAME))))
    return frames


def encode(seconds: float, bitrate: int) -> tuple[list[bytes], int]:
    """Opus packets (20 ms each, constant bitrate, mono) of `seconds` of sound, and the encoder's
    pre-skip (its look-ahead, in samples)."""
    lib = _libopus()
    error = ctypes.c_int(0)
    encoder = lib.opus_encoder_create(RATE, 1, OPUS_APPLICATION_AUDIO, ctypes.byref(error))
    assert error.value == 0 and encoder, f"opus_encoder_create failed: {error.value}"
    try:
        assert lib.opus_encoder_ctl(ctypes.c_void_p(encoder), OPUS_SET_BITRATE, ctypes.c_int32(bitrate)) == 0
        assert lib.opus_encoder_ctl(ctypes.c_void_p(encoder), OPUS_SET_VBR, ctypes.c_int32(0)) == 0
        lookahead = ctypes.c_int32(0)
        assert lib.opus_encoder_ctl(ctypes.c_void_p(encoder), OPUS_GET_LOOKAHEAD, ctypes.byref(lookahead)) == 0
        frames = [(ctypes.c_int16 * FRAME).from_buffer(frame) for frame in _voice_frames()]
        out = ctypes.create_string_buffer(4000)
        packets = []
        for index in range(round(seconds * RATE / FRAME)):
            size = lib.opus_encode(encoder, frames[(index // 50) % len(frames)], FRAME, out, len(out))
            assert size > 0, f"opus_encode failed: {size}"
            packets.append(out.raw[:size])
        return packets, lookahead.value
    finally:
        lib.opus_encoder_destroy(encoder)


def _crc(data: bytes) -> int:
    """Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected, starting at 0)."""
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


_CRC_TABLE: list[int] = []


def _crc_fast(data: bytes) -> int:
    if not _CRC_TABLE:
        _CRC_TABLE.extend(_crc(bytes([i])) for i in range(256))
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC_TABLE[(crc >> 24) ^ byte]
    return crc


def _lacing(size: int) -> bytes:
    return b"\xff" * (size // 255) + bytes([size % 255])


def _page(packets: list[bytes], granule: int, sequence: int, flags: int) -> bytes:
    segments = b"".join(_lacing(len(p)) for p in packets)
    assert len(segments) <= 255
    head = struct.pack("<4sBBqIIIB", b"OggS", 0, flags, granule, 0x7259, sequence, 0, len(segments))
    page = head + segments + b"".join(packets)
    return page[:22] + struct.pack("<I", _crc_fast(page)) + page[26:]


def ogg(packets: list[bytes], pre_skip: int) -> bytes:
    """An Ogg Opus file: the identification and comment headers, then the audio, a page a second."""
    opus_head = struct.pack("<8sBBHIhB", b"OpusHead", 1, 1, pre_skip, RATE, 0, 0)
    opus_tags = struct.pack("<8sI", b"OpusTags", len(_VENDOR)) + _VENDOR + struct.pack("<I", 0)
    pages = [_page([opus_head], 0, 0, 0x02), _page([opus_tags], 0, 1, 0)]
    for start in range(0, len(packets), PACKETS_PER_PAGE):
        chunk = packets[start:start + PACKETS_PER_PAGE]
        last = start + PACKETS_PER_PAGE >= len(packets)
        pages.append(_page(chunk, (start + len(chunk)) * FRAME, len(pages), 0x04 if last else 0))
    return b"".join(pages)


def _size(lengths: list[int]) -> int:
    """What `ogg` makes of packets of these lengths, without making it."""
    pages = math.ceil(len(lengths) / PACKETS_PER_PAGE)
    return (2 * 28 + 19 + 16 + len(_VENDOR)) + pages * 27 + sum(n + n // 255 + 1 for n in lengths)


def _pad(lib, packet: bytes, size: int) -> bytes:
    if size == len(packet):
        return packet
    buffer = ctypes.create_string_buffer(packet, size)
    assert lib.opus_packet_pad(buffer, len(packet), size) == 0, "opus_packet_pad failed"
    return buffer.raw


def _grown(lengths: list[int], size: int) -> list[int]:
    """Packet lengths, each at least as long as before, that make a file of exactly `size` bytes:
    every packet grows alike as far as it fits, then the last ones a byte at a time (a packet
    crossing a multiple of 255 bytes takes one more lacing byte)."""
    low, high = 0, size
    while low < high:  # the most every packet can grow by
        middle = (low + high + 1) // 2
        low, high = (middle, high) if _size([n + middle for n in lengths]) <= size else (low, middle - 1)
    grown = [n + low for n in lengths]
    total, index = _size(grown), len(grown) - 1
    while total < size and index >= 0:
        step = 1 + (grown[index] + 1) // 255 - grown[index] // 255  # what one more byte costs
        if total + step > size:
            index -= 1
            continue
        grown[index] += 1
        total += step
    return grown


def ogg_opus(seconds: float = 120, bitrate: int = 48_000, size: int | None = None) -> bytes:
    """`seconds` of Opus in Ogg; with `size`, padded to exactly that many bytes (the bitrate must
    leave room: a 2-minute file of 3 MB needs at most about 200 kbit/s)."""
    packets, pre_skip = encode(seconds, bitrate)
    if size is not None:
        assert _size([len(p) for p in packets]) <= size, f"{bitrate} bit/s makes more than {size} bytes"
        lib = _libopus()
        lengths = _grown([len(p) for p in packets], size)
        packets = [_pad(lib, p, n) for p, n in zip(packets, lengths, strict=True)]
    data = ogg(packets, pre_skip)
    assert size is None or len(data) == size, (len(data), size)
    return data
