"""Curator's main window: the library table with its filters on the left, the candidate panel
for the selected item on the right, the batch actions in the toolbar, one place for messages.

Every review action goes through the ReviewController (and so through ReviewSession,
MatchingService and Publisher); the table repaints the rows whose decisions changed.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QSplitter,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from curator.app import PLEX_TOKEN, AppContext, import_providers
from curator.domain.models import DecisionStatus, LibraryItem, LibrarySection
from curator.services.library import LibraryService
from curator.services.matching import MatchReport
from curator.services.publishing import PushOutcome, PushRequest
from curator.services.review import AcceptPreview, export_csv
from curator.store.decisions import DecisionRecord
from curator.store.journal import PushEntry
from curator.ui.batch_dialogs import AcceptAboveDialog, MatchProgressBar, PushDialog, RevertDialog
from curator.ui.candidate_panel import CandidatePanel, LookUpDialog, PosterLoader, SearchAgainDialog, chosen_index
from curator.ui.connect_dialog import ConnectDialog
from curator.ui.delegates import ScoreBarDelegate, plain_label
from curator.ui.library_model import Column, LibraryTableModel, ReviewFilter, ReviewProxyModel
from curator.ui.review_controller import LabelledTaskRunner, ReviewController

#: From this many rows on, long-lived rows and decisions are kept out of full garbage collections …
LARGE_LIBRARY = 2000
#: … again after this many new decisions.
SETTLE_EVERY = 1000
#: A selection larger than this is not carried across a re-sort or re-filter (Qt would split
#: it into thousands of ranges); a selection of every row is.
KEPT_SELECTION = 1000

COLUMN_WIDTHS = {Column.STATUS: 112, Column.TITLE: 200, Column.YEAR: 46, Column.TYPE: 54, Column.BEST: 170,
                 Column.SCORE: 78, Column.SOURCE: 64, Column.LANGUAGE: 70}


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.tasks = LabelledTaskRunner(self)
        self.library: LibraryService | None = None
        self.sections: list[LibrarySection] = []
        self.current_dialog: QDialog | None = None
        self._unsettled = 0
        self._loaded = 0
        self._reselect_all = False
        self.setWindowTitle("Curator" + (" — demo" if context.demo is not None else ""))
        self.resize(1320, 820)

        self.controller = ReviewController(context, self.tasks, self)
        self.model = LibraryTableModel(self.tasks, parent=self)
        self.proxy = ReviewProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.posters = PosterLoader(lambda: context.http, context.paths.cache / "posters")
        self.panel = CandidatePanel(self.posters)

        self._build_table()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_layout()
        self._build_messages_and_status()
        self._wire()
        self._set_connected(False)
        self.controller.show_new_notices()

    # -- building -------------------------------------------------------------------------
    def _build_table(self) -> None:
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.score_delegate = ScoreBarDelegate(self.context.match_settings().threshold, self.table)
        self.table.setItemDelegateForColumn(Column.SCORE, self.score_delegate)
        header = self.table.horizontalHeader()
        # The header asks its selection model, per column and repaint, whether every row is
        # selected: with a large selection that is 8 × 20,000 calls into Python each time. Rows
        # are what is selected here, never columns, so the header gets a selection of its own.
        header.setSelectionModel(QItemSelectionModel(self.proxy, header))
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in COLUMN_WIDTHS.items():
            header.resizeSection(column, width)

        self.filter_group = QButtonGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_buttons: dict[ReviewFilter, QToolButton] = {}
        for review_filter in ReviewFilter:
            button = QToolButton()
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setText(review_filter.value)
            button.clicked.connect(lambda _checked=False, f=review_filter: self.set_review_filter(f))
            self.filter_group.addButton(button)
            self.filter_buttons[review_filter] = button
        self.filter_buttons[ReviewFilter.ALL].setChecked(True)

    def _action(self, text: str, slot: Callable[[], Any],
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None, *,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        return action

    def _build_actions(self) -> None:
        self.connect_action = self._action("Connect to server…", self.show_connect_dialog)
        self.reload_action = self._action("Reload library", self.reload, QKeySequence.StandardKey.Refresh)
        self.export_action = self._action("Export decisions…", self.export_decisions)
        self.quit_action = self._action("Quit", self.close, QKeySequence.StandardKey.Quit)
        # Slots for dialogs built elsewhere: hidden until hook() connects them.
        self.sign_in_action = self._slot("Sign in with Plex…")
        self.settings_action = self._slot("Settings…")
        self.setup_wizard_action = self._slot("First-run setup…")
        self.log_viewer_action = self._slot("Log…")
        self.about_action = self._slot("About Curator")

        self.match_action = self._action("Match library", self.toggle_matching,
                                         tip="Find and score candidates for every item not matched yet.")
        self.accept_above_action = self._action("Accept all above threshold…", self.open_accept_above)
        self.push_action = self._action("Push accepted…", self.open_push)
        self.revert_action = self._action("Revert pushes…", self.open_revert)

        self.accept_action = self._action("Accept", self.accept_selected)
        self.accept_action.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        self.pick_actions = [self._pick_action(number) for number in range(1, 10)]
        self.skip_action = self._action("Skip", self.skip_selected, "S")
        self.never_auto_action = self._action("Never auto-match", self.toggle_never_auto, "N")
        self.search_again_action = self._action("Search again…", self.open_search_again, "Ctrl+F")
        self.look_up_action = self._action("Look up by id…", self.open_look_up, "Ctrl+I")
        self.next_action = self._action("Next item needing review", lambda: self.select_needing_review(+1), "J")
        self.previous_action = self._action("Previous item needing review", lambda: self.select_needing_review(-1), "K")
        self.undo_action = self._action("Undo last decision", self.undo, QKeySequence.StandardKey.Undo)
        self.review_key_actions = [self.accept_action, *self.pick_actions, self.skip_action, self.never_auto_action,
                                   self.search_again_action, self.look_up_action, self.next_action,
                                   self.previous_action, self.undo_action]
        for action in self.review_key_actions:  # keys act where the review happens, not in text fields
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _pick_action(self, number: int) -> QAction:
        return self._action(f"Use candidate {number}", lambda: self.pick_candidate(number - 1), str(number))

    def _slot(self, text: str) -> QAction:
        action = QAction(text, self)
        action.setVisible(False)
        return action

    def hook(self, action: QAction, handler: Callable[[], Any]) -> None:
        """Connect a menu slot (sign_in_action, settings_action, setup_wizard_action,
        log_viewer_action, about_action) to the dialog it opens, and show it."""
        action.triggered.connect(lambda _checked=False: handler())
        action.setVisible(True)

    def apply_settings(self) -> None:
        """Call after the preferences changed (Settings): new thresholds and languages apply to
        the next match and review action, and the score bars use the new threshold."""
        self.score_delegate.threshold = self.context.match_settings().threshold
        self.controller.apply_settings()
        self.table.viewport().update()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        for action in (self.connect_action, self.sign_in_action, self.setup_wizard_action, None,
                       self.settings_action, None, self.export_action, None, self.quit_action):
            self.file_menu.addSeparator() if action is None else self.file_menu.addAction(action)
        self.review_menu = bar.addMenu("&Review")
        self.review_menu.addAction(self.match_action)
        self.review_menu.addSeparator()
        self.review_menu.addAction(self.accept_action)
        pick_menu = QMenu("Use candidate", self.review_menu)
        for action in self.pick_actions:
            pick_menu.addAction(action)
        self.review_menu.addMenu(pick_menu)
        for action in (self.skip_action, self.never_auto_action, self.search_again_action, self.look_up_action,
                       None, self.next_action, self.previous_action, self.undo_action, None,
                       self.accept_above_action, self.push_action, self.revert_action):
            self.review_menu.addSeparator() if action is None else self.review_menu.addAction(action)
        self.view_menu = bar.addMenu("&View")
        self.view_menu.addAction(self.reload_action)
        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        self.library_box = QComboBox()
        self.library_box.setMinimumWidth(200)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(240)
        self.toolbar = QToolBar("Main")
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.addAction(self.connect_action)
        self.toolbar.addSeparator()
        self.toolbar.addWidget(plain_label(" Library "))
        self.toolbar.addWidget(self.library_box)
        self.toolbar.addAction(self.reload_action)
        self.toolbar.addSeparator()
        for action in (self.match_action, self.accept_above_action, self.push_action, self.revert_action):
            self.toolbar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.toolbar.addWidget(self.search)
        self.addToolBar(self.toolbar)

    def _build_layout(self) -> None:
        filters = QHBoxLayout()
        filters.setContentsMargins(4, 2, 4, 2)
        filters.setSpacing(2)
        for button in self.filter_buttons.values():
            filters.addWidget(button)
        filters.addStretch(1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table, 1)
        self.review_area = QSplitter(Qt.Orientation.Horizontal)
        self.review_area.setChildrenCollapsible(False)
        self.review_area.addWidget(left)
        self.review_area.addWidget(self.panel)
        self.review_area.setStretchFactor(0, 3)
        self.review_area.setStretchFactor(1, 2)
        self.review_area.setSizes([800, 520])
        for action in self.review_key_actions:
            self.review_area.addAction(action)
        self.setCentralWidget(self.review_area)

    def _build_messages_and_status(self) -> None:
        self.messages = QListWidget()
        self.messages_dock = QDockWidget("Messages", self)
        self.messages_dock.setObjectName("messages")
        self.messages_dock.setWidget(self.messages)
        self.messages_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                                       | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.messages_dock)
        self.resizeDocks([self.messages_dock], [90], Qt.Orientation.Vertical)
        self.view_menu.addAction(self.messages_dock.toggleViewAction())
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.log_viewer_action)

        self.status_label = plain_label("Not connected")
        self.running_label = plain_label("")
        self.running_label.setStyleSheet("color: palette(dark);")
        self.match_bar = MatchProgressBar()
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.running_label)
        self.statusBar().addPermanentWidget(self.match_bar)

    def _wire(self) -> None:
        self.library_box.currentIndexChanged.connect(self._section_chosen)
        self.search.textChanged.connect(self.proxy.set_search_text)
        self.tasks.failed.connect(self.show_error)
        self.tasks.running_changed.connect(self._running_changed)
        self.model.page_loaded.connect(self._page_loaded)
        self.model.counts_changed.connect(self._update_counts)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.proxy.layoutChanged.connect(self._selection_changed)
        self.proxy.modelReset.connect(self._selection_changed)
        self.proxy.about_to_relayout.connect(self._before_relayout)
        self.proxy.relayouted.connect(self._after_relayout)

        self.panel.candidate_chosen.connect(self.pick_candidate)
        self.panel.accept_requested.connect(self.accept_selected)
        self.panel.skip_requested.connect(self.skip_selected)
        self.panel.search_requested.connect(self.open_search_again)
        self.panel.look_up_requested.connect(self.open_look_up)
        self.panel.never_auto_toggled.connect(lambda value: self.set_never_auto(bool(value)))

        self.controller.records_loaded.connect(self._records_loaded)
        self.controller.records_changed.connect(self._records_changed)
        self.controller.summary_changed.connect(self._summary_changed)
        self.controller.match_progress.connect(self.match_bar.show_progress)
        self.controller.match_finished.connect(self._match_finished)
        self.controller.matching_changed.connect(self._matching_changed)
        self.controller.message.connect(self.show_message)
        self.controller.ready.connect(lambda: self._set_connected(True))
        self.match_bar.cancel_clicked.connect(self.controller.stop_matching)

    # -- messages -------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.messages.addItem(time.strftime("%H:%M:%S  ") + text)  # QListWidget items are plain text
        self.messages.scrollToBottom()

    def show_error(self, text: str) -> None:
        self.show_message("⚠ " + text)
        self.status_label.setText(text)

    def _running_changed(self, labels: list[str]) -> None:
        self.running_label.setText(("Working: " + " · ".join(labels)) if labels else "")

    # -- connecting -----------------------------------------------------------------------
    def connect_configured(self) -> None:
        """Connect to the demo or the saved server, if there is one; else offer the dialog."""
        if self.context.demo is None and not self.context.prefs.server_url:
            self.status_label.setText("Not connected — use “Connect to server…”")
            return
        self.status_label.setText("Connecting…")
        asyncio.get_event_loop().run_in_executor(None, import_providers)  # while it connects
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
        self._set_connected(False)
        self.controller.attach(library)
        self.tasks.start(library.sections(), on_done=self._sections_loaded, label="Reading libraries")

    def _set_connected(self, connected: bool) -> None:
        for action in (self.match_action, self.accept_above_action, self.push_action, self.revert_action,
                       self.export_action, *self.review_key_actions):
            action.setEnabled(connected)

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
        self.status_label.setText(f"Loading {section.title}…")
        self._loaded = 0
        self.model.set_loader(lambda offset, size: library.page(section, offset, size))
        if self.context.prefs.library != section.title:
            self.context.save_prefs(self.context.prefs.with_changes(library=section.title))

    def reload(self) -> None:
        if self.current_section() is not None:
            self._section_chosen(self.library_box.currentIndex())

    def _page_loaded(self, loaded: int, total: Any) -> None:
        section = self.current_section()
        title = section.title if section else "library"
        self.status_label.setText(f"{title}: {loaded:,} of {total:,} items loaded")
        self._settle_long_lived(added=max(0, loaded - self._loaded), force=self.model.finished)
        self._loaded = loaded

    def _settle_long_lived(self, *, added: int = 0, force: bool = False) -> None:
        """Keep a large library's rows and decisions out of Python's full garbage collections.

        A full collection walks every container object; with tens of thousands of items and
        decisions that takes a quarter of a second or more, and the window would stall each
        time. Objects alive after a big load are long-lived: ``gc.freeze`` moves them out of
        the collector's way (they are still freed when no longer referenced)."""
        if self.model.rowCount() < LARGE_LIBRARY:
            return
        self._unsettled += added
        if force or self._unsettled >= SETTLE_EVERY:
            self._unsettled = 0
            gc.freeze()

    def set_review_filter(self, review_filter: ReviewFilter) -> None:
        self.filter_buttons[review_filter].setChecked(True)
        self.proxy.set_review_filter(review_filter)

    def _update_counts(self) -> None:
        for review_filter, count in self.model.counts().items():
            self.filter_buttons[review_filter].setText(f"{review_filter.value} ({count:,})")
        self.push_action.setText(f"Push accepted ({self.model.approved_count():,})…")

    def _records_loaded(self, records: list[DecisionRecord]) -> None:
        self.model.set_decisions(records)
        self._refresh_panel()
        self._settle_long_lived(force=True)

    def _records_changed(self, records: list[DecisionRecord]) -> None:
        self.model.update_decisions(records)
        self._settle_long_lived(added=len(records))
        shown = self.panel.item
        if shown is not None and any(record.rating_key == shown.rating_key for record in records):
            self._refresh_panel()

    def _summary_changed(self, rating_key: str, summary: str, locked: bool) -> None:
        row = self.model.row_of(rating_key)
        if row is None:
            return
        item = self.model.item_at(row)
        fields = item.locked_fields | {"summary"} if locked else item.locked_fields - {"summary"}
        self.model.update_item(replace(item, summary=summary, locked_fields=frozenset(fields)))

    # -- selection and the panel -------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        """Selected rows of the table (proxy rows), top to bottom."""
        ranges = self.table.selectionModel().selection()
        return sorted({row for r in ranges for row in range(r.top(), r.bottom() + 1)})

    def selected_count(self) -> int:
        return sum(r.height() for r in self.table.selectionModel().selection())

    def selected_items(self) -> list[LibraryItem]:
        return [self.proxy.item_at(row) for row in self.selected_rows()]

    def _selection_changed(self, *_args: object) -> None:
        self._refresh_panel()

    def _refresh_panel(self) -> None:
        count = self.selected_count()
        if count == 1:
            item = self.proxy.item_at(self.table.selectionModel().selection()[0].top())
            if self.panel.item != item or self.panel.record != self.model.decision_for(item.rating_key):
                self.panel.show_item(item, self.model.decision_for(item.rating_key))
        elif count:
            if count != self.panel.selection_count:
                self.panel.show_selection_count(count)
        elif self.panel.item is not None or self.panel.selection_count:
            self.panel.show_item(None, None)

    def _before_relayout(self) -> None:
        count = self.selected_count()
        if count > KEPT_SELECTION:
            self._reselect_all = count == self.proxy.rowCount()
            self.table.selectionModel().clearSelection()

    def _after_relayout(self) -> None:
        if self._reselect_all:
            self._reselect_all = False
            self.table.selectAll()

    def select_row(self, row: int) -> None:
        index = self.proxy.index(row, Column.TITLE)
        if not index.isValid():
            return
        selection = self.table.selectionModel()
        selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                  | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def select_key(self, rating_key: str) -> bool:
        row = self.proxy.proxy_row_of(rating_key)
        if row is None:
            return False
        self.select_row(row)
        return True

    def _find_needing_review(self, start: int, step: int) -> int | None:
        """The first row from ``start`` (going by ``step``, wrapping round) that needs review."""
        count = self.proxy.rowCount()
        for offset in range(count):
            row = (start + step * offset) % count
            if self.proxy.status_at(row) is DecisionStatus.AMBIGUOUS:
                return row
        return None

    def select_needing_review(self, step: int) -> None:
        """J / K: the next (previous) item needing review in the table's order."""
        rows = self.selected_rows()
        current = self.table.currentIndex()
        here = current.row() if current.isValid() else (rows[0] if rows else -1)
        if self.proxy.rowCount() == 0:
            return
        start = here + step if here >= 0 else (0 if step > 0 else self.proxy.rowCount() - 1)
        row = self._find_needing_review(start, step)
        if row is None:
            self.status_label.setText("No item in this view needs review.")
            return
        self.select_row(row)

    def _advance_after(self, rating_key: str, anchor: int) -> None:
        """After deciding an item: go to the next one needing review, or (if the decided item
        left the view) to the row that took its place."""
        row = self.proxy.proxy_row_of(rating_key)
        if row is not None:
            following = self._find_needing_review(row + 1, +1)
            self.select_row(following if following is not None and following != row else row)
        elif self.proxy.rowCount():
            self.select_row(min(anchor, self.proxy.rowCount() - 1))
        self._refresh_panel()

    # -- one item at a time ----------------------------------------------------------------
    def _single(self) -> tuple[LibraryItem, DecisionRecord | None, int] | None:
        rows = self.selected_rows()
        if len(rows) != 1:
            self.status_label.setText("Select one item first." if not rows else "Select just one item for this.")
            return None
        item = self.proxy.item_at(rows[0])
        return item, self.model.decision_for(item.rating_key), rows[0]

    def accept_selected(self) -> None:
        """Enter: accept the current choice (with the edited summary, if it was edited)."""
        rows = self.selected_rows()
        if len(rows) > 1:
            choices = [(item, chosen_index(record)) for item in self.selected_items()
                       if (record := self.model.decision_for(item.rating_key)) is not None and record.candidates]
            self.controller.accept_many(choices)
            return
        single = self._single()
        if single is None:
            return
        item, record, row = single
        if record is None or not record.candidates:
            self.status_label.setText("This item has no candidates: search again (Ctrl+F) or look up an id (Ctrl+I).")
            return
        self.controller.accept(item, chosen_index(record), self.panel.edited_summary(),
                               on_done=lambda _r: self._advance_after(item.rating_key, row))

    def pick_candidate(self, index: int) -> None:
        """Keys 1–9 and "Use this": accept that candidate."""
        single = self._single()
        if single is None:
            return
        item, record, row = single
        if record is None or index >= len(record.candidates):
            self.status_label.setText(f"There is no candidate {index + 1} for this item.")
            return
        self.controller.accept(item, index, on_done=lambda _r: self._advance_after(item.rating_key, row))

    def skip_selected(self) -> None:
        items = [item for item in self.selected_items() if self.model.decision_for(item.rating_key) is not None]
        if not items:
            self.status_label.setText("Select matched items to skip.")
            return
        rows = self.selected_rows()
        key, anchor = items[0].rating_key, rows[0]
        self.controller.skip(items, on_done=lambda _r: self._advance_after(key, anchor) if len(items) == 1 else None)

    def toggle_never_auto(self) -> None:
        records = [self.model.decision_for(item.rating_key) for item in self.selected_items()]
        self.set_never_auto(not all(record is not None and record.never_auto for record in records))

    def set_never_auto(self, value: bool) -> None:
        items = self.selected_items()
        if items:
            self.controller.set_never_auto(items, value)

    def open_search_again(self) -> SearchAgainDialog | None:
        single = self._single()
        if single is None:
            return None
        item = single[0]
        dialog = SearchAgainDialog(item, self)
        dialog.submitted.connect(lambda title, year: self.controller.search_again(item, title, year))
        return self._open(dialog)

    def open_look_up(self) -> LookUpDialog | None:
        single = self._single()
        if single is None:
            return None
        item = single[0]
        dialog = LookUpDialog(item, self)
        dialog.submitted.connect(lambda text: self.controller.look_up(item, text))
        return self._open(dialog)

    def undo(self) -> None:
        def done(rating_keys: tuple[str, ...]) -> None:
            if len(rating_keys) == 1:
                self.select_key(rating_keys[0])

        self.controller.undo(on_done=done)

    # -- batches --------------------------------------------------------------------------
    def toggle_matching(self) -> None:
        """Match library; while it runs: stop after the items in flight; again: stop now."""
        if self.controller.matching_running:
            self.controller.stop_matching()
            return
        section = self.current_section()
        if section is None:
            self.status_label.setText("Choose a library first.")
            return
        if self.controller.session is None:  # still preparing the providers: start when ready
            self.status_label.setText("Getting the providers ready; matching starts in a moment…")
            self.controller.ready.connect(self.toggle_matching, Qt.ConnectionType.SingleShotConnection)
            return
        if self.controller.match(self.model.loaded_items(), total=self.model.total, title=section.title):
            self.match_bar.start(section.title)
            self.status_label.setText(f"Matching {section.title}…")

    def _matching_changed(self, running: bool) -> None:
        self.library_box.setEnabled(not running)
        self.reload_action.setEnabled(not running)
        if self.controller.stopping:
            self.match_action.setText("Stop matching now")
            self.match_bar.set_stopping()
        else:
            self.match_action.setText("Stop matching" if running else "Match library")
        if not running:
            self.match_bar.finish()

    def _match_finished(self, report: MatchReport | None) -> None:
        section = self.current_section()
        title = section.title if section is not None else "Library"
        if report is None:
            stopped = f"{title}: matching stopped. Start it again to go on where it stopped."
            self.show_message(stopped)
            self.status_label.setText(stopped)
            return
        counts = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sorted(report.counts.items())) or "nothing new"
        stopped = " (stopped)" if report.cancelled else ""
        summary = (f"{title}: matched {report.matched:,} of {report.total:,} items in {report.seconds:.1f} s"
                   f"{stopped} ({counts}); {report.skipped:,} already decided.")
        self.show_message(summary)
        self.status_label.setText(summary)
        for failure in report.failures[:10]:
            self.show_message(f"⚠ {failure}")
        if len(report.failures) > 10:
            self.show_message(f"⚠ … and {len(report.failures) - 10} more failures (see the log).")

    def open_accept_above(self) -> AcceptAboveDialog:
        settings = self.context.match_settings()
        dialog = AcceptAboveDialog(self.tasks, list(self.model.decisions.values()), threshold=settings.threshold,
                                   margin=settings.margin, apply=self.controller.accept_above, parent=self)
        dialog.applied.connect(self._accepted_above)
        self._open(dialog)
        return dialog

    def _accepted_above(self, preview: AcceptPreview) -> None:
        self.show_message(f"Accepted {preview.accepted:,} items; {preview.still_ambiguous:,} still need review. "
                          "Ctrl+Z puts them back.")

    def open_push(self) -> None:
        """Collect what to push, then ask for confirmation (nothing is pushed before)."""
        self.tasks.start(self.controller.push_requests(), on_done=self._open_push_dialog,
                         label="Preparing the push")

    def _open_push_dialog(self, requests: list[PushRequest]) -> None:
        if not requests:
            self.show_message("Nothing to push: accept some matches first.")
            return
        dialog = PushDialog(self.tasks, requests, server_name=self.controller.server_name, title_of=self.title_of,
                            push=self.controller.push, parent=self)
        dialog.finished_run.connect(self._pushed)
        self._open(dialog)

    def _pushed(self, outcomes: list[PushOutcome]) -> None:
        if not outcomes:
            self.controller.reload_decisions()
            self.show_message("Push stopped.")
            return
        ok = sum(1 for outcome in outcomes if outcome.ok)
        self.show_message(f"Pushed {ok:,} of {len(outcomes):,} summaries to {self.controller.server_name}.")
        for outcome in outcomes:
            if not outcome.ok:
                self.show_message(f"⚠ {self.title_of(outcome.rating_key)}: {outcome.message}")

    def open_revert(self) -> None:
        self.tasks.start(self.controller.revertible(), on_done=self._open_revert_dialog,
                         label="Reading the push journal")

    def _open_revert_dialog(self, entries: list[PushEntry]) -> None:
        if not entries:
            self.show_message("Nothing to revert: Curator has not pushed anything to this server yet.")
            return
        dialog = RevertDialog(self.tasks, entries, title_of=self.title_of, revert=self.controller.revert, parent=self)
        dialog.finished_run.connect(self._reverted)
        self._open(dialog)

    def _reverted(self, outcomes: list[PushOutcome]) -> None:
        if not outcomes:
            self.controller.reload_decisions()
            self.show_message("Revert stopped.")
            return
        ok = sum(1 for outcome in outcomes if outcome.ok)
        self.show_message(f"Reverted {ok:,} of {len(outcomes):,} items.")
        for outcome in outcomes:
            if not outcome.ok:
                self.show_message(f"⚠ {self.title_of(outcome.rating_key)}: {outcome.message}")

    def export_decisions(self) -> QFileDialog:
        """Every decision of the server to a CSV file (as ``curator export`` writes it)."""
        dialog = QFileDialog(self, "Export decisions", "curator-decisions.csv", "CSV files (*.csv)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("csv")
        dialog.fileSelected.connect(self._export_to)
        return self._open(dialog)

    def _export_to(self, path: str) -> None:
        store = self.controller.store
        if store is None:
            return
        self.tasks.start(export_csv(store, self.controller.server_id, path),
                         on_done=lambda rows: self.show_message(f"Wrote {rows:,} decisions to {path}."),
                         label="Exporting decisions")

    def title_of(self, rating_key: str) -> str:
        row = self.model.row_of(rating_key)
        if row is not None:
            return self.model.item_at(row).title
        record = self.model.decision_for(rating_key)
        return record.title if record is not None else f"item {rating_key}"

    def _open(self, dialog: QDialog) -> Any:
        """Show a dialog without blocking (the event loop keeps running)."""
        self.current_dialog = dialog
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.current_dialog is dialog:
            self.current_dialog = None
        self.table.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.controller.close()
        self.panel.close_tasks()
        self.tasks.cancel_all()
        super().closeEvent(event)

