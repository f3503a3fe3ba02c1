"""The log viewer: the end of curator.log (already redacted), read-only, with Refresh and a
button that opens the log folder."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from curator import settings
from curator.logs import log_files
from curator.ui.plex_signin import plain_label
from curator.ui.tasks import TaskRunner

#: How much of the end of the log is shown.
TAIL_BYTES = 256 * 1024


def read_tail(path: Path, max_bytes: int = TAIL_BYTES) -> str:
    """The last ``max_bytes`` of a text file, starting at a whole line."""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - max_bytes))
        data = handle.read()
    if size > max_bytes:
        data = data.split(b"\n", 1)[-1]
    return data.decode("utf-8", errors="replace")


class LogViewer(QDialog):
    def __init__(self, paths: settings.Paths, tasks: TaskRunner | None = None, *,
                 open_url: Callable[[QUrl], Any] = QDesktopServices.openUrl,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Curator log")
        self.resize(980, 620)
        self._paths = paths
        self._open_url = open_url
        self.tasks = TaskRunner(self)
        if tasks is not None:
            self.tasks.failed.connect(tasks.failed)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.source = plain_label(selectable=True)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.folder_button = QPushButton("Open log folder")
        self.folder_button.clicked.connect(self.open_folder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Keys and tokens are removed from the log before it is written, so you can "
                                     "share it when you report a problem."))
        layout.addWidget(self.text, 1)
        layout.addWidget(self.source)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> asyncio.Task[Any]:
        """Read the end of the newest log file in the background and show it, scrolled to the end."""
        self.refresh_button.setEnabled(False)
        return self.tasks.start(self._read(), on_done=self._show, on_error=lambda _err: self._show(None),
                                label="Reading the log")

    async def _read(self) -> tuple[Path, str] | None:
        files = log_files(self._paths)
        if not files:
            return None
        try:
            return files[0], await asyncio.to_thread(read_tail, files[0])
        except OSError as exc:
            return files[0], f"The log could not be read ({type(exc).__name__})."

    def _show(self, found: tuple[Path, str] | None) -> None:
        self.refresh_button.setEnabled(True)
        if found is None:
            self.text.setPlainText("")
            self.source.setText(f"No log yet in {self._paths.logs}")
            return
        path, text = found
        self.text.setPlainText(text)
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self.text.ensureCursorVisible()
        self.source.setText(str(path))

    def open_folder(self) -> None:
        self._open_url(QUrl.fromLocalFile(str(self._paths.logs)))

    def done(self, result: int) -> None:  # Qt override: stop the background work on close
        self.tasks.cancel_all()
        super().done(result)
