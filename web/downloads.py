"""Downloads: a ``Content-Disposition`` header that no file name can break, and the exports'
file names and responses.

RFC 6266: ``filename*`` carries the real name, UTF-8 and percent-encoded (RFC 8187), so
quotes, semicolons and line breaks in it are data, never header syntax; ``filename`` is an
ASCII fallback for old clients with everything but letters, digits, dots, dashes,
underscores and spaces replaced.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from litestar import Response

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]")


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = _UNSAFE.sub("_", ascii_name).strip(" .") or "download"
    encoded = quote(filename.encode("utf-8", "replace"), safe="")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def file_name(prefix: str, period: str, extension: str) -> str:
    """``rekap-data-kinerja-triwulan-iii-2026.xlsx``: ASCII only, safe in a header."""
    slug = re.sub(r"[^a-z0-9]+", "-", period.lower()).strip("-")
    return f"{prefix}-{slug or 'periode'}.{extension}"


def download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content=content,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(filename),
            "X-Content-Type-Options": "nosniff",
        },
    )
