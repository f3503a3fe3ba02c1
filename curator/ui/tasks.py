"""Running coroutines from Qt slots: keep a reference to every task, report errors in one
place, cancel everything on close. (Anki's operations are the model: the view starts an
operation, the operation reports success or failure back on the main thread.)"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal

from curator.domain.errors import CuratorError
from curator.domain.redaction import redact

log = logging.getLogger(__name__)


class TaskRunner(QObject):
    """Owns the app's background tasks. ``failed`` carries a user-readable message."""

    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def start(self, coro: Coroutine[Any, Any, Any], *, on_done: Callable[[Any], None] | None = None,
              on_error: Callable[[CuratorError], None] | None = None, label: str = "") -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        was_busy = self.busy
        self._tasks.add(task)
        if not was_busy:
            self.busy_changed.emit(True)

        def finished(done: asyncio.Task[Any]) -> None:
            self._tasks.discard(done)
            if not self._tasks:
                self.busy_changed.emit(False)
            if done.cancelled():
                return
            error = done.exception()
            if error is None:
                if on_done is not None:
                    on_done(done.result())
                return
            if isinstance(error, CuratorError):
                message = error.user_message
            else:  # a bug: log it with its traceback, tell the user something useful
                log.error("unexpected error in %s", label or "a background task", exc_info=error)
                message = f"Unexpected error ({type(error).__name__}). Details are in the log."
            message = redact(message)
            if on_error is not None and isinstance(error, CuratorError):
                on_error(error)
            self.failed.emit(f"{label}: {message}" if label else message)

        task.add_done_callback(finished)
        return task

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
