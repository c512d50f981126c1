"""The company's logo: any common image becomes a small PNG kept with the books; anything else
is refused with one sentence, and a logo altered in a backup only fails to show."""

import base64
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from partida.books.logo import LOGO_BOX, logo_from_upload, logo_png


def image_file(size=(2400, 1200), fmt="JPEG", name="logo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue())


def test_a_large_photo_becomes_a_small_png_without_its_metadata():
    kept = logo_from_upload(image_file())
    png = logo_png(kept)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == LOGO_BOX  # 2:1 scaled to fit 800×400
        assert not image.info.get("exif")


@pytest.mark.parametrize(
    "content", [b"%PDF-1.4 not an image", b"", b"\x89PNG\r\n\x1a\n" + b"\0" * 40]
)
def test_a_file_that_is_no_image_is_refused_in_one_sentence(content):
    with pytest.raises(ValidationError) as refused:
        logo_from_upload(SimpleUploadedFile("logo.png", content))
    assert refused.value.messages == [
        "This file is not an image Partida can use. Choose a PNG, JPEG, GIF or WebP file."
    ]


def test_a_huge_picture_is_refused_before_it_is_decoded():
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG")  # 400 megapixels, a few KB
    with pytest.raises(ValidationError, match="not an image Partida can use"):
        logo_from_upload(SimpleUploadedFile("bomb.png", out.getvalue()))


def test_a_logo_altered_in_a_backup_only_fails_to_show():
    assert logo_png("") is None
    assert logo_png("not base64!") is None
    assert logo_png(base64.b64encode(b"GIF89a garbage").decode()) is None
