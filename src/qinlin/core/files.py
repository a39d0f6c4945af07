"""Serving stored uploads (photos, signed forms) only after the caller's permission check."""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.http import FileResponse

# What a browser may show in place: the formats appeals.photos.clean_photo re-encodes to.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# Even if a stored file were HTML after all, opened on its own it runs nothing and reaches
# nothing (the page's own CSP does not apply to a file opened directly).
FILE_CSP = "default-src 'none'; sandbox"


def private_file(name: str) -> FileResponse:
    """The stored file `name`, never from a public media URL and never sniffed as HTML.

    Images open in the browser; anything else downloads. The file name sent is the
    generated one it is stored under, never the name the uploader gave it.
    """
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    response = FileResponse(
        default_storage.open(name, "rb"),
        content_type=content_type,
        as_attachment=not inline,
        filename=PurePosixPath(name).name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "private, max-age=3600"
    return response
