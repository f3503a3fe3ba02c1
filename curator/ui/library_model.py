"""The library table: a Qt model over pages of Plex items joined with their stored decisions,
and the proxy that filters and sorts it.

The model fetches pages as the view needs them (``canFetchMore``/``fetchMore``) and, once the
first page is in, keeps loading the rest in the background so that matching, counts and
filters see the whole library. Decisions are held in a dict by rating key; a change to some of
them emits ``dataChanged`` for just those rows.

Filtering and sorting happen in Python over plain lists (``ReviewProxyModel``) rather than in
``QSortFilterProxyModel``: that one calls back into Python for every row it filters and for
every comparison it sorts — at 20,000 rows about 0.2 s per filter and several seconds per
sort. Here a filter or sort is one list operation and one layout change.
"""

from __future__ import annotations

import asyncio
import enum
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractProxyModel,
    QAbstractTableModel,
    QModelIndex,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from curator.domain.models import DecisionStatus, ItemPage, LibraryItem
from curator.store.decisions import DecisionRecord
from curator.ui.delegates import (
    SCORE_ROLE,
    parts_text,
    provider_name,
    reason_text,
    score_parts_of,
    status_icon,
    status_name,
)
from curator.ui.tasks import TaskRunner

PageLoader = Callable[[int, int], Coroutine[Any, Any, ItemPage]]
Index = QModelIndex | QPersistentModelIndex

ITEM_ROLE = Qt.ItemDataRole.UserRole


class Column(enum.IntEnum):
    STATUS = 0
    TITLE = 1
    YEAR = 2
    TYPE = 3
    BEST = 4
    SCORE = 5
    SOURCE = 6
    LANGUAGE = 7


COLUMNS = ("Status", "Title", "Year", "Type", "Best candidate", "Score", "Source", "Language")
#: Columns whose value comes from the decision (a decision change may reorder them).
DECISION_COLUMNS = frozenset({Column.STATUS, Column.BEST, Column.SCORE, Column.SOURCE, Column.LANGUAGE})


class ReviewFilter(enum.Enum):
    """The filter buttons above the table, with the statuses each one shows."""

    ALL = "All"
    NEEDS_REVIEW = "Needs review"
    NO_MATCH = "No match"
    AUTO = "Auto"
    ACCEPTED = "Accepted"
    PUSHED = "Pushed"
    FAILED = "Failed"
    SKIPPED = "Skipped"

    @property
    def statuses(self) -> frozenset[DecisionStatus | None] | None:
        return _FILTER_STATUSES[self]


_FILTER_STATUSES: dict[ReviewFilter, frozenset[DecisionStatus | None] | None] = {
    ReviewFilter.ALL: None,
    ReviewFilter.NEEDS_REVIEW: frozenset({DecisionStatus.AMBIGUOUS}),
    ReviewFilter.NO_MATCH: frozenset({DecisionStatus.NO_MATCH}),
    ReviewFilter.AUTO: frozenset({DecisionStatus.AUTO}),
    ReviewFilter.ACCEPTED: frozenset({DecisionStatus.ACCEPTED}),
    ReviewFilter.PUSHED: frozenset({DecisionStatus.PUSHED}),
    ReviewFilter.FAILED: frozenset({DecisionStatus.FAILED}),
    ReviewFilter.SKIPPED: frozenset({DecisionStatus.SKIPPED}),
}

#: The table's status column sorts the work left to do first.
_STATUS_ORDER = {status: rank for rank, status in enumerate((
    DecisionStatus.AMBIGUOUS, DecisionStatus.NO_MATCH, DecisionStatus.FAILED, None, DecisionStatus.PENDING,
    DecisionStatus.AUTO, DecisionStatus.ACCEPTED, DecisionStatus.SKIPPED, DecisionStatus.PUSHED))}
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
#: Statuses whose proposal is approved for pushing (as services.review.push_requests counts).
_APPROVED = (DecisionStatus.AUTO, DecisionStatus.ACCEPTED)


def best_candidate_text(record: DecisionRecord | None) -> str:
    chosen = record.chosen if record is not None else None
    if not chosen:
        return ""
    year = chosen.get("year")
    return f"{chosen.get('title', '')} ({year})" if year else str(chosen.get("title", ""))


