"""Qt tests run offscreen on a qasync loop that shares the QApplication pytest-qt made.

The loop is created with ``already_running=True`` so that ``qtbot.waitUntil`` (which spins
Qt's event loop) also runs asyncio callbacks. The loop is never stopped in teardown: stopping
it would quit the QApplication for every later test.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
import qasync


@pytest.fixture
def qloop(qapp):
    loop = qasync.QEventLoop(qapp, already_running=True)
    # A plain thread pool for asyncio.to_thread: qasync's default executor runs QThreads, and a
    # QThread still running when the interpreter exits aborts the process.
    executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="test-qloop")
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    yield loop
    executor.shutdown(wait=True, cancel_futures=True)
    # already_running=True marks the loop as the thread's running loop; clear that so later
    # tests may use asyncio.run (the loop itself is not stopped: that would quit the app).
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
