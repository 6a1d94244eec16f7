"""Test media made on the spot: photos with Pillow (one with a GPS position in its EXIF), an
iPhone-style HEIC with pillow-heif, and the first bytes of recordings as browsers make them."""
from __future__ import annotations

import io

import pillow_heif
from PIL import Image

# The start of a WebM file as Chromium's MediaRecorder writes it (EBML header, "webm", Opus track).
WEBM_OPUS = (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82"
             b"\x84webm\x42\x87\x81\x04\x42\x85\x81\x02\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff"
             b"\x16\x54\xae\x6b\xa0\xae\x9e\xd7\x81\x01\x83\x81\x02\x86\x86A_OPUS" + b"\x00" * 512)
OGG_OPUS = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x13OpusHead\x01\x01" + b"\x00" * 256
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A isom" + b"\x00" * 256


def _camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    gps_ifd = {1: "N", 2: (59.0, 54.0, 48.0), 3: "E", 4: (10.0, 45.0, 36.0)}
    exif[0x8825] = gps_ifd
    return exif


def photo(width=800, height=600, colour=(200, 120, 40), fmt="JPEG", gps=False) -> bytes:
    """A photo; with `gps`, its EXIF says where it was taken (Oslo) and who made the camera."""
    image = Image.new("RGB", (width, height), colour)
    out = io.BytesIO()
    if gps:
        image.save(out, fmt, exif=_camera_exif())
    else:
        image.save(out, fmt)
    return out.getvalue()


def heic(width=800, height=600, colour=(40, 120, 200)) -> bytes:
    """A HEIC as an iPhone saves it (HEVC in a HEIF container, brand "heic"), its EXIF with the
    camera's make, a GPS position (Oslo) and orientation 6 (pillow-heif writes that as the
    container's rotation, so it opens upright: portrait)."""
    heif = pillow_heif.from_pillow(Image.new("RGB", (width, height), colour))
    out = io.BytesIO()
    heif.save(out, quality=90, exif=_camera_exif().tobytes())
    return out.getvalue()
