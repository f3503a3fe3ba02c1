"""The side panel for the selected item: its candidates as cards (poster, titles, ids, the
score and what it is made of, "Use this"), and the summary now in Plex beside the proposed one
with the differences marked. Also the two small dialogs it opens: search again with an edited
title/year, and look up a typed id.

Everything a provider wrote is shown as plain text (labels in PlainText, summaries through
setPlainText); differences are marked with background colours on the plain document.
"""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPixmap, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from curator.domain.errors import CuratorError
from curator.domain.models import LibraryItem
from curator.services.review import parse_external_id
from curator.store.decisions import DecisionRecord
from curator.ui.delegates import (
    PART_COLOURS,
    STATUS_COLOURS,
    parts_text,
    plain_label,
    provider_name,
    reason_text,
    status_name,
)

log = logging.getLogger(__name__)

POSTER_SIZE = QSize(68, 100)
REMOVED_COLOUR = QColor("#ffd7d5")
ADDED_COLOUR = QColor("#d4f5d9")
_WORD = re.compile(r"\S+")


# --- differences ------------------------------------------------------------------------------


def word_diff(old: str, new: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Character spans of the words removed from ``old`` and added in ``new`` (word-level
    difflib); each span runs from the first to the last word of a changed run."""
    a = [(m.start(), m.end()) for m in _WORD.finditer(old)]
    b = [(m.start(), m.end()) for m in _WORD.finditer(new)]
    matcher = difflib.SequenceMatcher(None, [old[s:e] for s, e in a], [new[s:e] for s, e in b], autojunk=False)
    removed: list[tuple[int, int]] = []
    added: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete") and i2 > i1:
            removed.append((a[i1][0], a[i2 - 1][1]))
        if tag in ("replace", "insert") and j2 > j1:
            added.append((b[j1][0], b[j2 - 1][1]))
    return removed, added


def mark_spans(editor: QPlainTextEdit, spans: Sequence[tuple[int, int]], colour: QColor) -> None:
    """Colour the background of ``spans`` as extra selections: the document stays plain text and
    the editor's own undo history is untouched."""
    marks = []
    for start, end in spans:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(editor.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setBackground(colour)
        selection.cursor = cursor
        selection.format = fmt
        marks.append(selection)
    editor.setExtraSelections(marks)


# --- posters ----------------------------------------------------------------------------------


def is_web_url(url: str) -> bool:
    return url.startswith(("http://", "https://"))


class PosterLoader:
    """Poster images through the shared HTTP client, kept as files in the cache folder and a few
    in memory. Only http(s) addresses are fetched; a failure just means "no poster"."""

    MAX_BYTES = 5_000_000
    MEMORY = 200

    def __init__(self, client: Callable[[], httpx.AsyncClient], folder: Path, *, concurrency: int = 4) -> None:
        self._client = client
        self._folder = folder
        self._limit = asyncio.Semaphore(concurrency)
        self._memory: OrderedDict[str, QPixmap] = OrderedDict()

    def cached(self, url: str) -> QPixmap | None:
        pixmap = self._memory.get(url)
        if pixmap is not None:
            self._memory.move_to_end(url)
        return pixmap

    def path_for(self, url: str) -> Path:
        return self._folder / (hashlib.sha256(url.encode()).hexdigest()[:40] + ".img")

    async def pixmap(self, url: str) -> QPixmap | None:
        if not is_web_url(url):
            return None
        if (pixmap := self.cached(url)) is not None:
            return pixmap
        path = self.path_for(url)
        data = await asyncio.to_thread(_read_file, path)
        fresh = data is None
        if data is None:
            data = await self._download(url)
        if data is None:
            return None
        pixmap = QPixmap()
        if not pixmap.loadFromData(data):
            return None
        if fresh:
            await asyncio.to_thread(_write_file, path, data)
        self._memory[url] = pixmap
        while len(self._memory) > self.MEMORY:
            self._memory.popitem(last=False)
        return pixmap

    async def _download(self, url: str) -> bytes | None:
        async with self._limit:
            try:
                async with self._client().stream("GET", url) as response:
                    if response.status_code != 200:
                        log.info("poster not available (HTTP %s)", response.status_code)
                        return None
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > self.MAX_BYTES:
                            log.info("poster larger than %s bytes: skipped", self.MAX_BYTES)
                            return None
                    return bytes(body)
            except (httpx.HTTPError, httpx.InvalidURL) as err:
                log.info("poster download failed (%s)", type(err).__name__)
                return None


def _read_file(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _write_file(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as err:
        log.info("poster cache not writable (%s)", type(err).__name__)


# --- one candidate ----------------------------------------------------------------------------


class PartsBar(QWidget):
    """The score as one bar of segments, one per named part: a segment's width is the part's
    weight, its filled share the part's similarity."""

    def __init__(self, parts: Sequence[Mapping[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._parts = [(float(p.get("weight", 0.0)), float(p.get("similarity", 0.0))) for p in parts]
        self.setFixedHeight(10)
        self.setMinimumWidth(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        width = self.width() - 1
        total = sum(weight for weight, _ in self._parts) or 1.0
        x = 0.0
        for number, (weight, similarity) in enumerate(self._parts):
            segment = width * weight / total
            colour = QColor(PART_COLOURS[number % len(PART_COLOURS)])
            faded = QColor(colour)
            faded.setAlpha(45)
            painter.setBrush(faded)
            painter.drawRect(QRectF(x, 0, max(segment - 2, 1), self.height()))
            painter.setBrush(colour)
            painter.drawRect(QRectF(x, 0, max((segment - 2) * min(max(similarity, 0.0), 1.0), 0), self.height()))
            x += segment
        painter.end()


def ids_text(candidate: Mapping[str, Any]) -> str:
    ids = candidate.get("ids") or {}
    parts = [f"{provider_name(str(candidate.get('provider', '')))} {candidate.get('provider_id', '')}"]
    own = (candidate.get("provider"), str(candidate.get("provider_id")))
    parts += [f"{name} {ids[name]}" for name in ("imdb", "tmdb", "tvdb")
              if ids.get(name) and (name, str(ids[name])) != own]
    return " · ".join(parts)


class CandidateCard(QFrame):
    """One candidate: poster, titles, year and type, provider and ids, score and its parts."""

    chosen = Signal(int)

    def __init__(self, number: int, candidate: Mapping[str, Any], *, current: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number = number
        self.candidate = candidate
        self.setObjectName("candidateCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        border = "#1e88e5" if current else "palette(mid)"
        self.setStyleSheet(f"#candidateCard {{ border: 1px solid {border}; border-radius: 4px; }}")

        self.poster = plain_label("Loading…" if is_web_url(str(candidate.get("poster_url", ""))) else "No poster")
        self.poster.setFixedSize(POSTER_SIZE)
        self.poster.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.poster.setStyleSheet("background: palette(alternate-base); color: palette(mid); font-size: 10px;")

        year = candidate.get("year")
        title = str(candidate.get("title", ""))
        self.title_label = plain_label(f"{title} ({year})" if year else title, wrap=True, selectable=True)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        original = str(candidate.get("original_title", "") or "")
        self.original_label = plain_label(original if original and original != title else "", wrap=True)
        if not self.original_label.text():
            self.original_label.hide()  # (never show() a widget before it has a parent: it would pop up)
        self.meta_label = plain_label(f"{candidate.get('kind', '')} · {ids_text(candidate)}", wrap=True,
                                      selectable=True)
        score = candidate.get("score")
        self.score_label = plain_label(f"{float(score):.2f}" if isinstance(score, int | float) else "")
        score_font = self.score_label.font()
        score_font.setBold(True)
        score_font.setPointSizeF(score_font.pointSizeF() * 1.2)
        self.score_label.setFont(score_font)
        parts = [p for p in candidate.get("parts") or () if isinstance(p, Mapping)]
        self.parts_label = plain_label(parts_text((str(p.get("name", "")), float(p.get("contribution", 0.0)))
                                                  for p in parts))
        self.parts_label.setStyleSheet("color: palette(dark);")
        self.parts_bar = PartsBar(parts)
        self.use_button = QPushButton(f"Use this ({number})" if number <= 9 else "Use this")
        self.use_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.use_button.clicked.connect(lambda: self.chosen.emit(self.number - 1))
        self.current_label = plain_label("Current choice" if current else "")
        self.current_label.setStyleSheet("color: #1e88e5;")

        top = QHBoxLayout()
        top.addWidget(self.title_label, 1)
        top.addWidget(self.score_label, 0, Qt.AlignmentFlag.AlignTop)
        bottom = QHBoxLayout()
        bottom.addWidget(self.current_label)
        bottom.addStretch(1)
        bottom.addWidget(self.use_button)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addLayout(top)
        text.addWidget(self.original_label)
        text.addWidget(self.meta_label)
        text.addWidget(self.parts_label)
        text.addWidget(self.parts_bar)
        text.addLayout(bottom)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.poster, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(text, 1)

    def set_poster(self, pixmap: QPixmap | None) -> None:
        if pixmap is None or pixmap.isNull():
            self.poster.setText("No poster")
            return
        self.poster.setPixmap(pixmap.scaled(POSTER_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                                            Qt.TransformationMode.SmoothTransformation))


# --- the panel --------------------------------------------------------------------------------


class CandidatePanel(QWidget):
    """Review of one item. The window connects the signals to its review actions."""

    candidate_chosen = Signal(int)  # 0-based place in the candidate list
    accept_requested = Signal()
    skip_requested = Signal()
    search_requested = Signal()
    look_up_requested = Signal()
    never_auto_toggled = Signal(bool)

    def __init__(self, posters: PosterLoader | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._posters = posters
        self._poster_tasks: set[asyncio.Task[None]] = set()
        self._generation = 0
        self.item: LibraryItem | None = None
        self.record: DecisionRecord | None = None
        self.cards: list[CandidateCard] = []
        self.selection_count = 0  # when several items are selected (nothing else is shown)

        self.heading = plain_label("Select an item to review it.", wrap=True, selectable=True)
        heading_font = self.heading.font()
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.3)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        self.status_label = plain_label("", wrap=True)
        self.notes_label = plain_label("", wrap=True)
        self.notes_label.setStyleSheet("color: palette(dark);")

        self.accept_button = self._button("Accept", self.accept_requested.emit, "Accept the current choice (Enter)")
        self.skip_button = self._button("Skip", self.skip_requested.emit, "Leave this item as it is (S)")
        self.search_button = self._button("Search again…", self.search_requested.emit,
                                          "Search with another title or year (Ctrl+F)")
        self.look_up_button = self._button("Look up id…", self.look_up_requested.emit,
                                           "Type an IMDb, TMDB or TheTVDB id (Ctrl+I)")
        self.never_auto_button = self._button("Never auto-match", None,
                                              "Always ask before accepting a match for this item (N)")
        self.never_auto_button.setCheckable(True)
        self.never_auto_button.clicked.connect(self.never_auto_toggled.emit)
        actions = QHBoxLayout()
        for button in (self.accept_button, self.skip_button, self.search_button, self.look_up_button,
                       self.never_auto_button):
            actions.addWidget(button)
        actions.addStretch(1)
        self.keys_label = plain_label("Keys: Enter accept · 1–9 use candidate · S skip · N never auto-match · "
                                      "J/K next/previous to review · Ctrl+F search again · Ctrl+I id · Ctrl+Z undo",
                                      wrap=True)
        self.keys_label.setStyleSheet("color: palette(dark); font-size: 11px;")

        self.cards_box = QWidget()
        self.cards_layout = QVBoxLayout(self.cards_box)
        self.cards_layout.setContentsMargins(0, 0, 0, 0)
        self.cards_layout.setSpacing(6)
        self.cards_layout.addStretch(1)
        self.empty_label = plain_label("", wrap=True)
        self.empty_label.setStyleSheet("color: palette(dark);")
        self.cards_layout.insertWidget(0, self.empty_label)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.cards_box)

        self.current_summary = QPlainTextEdit()
        self.current_summary.setReadOnly(True)
        self.current_summary.setPlaceholderText("Plex has no summary for this item.")
        self.current_info = plain_label("")
        self.proposed_summary = QPlainTextEdit()
        self.proposed_summary.setPlaceholderText("No summary proposed yet.")
        self.proposed_info = plain_label("", wrap=True)
        self._diff_timer = QTimer(self)
        self._diff_timer.setSingleShot(True)
        self._diff_timer.setInterval(150)
        self._diff_timer.timeout.connect(self.mark_differences)
        self.proposed_summary.textChanged.connect(self._diff_timer.start)

        current_box = QWidget()
        current_layout = QVBoxLayout(current_box)
        current_layout.setContentsMargins(0, 0, 0, 0)
        current_layout.addWidget(self._caption("Now in Plex"))
        current_layout.addWidget(self.current_info)
        current_layout.addWidget(self.current_summary)
        proposed_box = QWidget()
        proposed_layout = QVBoxLayout(proposed_box)
        proposed_layout.setContentsMargins(0, 0, 0, 0)
        proposed_layout.addWidget(self._caption("Proposed (you can edit it)"))
        proposed_layout.addWidget(self.proposed_info)
        proposed_layout.addWidget(self.proposed_summary)
        summaries = QSplitter(Qt.Orientation.Horizontal)
        summaries.setChildrenCollapsible(False)
        summaries.addWidget(current_box)
        summaries.addWidget(proposed_box)
        legend = plain_label("Red: words that would go. Green: words that would come.")
        legend.setStyleSheet("color: palette(dark); font-size: 11px;")
        summaries_box = QWidget()
        summaries_layout = QVBoxLayout(summaries_box)
        summaries_layout.setContentsMargins(0, 0, 0, 0)
        summaries_layout.addWidget(summaries, 1)
        summaries_layout.addWidget(legend)

        body = QSplitter(Qt.Orientation.Vertical)
        body.setChildrenCollapsible(False)
        body.addWidget(scroll)
        body.addWidget(summaries_box)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        body.setSizes([420, 260])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.heading)
        layout.addWidget(self.status_label)
        layout.addWidget(self.notes_label)
        layout.addLayout(actions)
        layout.addWidget(self.keys_label)
        layout.addWidget(body, 1)
        self.show_item(None, None)

    @staticmethod
    def _button(text: str, slot: Callable[[], None] | None, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves the keyboard on the table
        if slot is not None:
            button.clicked.connect(lambda _checked=False: slot())
        return button

    @staticmethod
    def _caption(text: str) -> QWidget:
        label = plain_label(text)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label

    # -- showing ----------------------------------------------------------------------------
    def show_item(self, item: LibraryItem | None, record: DecisionRecord | None) -> None:
        """Show one item and its decision (None: nothing selected)."""
        self._generation += 1
        self._cancel_posters()
        self.item, self.record = item, record
        self.selection_count = 0
        self._clear_cards()
        enabled = item is not None
        for button in (self.accept_button, self.skip_button, self.search_button, self.look_up_button,
                       self.never_auto_button):
            button.setEnabled(enabled)
        if item is None:
            self.heading.setText("Select an item to review it.")
            self.status_label.setText("")
            self.notes_label.setText("")
            self.empty_label.setText("")
            self._set_summaries("", "", "", "")
            return
        year = f" ({item.year})" if item.year else ""
        self.heading.setText(f"{item.title}{year}")
        self._show_status(record)
        self.never_auto_button.setChecked(bool(record and record.never_auto))
        self.accept_button.setEnabled(bool(record and record.candidates))
        candidates = list(record.candidates) if record is not None else []
        chosen = record.chosen if record is not None else None
        for number, candidate in enumerate(candidates, start=1):
            card = CandidateCard(number, candidate, current=_same_candidate(candidate, chosen))
            card.chosen.connect(self.candidate_chosen.emit)
            self.cards_layout.insertWidget(self.cards_layout.count() - 1, card)
            self.cards.append(card)
            self._load_poster(card, str(candidate.get("poster_url", "") or ""))
        if record is None:
            self.empty_label.setText("Not matched yet. Use “Match library”, or search again with a title (Ctrl+F).")
        elif not candidates:
            self.empty_label.setText("No candidates. Search again with another title (Ctrl+F), or type an id "
                                     "such as tt0133093 or tmdb:603 (Ctrl+I).")
        else:
            self.empty_label.setText("")
        self.empty_label.setVisible(bool(self.empty_label.text()))
        lock = "Locked: Plex will not replace it" if item.summary_locked else "Not locked: Plex may replace it"
        proposed = record.proposed_summary if record is not None else ""
        self._set_summaries(item.summary, proposed, lock, self._proposed_info(record))

    def show_selection_count(self, count: int) -> None:
        """Several rows are selected: the keys act on all of them."""
        self.show_item(None, None)
        self.selection_count = count
        self.heading.setText(f"{count:,} items selected")
        self.status_label.setText("S skips them, N marks them “never auto-match”, Enter accepts each "
                                  "one's current choice.")

    def _show_status(self, record: DecisionRecord | None) -> None:
        status = record.status if record is not None else None
        reason = str(record.score_parts.get("reason", "")) if record is not None else ""
        sentence = reason_text(reason)
        self.status_label.setText(status_name(status) + (f" — {sentence}" if sentence else ""))
        self.status_label.setStyleSheet(f"color: {STATUS_COLOURS[status]};")
        notes = record.score_parts.get("notes") if record is not None else None
        self.notes_label.setText("; ".join(str(n) for n in notes) if isinstance(notes, list) else "")
        self.notes_label.setVisible(bool(self.notes_label.text()))

    @staticmethod
    def _proposed_info(record: DecisionRecord | None) -> str:
        chosen = record.chosen if record is not None else None
        if not chosen:
            return ""
        language = str(chosen.get("summary_language", "") or "unknown")
        return f"Language: {language} · Source: {provider_name(str(chosen.get('provider', '')))}"

    def _set_summaries(self, current: str, proposed: str, current_info: str, proposed_info: str) -> None:
        self.current_summary.setPlainText(current)
        self.current_info.setText(current_info)
        self.proposed_summary.setPlainText(proposed)
        self.proposed_summary.setReadOnly(self.item is None or self.record is None)
        self.proposed_info.setText(proposed_info)
        self._diff_timer.stop()
        self.mark_differences()

    def mark_differences(self) -> None:
        """Mark removed words in the current summary and added ones in the proposal."""
        old, new = self.current_summary.toPlainText(), self.proposed_summary.toPlainText()
        removed, added = word_diff(old, new) if old.strip() and new.strip() else ([], [])
        mark_spans(self.current_summary, removed, REMOVED_COLOUR)
        mark_spans(self.proposed_summary, added, ADDED_COLOUR)

    def edited_summary(self) -> str | None:
        """The proposal as the user edited it, or None when it is unchanged."""
        if self.record is None:
            return None
        text = self.proposed_summary.toPlainText()
        return text if text != self.record.proposed_summary else None

    def _clear_cards(self) -> None:
        for card in self.cards:
            self.cards_layout.removeWidget(card)
            card.hide()
            card.deleteLater()
        self.cards = []

    # -- posters ------------------------------------------------------------------------------
    def _load_poster(self, card: CandidateCard, url: str) -> None:
        if self._posters is None or not is_web_url(url):
            card.set_poster(None)
            return
        if (pixmap := self._posters.cached(url)) is not None:
            card.set_poster(pixmap)
            return
        task = asyncio.ensure_future(self._fetch_poster(card, url, self._generation))
        self._poster_tasks.add(task)
        task.add_done_callback(self._poster_done)

    async def _fetch_poster(self, card: CandidateCard, url: str, generation: int) -> None:
        assert self._posters is not None
        pixmap = await self._posters.pixmap(url)
        if generation == self._generation:  # still the same item: the card still exists
            card.set_poster(pixmap)

    def _poster_done(self, task: asyncio.Task[None]) -> None:
        self._poster_tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.warning("poster loading failed", exc_info=error)

    def _cancel_posters(self) -> None:
        for task in list(self._poster_tasks):
            task.cancel()

    def close_tasks(self) -> None:
        """Stop poster downloads (the window is closing)."""
        self._generation += 1
        self._cancel_posters()


def _same_candidate(candidate: Mapping[str, Any], chosen: Mapping[str, Any] | None) -> bool:
    if not chosen:
        return False
    return (candidate.get("provider") == chosen.get("provider")
            and str(candidate.get("provider_id")) == str(chosen.get("provider_id")))


def chosen_index(record: DecisionRecord) -> int:
    """The place of the record's current choice among its candidates (0 when not found)."""
    return next((i for i, c in enumerate(record.candidates) if _same_candidate(c, record.chosen)), 0)


# --- small dialogs ----------------------------------------------------------------------------


class SearchAgainDialog(QDialog):
    """Search again with an edited title and year."""

    submitted = Signal(str, object)  # title, year or None

    def __init__(self, item: LibraryItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Search again")
        self.title_edit = QLineEdit(item.title)
        self.title_edit.selectAll()
        self.year_box = QSpinBox()
        self.year_box.setRange(0, 2100)
        self.year_box.setSpecialValueText("any year")
        self.year_box.setValue(item.year or 0)
        self.error_label = plain_label("", wrap=True)
        self.error_label.setStyleSheet("color: #b71c1c;")
        form = QFormLayout()
        form.addRow(plain_label("Title"), self.title_edit)
        form.addRow(plain_label("Year"), self.year_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Search")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Curator searches the providers again with this title and year; the "
                                     "results replace the current candidates.", wrap=True))
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def _submit(self) -> None:
        title = self.title_edit.text().strip()
        if not title:
            self.error_label.setText("Type a title to search for.")
            return
        self.submitted.emit(title, self.year_box.value() or None)
        self.accept()


class LookUpDialog(QDialog):
    """Look an item up by an id the user types (checked before anything is sent)."""

    submitted = Signal(str)

    def __init__(self, item: LibraryItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Look up by id")
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText("tt0133093, tmdb:603 or tvdb:81189")
        self.error_label = plain_label("", wrap=True)
        self.error_label.setStyleSheet("color: #b71c1c;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Look up")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(f"The id of “{item.title}” on IMDb, TMDB or TheTVDB. You can also paste "
                                     "an IMDb or TMDB page address.", wrap=True))
        layout.addWidget(self.id_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def _submit(self) -> None:
        text = self.id_edit.text().strip()
        try:
            parse_external_id(text)
        except CuratorError as err:
            self.error_label.setText(err.user_message)
            return
        self.submitted.emit(text)
        self.accept()

