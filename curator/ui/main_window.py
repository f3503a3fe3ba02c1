"""Curator's main window: a library picker, the library table, and one place for messages."""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QTableView,
    QToolBar,
    QWidget,
)

from curator.app import PLEX_TOKEN, AppContext
from curator.domain.models import LibrarySection
from curator.services.library import LibraryService
from curator.ui.connect_dialog import ConnectDialog
from curator.ui.library_model import LibraryTableModel
from curator.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.tasks = TaskRunner(self)
        self.library: LibraryService | None = None
        self.sections: list[LibrarySection] = []
        self.setWindowTitle("Curator" + (" — demo" if context.demo is not None else ""))
        self.resize(1100, 700)

        self.model = LibraryTableModel(self.tasks, parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(0)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((320, 60, 70, 260)):
            header.resizeSection(column, width)
        self.setCentralWidget(self.table)

        self.library_box = QComboBox()
        self.library_box.setMinimumWidth(220)
        self.library_box.currentIndexChanged.connect(self._section_chosen)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(280)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.connect_action = QAction("Connect to server…", self)
        self.connect_action.triggered.connect(self.show_connect_dialog)
        self.reload_action = QAction("Reload", self)
        self.reload_action.triggered.connect(self.reload)
        toolbar = QToolBar("Main")
        toolbar.setMovable(False)
        toolbar.addAction(self.connect_action)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Library "))
        toolbar.addWidget(self.library_box)
        toolbar.addAction(self.reload_action)
        toolbar.addSeparator()
        toolbar.addWidget(self.search)
        self.addToolBar(toolbar)

        self.messages = QListWidget()
        dock = QDockWidget("Messages", self)
        dock.setObjectName("messages")
        dock.setWidget(self.messages)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.resizeDocks([dock], [90], Qt.Orientation.Vertical)

        self.status_label = QLabel("Not connected")
        self.statusBar().addWidget(self.status_label, 1)
        self.tasks.failed.connect(self.show_error)
        self.model.page_loaded.connect(self._page_loaded)
        self._load_started = 0.0
        for notice in context.notices:
            self.show_message(notice)

    # -- messages -------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.messages.addItem(time.strftime("%H:%M:%S  ") + text)  # QListWidget items are plain text
        self.messages.scrollToBottom()

    def show_error(self, text: str) -> None:
        self.show_message("⚠ " + text)
        self.status_label.setText(text)

    # -- connecting -----------------------------------------------------------------------
    def connect_configured(self) -> None:
        """Connect to the demo or the saved server, if there is one; else offer the dialog."""
        if self.context.demo is None and not self.context.prefs.server_url:
            self.status_label.setText("Not connected — use “Connect to server…”")
            return
        self.status_label.setText("Connecting…")
        self.tasks.start(self.context.open_library(), on_done=self._connected, label="Connecting to Plex")

    def show_connect_dialog(self) -> ConnectDialog:
        dialog = ConnectDialog(self.tasks, self._connect_and_save, url=self.context.prefs.server_url, parent=self)
        dialog.accepted.connect(lambda: self._connected(dialog.result_value))
        dialog.open()
        return dialog

    async def _connect_and_save(self, url: str, token: str) -> LibraryService:
        library = await self.context.open_library(url=url, token=token)
        self.context.secrets.set(PLEX_TOKEN, token)
        self.context.save_prefs(self.context.prefs.with_changes(server_url=library.client.base_url,
                                                                 server_name=library.server.name))
        return library

    def _connected(self, library: LibraryService) -> None:
        self.library = library
        name = library.server.name or "Plex server"
        self.show_message(f"Connected to {name} (version {library.server.version}).")
        self.tasks.start(library.sections(), on_done=self._sections_loaded, label="Reading libraries")

    def _sections_loaded(self, sections: list[LibrarySection]) -> None:
        self.sections = sections
        self.library_box.blockSignals(True)
        self.library_box.clear()
        for section in sections:
            self.library_box.addItem(f"{section.title} ({section.kind.value})", section.key)
        self.library_box.blockSignals(False)
        wanted = self.context.prefs.library
        index = next((i for i, s in enumerate(sections) if s.title == wanted), 0)
        if sections:
            self.library_box.setCurrentIndex(index)
            self._section_chosen(index)
        else:
            self.status_label.setText("This server has no movie or TV libraries.")

    # -- the table ------------------------------------------------------------------------
    def current_section(self) -> LibrarySection | None:
        index = self.library_box.currentIndex()
        return self.sections[index] if 0 <= index < len(self.sections) else None

    def _section_chosen(self, index: int) -> None:
        section = self.current_section()
        if section is None or self.library is None:
            return
        library = self.library
        self._load_started = time.perf_counter()
        self.status_label.setText(f"Loading {section.title}…")
        self.model.set_loader(lambda offset, size: library.page(section, offset, size))
        if self.context.prefs.library != section.title:
            self.context.save_prefs(self.context.prefs.with_changes(library=section.title))

    def reload(self) -> None:
        section = self.current_section()
        if section is not None:
            self._section_chosen(self.library_box.currentIndex())

    def _page_loaded(self, loaded: int, total: Any) -> None:
        section = self.current_section()
        title = section.title if section else "library"
        self.status_label.setText(f"{title}: {loaded} of {total} items loaded")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.tasks.cancel_all()
        super().closeEvent(event)
