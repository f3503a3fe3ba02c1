"""The server side of a rate limit: a sliding window counted at request arrival."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``max_calls`` requests in any ``period`` seconds."""

    max_calls: int
    period: float

    def __post_init__(self) -> None:
        if self.max_calls < 1 or self.period <= 0:
            raise ValueError("a rate limit needs max_calls >= 1 and a positive period")


class SlidingWindow:
    """Admits a request when fewer than ``max_calls`` were admitted in the last ``period``
    seconds, per client key. Refused requests do not count. Thread-safe."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._clock = clock
        self._arrivals: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @property
    def limit(self) -> RateLimit:
        return self._limit

    def admit(self, client: str = "") -> float | None:
        """None when admitted, else the seconds until the oldest arrival leaves the window."""
        now = self._clock()
        with self._lock:
            arrivals = self._arrivals.setdefault(client, deque())
            horizon = now - self._limit.period
            while arrivals and arrivals[0] <= horizon:
                arrivals.popleft()
            if len(arrivals) >= self._limit.max_calls:
                return arrivals[0] + self._limit.period - now
            arrivals.append(now)
            return None

    def clear(self) -> None:
        with self._lock:
            self._arrivals.clear()


def retry_after_seconds(wait: float) -> int:
    """``Retry-After`` is whole seconds: round up, and never tell a client to retry at once."""
    return max(1, math.ceil(wait))
