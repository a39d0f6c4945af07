"""Checking residents' photos: a real image, not too big, and no location left in it.

Re-encoding through Pillow keeps only the pixels: EXIF (GPS position, phone model, time)
and any other metadata are dropped, and a file that only claims to be an image fails.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from qinlin.core.errors import DomainError

MAX_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 6
MAX_SIDE = 2560
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class CleanPhoto:
    content: ContentFile[bytes]
    width: int
    height: int


def clean_photo(upload: IO[bytes], *, name: str = "") -> CleanPhoto:
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise DomainError(
            _("照片“%(name)s”超过 8 MB，请压缩后再上传。") % {"name": name},
            code="photo_too_big",
            field="photos",
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image: Image.Image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(
            _("“%(name)s”不是可识别的图片，请上传 JPG、PNG 或 WebP 照片。") % {"name": name},
            code="photo_not_image",
            field="photos",
        ) from None
    fmt = image.format or ""
    if fmt not in FORMATS:
        raise DomainError(
            _("“%(name)s”的格式不支持，请上传 JPG、PNG 或 WebP 照片。") % {"name": name},
            code="photo_format",
            field="photos",
        )
    # Phones store rotation in EXIF; apply it before the EXIF is dropped.
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 85} if fmt in ("JPEG", "WEBP") else {}))
    extension = FORMATS[fmt]
    return CleanPhoto(
        content=ContentFile(out.getvalue(), name=f"photo.{extension}"),
        width=image.width,
        height=image.height,
    )


# An uploaded file as the services take it: the name the person gave it, and its bytes.
Upload = tuple[str, IO[bytes]]


def clean_photos(uploads: Sequence[Upload], *, field: str = "photos") -> list[CleanPhoto]:
    """Check several photos at once: at most MAX_PHOTOS, each a real image (clean_photo)."""
    if len(uploads) > MAX_PHOTOS:
        raise DomainError(
            _("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}, code="too_many_photos", field=field
        )
    return [clean_photo(file, name=name) for name, file in uploads]
