"""iPhone photos (HEIC/HEIF) are opened through pillow-heif and re-encoded like every other photo:
a JPEG, upright, phone-sized, with no EXIF (so no GPS position) and no ICC profile."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from backend import create_app
from backend.errors import ServiceError
from hope_media import files
from support.media import heic


@pytest.fixture(autouse=True)
def _request(tmp_path):
    """Messages are translated, so a request context (English)."""
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3",
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.test_request_context():
        yield


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
