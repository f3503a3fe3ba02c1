"""The library table model and its proxy: pages load in the background after the first one,
decisions join the rows (a change repaints just its rows), filters count and narrow, sorting
keeps the selection on its items."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from curator.domain.models import DecisionStatus, ItemPage, LibraryItem, MediaKind
from curator.store.decisions import DecisionRecord
from curator.ui.delegates import SCORE_ROLE
from curator.ui.library_model import (
    COLUMNS,
    ITEM_ROLE,
    Column,
    LibraryTableModel,
    ReviewFilter,
    ReviewProxyModel,
)
from curator.ui.tasks import TaskRunner

TITLES = ["Zodiac", "alien", "Brazil", "Heat", "Arrival", "Memento", "Ronin", "Fargo", "Gattaca", "Dune",
          "Solaris", "Stalker", "Amélie", "Ikiru", "Ran", "Yojimbo", "Paprika", "Akira", "Tron", "Up",
          "Her", "Drive", "Moon", "Seven", "Oldboy"]


def items(count: int = len(TITLES)) -> list[LibraryItem]:
    return [LibraryItem(rating_key=str(1000 + n), kind=MediaKind.MOVIE, title=TITLES[n % len(TITLES)],
                        year=1970 + (n * 7) % 50, summary=f"Summary {n}") for n in range(count)]


def record(item: LibraryItem, status: DecisionStatus, score: float | None = 0.9, *, provider: str = "tmdb",
           summary: str = "A proposal.", language: str = "en") -> DecisionRecord:
    chosen = {"provider": provider, "provider_id": item.rating_key, "kind": "movie", "title": item.title.upper(),
              "year": item.year, "summary_language": language}
    return DecisionRecord(server="s", rating_key=item.rating_key, kind=item.kind, title=item.title, status=status,
                          chosen=chosen, candidates=(chosen,), score=score,
                          score_parts={"reason": "ambiguous: 2 candidates within margin", "lead": 0.01,
                                       "parts": {"title": 0.5, "year": 0.2}},
                          proposed_summary=summary)


class PagedSource:
    """A library served page by page, remembering what was asked."""

    def __init__(self, library: list[LibraryItem]) -> None:
        self.library = library
        self.requests: list[tuple[int, int]] = []

    async def __call__(self, offset: int, size: int) -> ItemPage:
        self.requests.append((offset, size))
        await asyncio.sleep(0)
        return ItemPage(tuple(self.library[offset:offset + size]), offset, len(self.library))


@pytest.fixture
def model(qtbot, qloop):
    tasks = TaskRunner()
    model = LibraryTableModel(tasks, page_size=10, background_page_size=7)
    yield model
    tasks.cancel_all()


def load(qtbot, model, library):
    source = PagedSource(library)
    model.set_loader(source)
    qtbot.waitUntil(lambda: model.finished and not model.loading, timeout=5000)
    return source


def test_the_first_page_then_the_rest_in_the_background(qtbot, model):
    library = items()
    source = load(qtbot, model, library)
    assert model.rowCount() == len(library) == model.total
    assert source.requests == [(0, 10), (10, 7), (17, 7), (24, 7)]
    assert [model.index(r, Column.TITLE).data() for r in range(model.rowCount())] == [i.title for i in library]
    assert not model.canFetchMore()


def test_fetch_more_still_works_for_the_view(qtbot, model):
    model.set_loader(PagedSource(items()))
    assert model.loading  # the first page is on its way
    model.fetchMore()  # while a page is loading, asking again does nothing
    qtbot.waitUntil(lambda: model.finished, timeout=5000)
    assert model.rowCount() == len(TITLES)


def test_loaded_items_waits_for_pages_still_on_their_way(qtbot, model):
    library = items()
    model.set_loader(PagedSource(library))

    async def collect():
        return [item async for item in model.loaded_items()]

    collected = asyncio.ensure_future(collect())
    qtbot.waitUntil(collected.done, timeout=5000)
    assert collected.result() == library


def test_loaded_items_ends_when_the_library_changes(qtbot, model):
    model.set_loader(PagedSource(items()))

    async def first_then_switch():
        seen = []
        async for item in model.loaded_items():
            seen.append(item)
            if len(seen) == 3:
                model.set_loader(PagedSource(items(2)))
        return seen

    collected = asyncio.ensure_future(first_then_switch())
    qtbot.waitUntil(collected.done, timeout=5000)
    assert len(collected.result()) == 3


def test_rows_show_their_decision(qtbot, model):
    library = items()
    load(qtbot, model, library)
    model.set_decisions([record(library[0], DecisionStatus.AMBIGUOUS, 0.83, provider="tvdb", language="nl")])
    row = [model.index(0, c).data() for c in range(len(COLUMNS))]
    assert row == ["Needs review", "Zodiac", str(library[0].year), "movie", f"ZODIAC ({library[0].year})", "0.83",
                   "TheTVDB", "nl"]
    assert model.index(0, Column.SCORE).data(SCORE_ROLE) == pytest.approx(0.83)
    assert "close together" in model.index(0, Column.STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(0, Column.SCORE).data(Qt.ItemDataRole.ToolTipRole) == "title 0.50 · year 0.20"
    assert model.index(0, Column.STATUS).data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(1, Column.STATUS).data() == "Not matched yet"
    assert model.index(1, Column.BEST).data() == ""
    assert model.index(1, Column.SCORE).data(SCORE_ROLE) is None
    assert model.index(1, Column.TITLE).data(ITEM_ROLE) == library[1]


def test_a_decision_change_repaints_only_its_rows(qtbot, model):
    library = items()
    load(qtbot, model, library)
    model.set_decisions([record(i, DecisionStatus.AUTO) for i in library])
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, _roles: changed.append((top.row(), bottom.row())))
    keys: list[set[str]] = []
    model.decisions_changed.connect(keys.append)
    model.update_decisions([record(library[3], DecisionStatus.ACCEPTED), record(library[4], DecisionStatus.ACCEPTED),
                            record(library[9], DecisionStatus.SKIPPED)])
    assert changed == [(3, 4), (9, 9)]
    assert keys == [{library[3].rating_key, library[4].rating_key, library[9].rating_key}]
    assert model.index(9, Column.STATUS).data() == "Skipped"


def test_counts_per_filter_and_what_a_push_would_take(qtbot, model):
    library = items()
    load(qtbot, model, library)
    model.set_decisions([record(library[0], DecisionStatus.AMBIGUOUS), record(library[1], DecisionStatus.AMBIGUOUS),
                         record(library[2], DecisionStatus.AUTO), record(library[3], DecisionStatus.ACCEPTED),
                         record(library[4], DecisionStatus.ACCEPTED, summary="  "),
                         record(library[5], DecisionStatus.FAILED), record(library[6], DecisionStatus.SKIPPED),
                         record(library[7], DecisionStatus.PUSHED), record(library[8], DecisionStatus.NO_MATCH)])
    counts = model.counts()
    assert counts[ReviewFilter.ALL] == len(library)
    assert [counts[f] for f in list(ReviewFilter)[1:]] == [2, 1, 1, 2, 1, 1, 1]
    assert model.approved_count() == 2  # auto + accepted with a summary


@pytest.fixture
def proxy(qtbot, model):
    library = items()
    load(qtbot, model, library)
    model.set_decisions([record(item, status) for item, status in zip(library, [
        DecisionStatus.AMBIGUOUS, DecisionStatus.AUTO, DecisionStatus.NO_MATCH, DecisionStatus.AMBIGUOUS] * 5,
        strict=False)])
    proxy = ReviewProxyModel()
    proxy.setSourceModel(model)
    return proxy


def shown_titles(proxy):
    return [proxy.index(r, Column.TITLE).data() for r in range(proxy.rowCount())]


def test_filters_and_search_narrow_the_rows(proxy, model):
    assert proxy.rowCount() == model.rowCount()
    proxy.set_review_filter(ReviewFilter.NEEDS_REVIEW)
    assert proxy.rowCount() == model.counts()[ReviewFilter.NEEDS_REVIEW] == 10
    assert all(proxy.status_at(r) is DecisionStatus.AMBIGUOUS for r in range(proxy.rowCount()))
    proxy.set_search_text("  FARG ")
    assert shown_titles(proxy) == ["Fargo"]
    proxy.set_search_text("memento")  # not one that needs review
    assert shown_titles(proxy) == []
    proxy.set_review_filter(ReviewFilter.ALL)
    proxy.set_search_text("e")
    assert shown_titles(proxy) == [t for t in TITLES if "e" in t.casefold()]


@pytest.mark.parametrize("column", list(Column))
@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_sorting_every_column(proxy, model, column, order):
    proxy.sort(column, order)
    keys = model.sort_keys(column)
    shown = [keys[model.row_of(proxy.item_at(r).rating_key)] for r in range(proxy.rowCount())]
    assert shown == sorted(shown, reverse=order == Qt.SortOrder.DescendingOrder)


def test_title_sort_ignores_case_and_equal_keys_go_by_title(proxy):
    proxy.sort(Column.TITLE)
    assert shown_titles(proxy)[:3] == ["Akira", "alien", "Amélie"]
    proxy.sort(Column.STATUS)
    needing = shown_titles(proxy)[:10]
    assert needing == sorted(needing, key=str.casefold)


def test_sorting_keeps_the_selection_on_its_item(proxy):
    selection = QItemSelectionModel(proxy)
    index = proxy.index(4, Column.TITLE)
    title = index.data()
    selection.select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
    proxy.sort(Column.TITLE, Qt.SortOrder.DescendingOrder)
    assert selection.currentIndex().data() == title
    assert [i.data() for i in selection.selectedRows(Column.TITLE)] == [title]
    assert selection.currentIndex().row() != 4


def test_a_filter_that_hides_a_row_invalidates_its_index(proxy):
    kept = QPersistentModelIndex(proxy.index(0, Column.TITLE))  # needs review
    gone = QPersistentModelIndex(proxy.index(1, Column.TITLE))  # auto
    proxy.set_review_filter(ReviewFilter.NEEDS_REVIEW)
    assert kept.isValid() and kept.data() == TITLES[0]
    assert not gone.isValid()


def test_decision_changes_move_rows_in_and_out_of_the_filter(proxy, model):
    proxy.set_review_filter(ReviewFilter.ACCEPTED)
    assert proxy.rowCount() == 0
    library = model.items
    model.update_decisions([record(library[1], DecisionStatus.ACCEPTED), record(library[2], DecisionStatus.ACCEPTED)])
    assert shown_titles(proxy) == [library[1].title, library[2].title]
    model.update_decisions([record(library[1], DecisionStatus.PUSHED)])
    assert shown_titles(proxy) == [library[2].title]


def test_a_decision_change_reorders_a_sorted_view(proxy, model):
    proxy.sort(Column.SCORE, Qt.SortOrder.DescendingOrder)
    library = model.items
    model.update_decisions([record(library[7], DecisionStatus.AUTO, score=0.99)])
    assert proxy.item_at(0) == library[7]


def test_pages_arriving_in_a_sorted_view_take_their_places(qtbot, model):
    proxy = ReviewProxyModel()
    proxy.setSourceModel(model)
    proxy.sort(Column.TITLE)
    load(qtbot, model, items())
    assert shown_titles(proxy) == sorted(TITLES, key=str.casefold)
    assert proxy.mapToSource(proxy.index(0, Column.YEAR)).row() == TITLES.index("Akira")
    assert proxy.mapFromSource(model.index(TITLES.index("Akira"), Column.YEAR)).row() == 0


def test_pages_arriving_unsorted_are_appended_through_the_filter(qtbot, model):
    proxy = ReviewProxyModel()
    proxy.setSourceModel(model)
    proxy.set_search_text("a")
    inserted: list[int] = []
    proxy.rowsInserted.connect(lambda _parent, first, last: inserted.append(last - first + 1))
    load(qtbot, model, items())
    assert shown_titles(proxy) == [t for t in TITLES if "a" in t.casefold()]
    assert sum(inserted) == proxy.rowCount() and len(inserted) > 1


def test_switching_library_resets_the_rows_but_keeps_the_decisions(qtbot, model):
    library = items()
    load(qtbot, model, library)
    model.set_decisions([record(library[0], DecisionStatus.ACCEPTED)])
    proxy = ReviewProxyModel()
    proxy.setSourceModel(model)
    load(qtbot, model, library[:3])
    assert proxy.rowCount() == model.rowCount() == 3
    assert model.index(0, Column.STATUS).data() == "Accepted"
    assert proxy.index(0, 0, QModelIndex()).isValid() and not proxy.index(3, 0).isValid()


def test_the_view_gets_each_cells_own_roles(proxy):
    """A delegate asks for every role of a cell at once, reusing one buffer from cell to cell:
    a role a cell does not have must come back empty, not as the previous cell's."""
    delegate = QStyledItemDelegate()
    status = QStyleOptionViewItem()
    delegate.initStyleOption(status, proxy.index(0, Column.STATUS))
    title = QStyleOptionViewItem()
    delegate.initStyleOption(title, proxy.index(0, Column.TITLE))
    year = QStyleOptionViewItem()
    delegate.initStyleOption(year, proxy.index(0, Column.YEAR))
    assert status.text == "Needs review" and not status.icon.isNull()
    assert title.text == TITLES[0] and title.icon.isNull()
    assert not title.displayAlignment & Qt.AlignmentFlag.AlignRight
    assert year.displayAlignment & Qt.AlignmentFlag.AlignRight
