"""Serving stored uploads (photos, signed forms) only after the caller's permission check."""

from __future__ import annotations

import mimetypes

from django.core.files.storage import default_storage
from django.http import FileResponse


def private_file(name: str) -> FileResponse:
    """The stored file `name`, never from a public media URL and never sniffed as HTML."""
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
