"""Pictures members upload (profile photos, group covers): checked by their content, and stored re-encoded so
that no metadata (camera, GPS position) and no crafted bytes of the original reach a reader."""

from __future__ import annotations

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

# Pillow's name of each accepted format → the extension the re-encoded file is stored with.
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
IMAGE_MAX_BYTES = 5 * 1024 * 1024
# Past this, decoding alone could exhaust a worker's memory (a "decompression bomb").
IMAGE_MAX_PIXELS = 40_000_000


def image_extension(file: UploadedFile, *, too_large: str, wrong_type: str, too_many_pixels: str) -> str:
    """The extension to store `file` under, or a ValidationError with the caller's words (too_large may use
    %(size)s, the file's size in MB)."""
    from PIL import Image as PILImage

    if file.size is not None and file.size > IMAGE_MAX_BYTES:
        raise ValidationError(too_large % {"size": f"{file.size / (1024 * 1024):.1f}"}, code="too_large")
    detected = ""
    pixels = 0
    try:
        file.seek(0)
        with PILImage.open(file) as picture:
            detected = picture.format or ""
            pixels = picture.width * picture.height
            picture.verify()
    except Exception:  # Pillow raises many types for a file that is not an image
        detected = ""
    finally:
        file.seek(0)
    if detected not in IMAGE_FORMATS:
        raise ValidationError(wrong_type, code="invalid_type")
    if pixels > IMAGE_MAX_PIXELS:
        raise ValidationError(too_many_pixels, code="too_large")
    return IMAGE_FORMATS[detected]


def image_reencoded(
    file: UploadedFile, extension: str, *, width: int, height: int, quality: int
) -> ContentFile[bytes]:
    """`file` turned upright, cut from the middle to width × height, and encoded afresh without metadata."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    file.seek(0)
    with PILImage.open(file) as original:
        upright = ImageOps.exif_transpose(original) or original
        picture = ImageOps.fit(upright, (width, height))
        output = BytesIO()
        if extension == "jpg":
            picture.convert("RGB").save(output, format="JPEG", quality=quality, optimize=True)
        elif extension == "webp":
            picture.save(output, format="WEBP", quality=quality)
        else:
            picture.save(output, format="PNG", optimize=True)
    file.seek(0)
    return ContentFile(output.getvalue())


def image_size(file: UploadedFile) -> tuple[int, int]:
    """Width and height of an image `image_extension` accepted."""
    from PIL import Image as PILImage

    file.seek(0)
    with PILImage.open(file) as picture:
        size = (picture.width, picture.height)
    file.seek(0)
    return size
