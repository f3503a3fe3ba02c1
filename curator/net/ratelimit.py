"""Per-provider rate control: a fair sliding-window limiter that can be paused by a 429 and
counts a call until its answer is back (so arrival jitter cannot push a server over), and a
hard call budget (e.g. OMDb's requests per day) that is spent rather than waited for.

Both take an injectable ``clock`` (and the limiter an injectable ``sleep``) so tests can drive
virtual time.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
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
    """At most ``max_calls`` calls in any window of ``period`` seconds *as the server counts
    them*, granted in arrival order (FIFO).

    A server counts a request when it arrives, which is some time after the client sends it
    and before the answer comes back — and that delay varies: a new connection, a busy
    process, the network. A limiter that counts only send times can therefore be pushed over
    the server's limit by that jitter alone (a first request held up 160 ms while the next
    ones go straight through is enough to put 41 arrivals in one second at 38 sends a
    second). So a call holds its place in the window from its grant until it *ends* (its
    answer, or its failure, is back), and a new call is granted only while fewer than
    ``max_calls`` calls are in flight or ended less than ``period`` ago. Whatever the delays,
    no window of the server's can then see more than ``max_calls`` arrivals: of any
    ``max_calls + 1`` calls that arrived within one period, the last one granted was granted
    while the others were in flight or had ended within that period. The price is the
    answer time: the steady rate is ``max_calls / (period + answer time)``.

    Use ``async with limiter.slot():`` around the call; ``acquire()`` is a call that ends as it
    is granted. Only the caller at the head of the queue waits; the others queue on a fair
    lock, so cancelling any waiter takes nothing from the window.

    ``pause(seconds)`` (after a 429 / Retry-After) holds every caller, queued or new, until the
    pause ends. For one ``period`` after a pause the limiter paces calls evenly
    (``period / max_calls`` apart) instead of releasing a full window at once: the same rate,
    no burst into a server that just pushed back. With ``paced=True`` (what providers use, see
    ``providers.base``) calls are always spaced evenly.
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
        self._in_flight = 0
        self._ended: deque[float] = deque()  # when recent calls ended, in the order they ended
        self._call_ended = asyncio.Event()
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

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait for this caller's turn and a free place in the window; hold it until the call
        inside ends (returns or raises)."""
        await self._take()
        try:
            yield
        finally:
            self._end()

    async def acquire(self) -> None:
        """Take a place for a call that ends at once (its arrival is its grant)."""
        await self._take()
        self._end()

    async def _take(self) -> None:
        arrived = self._clock()
        async with self._turn:
            while (delay := self._delay(self._clock())) > 0:
                if delay == math.inf:  # every place is held by a call in flight: wait for one to end
                    self._call_ended.clear()
                    await self._call_ended.wait()
                else:
                    await self._sleep(max(delay, _MIN_SLEEP))
            granted = self._clock()
            self._in_flight += 1
            on_schedule = granted - self._next_paced < self._spacing
            self._next_paced = (self._next_paced if on_schedule else granted) + self._spacing
        self._acquisitions += 1
        self._total_wait += granted - arrived

    def _end(self) -> None:
        self._in_flight -= 1
        self._ended.append(self._clock())
        self._call_ended.set()

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
        """Seconds until a call may be granted at ``now``: 0 or less means now, ``inf`` means
        when a call in flight ends."""
        delay = self._paused_until - now
        ended = self._ended
        while ended and now - ended[0] >= self.period:  # out of every window the server can still count
            ended.popleft()
        held = self._in_flight + len(ended)
        if held >= self.max_calls:
            to_free = held - self.max_calls + 1
            # (the age compared as the pruning above compares it, so float rounding agrees)
            delay = max(delay, self.period - (now - ended[to_free - 1]) if to_free <= len(ended) else math.inf)
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
