"""Starting the window: one QApplication, one qasync event loop, one AppContext."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)


def run_gui(*, demo: bool = False, server: str | None = None) -> int:
    import qasync
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    from curator.app import build_context
    from curator.domain.errors import CuratorError
    from curator.ui.main_window import MainWindow
    from curator.ui.menus import install_dialogs, start

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Curator")
    try:
        context = build_context(demo=demo)
    except CuratorError as err:  # e.g. another Curator already runs on this data folder
        box = QMessageBox(QMessageBox.Icon.Warning, "Curator cannot start", err.user_message)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()
        return 2
    if server:
        context.prefs = context.prefs.with_changes(server_url=server)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(context)
    install_dialogs(window)
    if os.environ.get("CURATOR_EXIT_AFTER_SHOW"):
        _exit_after_first_paint(window)
    window.show()
    start(window)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    try:
        with loop:
            loop.run_until_complete(closed.wait())
            loop.run_until_complete(context.aclose())
    finally:
        context.close()
    return 0


def _exit_after_first_paint(window: QWidget) -> None:
    """For bench/bench_startup.py: at the window's first paint, print the wall-clock time
    ("first window shown at <epoch seconds>") and quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    class QuitOnFirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                print(f"first window shown at {time.time():.6f}", flush=True)
                QTimer.singleShot(0, QApplication.quit)
            return False

    window.installEventFilter(QuitOnFirstPaint(window))