class LibraryTableModel(QAbstractTableModel):
    """Rows appear page by page: the first page as soon as it arrives, the rest in the
    background. Each row is a Plex item and its decision (if it has one)."""

    loading_changed = Signal(bool)
    page_loaded = Signal(int, object)  # rows loaded so far, total (or None)
    decisions_changed = Signal(object)  # set of rating keys whose decision changed
    counts_changed = Signal()

    def __init__(self, tasks: TaskRunner, page_size: int = 200, *, background_page_size: int = 200,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._page_size = page_size
        self._background_page_size = background_page_size
        self._items: list[LibraryItem] = []
        self._row_of: dict[str, int] = {}
        self._statuses: list[DecisionStatus | None] = []
        self._folded: list[str] = []
        self._decisions: dict[str, DecisionRecord] = {}
        self._title_order: list[int] | None = None  # rows by title, built when a sort needs it
        self._sort_keys: dict[int, list[Any]] = {}  # per column, built when a sort needs it
        self._loader: PageLoader | None = None
        self._total: int | None = None
        self._finished = True
        self._loading = False
        self._generation = 0
        self._waiters: list[asyncio.Future[None]] = []

    # -- data source ----------------------------------------------------------------------
    def set_loader(self, loader: PageLoader | None) -> None:
        """Show another library: forget the rows (not the decisions) and fetch from the top."""
        self.beginResetModel()
        self._generation += 1
        self._items, self._row_of, self._statuses, self._folded = [], {}, [], []
        self._title_order = None
        self._sort_keys.clear()
        self._loader = loader
        self._total = None
        self._finished = loader is None
        self._loading = False
        self.endResetModel()
        self._wake()
        self.counts_changed.emit()
        if loader is not None:
            self.fetchMore(QModelIndex())

    @property
    def items(self) -> list[LibraryItem]:
        return self._items

    @property
    def total(self) -> int | None:
        return self._total

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def finished(self) -> bool:
        """Every page of the current library is in (or loading stopped on an error)."""
        return self._finished

    def item_at(self, row: int) -> LibraryItem:
        return self._items[row]

    def row_of(self, rating_key: str) -> int | None:
        return self._row_of.get(rating_key)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt signature
        return not parent.isValid() and not self._finished and self._loader is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008 - Qt signature
        self._fetch(parent, self._page_size)

    def _fetch(self, parent: Index, size: int) -> None:
        if self._loading or not self.canFetchMore(parent) or self._loader is None:
            return
        self._loading = True
        self.loading_changed.emit(True)
        generation = self._generation
        offset = len(self._items)
        self._tasks.start(self._loader(offset, size),
                          on_done=lambda page: self._append(generation, page),
                          on_error=lambda _err: self._stop(generation),
                          label="Loading the library")

    def _append(self, generation: int, page: ItemPage) -> None:
        if generation != self._generation:
            return  # the user switched library meanwhile
        items = [item for item in page.items if item.rating_key not in self._row_of]
        if items:
            start = len(self._items)
            self.beginInsertRows(QModelIndex(), start, start + len(items) - 1)
            for row, item in enumerate(items, start):
                self._row_of[item.rating_key] = row
            self._items.extend(items)
            self._statuses.extend(self._status_for(item.rating_key) for item in items)
            self._folded.extend(item.title.casefold() for item in items)
            self._title_order = None
            self._sort_keys.clear()
            self.endInsertRows()
        self._total = page.total if page.total is not None else len(self._items)
        self._finished = not page.items or page.total is None or len(self._items) >= page.total
        self._loading = False
        self.loading_changed.emit(False)
        self.page_loaded.emit(len(self._items), self._total)
        if items:
            self.counts_changed.emit()
        self._wake()
        if not self._finished:
            self._fetch(QModelIndex(), self._background_page_size)

    def _stop(self, generation: int) -> None:
        if generation == self._generation:
            self._finished = True
            self._loading = False
            self.loading_changed.emit(False)
            self._wake()

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def loaded_items(self) -> AsyncIterator[LibraryItem]:
        """Every item of the current library, in order, waiting for pages still on their way.
        Ends early if the user switches library."""
        generation = self._generation
        index = 0
        while generation == self._generation:
            while index < len(self._items):
                yield self._items[index]
                index += 1
                if generation != self._generation:
                    return
            if self._finished:
                return
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            self._fetch(QModelIndex(), self._background_page_size)
            await waiter

    # -- decisions ------------------------------------------------------------------------
    @property
    def decisions(self) -> dict[str, DecisionRecord]:
        """Every decision of the server (all its libraries), by rating key. Read-only."""
        return self._decisions

    def decision_for(self, rating_key: str) -> DecisionRecord | None:
        return self._decisions.get(rating_key)

    def _status_for(self, rating_key: str) -> DecisionStatus | None:
        record = self._decisions.get(rating_key)
        return record.status if record is not None else None

    def set_decisions(self, records: Iterable[DecisionRecord]) -> None:
        """Replace every decision (after connecting, or a bulk change)."""
        self._decisions = {record.rating_key: record for record in records}
        self._statuses = [self._status_for(item.rating_key) for item in self._items]
        self._forget_decision_keys()
        if self._items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._items) - 1, len(COLUMNS) - 1))
        self.counts_changed.emit()
        self.decisions_changed.emit(set(self._decisions))

    def update_decisions(self, records: Iterable[DecisionRecord]) -> None:
        """Take changed decisions; repaint only their rows."""
        keys: set[str] = set()
        rows: list[int] = []
        for record in records:
            self._decisions[record.rating_key] = record
            keys.add(record.rating_key)
            row = self._row_of.get(record.rating_key)
            if row is not None:
                self._statuses[row] = record.status
                rows.append(row)
        if not keys:
            return
        self._forget_decision_keys()
        self._emit_rows_changed(rows)
        self.counts_changed.emit()
        self.decisions_changed.emit(keys)

    def update_item(self, item: LibraryItem) -> None:
        """A fresher copy of a listed item (e.g. its summary after a push)."""
        row = self._row_of.get(item.rating_key)
        if row is None:
            return
        self._items[row] = item
        if self._folded[row] != item.title.casefold():
            self._folded[row] = item.title.casefold()
            self._title_order = None
        self._sort_keys.clear()
        self._emit_rows_changed([row])

    def _forget_decision_keys(self) -> None:
        for column in DECISION_COLUMNS:
            self._sort_keys.pop(column, None)

    def _emit_rows_changed(self, rows: list[int]) -> None:
        last_column = len(COLUMNS) - 1
        for first, last in _runs(sorted(set(rows))):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))

    def counts(self) -> dict[ReviewFilter, int]:
        """Rows of the current library per filter button."""
        tally = Counter(self._statuses)
        counts = {f: sum(tally[s] for s in (f.statuses or ())) for f in ReviewFilter}
        counts[ReviewFilter.ALL] = len(self._items)
        return counts

    def approved_count(self) -> int:
        """Decisions of the server a push would write (auto or accepted, with a summary)."""
        return sum(1 for r in self._decisions.values() if r.status in _APPROVED and r.proposed_summary.strip())

    def status_at(self, row: int) -> DecisionStatus | None:
        return self._statuses[row]

    # -- filter and sort support (for ReviewProxyModel) ------------------------------------
    def rows_matching(self, statuses: frozenset[DecisionStatus | None] | None, needle: str) -> list[int]:
        """Rows (in model order) whose status is one of ``statuses`` (None: any) and whose title
        contains ``needle`` (casefolded)."""
        st, folded = self._statuses, self._folded
        if statuses is None:
            return [r for r, title in enumerate(folded) if needle in title] if needle else list(range(len(folded)))
        if needle:
            return [r for r, title in enumerate(folded) if st[r] in statuses and needle in title]
        return [r for r, status in enumerate(st) if status in statuses]

    def accepts(self, row: int, statuses: frozenset[DecisionStatus | None] | None, needle: str) -> bool:
        return (statuses is None or self._statuses[row] in statuses) and needle in self._folded[row]

    def title_order(self) -> list[int]:
        """Every row, by title (casefolded); other sorts start from it so equal keys go by title."""
        if self._title_order is None:
            self._title_order = sorted(range(len(self._folded)), key=self._folded.__getitem__)
        return self._title_order

    def sort_keys(self, column: int) -> list[Any]:
        """One sortable key per row for ``column`` (kept until the rows or decisions change)."""
        keys = self._sort_keys.get(column)
        if keys is None:
            keys = self._sort_keys[column] = self._build_sort_keys(column)
        return keys

    def _build_sort_keys(self, column: int) -> list[Any]:
        items = self._items
        if column == Column.TITLE:
            return self._folded
        if column == Column.YEAR:
            return [item.year or 0 for item in items]
        if column == Column.TYPE:
            return [item.kind.value for item in items]
        if column == Column.STATUS:
            return [_STATUS_ORDER.get(status, 99) for status in self._statuses]
        records = [self._decisions.get(item.rating_key) for item in items]
        if column == Column.SCORE:
            return [r.score if r is not None and r.score is not None else -1.0 for r in records]
        chosen = [(r.chosen or {}) if r is not None else {} for r in records]
        if column == Column.BEST:
            return [str(c.get("title", "")).casefold() for c in chosen]
        if column == Column.SOURCE:
            return [str(c.get("provider", "")) for c in chosen]
        return [str(c.get("summary_language", "")) for c in chosen]

    # -- Qt model interface ---------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return self.value(index.row(), index.column(), role) if index.isValid() else None

    def value(self, row: int, column: int, role: int) -> Any:
        """``data`` without a QModelIndex (the proxy calls this directly: cheaper per cell)."""
        item = self._items[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column, row)
        if role == ITEM_ROLE:
            return item
        if role == SCORE_ROLE and column == Column.SCORE:
            record = self._decisions.get(item.rating_key)
            return float(record.score) if record is not None and record.score is not None else None
        if role == Qt.ItemDataRole.DecorationRole and column == Column.STATUS:
            return status_icon(self._statuses[row])
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.YEAR, Column.SCORE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, item: LibraryItem, column: int, row: int) -> str:
        if column == Column.STATUS:
            return status_name(self._statuses[row])
        if column == Column.TITLE:
            return item.title
        if column == Column.YEAR:
            return str(item.year) if item.year else ""
        if column == Column.TYPE:
            return item.kind.value
        record = self._decisions.get(item.rating_key)
        if record is None:
            return ""
        if column == Column.BEST:
            return best_candidate_text(record)
        if column == Column.SCORE:
            return f"{record.score:.2f}" if record.score is not None else ""
        chosen = record.chosen or {}
        if column == Column.SOURCE:
            return provider_name(str(chosen.get("provider", "")))
        return str(chosen.get("summary_language", ""))

    def _tooltip(self, item: LibraryItem, column: int) -> str | None:
        """Only text Curator writes itself (never provider text: tooltips guess at rich text)."""
        record = self._decisions.get(item.rating_key)
        if record is None:
            return None
        if column == Column.STATUS:
            return reason_text(str(record.score_parts.get("reason", ""))) or None
        if column == Column.SCORE:
            return parts_text(score_parts_of(record.score_parts)) or None
        return None


