"""Qt tests run offscreen on a qasync loop that shares the QApplication pytest-qt made.

The loop is created with ``already_running=True`` so that ``qtbot.waitUntil`` (which spins
Qt's event loop) also runs asyncio callbacks. The loop is never stopped in teardown: stopping
it would quit the QApplication for every later test.
"""

from __future__ import annotations

import asyncio

import pytest
import qasync


@pytest.fixture
def qloop(qapp):
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    # already_running=True marks the loop as the thread's running loop; clear that so later
    # tests may use asyncio.run (the loop itself is not stopped: that would quit the app).
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
