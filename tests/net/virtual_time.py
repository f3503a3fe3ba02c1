"""An asyncio event loop on virtual time, for tests of anything that sleeps.

Whenever every task is waiting, the loop jumps its clock straight to the next timer instead of
blocking, so ``asyncio.sleep(60)`` returns at once while ``loop.time()`` reports 60 s later.
Timers fire in the same order and at the same virtual instants as they would in real time.
Only for code without threads or real sockets (respx-mocked httpx is fine).
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class _JumpingSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    def __init__(self, loop: VirtualTimeLoop) -> None:
        super().__init__()
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        events = super().select(0)
        if events:
            return events
        if timeout is None:
            raise RuntimeError("virtual time: every task is waiting and no timer is set (deadlock)")
        self._loop.advance(timeout)
        return events


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._now = 0.0
        super().__init__(selector=_JumpingSelector(self))

    def time(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds


def run_virtual(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``main()`` to completion on a fresh virtual-time loop (time starts at 0.0)."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def now() -> float:
    """The running loop's (virtual) time."""
    return asyncio.get_running_loop().time()
