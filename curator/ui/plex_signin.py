"""Sign in with Plex: a code approved in the browser, then a server picker.

The sign-in widget and the server picker are used on their own by the first-run wizard and
together by ``PlexSignInDialog`` (Settings and the File menu).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from curator.app import PLEX_TOKEN, AppContext
from curator.domain.errors import CuratorError, RemoteError, SecretsError
from curator.services import setup
from curator.services.library import LibraryService
from curator.ui.tasks import TaskRunner

UrlOpener = Callable[[QUrl], Any]


def plain_label(text: str = "", *, wrap: bool = True, bold: bool = False, selectable: bool = False) -> QLabel:
    """A label that never interprets its text as rich text (it may come from a server)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def heading(text: str) -> QLabel:
    label = plain_label(text, bold=True)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    label.setFont(font)
    return label


async def remember_server(context: AppContext, library: LibraryService, token: str) -> str:
    """Save the server's address and name in the preferences and its token in the keyring.
    Returns "" or a note for the user when the keyring could not keep the token."""
    context.save_prefs(context.prefs.with_changes(server_url=library.client.base_url,
                                                  server_name=library.server.name))
    try:
        await setup.save_secret(context.secrets, PLEX_TOKEN, token)
    except SecretsError as err:
        return f"Connected, but the token could not be saved, so Curator will ask again next time: {err.user_message}"
    return ""


# --- step 1: the code in the browser -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignInOutcome:
    """What waiting for approval ended in: a token (``note`` says if it could not be saved) or
    an expired code."""

    token: str | None
    note: str = ""


