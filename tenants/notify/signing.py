"""Signing webhook bodies, and checking a signature the way a receiver should.

The header ``Alur-Signature: t=<unix seconds>,v1=<hex>`` carries the time of sending and
the HMAC-SHA256, keyed with the webhook's secret, of ``"<t>.<body>"`` (the body's exact
bytes). Binding the time into the signature lets a receiver refuse a replayed delivery: a
signature older than its tolerance (five minutes by default) is refused even when it is
genuine. :func:`verify_signature` is written to be copied by integrators; docs/graphql.md
shows the same algorithm and a test runs that example against a real delivery.
"""

from __future__ import annotations

import hashlib
import hmac

TOLERANCE = 300  # seconds a signature stays acceptable


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed with ``secret``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the ``Alur-Signature`` header."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify_signature(
    secret: str, header: str, body: bytes, now: float, tolerance: int = TOLERANCE
) -> bool:
    """Whether ``header`` (an ``Alur-Signature`` value) signs ``body`` with ``secret`` at a
    time within ``tolerance`` seconds of ``now`` (unix seconds). Any ``v1`` may match (a
    sender may list several), compared in constant time; a malformed header is ``False``."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit():  # "²".isdigit() is True too
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates or abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    # bytes: compare_digest refuses str with non-ASCII characters (a TypeError, not False)
    return any(hmac.compare_digest(expected.encode(), c.encode()) for c in candidates)
