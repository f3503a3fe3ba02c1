"""Per-provider rate control: a fair sliding-window limiter that can be paused by a 429, and a
hard call budget (e.g. OMDb's requests per day) that is spent rather than waited for.

Both take an injectable ``clock`` (and the limiter an injectable ``sleep``) so tests can drive
virtual time.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]

#: Shortest sleep when a slot is due "now" but float rounding says not quite yet.
_MIN_SLEEP = 1e-6


@dataclass(frozen=True, slots=True)
class LimiterStats:
    """Counters of one limiter; ``total_wait`` is the sum of every caller's wait, in seconds."""

    acquisitions: int
    total_wait: float
    pauses: int
    paused_for: float


class RateLimiter:
    """At most ``max_calls`` acquisitions in any window of ``period`` seconds, granted in
    arrival order (FIFO).

    The window slides: a call is granted once the call ``max_calls`` places back is at least
    ``period`` old, so a steady stream of callers runs at the full rate without bursts past it.
    Only the caller at the head of the queue waits on the clock; the others queue on a fair
    lock, so cancelling any waiter takes nothing from the window.

    ``pause(seconds)`` (after a 429 / Retry-After) holds every caller, queued or new, until the
    pause ends. For one ``period`` after a pause the limiter paces calls evenly
    (``period / max_calls`` apart) instead of releasing a full window at once: the same rate,
    no burst into a server that just pushed back.

    With ``paced=True`` (what providers use, see ``providers.base``) calls are always spaced evenly. The server counts
    requests when they *arrive*, and arrival times jitter (new connections, scheduling): a
    window released as one burst can land in the server's window together with the stragglers
    of the previous one. Evenly spaced calls keep the same sustained rate with no such risk.
    """

    def __init__(self, max_calls: int, period: float, *, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep, paced: bool = False) -> None:
        if max_calls < 1:
            raise ValueError("max_calls must be at least 1")
        if period <= 0:
            raise ValueError("period must be positive")
        self.max_calls = max_calls
        self.period = float(period)
        self._clock = clock
        self._sleep = sleep
        self._granted: deque[float] = deque(maxlen=max_calls)
        self._turn = asyncio.Lock()
        self._paused_until = float("-inf")
        self._paced_until = float("inf") if paced else float("-inf")
        self._spacing = self.period / max_calls
        # When paced, the earliest time of the next grant on an ideal, evenly spaced schedule:
        # a caller woken a little late does not push every later call back (no drift).
        self._next_paced = float("-inf")
        self._acquisitions = 0
        self._total_wait = 0.0
        self._pauses = 0

    async def acquire(self) -> None:
        """Wait for this caller's turn and a free slot in the window, then take the slot."""
        arrived = self._clock()
        async with self._turn:
            while (delay := self._delay(self._clock())) > 0:
                await self._sleep(max(delay, _MIN_SLEEP))
            granted = self._clock()
            self._granted.append(granted)
            on_schedule = granted - self._next_paced < self._spacing
            self._next_paced = (self._next_paced if on_schedule else granted) + self._spacing
        self._acquisitions += 1
        self._total_wait += granted - arrived

    def pause(self, seconds: float) -> None:
        """Hold every caller for ``seconds`` from now (a pause only ever extends, never shortens)."""
        if seconds <= 0:
            return
        until = self._clock() + seconds
        if until <= self._paused_until:
            return
        self._paused_until = until
        self._paced_until = max(self._paced_until, until + self.period)
        self._pauses += 1

    @property
    def paused_for(self) -> float:
        """Seconds left in the current pause (0.0 when not paused)."""
        return max(0.0, self._paused_until - self._clock())

    def stats(self) -> LimiterStats:
        return LimiterStats(acquisitions=self._acquisitions, total_wait=self._total_wait,
                            pauses=self._pauses, paused_for=self.paused_for)

    def _delay(self, now: float) -> float:
        """Seconds until a call may be granted at ``now``; 0 or less means now."""
        delay = self._paused_until - now
        if len(self._granted) == self.max_calls:
            age = now - self._granted[0]
            if age < self.period:
                delay = max(delay, self.period - age)
        if now < self._paced_until:
            delay = max(delay, self._next_paced - now)
        return delay


class CallBudget:
    """A hard quota of ``max_calls`` per ``period`` (e.g. 1,000 a day) that is spent, not waited
    for: when it is used up the caller is told how long until a call frees, and should skip the
    provider instead of queueing for hours. Counts only this process's calls."""

    def __init__(self, max_calls: int, period: float, *, clock: Clock = time.monotonic) -> None:
        if max_calls < 1:
            raise ValueError("max_calls must be at least 1")
        if period <= 0:
            raise ValueError("period must be positive")
        self.max_calls = max_calls
        self.period = float(period)
        self._clock = clock
        self._spent: deque[float] = deque(maxlen=max_calls)

    def try_spend(self) -> float:
        """Spend one call and return 0.0, or spend nothing and return the seconds until one frees."""
        now = self._clock()
        if len(self._spent) == self.max_calls:
            age = now - self._spent[0]
            if age < self.period:
                return self.period - age
        self._spent.append(now)
        return 0.0

    @property
    def remaining(self) -> int:
        now = self._clock()
        in_window = sum(1 for spent in self._spent if now - spent < self.period)
        return self.max_calls - in_window
