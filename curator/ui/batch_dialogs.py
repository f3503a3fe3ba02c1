"""Work on many items at once: the matching progress strip, "Accept all above threshold" with
a live count, "Push accepted" (confirm, progress, per-item results, Cancel) and "Revert" from
the push journal. Dialogs are opened with ``open()`` (never a blocking ``exec()``); the work
runs through the task runner.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from curator.domain.errors import CuratorError
from curator.services.matching import MatchProgress
from curator.services.publishing import PushOutcome, PushRequest
from curator.services.review import ACCEPTABLE, AcceptPreview, preview_accept
from curator.store.decisions import DecisionRecord
from curator.store.journal import PushEntry
from curator.ui.delegates import plain_label
from curator.ui.tasks import TaskRunner

TitleOf = Callable[[str], str]
Progress = Callable[[int, int, PushOutcome], None]
PushRun = Callable[[Sequence[PushRequest], Progress, asyncio.Event], Coroutine[Any, Any, list[PushOutcome]]]
RevertRun = Callable[[Sequence[PushEntry], Progress, asyncio.Event], Coroutine[Any, Any, list[PushOutcome]]]
#: The push dialog lists this many items before it starts; the rest are counted.
LIST_PREVIEW = 500


def excerpt(text: str, length: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def duration_text(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def outcome_line(title: str, outcome: PushOutcome) -> str:
    return f"{'✓' if outcome.ok else '✗'} {title} — {outcome.message}"


# --- matching progress ----------------------------------------------------------------------


class MatchProgressBar(QWidget):
    """Progress of a matching run for the status bar: bar, items/s, time left, Cancel."""

    cancel_clicked = Signal()
    MIN_INTERVAL = 0.1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setFixedWidth(180)
        self.bar.setTextVisible(False)
        self.label = plain_label("")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the items being matched now (click again to stop at once).")
        self.cancel_button.clicked.connect(self.cancel_clicked.emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._shown_at = 0.0
        self.setVisible(False)

    def start(self, title: str) -> None:
        self.bar.setRange(0, 0)
        self.label.setText(f"Matching {title}…")
        self.cancel_button.setText("Cancel")
        self.cancel_button.setEnabled(True)
        self._shown_at = 0.0
        self.setVisible(True)

    def show_progress(self, progress: MatchProgress) -> None:
        now = time.monotonic()
        if now - self._shown_at < self.MIN_INTERVAL and progress.done < progress.total:
            return
        self._shown_at = now
        self.bar.setRange(0, max(progress.total, 1))
        self.bar.setValue(progress.done)
        left = f" · about {duration_text(progress.eta_seconds)} left" if progress.eta_seconds is not None else ""
        self.label.setText(f"{progress.done:,} of {progress.total:,} · {progress.rate:.1f} items/s{left}")

    def set_stopping(self) -> None:
        self.label.setText(self.label.text() + " · stopping after the items in progress…")
        self.cancel_button.setText("Stop now")

    def finish(self) -> None:
        self.setVisible(False)


# --- accept above threshold -----------------------------------------------------------------


class _LinkedValue(QWidget):
    """A spin box and a slider showing one value in 0..1 (hundredths)."""

    def __init__(self, value: float, low: float, high: float) -> None:
        super().__init__()
        self.spin = QDoubleSpinBox()
        self.spin.setRange(low, high)
        self.spin.setSingleStep(0.01)
        self.spin.setDecimals(2)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(round(low * 100), round(high * 100))
        self.spin.setValue(value)
        self.slider.setValue(round(value * 100))
        self.slider.valueChanged.connect(lambda v: self.spin.setValue(v / 100))
        self.spin.valueChanged.connect(self._to_slider)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)

    def _to_slider(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(round(value * 100))
        self.slider.blockSignals(False)

    def value(self) -> float:
        return round(self.spin.value(), 4)


class AcceptAboveDialog(QDialog):
    """Pick a threshold and margin, see at once how many items that accepts, then apply."""

    applied = Signal(object)  # AcceptPreview

    def __init__(self, tasks: TaskRunner, records: Sequence[DecisionRecord], *, threshold: float, margin: float,
                 apply: Callable[[float, float], Coroutine[Any, Any, AcceptPreview]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Accept all above threshold")
        self.setMinimumWidth(480)
        self._tasks = tasks
        self._apply = apply
        self._records = [record for record in records if record.status in ACCEPTABLE]
        self.threshold = _LinkedValue(threshold, 0.50, 1.00)
        self.margin = _LinkedValue(margin, 0.00, 0.50)
        self.preview_label = plain_label("", wrap=True)
        font = self.preview_label.font()
        font.setBold(True)
        self.preview_label.setFont(font)
        self.status_label = plain_label("", wrap=True)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self._start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)

        grid = QGridLayout()
        grid.addWidget(plain_label("Threshold"), 0, 0)
        grid.addWidget(self.threshold, 0, 1)
        grid.addWidget(plain_label("Margin"), 1, 0)
        grid.addWidget(self.margin, 1, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(
            "Accept every proposal whose best candidate scores at least the threshold and leads the next "
            "candidate by at least the margin. Items you marked “never auto-match” are left alone.", wrap=True))
        layout.addLayout(grid)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)
        self.threshold.spin.valueChanged.connect(self.update_preview)
        self.margin.spin.valueChanged.connect(self.update_preview)
        self.update_preview()

    def preview(self) -> AcceptPreview:
        return preview_accept(self._records, self.threshold.value(), self.margin.value())

    def update_preview(self) -> None:
        """Counted on the decisions in memory: no database work per keystroke."""
        preview = self.preview()
        items = "item" if preview.accepted == 1 else "items"
        self.preview_label.setText(f"{preview.accepted:,} {items} would be accepted; "
                                   f"{preview.still_ambiguous:,} would still need review.")
        self.apply_button.setText(f"Accept {preview.accepted:,} {items}")
        self.apply_button.setEnabled(preview.accepted > 0)

    def _start(self) -> None:
        for widget in (self.threshold, self.margin, self.apply_button):
            widget.setEnabled(False)
        self.status_label.setText("Accepting…")
        self._tasks.start(self._apply(self.threshold.value(), self.margin.value()), on_done=self._done,
                          on_error=self._failed, label="Accepting above threshold")

    def _done(self, preview: AcceptPreview) -> None:
        self.applied.emit(preview)
        self.accept()

    def _failed(self, error: CuratorError) -> None:
        self.status_label.setText(error.user_message)
        for widget in (self.threshold, self.margin, self.apply_button):
            widget.setEnabled(True)


# --- runs with per-item results (push, revert) ------------------------------------------------


class _RunDialog(QDialog):
    """Shared by push and revert: progress bar, results list, Cancel (first click: stop after
    the items in flight; second: stop at once), Close when done."""

    finished_run = Signal(object)  # list[PushOutcome] (empty when cancelled at once)

    def __init__(self, tasks: TaskRunner, title_of: TitleOf, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._title_of = title_of
        self._task: asyncio.Task[Any] | None = None
        self._stop = asyncio.Event()
        self._failed_count = 0
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress_label = plain_label("", wrap=True)
        self.results = QListWidget()
        self.results.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel)

    @property
    def running(self) -> bool:
        return self._task is not None

    def _run(self, coro: Coroutine[Any, Any, list[PushOutcome]], total: int, label: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.results.setVisible(True)
        self.results.clear()
        self._task = self._tasks.start(coro, on_done=self._done, label=label)
        self._task.add_done_callback(self._ended)

    def show_outcome(self, done: int, total: int, outcome: PushOutcome) -> None:
        self.progress.setValue(done)
        self._failed_count += not outcome.ok
        failed = f" · {self._failed_count} failed" if self._failed_count else ""
        self.progress_label.setText(f"{done:,} of {total:,} done{failed}")
        self.results.addItem(outcome_line(self._title_of(outcome.rating_key), outcome))
        self.results.scrollToBottom()

    def _cancel(self) -> None:
        if self._task is None:
            self.reject()
        elif not self._stop.is_set():
            self._stop.set()
            self.progress_label.setText(self.progress_label.text() + " · stopping after the items in progress…")
            self.cancel_button.setText("Stop now")
        else:
            self._task.cancel()

    def _done(self, outcomes: list[PushOutcome]) -> None:
        ok = sum(1 for outcome in outcomes if outcome.ok)
        stopped = " (stopped)" if self._stop.is_set() else ""
        self.progress_label.setText(f"Done{stopped}: {ok:,} of {len(outcomes):,} succeeded.")
        self.finished_run.emit(outcomes)

    def _ended(self, task: asyncio.Task[Any]) -> None:
        self._task = None
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)
        if task.cancelled():
            self.progress_label.setText("Stopped. Items already done stay done.")
            self.finished_run.emit([])

    def reject(self) -> None:
        if self._task is not None:  # closing the window while running cancels the run
            self._task.cancel()
        super().reject()


class PushDialog(_RunDialog):
    """Confirm, then push: nothing is written to Plex before the user clicks Push."""

    def __init__(self, tasks: TaskRunner, requests: Sequence[PushRequest], *, server_name: str, title_of: TitleOf,
                 push: PushRun,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, title_of, parent)
        self.setWindowTitle("Push summaries to Plex")
        self.resize(620, 460)
        self._requests = list(requests)
        self._push = push
        count = len(self._requests)
        noun = "summary" if count == 1 else "summaries"
        self.question = plain_label(f"Push {count:,} {noun} to “{server_name}”?", wrap=True)
        font = self.question.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.question.setFont(font)
        self.explanation = plain_label(
            "Each summary is written to Plex and locked, so Plex will not replace it when it refreshes "
            "metadata. The summary there now is recorded first: every push can be reverted later "
            "(Review ▸ Revert pushes…).", wrap=True)
        self.planned = QListWidget()
        for request in self._requests[:LIST_PREVIEW]:
            self.planned.addItem(f"{self._title_of(request.rating_key)} — {excerpt(request.summary)}")
        if count > LIST_PREVIEW:
            self.planned.addItem(f"… and {count - LIST_PREVIEW:,} more")
        self.push_button = QPushButton(f"Push {count:,} {noun}")
        self.push_button.setDefault(True)
        self.push_button.clicked.connect(self._confirmed)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.push_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addWidget(self.explanation)
        layout.addWidget(self.planned, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.results, 1)
        layout.addLayout(buttons)

    def _confirmed(self) -> None:
        self.push_button.setVisible(False)
        self.planned.setVisible(False)
        self.explanation.setVisible(False)
        self.question.setText(f"Pushing {len(self._requests):,} summaries…")
        self._run(self._push(self._requests, self.show_outcome, self._stop), len(self._requests),
                  "Pushing summaries to Plex")


class RevertDialog(_RunDialog):
    """The journal's revertible pushes; revert the selected ones."""

    COLUMNS = ("Title", "Pushed", "Before → after")

    def __init__(self, tasks: TaskRunner, entries: Sequence[PushEntry], *, title_of: TitleOf,
                 revert: RevertRun,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, title_of, parent)
        self.setWindowTitle("Revert pushes")
        self.resize(820, 480)
        self._entries = list(entries)
        self._revert = revert
        self.table = QTableWidget(len(self._entries), len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(0, 220)
        header.resizeSection(1, 130)
        for row, entry in enumerate(self._entries):
            before = excerpt(entry.previous_summary, 60) or "(empty)"
            cells = (title_of(entry.rating_key), time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.created_at)),
                     f"{before} → {excerpt(entry.new_summary, 60)}")
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.revert_button = QPushButton("Revert selected")
        self.revert_button.clicked.connect(self._confirmed)
        self.select_all_button = QPushButton("Select all")
        self.select_all_button.clicked.connect(self.table.selectAll)
        buttons = QHBoxLayout()
        buttons.addWidget(self.select_all_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.revert_button)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Reverting puts back the summary and lock state an item had before "
                                     "Curator's push. Select the pushes to take back.", wrap=True))
        layout.addWidget(self.table, 2)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.results, 1)
        layout.addLayout(buttons)
        self._selection_changed()

    def selected_entries(self) -> list[PushEntry]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self._entries[row] for row in rows]

    def _selection_changed(self) -> None:
        count = len(self.selected_entries())
        self.revert_button.setEnabled(count > 0 and not self.running)
        self.revert_button.setText(f"Revert {count:,} selected" if count else "Revert selected")

    def _confirmed(self) -> None:
        entries = self.selected_entries()
        if not entries:
            return
        self.revert_button.setEnabled(False)
        self.select_all_button.setEnabled(False)
        self.table.setEnabled(False)
        self._run(self._revert(entries, self.show_outcome, self._stop), len(entries), "Reverting pushes")