class PlexSignInWidget(QWidget):
    """Creates a code, opens the Plex page in the browser, waits for the approval in the
    background. ``state`` is "idle", "waiting", "expired", "failed" or "signed_in"."""

    signed_in = Signal(str)  # the account token
    state_changed = Signal(str)

    def __init__(self, tasks: TaskRunner, plextv: setup.PlexTvClient, secrets: Any, *,
                 open_url: UrlOpener = QDesktopServices.openUrl, poll_interval: float = 1.0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._plextv = plextv
        self._secrets = secrets
        self._open_url = open_url
        self._poll_interval = poll_interval
        self._task: asyncio.Task[Any] | None = None
        self.pin: setup.Pin | None = None
        self.token: str | None = None
        self.note = ""
        self.state = "idle"

        self.intro = plain_label(
            "Curator opens the Plex sign-in page in your web browser. Sign in there (or check that "
            "you already are) and allow Curator to use your account; then come back here. Your "
            "password never passes through Curator.")
        self.start_button = QPushButton("Sign in with Plex")
        self.start_button.setDefault(True)
        self.start_button.setMinimumHeight(34)
        self.start_button.clicked.connect(self.start)
        self.code_caption = plain_label("Sign-in code:", wrap=False)
        self.code_label = plain_label(selectable=True)
        code_font = QFont("monospace")
        code_font.setStyleHint(QFont.StyleHint.Monospace)
        self.code_label.setFont(code_font)
        self.status = plain_label()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.reopen_button = QPushButton("Open the page again")
        self.reopen_button.clicked.connect(self._open_page)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button = QPushButton("Try again")
        self.retry_button.clicked.connect(self.start)

        first = QHBoxLayout()
        first.addWidget(self.start_button)
        first.addStretch(1)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code_caption)
        code_row.addWidget(self.code_label, 1)
        buttons = QHBoxLayout()
        for button in (self.retry_button, self.reopen_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.intro)
        layout.addSpacing(6)
        layout.addLayout(first)
        layout.addWidget(self.status)
        layout.addWidget(self.busy)
        layout.addLayout(code_row)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self._show("idle")

    # -- actions ------------------------------------------------------------------------------
    def start(self) -> None:
        """Ask plex.tv for a new code, open the browser and wait for the approval."""
        self.cancel_wait()
        self.token = None
        self.pin = None
        self.note = ""
        self._show("waiting", "Asking plex.tv for a sign-in code…")
        self._task = self._tasks.start(self._sign_in(), on_done=self._finished, on_error=self._failed,
                                       label="Sign in with Plex")

    def cancel(self) -> None:
        self.cancel_wait()
        self._show("idle", "Sign-in cancelled.")

    def cancel_wait(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None

    # -- the background part ------------------------------------------------------------------
    async def _sign_in(self) -> SignInOutcome:
        pin = await self._plextv.create_pin(strong=True)
        self._code_ready(pin)
        try:
            token = await self._plextv.wait_for_token(pin, interval=self._poll_interval)
        except setup.PinExpired:
            return SignInOutcome(None)
        try:
            await setup.save_secret(self._secrets, PLEX_TOKEN, token)
        except SecretsError as err:
            return SignInOutcome(token, "Signed in, but your system keyring could not keep the token, so Curator "
                                        f"will ask you to sign in again next time. {err.user_message}")
        return SignInOutcome(token)

    def _code_ready(self, pin: setup.Pin) -> None:
        self.pin = pin
        self.code_label.setText(pin.code)
        self._open_page()
        self._show("waiting", "Waiting for you to approve Curator in the browser… "
                              "If no browser window opened, use “Open the page again”.")

    def _open_page(self) -> None:
        if self.pin is not None:
            self._open_url(QUrl(self._plextv.auth_url(self.pin)))

    def _finished(self, outcome: SignInOutcome) -> None:
        self._task = None
        if outcome.token is None:
            self._show("expired", "The sign-in code expired before it was approved. Choose “Try again” "
                                  "for a new code, and approve it in the browser within a few minutes.")
            return
        self.token = outcome.token
        self.note = outcome.note
        self._show("signed_in", outcome.note or "Signed in to Plex.")
        self.signed_in.emit(outcome.token)

    def _failed(self, error: CuratorError) -> None:
        self._task = None
        self._show("failed", error.user_message)

    def _show(self, state: str, message: str = "") -> None:
        self.state = state
        waiting = state == "waiting"
        self.start_button.setVisible(state in ("idle", "signed_in"))
        self.start_button.setText("Sign in again" if state == "signed_in" else "Sign in with Plex")
        self.retry_button.setVisible(state in ("expired", "failed"))
        self.reopen_button.setVisible(waiting and self.pin is not None)
        self.cancel_button.setVisible(waiting)
        self.busy.setVisible(waiting)
        has_code = waiting and self.pin is not None
        self.code_caption.setVisible(has_code)
        self.code_label.setVisible(has_code)
        self.status.setText(message)
        self.state_changed.emit(state)


# --- step 2: which server ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServerChoice:
    server: setup.PlexResource
    address: str


CHECKING = "Checking…"


class ServerPicker(QWidget):
    """The account's servers: name, owned or shared, and which address works (checked in the
    background, local addresses first). ``connect_selected`` connects to the chosen one."""

    selection_changed = Signal()
    connected = Signal(object, str)  # LibraryService, the server's access token
    loaded = Signal()

    def __init__(self, tasks: TaskRunner, http: Any, client_identifier: str, plextv: setup.PlexTvClient,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._http = http
        self._client_identifier = client_identifier
        self._plextv = plextv
        self._running: list[asyncio.Task[Any]] = []
        self._servers: list[setup.PlexResource] = []
        self._items: list[QTreeWidgetItem] = []
        self._addresses: list[str | None] = []
        self._checked: list[bool] = []
        self.connecting = False

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Server", "Access", "Connection"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.tree.itemSelectionChanged.connect(self.selection_changed.emit)
        self.tree.itemDoubleClicked.connect(lambda *_: self.connect_selected())
        self.status = plain_label()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(plain_label("Pick the Plex Media Server whose libraries you want to curate. "
                                     "Servers you own are listed first."))
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.status)

    def load(self, account_token: str) -> None:
        """List the account's servers and start checking their addresses."""
        self.cancel()
        self.tree.clear()
        self._servers, self._items, self._addresses, self._checked = [], [], [], []
        self.status.setText("Looking for your servers…")
        self._keep(self._tasks.start(setup.discover_servers(self._plextv, account_token),
                                     on_done=self._show_servers, on_error=self._failed,
                                     label="Finding your Plex servers"))

    def selected(self) -> ServerChoice | None:
        """The selected server with the address that works, or None."""
        items = self.tree.selectedItems()
        if not items:
            return None
        row = self.tree.indexOfTopLevelItem(items[0])
        address = self._addresses[row] if 0 <= row < len(self._addresses) else None
        return ServerChoice(self._servers[row], address) if address else None

    def connect_selected(self) -> bool:
        """Connect to the selected server; False when none with a working address is selected."""
        choice = self.selected()
        if choice is None or self.connecting:
            return False
        self.connecting = True
        self.status.setText(f"Connecting to {choice.server.name}…")
        self._keep(self._tasks.start(
            setup.connect_server(self._http, choice.address, choice.server.access_token,
                                 client_identifier=self._client_identifier),
            on_done=lambda library: self._connected(library, choice), on_error=self._connect_failed,
            label="Connecting to Plex"))
        return True

    def cancel(self) -> None:
        for task in self._running:
            task.cancel()
        self._running = []
        self.connecting = False

    # -- results --------------------------------------------------------------------------------
    def _show_servers(self, servers: list[setup.PlexResource]) -> None:
        self._servers = servers
        self._items = []
        self._addresses = [None] * len(servers)
        self._checked = [False] * len(servers)
        for row, server in enumerate(servers):
            item = QTreeWidgetItem([server.name or "(unnamed server)",
                                    "Yours" if server.owned else "Shared with you", CHECKING])
            self.tree.addTopLevelItem(item)
            self._items.append(item)
            self._keep(self._tasks.start(self._check_address(server),
                                         on_done=functools.partial(self._address_checked, row)))
        if servers:
            self.status.setText("Checking which servers answer…")
        else:
            self.status.setText("This Plex account has no servers. Enter a server's address and token instead.")
        self.loaded.emit()

    async def _check_address(self, server: setup.PlexResource) -> str | None:
        """The address that works, or None: a server that does not answer is no error."""
        try:
            return await setup.reachable_address(server, self._http, client_identifier=self._client_identifier)
        except RemoteError:
            return None

    def _address_checked(self, row: int, address: str | None) -> None:
        self._checked[row] = True
        self._addresses[row] = address
        item = self._items[row]
        if address is None:
            item.setText(2, "No address answered")
            for column in range(3):
                item.setForeground(column, self.palette().placeholderText())
            if all(self._checked) and not any(self._addresses):
                self.status.setText("None of the servers answered. Is the server running and on this network? "
                                    "You can also enter its address and token by hand.")
            return
        item.setText(2, f"{setup.connection_kind(self._servers[row], address)}: {address}")
        if not self.tree.selectedItems():
            item.setSelected(True)
        self.status.setText("Choose a server and continue.")
        self.selection_changed.emit()

    def _connected(self, library: LibraryService, choice: ServerChoice) -> None:
        self.connecting = False
        self.status.setText(f"Connected to {library.server.name or choice.server.name}.")
        self.connected.emit(library, choice.server.access_token)

    def _connect_failed(self, error: CuratorError) -> None:
        self.connecting = False
        self.status.setText(error.user_message)

    def _failed(self, error: CuratorError) -> None:
        self.status.setText(error.user_message)

    def _keep(self, task: asyncio.Task[Any]) -> None:
        self._running = [t for t in self._running if not t.done()]
        self._running.append(task)


# --- both steps in one dialog --------------------------------------------------------------


class PlexSignInDialog(QDialog):
    """Sign in with Plex, pick a server, connect; saves the server and its token. ``library``
    holds the connected LibraryService after ``accepted``."""

    def __init__(self, context: AppContext, tasks: TaskRunner | None = None, *,
                 open_url: UrlOpener = QDesktopServices.openUrl, poll_interval: float = 1.0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in with Plex")
        self.resize(620, 420)
        self.context = context
        self.tasks = TaskRunner(self)
        if tasks is not None:
            self.tasks.failed.connect(tasks.failed)
        self.library: LibraryService | None = None
        plextv = setup.plextv_client(context.http, context.prefs.client_identifier)
        self.sign_in = PlexSignInWidget(self.tasks, plextv, context.secrets, open_url=open_url,
                                        poll_interval=poll_interval)
        self.picker = ServerPicker(self.tasks, context.http, context.prefs.client_identifier, plextv)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.sign_in)
        self.pages.addWidget(self.picker)
        self.note = plain_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = self.buttons.addButton("Use this server", QDialogButtonBox.ButtonRole.AcceptRole)
        self.connect_button.setVisible(False)
        self.buttons.accepted.connect(self.picker.connect_selected)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Sign in with Plex"))
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)

        self.sign_in.signed_in.connect(self._signed_in)
        self.picker.selection_changed.connect(self._update_button)
        self.picker.connected.connect(self._connected)

    def _signed_in(self, token: str) -> None:
        self.note.setText(self.sign_in.note)
        self.pages.setCurrentWidget(self.picker)
        self.connect_button.setVisible(True)
        self._update_button()
        self.picker.load(token)

    def _update_button(self) -> None:
        self.connect_button.setEnabled(self.picker.selected() is not None)

    def _connected(self, library: LibraryService, token: str) -> None:
        self.library = library
        self.tasks.start(remember_server(self.context, library, token), on_done=self._remembered,
                         label="Saving the server")

    def _remembered(self, note: str) -> None:
        if note:
            self.tasks.failed.emit(note)
        self.accept()

    def done(self, result: int) -> None:  # Qt override: stop the background work on close
        self.tasks.cancel_all()
        super().done(result)
