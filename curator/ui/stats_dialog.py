"""The statistics view: per provider, what this session cost (requests, cache hits, 429s
received, latency, circuit state), and the recorded match runs (items per minute) — the same
figures as `curator stats`."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from curator.services.stats import current_figures, load_runs

PROVIDER_COLUMNS = ("Provider", "Requests", "Cache hits", "429s received", "Retries", "Failures",
                    "Latency mean (ms)", "Latency p95 (ms)", "Circuit")
RUN_COLUMNS = ("When", "Items", "Matched", "Items per minute", "Requests", "Cache hits", "429s received")


def _table(headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = QTableWidgetItem(str(value))  # item text is plain text
            if c:
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, cell)
    table.resizeColumnsToContents()
    return table


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class StatsDialog(QDialog):
    def __init__(self, context: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Statistics")
        self.resize(860, 460)
        gateways = context.providers.gateways if getattr(context, "_providers", None) is not None else {}
        figures = current_figures(gateways)
        self.providers = _table(PROVIDER_COLUMNS, [
            (f.provider, f.requests, f.cache_hits, f.rate_limited, f.retries, f.failures,
             f.latency_mean_ms, f.latency_p95_ms, f.breaker) for f in figures])
        runs = load_runs(context.paths.data)
        self.runs = _table(RUN_COLUMNS, [
            (time.strftime("%Y-%m-%d %H:%M", time.localtime(run.started_at)), run.total, run.matched,
             f"{run.items_per_minute:.0f}", run.requests, run.cache_hits, run.rate_limited) for run in runs])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(_label("This session, per provider" if figures else
                                "No provider has been used in this session yet."))
        layout.addWidget(self.providers)
        layout.addWidget(_label("Recorded match runs (newest first)" if runs else "No match run recorded yet."))
        layout.addWidget(self.runs)
        layout.addWidget(buttons)