def _runs(rows: list[int]) -> Iterable[tuple[int, int]]:
    """Consecutive runs of sorted row numbers: [1, 2, 3, 7] → (1, 3), (7, 7)."""
    if not rows:
        return
    start = previous = rows[0]
    for row in rows[1:]:
        if row != previous + 1:
            yield start, previous
            start = row
        previous = row
    yield start, previous


class ReviewProxyModel(QAbstractProxyModel):
    """The table's view of the model: one status filter, a title search, one sort column.
    Keeps a list of the source rows shown, in display order."""

    about_to_relayout = Signal()  # before the rows shown change order or membership
    relayouted = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[int] = []
        self._position: list[int] = []  # source row → proxy row, -1 when filtered out
        self._filter = ReviewFilter.ALL
        self._needle = ""
        self._sort_column = -1
        self._order = Qt.SortOrder.AscendingOrder
        self._dirty = False
        self._source: LibraryTableModel | None = None
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self.flush)

    def setSourceModel(self, model: QAbstractTableModel) -> None:  # type: ignore[override]
        if not isinstance(model, LibraryTableModel):
            raise TypeError("ReviewProxyModel shows a LibraryTableModel")
        self.beginResetModel()
        super().setSourceModel(model)
        model.modelAboutToBeReset.connect(self.beginResetModel)
        model.modelReset.connect(self._source_reset)
        model.rowsInserted.connect(self._source_rows_inserted)
        model.dataChanged.connect(self._source_data_changed)
        model.headerDataChanged.connect(self.headerDataChanged)
        model.decisions_changed.connect(self.flush)
        self._source = model
        self._rebuild()
        self.endResetModel()

    def model(self) -> LibraryTableModel:
        if self._source is None:
            raise RuntimeError("ReviewProxyModel has no source model yet")
        return self._source

    # -- what is shown --------------------------------------------------------------------
    def set_review_filter(self, review_filter: ReviewFilter) -> None:
        if review_filter is not self._filter:
            self._filter = review_filter
            self._relayout()

    def set_search_text(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle != self._needle:
            self._needle = needle
            self._relayout()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if (column, order) == (self._sort_column, self._order) and not self._dirty:
            return  # QTableView.sortByColumn asks twice; the order is kept up to date anyway
        self._sort_column, self._order = column, order
        self._relayout()

    def flush(self, _keys: object = None) -> None:
        """Apply pending decision changes to the filter and order."""
        if self._dirty:
            self._dirty = False
            self._relayout()

    def _wanted_rows(self) -> list[int]:
        model = self.model()
        statuses, needle = self._filter.statuses, self._needle
        if self._sort_column < 0:
            return model.rows_matching(statuses, needle)
        rows = model.title_order()
        if statuses is not None or needle:
            shown = bytearray(model.rowCount())
            for row in model.rows_matching(statuses, needle):
                shown[row] = 1
            rows = [row for row in rows if shown[row]]
        descending = self._order == Qt.SortOrder.DescendingOrder
        if self._sort_column == Column.TITLE:
            return rows[::-1] if descending else list(rows)
        keys = model.sort_keys(self._sort_column)
        return sorted(rows, key=keys.__getitem__, reverse=descending)

    def _set_rows(self, rows: list[int]) -> None:
        self._rows = rows
        position = [-1] * self.model().rowCount()
        for proxy_row, source_row in enumerate(rows):
            position[source_row] = proxy_row
        self._position = position

    def _rebuild(self) -> None:
        self._set_rows(self._wanted_rows())

    def _relayout(self) -> None:
        """Recompute the rows shown; keep persistent indexes (selection, current) on their items."""
        self._dirty = False
        rows = self._wanted_rows()
        if rows == self._rows:
            return
        self.about_to_relayout.emit()
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [self._rows[i.row()] if 0 <= i.row() < len(self._rows) else -1 for i in persistent]
        self._set_rows(rows)
        moved = [self.createIndex(self._position[s], i.column()) if s >= 0 and self._position[s] >= 0
                 else QModelIndex() for s, i in zip(sources, persistent, strict=True)]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()
        self.relayouted.emit()

    # -- following the source -------------------------------------------------------------
    def _source_reset(self) -> None:
        self._rebuild()
        self.endResetModel()

    def _source_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if parent.isValid():
            return
        model = self.model()
        self._position.extend([-1] * (last - first + 1))
        statuses, needle = self._filter.statuses, self._needle
        new = [row for row in range(first, last + 1) if model.accepts(row, statuses, needle)]
        if not new:
            return
        if self._sort_column >= 0:
            self._relayout()
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
        for offset, row in enumerate(new):
            self._position[row] = start + offset
        self._rows.extend(new)
        self.endInsertRows()

    def _source_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, roles: list[int]) -> None:
        model = self.model()
        first, last = top_left.row(), bottom_right.row()
        statuses, needle = self._filter.statuses, self._needle
        position = self._position
        if self._sort_column in DECISION_COLUMNS or any(
                model.accepts(row, statuses, needle) != (position[row] >= 0) for row in range(first, last + 1)):
            self._dirty = True
            self._later.start()
        shown = [position[row] for row in range(first, last + 1) if position[row] >= 0]
        if shown:
            self.dataChanged.emit(self.index(min(shown), top_left.column()),
                                  self.index(max(shown), bottom_right.column()), roles)

    # -- QAbstractProxyModel --------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not 0 <= row < len(self._rows) or not 0 <= column < len(COLUMNS):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, _index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        return QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(COLUMNS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt signature
        return not parent.isValid() and bool(self._rows)

    def mapToSource(self, proxy_index: Index) -> QModelIndex:
        if not proxy_index.isValid() or not 0 <= proxy_index.row() < len(self._rows):
            return QModelIndex()
        return self.model().index(self._rows[proxy_index.row()], proxy_index.column())

    def mapFromSource(self, source_index: Index) -> QModelIndex:
        if not source_index.isValid() or not 0 <= source_index.row() < len(self._position):
            return QModelIndex()
        row = self._position[source_index.row()]
        return self.createIndex(row, source_index.column()) if row >= 0 else QModelIndex()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self.model().value(self._rows[index.row()], index.column(), role)

    def multiData(self, index: Index, roles: QModelRoleDataSpan) -> None:
        """Every role a delegate asks for, in one call (instead of one call per role)."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return
        model, row, column = self.model(), self._rows[index.row()], index.column()
        for role_data in roles:  # the span is reused from cell to cell: set or clear every role
            value = model.value(row, column, role_data.role())
            if value is None:
                role_data.clearData()
            else:
                role_data.setData(value)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            return self.model().headerData(section, orientation, role)
        return section + 1 if role == Qt.ItemDataRole.DisplayRole else None

    def proxy_row_of(self, rating_key: str) -> int | None:
        row = self.model().row_of(rating_key)
        if row is None or row >= len(self._position) or self._position[row] < 0:
            return None
        return self._position[row]

    def item_at(self, proxy_row: int) -> LibraryItem:
        return self.model().item_at(self._rows[proxy_row])

    def status_at(self, proxy_row: int) -> DecisionStatus | None:
        return self.model().status_at(self._rows[proxy_row])
