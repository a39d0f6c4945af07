"""The demo's photos: plain coloured JPEGs standing in for pictures of the work."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def photo(name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    """An upload, as a person's phone would send it."""
    return SimpleUploadedFile(name, jpeg(colour), content_type="image/jpeg")
