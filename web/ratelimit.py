"""Login rate limiting: after too many failed logins for one username from one address
within a window, further attempts are refused until the window has passed.

Kept in memory per app process (each process limits on its own); a successful login clears
the counter.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class LoginLimiter:
    def __init__(
        self,
        attempts: int = 5,
        window_seconds: int = 300,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        now = self.clock()
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until another attempt is allowed (0 when allowed now)."""
        q = self._recent((username.lower(), address))
        if len(q) < self.attempts:
            return 0
        return max(1, int(self.window - (self.clock() - q[0])) + 1)

    def failed(self, username: str, address: str) -> None:
        self._recent((username.lower(), address)).append(self.clock())

    def succeeded(self, username: str, address: str) -> None:
        self._failures.pop((username.lower(), address), None)
