"""Text from Plex and the providers is shown exactly as it is: markup is never interpreted, in
the table, the candidate panel or the dialogs. Posters come only from http(s) addresses.
Differences between the summaries are marked on the plain text."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLabel, QWidget

from curator.domain.models import DecisionStatus, ItemPage, LibraryItem, MediaKind, PushState
from curator.services.publishing import PushOutcome, PushRequest
from curator.store.decisions import DecisionRecord
from curator.store.journal import PushEntry
from curator.ui.batch_dialogs import AcceptAboveDialog, PushDialog, RevertDialog
from curator.ui.candidate_panel import (
    ADDED_COLOUR,
    REMOVED_COLOUR,
    CandidatePanel,
    LookUpDialog,
    PosterLoader,
    SearchAgainDialog,
    word_diff,
)
from curator.ui.library_model import Column, LibraryTableModel
from curator.ui.tasks import TaskRunner

TITLE = 'The <b>Bold</b> <a href="https://evil.example/">One</a>'
ORIGINAL = "<i>Le Gras</i> & <u>co</u>"
SUMMARY = 'Now <b>in</b> Plex <img src="https://evil.example/x.png"> and <a href="https://evil.example/">a link</a>.'
PROPOSED = 'A <b>new</b> summary <img src=x onerror=alert(1)> with <a href="https://evil.example/">a link</a>.'


def hostile_item() -> LibraryItem:
    return LibraryItem(rating_key="1", kind=MediaKind.MOVIE, title=TITLE, year=1999, summary=SUMMARY,
                       locked_fields=frozenset({"summary"}))


def hostile_record() -> DecisionRecord:
    candidate = {"provider": "tmdb", "provider_id": "1", "kind": "movie", "title": TITLE, "year": 1999,
                 "original_title": ORIGINAL, "ids": {"imdb": "tt0000001", "tmdb": 1, "tvdb": None},
                 "summary": PROPOSED, "summary_language": "<en>", "poster_url": "javascript:alert(1)", "score": 0.9,
                 "parts": [{"name": "title", "weight": 0.6, "similarity": 1.0, "contribution": 0.6},
                           {"name": "year", "weight": 0.4, "similarity": 0.75, "contribution": 0.3}]}
    return DecisionRecord(server="s", rating_key="1", kind=MediaKind.MOVIE, title=TITLE,
                          status=DecisionStatus.AMBIGUOUS, chosen=candidate, candidates=(candidate, dict(candidate)),
                          score=0.9, score_parts={"reason": "ambiguous: 2 candidates within margin", "lead": 0.0,
                                                  "parts": {"title": 0.6}, "notes": ["<b>tvdb</b>: skipped"]},
                          proposed_summary=PROPOSED)


def assert_labels_are_plain(widget: QWidget) -> None:
    labels = widget.findChildren(QLabel)
    assert labels
    for label in labels:
        assert label.textFormat() == Qt.TextFormat.PlainText, repr(label.text())


def test_the_table_shows_titles_literally(qtbot, qloop):
    tasks = TaskRunner()
    model = LibraryTableModel(tasks)

    async def page(offset: int, size: int) -> ItemPage:
        return ItemPage((hostile_item(),), 0, 1)

    model.set_loader(page)
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
    model.set_decisions([hostile_record()])
    assert model.index(0, Column.TITLE).data() == TITLE
    assert model.index(0, Column.BEST).data() == f"{TITLE} (1999)"
    assert model.index(0, Column.LANGUAGE).data() == "<en>"
    for column in Column:  # tooltips guess at rich text: none carries provider text
        tip = model.index(0, column).data(Qt.ItemDataRole.ToolTipRole)
        assert tip is None or "<" not in tip


def test_the_candidate_panel_shows_everything_literally(qtbot):
    panel = CandidatePanel()
    qtbot.addWidget(panel)
    panel.show_item(hostile_item(), hostile_record())
    assert panel.heading.text() == f"{TITLE} (1999)"
    assert panel.current_summary.toPlainText() == SUMMARY
    assert panel.proposed_summary.toPlainText() == PROPOSED
    assert panel.current_summary.isReadOnly() and not panel.proposed_summary.isReadOnly()
    card = panel.cards[0]
    assert card.title_label.text() == f"{TITLE} (1999)"
    assert card.original_label.text() == ORIGINAL
    assert card.poster.text() == "No poster"  # not an http(s) address: never fetched
    assert panel.notes_label.text() == "<b>tvdb</b>: skipped"
    assert "<en>" in panel.proposed_info.text()
    assert_labels_are_plain(panel)
    for editor in (panel.current_summary, panel.proposed_summary):
        # no image, no anchor: the document holds one plain block of text
        assert editor.document().blockCount() == 1
        assert not editor.document().firstBlock().charFormat().isAnchor()


def test_the_window_shows_messages_literally(qtbot, qloop):
    from curator.app import build_context
    from curator.ui.main_window import MainWindow

    context = build_context()
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show_error(f"Could not push {TITLE}")
    assert window.status_label.text() == f"Could not push {TITLE}"
    assert window.messages.item(window.messages.count() - 1).text().endswith(f"⚠ Could not push {TITLE}")
    assert_labels_are_plain(window)
    window.close()
    context.close()


def test_summaries_are_marked_word_by_word_on_the_plain_text(qtbot):
    removed, added = word_diff("the quick brown fox jumps", "the slow brown fox leaps high")
    assert removed == [(4, 9), (20, 25)]
    assert added == [(4, 8), (19, 29)]
    panel = CandidatePanel()
    qtbot.addWidget(panel)
    item = LibraryItem(rating_key="1", kind=MediaKind.MOVIE, title="X", summary="the quick brown fox jumps")
    record = replace_summary(hostile_record(), "the slow brown fox leaps high")
    panel.show_item(item, record)
    assert panel.proposed_summary.document().availableUndoSteps() == 0  # marks are not edits
    marks = panel.current_summary.extraSelections()
    assert [(m.cursor.selectionStart(), m.cursor.selectionEnd()) for m in marks] == removed
    assert all(m.format.background().color() == REMOVED_COLOUR for m in marks)
    new_marks = panel.proposed_summary.extraSelections()
    assert [(m.cursor.selectionStart(), m.cursor.selectionEnd()) for m in new_marks] == added
    assert all(m.format.background().color() == ADDED_COLOUR for m in new_marks)
    panel.proposed_summary.setPlainText("the quick brown fox jumps")  # edited back: nothing differs
    qtbot.waitUntil(lambda: not panel.proposed_summary.extraSelections(), timeout=2000)
    assert panel.edited_summary() == "the quick brown fox jumps"


def replace_summary(record: DecisionRecord, text: str) -> DecisionRecord:
    from dataclasses import replace

    return replace(record, proposed_summary=text)


def test_dialogs_show_provider_text_literally(qtbot, qloop):
    tasks = TaskRunner()
    item = hostile_item()
    search, look_up = SearchAgainDialog(item), LookUpDialog(item)
    for dialog in (search, look_up):
        qtbot.addWidget(dialog)
        assert_labels_are_plain(dialog)
    assert search.title_edit.text() == TITLE
    assert any(TITLE in label.text() for label in look_up.findChildren(QLabel))

    async def never(*_args: object) -> list[PushOutcome]:
        return []

    push = PushDialog(tasks, [PushRequest("1", PROPOSED)], server_name="<b>Server</b>", title_of=lambda _k: TITLE,
                      push=never)
    qtbot.addWidget(push)
    assert push.question.text() == "Push 1 summary to “<b>Server</b>”?"
    assert push.planned.item(0).text().startswith(f"{TITLE} — A <b>new</b>")
    assert_labels_are_plain(push)
    push.show_outcome(1, 1, PushOutcome("1", False, "<b>refused</b>"))
    assert push.results.item(0).text() == f"✗ {TITLE} — <b>refused</b>"

    entry = PushEntry(id=1, server="s", rating_key="1", section_key="1", kind=MediaKind.MOVIE,
                      previous_summary=SUMMARY, previous_locked=False, new_summary=PROPOSED, state=PushState.DONE,
                      error="", created_at=time.time(), updated_at=time.time())
    revert = RevertDialog(tasks, [entry], title_of=lambda _k: TITLE, revert=never)
    qtbot.addWidget(revert)
    assert revert.table.item(0, 0).text() == TITLE
    assert revert.table.item(0, 2).text().startswith("Now <b>in</b> Plex <img")
    assert_labels_are_plain(revert)

    accept = AcceptAboveDialog(tasks, [hostile_record()], threshold=0.8, margin=0.0, apply=never)  # type: ignore[arg-type]
    qtbot.addWidget(accept)
    assert_labels_are_plain(accept)


def png_bytes() -> bytes:
    image = QImage(4, 6, QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def test_posters_come_only_from_web_addresses_and_are_cached_on_disk(qapp, tmp_path):
    seen: list[str] = []
    image = png_bytes()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/missing.png":
            return httpx.Response(404)
        if request.url.path == "/huge.png":
            return httpx.Response(200, content=b"x" * (PosterLoader.MAX_BYTES + 1))
        return httpx.Response(200, content=image)

    async def scenario():
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            loader = PosterLoader(lambda: client, tmp_path / "posters")
            for url in ("file:///etc/passwd", "javascript:alert(1)", "ftp://example.org/p.png", ""):
                assert await loader.pixmap(url) is None
            assert seen == []
            first = await loader.pixmap("https://img.example/p.png")
            assert first is not None and first.width() == 4
            assert await loader.pixmap("https://img.example/missing.png") is None
            assert await loader.pixmap("https://img.example/huge.png") is None
            again = PosterLoader(lambda: client, tmp_path / "posters")  # a new start: read from disk
            assert (await again.pixmap("https://img.example/p.png")).height() == 6
        return loader

    loader = asyncio.run(scenario())
    assert seen == ["https://img.example/p.png", "https://img.example/missing.png", "https://img.example/huge.png"]
    assert loader.path_for("https://img.example/p.png").read_bytes() == image
    assert not loader.path_for("https://img.example/huge.png").exists()


@pytest.mark.parametrize("url", ["http://a/p.png", "https://a/p.png"])
def test_the_panel_asks_for_web_posters(qtbot, qloop, tmp_path, url):
    asked: list[str] = []

    class Recording(PosterLoader):
        async def pixmap(self, wanted: str):
            asked.append(wanted)
            return None

    panel = CandidatePanel(Recording(lambda: None, tmp_path))  # type: ignore[arg-type, return-value]
    qtbot.addWidget(panel)
    record = hostile_record()
    candidates = tuple({**c, "poster_url": url} for c in record.candidates)
    from dataclasses import replace

    panel.show_item(hostile_item(), replace(record, candidates=candidates))
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=2000)
    qtbot.waitUntil(lambda: panel.cards[0].poster.text() == "No poster", timeout=2000)
