"""The company's logo: made from the image a person chooses, read back for invoices and reports.

What is kept is never the uploaded file itself: Pillow decodes it, scales it to fit
``LOGO_BOX`` and writes a fresh PNG without metadata, kept as base64 in the company's row (so
it travels with the books in every backup, whatever parts are chosen). Reading it back decodes
it again, bounded, so a logo altered in a backup can only fail to show, never harm.
"""

import base64
import binascii
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from partida.books.models import MAX_LOGO_CHARACTERS

#: Largest file a person may choose, and the largest picture it may hold.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SOURCE_PIXELS = 40_000_000
#: The logo is scaled down to fit this box (pixels), enough for print at the size it is shown.
LOGO_BOX = (800, 400)
FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


def logo_from_upload(upload) -> str:
    """The logo to keep for an uploaded image, or a ValidationError that says what to do."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The logo is larger than 5 MB. Choose a smaller image."), code="logo_size"
        )
    image = open_image(upload.read())
    if image is None:
        raise ValidationError(
            _("This file is not an image Partida can use. Choose a PNG, JPEG, GIF or WebP file."),
            code="logo_format",
        )
    kept = encode(image)
    if len(kept) > MAX_LOGO_CHARACTERS:
        raise ValidationError(
            _("The logo is too detailed to keep. Choose a simpler image."), code="logo_size"
        )
    return kept


def open_image(data: bytes) -> Image.Image | None:
    """The picture in ``data``, loaded and scaled down, or None if it is none Partida reads."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if image.format not in FORMATS or width * height > MAX_SOURCE_PIXELS:
                return None
            image.load()
            picture = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    picture.thumbnail(LOGO_BOX)
    return picture


def encode(image: Image.Image) -> str:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return base64.b64encode(out.getvalue()).decode("ascii")


def logo_png(kept: str) -> bytes | None:
    """The PNG of a kept logo, checked again; None when there is none, or it does not read."""
    if not kept:
        return None
    try:
        data = base64.b64decode(kept, validate=True)
    except (binascii.Error, ValueError):
        return None
    image = open_image(data)
    return None if image is None else base64.b64decode(encode(image))
