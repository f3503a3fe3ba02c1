"""Surviving bad answers: a retry policy (tenacity underneath) and a circuit breaker.

Which errors are worth another try is decided here, once: rate limits, server errors,
time-outs and dropped connections are; refused keys, missing records, bad requests and
unreadable answers are not (asking again gives the same answer).
"""

from __future__ import annotations

import asyncio
import enum
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from curator.domain.errors import (
    BadResponse,
    CircuitOpen,
    RateLimited,
    ServerError,
    TimedOut,
    Unreachable,
)

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]

#: Errors worth another try.
RETRYABLE: tuple[type[Exception], ...] = (RateLimited, ServerError, TimedOut, Unreachable)
#: Errors that say the service itself is unwell (they trip the circuit breaker). A missing
#: record, a refused key or a bad request are answers from a healthy service.
SERVICE_FAILURES: tuple[type[Exception], ...] = (*RETRYABLE, BadResponse)

#: Called before each retry with the error, the delay before the next attempt (s) and the
#: number of the attempt that failed.
RetryObserver = Callable[[BaseException, float, int], None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Up to ``attempts`` tries with exponential backoff plus jitter; a ``Retry-After`` from the
    server replaces the backoff. The sum of all waits never passes ``max_total_delay``: when the
    next wait would, the last error is raised instead."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_total_delay: float = 60.0
    jitter: float = 0.5
    sleep: Sleep = field(default=asyncio.sleep, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if min(self.base_delay, self.max_delay, self.max_total_delay, self.jitter) < 0:
            raise ValueError("delays must not be negative")

    def backoff(self, failed_attempt: int) -> float:
        """The backoff after attempt number ``failed_attempt`` (1-based), without jitter."""
        return min(self.max_delay, self.base_delay * 2 ** (failed_attempt - 1))

    async def call(self, attempt: Callable[[], Awaitable[T]], *,
                   on_retry: RetryObserver | None = None,
                   may_retry: Callable[[], bool] | None = None) -> T:
        """Run ``attempt`` until it succeeds, raises a final error, or the policy gives up (the
        last error is raised as is). ``may_retry`` can veto any further try (e.g. an open
        circuit)."""

        def worth_retrying(error: BaseException) -> bool:
            return isinstance(error, RETRYABLE) and (may_retry is None or may_retry())

        def before_sleep(state: RetryCallState) -> None:
            if on_retry is not None and state.outcome is not None:
                error = state.outcome.exception()
                if error is not None:
                    on_retry(error, state.upcoming_sleep, state.attempt_number)

        retrying = AsyncRetrying(
            sleep=cast(Any, self.sleep),  # tenacity types it as returning None; any awaitable works
            stop=stop_after_attempt(self.attempts) | _StopPastTotalDelay(self.max_total_delay),
            wait=_ServerHintedWait(wait_exponential_jitter(
                multiplier=self.base_delay, max=self.max_delay, jitter=self.jitter)),
            retry=retry_if_exception(worth_retrying),
            before_sleep=before_sleep,
            reraise=True,
        )
        return await retrying(attempt)


class _ServerHintedWait(wait_base):
    """The server's ``Retry-After`` when a RateLimited carries one, else the fallback backoff."""

    def __init__(self, fallback: wait_base) -> None:
        self._fallback = fallback

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None and outcome.failed else None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return error.retry_after
        return self._fallback(retry_state)


class _StopPastTotalDelay(stop_base):
    """Stop when the next wait would take the total time spent waiting past ``limit``."""

    def __init__(self, limit: float) -> None:
        self._limit = limit

    def __call__(self, retry_state: RetryCallState) -> bool:
        return retry_state.idle_for + retry_state.upcoming_sleep > self._limit


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Stops calling a service that keeps failing.

    closed → open after ``failure_threshold`` service failures in a row; open → half-open once
    ``reset_after`` seconds have passed, where one trial call is let through; the trial's
    success closes the circuit, its failure opens it again for another ``reset_after``.
    """

    def __init__(self, failure_threshold: int = 5, reset_after: float = 60.0,
                 clock: Clock = time.monotonic, *, service: str = "provider") -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if reset_after <= 0:
            raise ValueError("reset_after must be positive")
        self.failure_threshold = failure_threshold
        self.reset_after = float(reset_after)
        self.service = service
        self._clock = clock
        self._failures = 0
        self._open_until: float | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        if self._open_until is None:
            return BreakerState.CLOSED
        if self._clock() < self._open_until:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    @property
    def open_until(self) -> float | None:
        """Clock time at which an open circuit lets a trial call through; None when closed."""
        return self._open_until

    @property
    def retry_in(self) -> float:
        """Seconds until the next trial call is allowed (0.0 unless open)."""
        if self._open_until is None:
            return 0.0
        return max(0.0, self._open_until - self._clock())

    @property
    def failures(self) -> int:
        """Service failures in a row so far."""
        return self._failures

    def check(self) -> None:
        """Raise CircuitOpen unless a call may go out now; in half-open, the first caller
        becomes the trial and must report back (record_success / record_failure / release)."""
        state = self.state
        if state is BreakerState.CLOSED:
            return
        if state is BreakerState.OPEN:
            seconds = max(1, math.ceil(self.retry_in))
            raise CircuitOpen(self.service, f"skipped for {seconds} s after repeated failures")
        if self._trial_running:
            raise CircuitOpen(self.service, "skipped while one trial request checks whether it is back")
        self._trial_running = True

    def record_success(self) -> None:
        """The service answered (including a plain "not found"): close the circuit."""
        self._failures = 0
        self._open_until = None
        self._trial_running = False

    def record_failure(self) -> bool:
        """Count one service failure; True when this failure opened the circuit."""
        state = self.state
        self._trial_running = False
        if state is BreakerState.OPEN:
            return False
        self._failures += 1
        if state is BreakerState.HALF_OPEN or self._failures >= self.failure_threshold:
            self._open_until = self._clock() + self.reset_after
            return True
        return False

    def release(self) -> None:
        """A permitted call ended without a verdict (cancelled): let another trial through."""
        self._trial_running = False
