"""The request rate of API tokens: at most ``limit`` requests per token in each window of
``window`` seconds.

Fixed windows aligned on the epoch (a 60-second window starts at every whole minute): each
request adds one to its token's counter for the current window, in one statement
(``INSERT … ON CONFLICT … DO UPDATE … RETURNING``, the same on SQLite and PostgreSQL, atomic
on both), so every app process on the database shares the same count. The request that goes
over the limit, and every one after it until the window ends, is refused with
:class:`~alur.tenants.errors.RateLimited`, which says in how many seconds the next window
starts. Refused requests count too: hammering does not shorten the wait. A fixed window lets a
client make up to twice the limit across a window boundary; that is the price of one row and
one statement per request. The counters are ``alur_api_rate`` rows, one per token.
"""

from __future__ import annotations

import math
import time

from alur.tenants.errors import RateLimited
from alur.tenants.storage.tables import ApiRate

_COUNT = """
INSERT INTO alur_api_rate (token, window_start, requests) VALUES ({}, {}, 1)
ON CONFLICT (token) DO UPDATE SET
    requests = CASE WHEN alur_api_rate.window_start = excluded.window_start
                    THEN alur_api_rate.requests + 1 ELSE 1 END,
    window_start = excluded.window_start
RETURNING requests
"""


async def count_request(token_id: int, *, limit: int, window: int, now: float | None = None) -> int:
    """Count one request of token ``token_id`` at ``now`` (epoch seconds; default the
    current time) and answer how many it made in this window, this one included. Raises
    :class:`RateLimited` when that is more than ``limit`` (``limit`` 0: no limit, nothing
    counted)."""
    if limit <= 0:
        return 0
    now = time.time() if now is None else now
    window_start = int(now // window) * window
    rows = await ApiRate.raw(_COUNT, token_id, window_start)
    requests = int(rows[0]["requests"])
    if requests > limit:
        retry_after = max(1, math.ceil(window_start + window - now))
        raise RateLimited(limit=limit, window=window, retry_after=retry_after)
    return requests
