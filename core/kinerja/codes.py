"""The verification code of a signed report: the recap's content hash, in full (64 hex digits,
in the QR code) or its first :data:`CODE_LENGTH` hex digits grouped by four, printed under the
QR code for a person to type (``3F2A-9C1B-77D0-12AB``: 64 bits, not guessable)."""

from __future__ import annotations

import re

CODE_LENGTH = 16
HASH_LENGTH = 64
VERIFY_PATH = "/verifikasi"


def printed_code(recap_hash: str) -> str:
    """``3F2A-9C1B-77D0-12AB`` for a hash beginning ``3f2a9c1b77d012ab``."""
    head = recap_hash[:CODE_LENGTH].upper()
    return "-".join(head[i : i + 4] for i in range(0, len(head), 4))


def normalise_code(code: str) -> str | None:
    """The code as lowercase hex without separators, or ``None`` when it is neither a full
    hash nor a printed code."""
    text = re.sub(r"[\s\-.]", "", code).lower()
    if len(text) not in (CODE_LENGTH, HASH_LENGTH) or not re.fullmatch(r"[0-9a-f]+", text):
        return None
    return text


def verify_url(base_url: str, recap_hash: str) -> str:
    """The public page that checks the report of ``recap_hash`` (what the QR code holds)."""
    return f"{base_url.rstrip('/')}{VERIFY_PATH}/{recap_hash}"
