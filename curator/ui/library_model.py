"""The library table: a Qt model over pages of Plex items, fetched as the view needs them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from curator.domain.models import ItemPage, LibraryItem
from curator.ui.tasks import TaskRunner

PageLoader = Callable[[int, int], Awaitable[ItemPage]]
Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("Title", "Year", "Type", "Guids", "Summary")
EXCERPT = 80


def guid_text(item: LibraryItem) -> str:
    ids = item.external_ids
    parts = [f"imdb:{ids.imdb}" if ids.imdb else "", f"tmdb:{ids.tmdb}" if ids.tmdb else "",
             f"tvdb:{ids.tvdb}" if ids.tvdb else ""]
    text = ", ".join(p for p in parts if p)
    if text:
        return text
    return "unmatched" if item.guid.startswith("local://") else item.guid.split("://", 1)[0]


class LibraryTableModel(QAbstractTableModel):
    """Rows appear page by page: ``canFetchMore``/``fetchMore`` ask for the next page in the
    background, so the first rows show while the rest is still on its way."""

    loading_changed = Signal(bool)
    page_loaded = Signal(int, object)  # rows loaded so far, total (or None)

    def __init__(self, tasks: TaskRunner, page_size: int = 200, parent: Any = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._page_size = page_size
        self._items: list[LibraryItem] = []
        self._loader: PageLoader | None = None
        self._total: int | None = None
        self._finished = True
        self._loading = False
        self._generation = 0

    # -- data source ----------------------------------------------------------------------
    def set_loader(self, loader: PageLoader | None) -> None:
        """Show another library: forget the rows and start fetching from the top."""
        self.beginResetModel()
        self._generation += 1
        self._items = []
        self._loader = loader
        self._total = None
        self._finished = loader is None
        self._loading = False
        self.endResetModel()
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

    def item_at(self, row: int) -> LibraryItem:
        return self._items[row]

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt signature
        return not parent.isValid() and not self._finished and self._loader is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008 - Qt signature
        if self._loading or not self.canFetchMore(parent) or self._loader is None:
            return
        self._loading = True
        self.loading_changed.emit(True)
        generation = self._generation
        offset = len(self._items)
        self._tasks.start(self._loader(offset, self._page_size),
                          on_done=lambda page: self._append(generation, page),
                          on_error=lambda _err: self._stop(generation),
                          label="Loading the library")

    def _append(self, generation: int, page: ItemPage) -> None:
        if generation != self._generation:
            return  # the user switched library meanwhile
        items = page.items
        if items:
            start = len(self._items)
            self.beginInsertRows(QModelIndex(), start, start + len(items) - 1)
            self._items.extend(items)
            self.endInsertRows()
        self._total = page.total if page.total is not None else len(self._items)
        self._finished = not items or page.total is None or len(self._items) >= page.total
        self._loading = False
        self.loading_changed.emit(False)
        self.page_loaded.emit(len(self._items), self._total)

    def _stop(self, generation: int) -> None:
        if generation == self._generation:
            self._finished = True
            self._loading = False
            self.loading_changed.emit(False)

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
        if not index.isValid():
            return None
        item = self._items[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return item.title
            if column == 1:
                return str(item.year) if item.year else ""
            if column == 2:
                return item.kind.value
            if column == 3:
                return guid_text(item)
            if column == 4:
                flat = " ".join(item.summary.split())
                return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"
        if role == Qt.ItemDataRole.UserRole:
            return item
        return None
