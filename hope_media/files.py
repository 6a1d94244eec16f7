"""Uploads checked by what they contain, never by their name or the type the browser claims.

Photos: Pillow must open and verify them as JPEG, PNG, WebP or HEIC/HEIF (what iPhones save;
opened through pillow-heif, whose libheif applies the container's rotation); they are re-encoded
as JPEG with the camera's orientation applied, at most 1600 px on the long side, with no EXIF and
no ICC profile (so no GPS position, no camera serial number). Recordings: what Chromium's
MediaRecorder makes (WebM with Opus), Ogg Opus, or MP4/M4A audio — recognised by their
container's first bytes; kept as they are, since every browser that recorded them can play them.
Files are written owner-only (0600) in owner-only directories (0700) under the media directory,
named by their content's SHA-256.
"""
from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pillow_heif
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from backend.errors import ServiceError

pillow_heif.register_heif_opener()  # Pillow opens HEIC/HEIF (format "HEIF") from here on

MB = 1024 * 1024
PHOTO_MAX_BYTES = 10 * MB
# The one limit on a recording's size: the API's and the form's body limits, the OpenAPI document,
# the page's words and the recorder's own check all come from it. Measured (Chromium 150's
# MediaRecorder, 2 minutes, WebM/Opus): 0.63-0.74 MB at the recorder's 48 kbit/s, 1.94 MB at
# Chromium's default 128 kbit/s (a browser that does not take the asked bitrate). 3 MB holds the
# larger with half again to spare; base64 makes it 4 MB on the wire.
AUDIO_MAX_MB = 3
AUDIO_MAX_BYTES = AUDIO_MAX_MB * MB
AUDIO_MAX_SECONDS = 120
LONG_SIDE = 1600
MAX_PIXELS = 60_000_000  # a 12 MP phone photo is far below; a decompression bomb is not
JPEG_QUALITY = 82
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF"}  # HEIF: iPhones' HEIC photos


def base64_size(size: int) -> int:
    """How long `size` bytes are in base64 (as the recorder sends them, with padding)."""
    return 4 * ((size + 2) // 3)


# What one request to an upload route may carry (`request.max_content_length`; 1 MB elsewhere).
# The form: the largest file it takes, and room enough that a file a little too big still reaches
# the check that says so beside the field. The API: a whole recording in base64 and the words sent
# with it (a 300-character caption and a 2,000-character transcript: at most 28 KB, even escaped).
FORM_BODY_MAX_BYTES = max(PHOTO_MAX_BYTES, AUDIO_MAX_BYTES) + MB
API_BODY_MAX_BYTES = base64_size(AUDIO_MAX_BYTES) + 64 * 1024


@dataclass
class Checked:
    """Bytes fit to store, and what they are."""

    data: bytes
    ext: str
    mime: str
    width: int = 0
    height: int = 0

    @property
    def name(self) -> str:
        """The immutable file name: what the bytes are, not what anyone called them."""
        return f"{hashlib.sha256(self.data).hexdigest()}.{self.ext}"


def photo_too_big() -> ServiceError:
    """The limit, said the same way wherever it is hit."""
    return ServiceError("photo_too_big", _("A photo can be at most 10 MB. Try a smaller one."), 413, field="file")


def recording_too_big() -> ServiceError:
    """The recording limit, said the same way by the check, the API's body limit and the recorder."""
    return ServiceError("recording_too_big", _("A recording can be at most %(mb)s MB. Try a shorter one.",
                                               mb=AUDIO_MAX_MB), 413, field="file")


def check_photo(data: bytes) -> Checked:
    """A real photo, re-encoded for phones without its metadata (or a ServiceError)."""
    if not data:
        raise ServiceError("no_file", _("Please choose a photo first."), 422, field="file")
    if len(data) > PHOTO_MAX_BYTES:
        raise photo_too_big()
    not_photo = ServiceError("not_a_photo", _("That file is not a photo we can show. Please choose a JPEG, "
                                              "PNG, WebP or HEIC picture."), 422, field="file")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise not_photo
            if probe.width * probe.height > MAX_PIXELS:
                raise not_photo
            probe.verify()  # a truncated or forged file fails here
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise not_photo from exc
    if upright.mode in ("RGBA", "LA", "P"):
        upright = upright.convert("RGBA")
        flat = Image.new("RGB", upright.size, (255, 255, 255))
        flat.paste(upright, mask=upright.getchannel("A"))
        upright = flat
    else:
        upright = upright.convert("RGB")
    upright.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif= and no icc_profile=: nothing of the original's metadata is written.
    upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return Checked(out.getvalue(), "jpg", "image/jpeg", upright.width, upright.height)


def audio_kind(data: bytes) -> tuple[str, str] | None:
    """(extension, MIME type) of a recording by its container's first bytes, or None."""
    head = data[:4096]
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska / WebM
        if b"webm" in head[:64] and (b"A_OPUS" in head or b"A_VORBIS" in head):
            return "webm", "audio/webm"
        return None
    if head.startswith(b"OggS") and (b"OpusHead" in head[:128] or b"\x01vorbis" in head[:128]):
        return "ogg", "audio/ogg"
    if head[4:8] == b"ftyp":  # ISO base media: MP4 / M4A (Safari's and Chromium's mp4 recordings)
        brand = head[8:12]
        if brand in (b"M4A ", b"mp42", b"isom", b"iso5", b"iso6", b"mp41", b"dash", b"iso2"):
            return "m4a", "audio/mp4"
    return None


def check_audio(data: bytes, duration_ms: int) -> Checked:
    """A short recording in a format the browser can play back (or a ServiceError)."""
    if not data:
        raise ServiceError("no_file", _("There is no recording to save yet."), 422, field="file")
    if len(data) > AUDIO_MAX_BYTES:
        raise recording_too_big()
    if duration_ms > (AUDIO_MAX_SECONDS + 5) * 1000:
        raise ServiceError("recording_too_long", _("A recording can be at most 2 minutes long."), 422, field="file")
    kind = audio_kind(data)
    if kind is None:
        raise ServiceError("not_a_recording", _("That file is not a recording we can play. Please record "
                                                "again here, or choose a WebM, Ogg or M4A sound file."),
                           422, field="file")
    return Checked(data, kind[0], kind[1])


# -- storage ----------------------------------------------------------------------------------------

def plan_dir(root: Path, plan_id: int) -> Path:
    """Where one plan's files live (owner-only)."""
    return root / str(int(plan_id))


def store(root: Path, plan_id: int, checked: Checked) -> str:
    """Write the bytes once under their content name; returns the name."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = plan_dir(root, plan_id)
    folder.mkdir(mode=0o700, exist_ok=True)
    target = folder / checked.name
    if not target.exists():
        tmp = folder / f".{checked.name}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(checked.data)
        os.replace(tmp, target)
    return checked.name


def path_of(root: Path, plan_id: int, name: str) -> Path:
    """A stored file's path; names are only ever our own hex digests (checked by the caller)."""
    return plan_dir(root, plan_id) / name


def unlink(paths: list[Path]) -> None:
    """Remove files (and a plan's folder once empty); a file already gone is fine."""
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        try:
            path.parent.rmdir()
        except OSError:
            pass  # other files still there
