"""RetryPolicy (over tenacity) and CircuitBreaker, with recorded sleeps and a hand-driven clock."""

from __future__ import annotations

import pytest

from curator.domain.errors import (
    AuthFailed,
    BadRequest,
    BadResponse,
    CircuitOpen,
    NotFound,
    RateLimited,
    ServerError,
    TimedOut,
    Unreachable,
)
from curator.net.resilience import BreakerState, CircuitBreaker, RetryPolicy


class RecordedSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(float(seconds))


class Script:
    """An attempt that raises the given errors in turn, then returns "ok"."""

    def __init__(self, *errors: Exception) -> None:
        self._errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self._errors:
            raise self._errors.pop(0)
        return "ok"


def policy(**overrides) -> tuple[RetryPolicy, RecordedSleep]:
    sleep = RecordedSleep()
    return RetryPolicy(sleep=sleep, **overrides), sleep


@pytest.mark.asyncio
@pytest.mark.parametrize("error", [
    ServerError("TMDB", "server error (HTTP 500)", status=500),
    TimedOut("TMDB", "did not answer in time"),
    Unreachable("TMDB", "connection refused"),
    RateLimited("TMDB", "too many requests"),
])
async def test_retries_transient_errors_then_succeeds(error):
    retry, sleep = policy()
    attempt = Script(error, error)
    assert await retry.call(attempt) == "ok"
    assert attempt.calls == 3
    assert len(sleep.delays) == 2


@pytest.mark.asyncio
@pytest.mark.parametrize("error", [
    AuthFailed("OMDb", "access refused (HTTP 401)", status=401),
    NotFound("TMDB", "not found (HTTP 404)", status=404),
    BadRequest("TMDB", "request refused (HTTP 422)", status=422),
    BadResponse("TMDB", "answered with a web page (HTML) where data was expected"),
    CircuitOpen("TMDB", "skipped for 60 s after repeated failures"),
])
async def test_never_retries_final_answers(error):
    retry, sleep = policy()
    attempt = Script(error)
    with pytest.raises(type(error)) as raised:
        await retry.call(attempt)
    assert raised.value is error
    assert attempt.calls == 1
    assert sleep.delays == []


@pytest.mark.asyncio
async def test_gives_up_after_the_attempt_cap_with_the_last_error():
    retry, sleep = policy(attempts=4)
    errors = [ServerError("TMDB", f"server error {n}", status=500) for n in range(6)]
    attempt = Script(*errors)
    with pytest.raises(ServerError) as raised:
        await retry.call(attempt)
    assert raised.value is errors[3]
    assert attempt.calls == 4
    assert len(sleep.delays) == 3


@pytest.mark.asyncio
async def test_backoff_is_exponential_with_bounded_jitter():
    retry, sleep = policy(attempts=6, base_delay=0.5, max_delay=3.0, jitter=0.25, max_total_delay=100)
    attempt = Script(*[TimedOut("TVmaze", "slow")] * 5)
    await retry.call(attempt)
    for number, delay in enumerate(sleep.delays, start=1):
        low = retry.backoff(number)
        assert low <= delay <= min(3.0, low + 0.25), (number, delay)
    assert [retry.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


@pytest.mark.asyncio
async def test_retry_after_replaces_the_backoff():
    retry, sleep = policy()
    attempt = Script(RateLimited("TVmaze", "too many requests", retry_after=7.0))
    assert await retry.call(attempt) == "ok"
    assert sleep.delays == [7.0]


@pytest.mark.asyncio
async def test_total_delay_is_capped():
    retry, sleep = policy(max_total_delay=10.0)
    too_long = RateLimited("OMDb", "too many requests", retry_after=3600.0)
    attempt = Script(too_long)
    with pytest.raises(RateLimited) as raised:
        await retry.call(attempt)
    assert raised.value is too_long
    assert sleep.delays == []

    retry, sleep = policy(attempts=10, max_total_delay=10.0)
    attempt = Script(*[RateLimited("TMDB", "busy", retry_after=4.0)] * 5)
    with pytest.raises(RateLimited):
        await retry.call(attempt)
    assert sleep.delays == [4.0, 4.0]  # a third wait would pass 10 s
    assert attempt.calls == 3


@pytest.mark.asyncio
async def test_observer_and_veto():
    retry, _ = policy()
    seen: list[tuple[str, int]] = []
    attempt = Script(ServerError("TMDB", "e1", status=500), ServerError("TMDB", "e2", status=502))
    await retry.call(attempt, on_retry=lambda err, delay, number: seen.append((str(err), number)))
    assert seen == [("TMDB: e1", 1), ("TMDB: e2", 2)]

    attempt = Script(ServerError("TMDB", "e1", status=500))
    with pytest.raises(ServerError):
        await retry.call(attempt, may_retry=lambda: False)
    assert attempt.calls == 1


def test_policy_rejects_nonsense():
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base_delay=-1)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_consecutive_failures_only():
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=3, reset_after=60.0, clock=clock, service="TMDB")
    assert breaker.state is BreakerState.CLOSED
    assert breaker.open_until is None
    assert not breaker.record_failure()
    assert not breaker.record_failure()
    breaker.record_success()  # breaks the run
    assert breaker.failures == 0
    assert not breaker.record_failure()
    assert not breaker.record_failure()
    breaker.check()
    assert breaker.record_failure() is True
    assert breaker.state is BreakerState.OPEN
    assert breaker.open_until == 1060.0

    clock.now += 15.2
    with pytest.raises(CircuitOpen) as raised:
        breaker.check()
    assert str(raised.value) == "TMDB: skipped for 45 s after repeated failures"
    assert raised.value.service == "TMDB"
    assert breaker.retry_in == pytest.approx(44.8)


def test_breaker_half_opens_for_one_trial_then_closes_on_success():
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_after=30.0, clock=clock)
    breaker.record_failure()
    clock.now += 30.0
    assert breaker.state is BreakerState.HALF_OPEN
    breaker.check()  # the trial
    with pytest.raises(CircuitOpen):
        breaker.check()  # everyone else waits for the trial's verdict
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    breaker.check()
    breaker.check()


def test_failed_trial_reopens_for_another_period():
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=2, reset_after=30.0, clock=clock)
    breaker.record_failure()
    breaker.record_failure()
    clock.now += 31.0
    breaker.check()
    assert breaker.record_failure() is True
    assert breaker.state is BreakerState.OPEN
    assert breaker.open_until == clock.now + 30.0


def test_released_trial_lets_the_next_caller_try():
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_after=5.0, clock=clock)
    breaker.record_failure()
    clock.now += 5.0
    breaker.check()
    breaker.release()  # e.g. the trial was cancelled
    breaker.check()
    assert breaker.state is BreakerState.HALF_OPEN


def test_late_failures_do_not_extend_an_open_circuit():
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_after=10.0, clock=clock)
    assert breaker.record_failure()
    clock.now += 5.0
    assert not breaker.record_failure()  # a call that started before it opened
    assert breaker.open_until == 1010.0
