"""Starting the window: one QApplication, one qasync event loop, one AppContext."""

from __future__ import annotations

import asyncio
import logging
import sys

log = logging.getLogger(__name__)


def run_gui(*, demo: bool = False, server: str | None = None) -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    from curator.app import build_context
    from curator.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Curator")
    context = build_context(demo=demo)
    if server:
        context.prefs = context.prefs.with_changes(server_url=server)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(context)
    window.show()
    window.connect_configured()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    try:
        with loop:
            loop.run_until_complete(closed.wait())
            loop.run_until_complete(context.aclose())
    finally:
        context.close()
    return 0
