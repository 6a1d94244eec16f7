"""Uploads are judged by what they contain: photos (also iPhones' HEIC) re-encoded without their
EXIF (no GPS), upright and phone-sized; anything that is not a real photo or a browser's recording
is refused."""
from __future__ import annotations

import io
import stat

import pytest
from PIL import Image

from backend import create_app
from backend.errors import ServiceError
from hope_media import files
from support.media import M4A, OGG_OPUS, WEBM_OPUS, heic, photo


@pytest.fixture(autouse=True)
def _request(tmp_path):
    """Messages are translated, so a request context (English)."""
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3",
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.test_request_context():
        yield


def test_exif_and_gps_are_stripped_and_the_photo_is_turned_upright():
    original = photo(1200, 800, gps=True)
    with Image.open(io.BytesIO(original)) as before:
        exif = before.getexif()
        assert exif.get_ifd(0x8825)[2] == (59.0, 54.0, 48.0) and exif[0x010F] == "PhoneMaker"
    checked = files.check_photo(original)
    with Image.open(io.BytesIO(checked.data)) as after:
        assert after.format == "JPEG"
        assert not after.getexif() and "exif" not in after.info
        assert after.size == (800, 1200)  # orientation 6 applied: now portrait
    assert b"PhoneMaker" not in checked.data and b"GPS" not in checked.data
    assert (checked.width, checked.height, checked.mime, checked.ext) == (800, 1200, "image/jpeg", "jpg")


def test_a_large_photo_is_made_phone_sized():
    checked = files.check_photo(photo(4000, 3000, fmt="PNG"))
    assert max(checked.width, checked.height) == files.LONG_SIDE


def test_png_and_webp_are_accepted():
    assert files.check_photo(photo(fmt="PNG")).mime == "image/jpeg"
    assert files.check_photo(photo(fmt="WEBP")).mime == "image/jpeg"


@pytest.mark.parametrize("data", [b"%PDF-1.7 hello", b"<svg xmlns='http://www.w3.org/2000/svg'/>", WEBM_OPUS,
                                  photo(fmt="GIF"), photo()[:200]])
def test_anything_but_a_whole_photo_is_refused(data):
    with pytest.raises(ServiceError) as refused:
        files.check_photo(data)
    assert refused.value.code == "not_a_photo" and refused.value.field == "file"


def test_a_photo_over_the_limit_is_refused_before_it_is_opened():
    with pytest.raises(ServiceError) as refused:
        files.check_photo(b"\xff\xd8" + b"\x00" * files.PHOTO_MAX_BYTES)
    assert refused.value.code == "photo_too_big" and refused.value.status == 413


def test_recordings_are_recognised_by_their_container():
    assert files.audio_kind(WEBM_OPUS) == ("webm", "audio/webm")
    assert files.audio_kind(OGG_OPUS) == ("ogg", "audio/ogg")
    assert files.audio_kind(M4A) == ("m4a", "audio/mp4")
    for other in (b"RIFF\x00\x00\x00\x00WAVEfmt ", b"ID3\x04\x00", photo(), b"\x1a\x45\xdf\xa3" + b"matroska" * 8,
                  b"OggS" + b"\x00" * 100):
        assert files.audio_kind(other) is None


def test_a_recording_over_two_minutes_or_three_megabytes_is_refused():
    with pytest.raises(ServiceError) as long:
        files.check_audio(WEBM_OPUS, duration_ms=10 * 60 * 1000)
    assert long.value.code == "recording_too_long"
    with pytest.raises(ServiceError) as big:
        files.check_audio(WEBM_OPUS + b"\x00" * files.AUDIO_MAX_BYTES, duration_ms=1000)
    assert big.value.code == "recording_too_big"


def test_files_are_written_once_owner_only_under_their_content_hash(tmp_path):
    checked = files.check_photo(photo())
    root = tmp_path / "media"
    name = files.store(root, 7, checked)
    again = files.store(root, 7, checked)
    path = files.path_of(root, 7, name)
    assert name == again and path.read_bytes() == checked.data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    files.unlink([path])
    assert not path.exists() and not path.parent.exists()


# -- iPhone photos (HEIC/HEIF): opened through pillow-heif, re-encoded like every other photo --------

def test_the_test_photo_really_is_a_heic_with_a_gps_position():
    data = heic(1200, 800)
    assert data[4:12] == b"ftypheic"
    with Image.open(io.BytesIO(data)) as before:
        assert before.format == "HEIF"
        exif = before.getexif()
        assert exif[0x010F] == "PhoneMaker"
        assert exif.get_ifd(0x8825)[2] == (59.0, 54.0, 48.0)
    assert b"PhoneMaker" in data


def test_a_heic_becomes_an_upright_jpeg_without_exif_or_gps():
    checked = files.check_photo(heic(1200, 800))
    with Image.open(io.BytesIO(checked.data)) as after:
        assert after.format == "JPEG"
        assert not after.getexif() and "exif" not in after.info and "icc_profile" not in after.info
        assert not after.getexif().get_ifd(0x8825)
        assert after.size == (800, 1200)  # the camera's rotation applied: portrait
    assert b"PhoneMaker" not in checked.data and b"GPS" not in checked.data and b"Exif" not in checked.data
    assert (checked.width, checked.height, checked.mime, checked.ext) == (800, 1200, "image/jpeg", "jpg")


def test_a_large_heic_is_made_phone_sized():
    checked = files.check_photo(heic(4032, 3024))
    assert max(checked.width, checked.height) == files.LONG_SIDE


@pytest.mark.parametrize("cut", [40, 300, 0.5])
def test_a_broken_heic_is_refused_with_the_message_that_names_heic(cut):
    data = heic()
    with pytest.raises(ServiceError) as refused:
        files.check_photo(data[: int(len(data) * cut) if isinstance(cut, float) else cut])
    assert refused.value.code == "not_a_photo" and refused.value.field == "file"
    assert "HEIC" in refused.value.message
