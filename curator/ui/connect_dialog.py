"""Connect to a Plex server by address and token; the token goes to the keyring."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from curator.domain.errors import CuratorError
from curator.ui.tasks import TaskRunner

Connector = Callable[[str, str], Awaitable[Any]]


class ConnectDialog(QDialog):
    """Asks for the server URL and token, tests them, and only then accepts."""

    def __init__(self, tasks: TaskRunner, connect: Connector, *, url: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to a Plex server")
        self.setMinimumWidth(460)
        self._tasks = tasks
        self._connect = connect
        self.result_value: Any = None

        self.url_edit = QLineEdit(url)
        self.url_edit.setPlaceholderText("http://192.168.1.10:32400")
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("X-Plex-Token")
        help_text = QLabel("The token is kept in your system's keyring, never in Curator's files.")
        help_text.setTextFormat(Qt.TextFormat.PlainText)
        help_text.setWordWrap(True)
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Server address", self.url_edit)
        form.addRow("Token", self.token_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        self.buttons.accepted.connect(self._try_connect)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(help_text)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

    def _try_connect(self) -> None:
        url, token = self.url_edit.text().strip(), self.token_edit.text().strip()
        if not url or not token:
            self.status.setText("Enter both the server address and the token.")
            return
        self.buttons.setEnabled(False)
        self.status.setText("Connecting…")
        self._tasks.start(self._connect(url, token), on_done=self._connected, on_error=self._failed)

    def _connected(self, value: Any) -> None:
        self.result_value = value
        self.buttons.setEnabled(True)
        self.accept()

    def _failed(self, error: CuratorError) -> None:
        self.buttons.setEnabled(True)
        self.status.setText(error.user_message)
