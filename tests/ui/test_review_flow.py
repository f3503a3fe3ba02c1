"""The review window on the demo, driven like a user drives it: clicks and keys. Match the
library, review an item that needs it, accept above a threshold, push (after confirming), check
the fake Plex, revert one push and check it is as it was."""

from __future__ import annotations

import asyncio
import csv
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from curator.app import build_context
from curator.domain.models import DecisionStatus
from curator.domain.text import sanitise_summary
from curator.services.review import preview_accept
from curator.ui.batch_dialogs import AcceptAboveDialog, PushDialog, RevertDialog
from curator.ui.candidate_panel import LookUpDialog, SearchAgainDialog
from curator.ui.library_model import Column, ReviewFilter
from curator.ui.main_window import MainWindow

TIMEOUT = 15_000


@pytest.fixture
def window(qtbot, qloop, monkeypatch):
    from curator.providers import base

    real = base.default_settings  # called lazily: the demo's CURATOR_*_URL are set by then
    monkeypatch.setattr("curator.app.default_settings", lambda: {
        name: replace(s, rate=base.Rate(2000, 1.0), concurrency=16) for name, s in real().items()})
    context = build_context(demo=True)
    for service in context.demo.providers.services:
        service.set_rate_limit(None)
    context.save_prefs(context.prefs.with_changes(threshold=0.80))  # some demo items then need review
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    window.connect_configured()
    qtbot.waitUntil(lambda: window.model.rowCount() == 37 and window.model.finished, timeout=TIMEOUT)
    qtbot.waitUntil(window.match_action.isEnabled, timeout=TIMEOUT)  # the services are ready
    window.table.setFocus()
    yield window
    window.close()
    closing = asyncio.ensure_future(context.aclose())
    qtbot.waitUntil(closing.done, timeout=5000)
    context.close()


def click_action(qtbot, window, action):
    qtbot.mouseClick(window.toolbar.widgetForAction(action), Qt.MouseButton.LeftButton)


def click_row(qtbot, window, row):
    rect = window.table.visualRect(window.proxy.index(row, Column.TITLE))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    window.table.setFocus()
    qtbot.keyClick(window.table, key, modifier)


def record_of(window, rating_key):
    return window.model.decision_for(rating_key)


def match_all(qtbot, window):
    click_action(qtbot, window, window.match_action)
    qtbot.waitUntil(lambda: not window.controller.matching_running
                    and len(window.model.decisions) == 37, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.match_bar.isHidden(), timeout=TIMEOUT)


def needing_review_with_choices(window):
    """Proxy rows (in the Needs review view) of items with at least two candidates."""
    rows = []
    for row in range(window.proxy.rowCount()):
        record = record_of(window, window.proxy.item_at(row).rating_key)
        if record is not None and len(record.candidates) >= 2:
            rows.append(row)
    return rows


def test_demo_from_match_to_push_and_revert(qtbot, window):
    plex = window.context.demo.plex
    match_all(qtbot, window)
    assert "matched 37 of 37" in window.messages.item(window.messages.count() - 1).text()
    counts = window.model.counts()
    assert counts[ReviewFilter.NEEDS_REVIEW] >= 1
    needing = counts[ReviewFilter.NEEDS_REVIEW]
    assert window.filter_buttons[ReviewFilter.NEEDS_REVIEW].text() == f"Needs review ({needing})"

    # Review one ambiguous item: pick the second candidate with the key "2".
    qtbot.mouseClick(window.filter_buttons[ReviewFilter.NEEDS_REVIEW], Qt.MouseButton.LeftButton)
    assert window.proxy.rowCount() == counts[ReviewFilter.NEEDS_REVIEW]
    row = needing_review_with_choices(window)[0]
    item = window.proxy.item_at(row)
    click_row(qtbot, window, row)
    record = record_of(window, item.rating_key)
    assert window.panel.item == item
    assert len(window.panel.cards) == len(record.candidates)
    assert window.panel.cards[1].use_button.text() == "Use this (2)"
    second = record.candidates[1]
    press(qtbot, window, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: record_of(window, item.rating_key).status is DecisionStatus.ACCEPTED, timeout=TIMEOUT)
    chosen = record_of(window, item.rating_key).chosen
    assert (chosen["provider"], chosen["provider_id"]) == (second["provider"], second["provider_id"])
    assert window.proxy.proxy_row_of(item.rating_key) is None  # it left the "Needs review" view
    assert window.filter_buttons[ReviewFilter.ACCEPTED].text() == "Accepted (1)"

    # Search again for another one, with an edited title (Ctrl+F, then the small dialog).
    if window.proxy.rowCount():
        other = window.proxy.item_at(0)
        click_row(qtbot, window, 0)
        press(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        dialog = window.current_dialog
        assert isinstance(dialog, SearchAgainDialog)
        dialog.title_edit.setText("The Matrix")
        dialog.year_box.setValue(1999)
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: (record_of(window, other.rating_key).chosen or {}).get("title") == "The Matrix",
                        timeout=TIMEOUT)
        # a search the user edited is never accepted on its own: it waits for review
        assert record_of(window, other.rating_key).status is DecisionStatus.AMBIGUOUS

    # Accept everything above a threshold: the count is live, then Apply.
    qtbot.mouseClick(window.filter_buttons[ReviewFilter.ALL], Qt.MouseButton.LeftButton)
    click_action(qtbot, window, window.accept_above_action)
    dialog = window.current_dialog
    assert isinstance(dialog, AcceptAboveDialog)
    dialog.threshold.spin.setValue(0.95)
    expected = preview_accept(window.model.decisions.values(), 0.95, dialog.margin.value())
    assert dialog.preview_label.text().startswith(f"{expected.accepted} items would be accepted")
    dialog.threshold.slider.setValue(99)  # the slider moves the spin box too
    assert dialog.threshold.value() == 0.99
    fewer = preview_accept(window.model.decisions.values(), 0.99, dialog.margin.value())
    assert dialog.preview_label.text().startswith(f"{fewer.accepted} item")
    dialog.threshold.spin.setValue(0.95)
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: all(record_of(window, key).status is DecisionStatus.ACCEPTED for key in expected.keys),
                    timeout=TIMEOUT)
    assert expected.accepted > 0

    # Push, after confirming.
    approved = {key: r for key, r in window.model.decisions.items()
                if r.status in (DecisionStatus.AUTO, DecisionStatus.ACCEPTED) and r.proposed_summary.strip()}
    target = item.rating_key  # the item reviewed above is reverted below
    before = (plex.summary(target), plex.locked_fields(target))
    assert window.push_action.text() == f"Push accepted ({len(approved)})…"
    click_action(qtbot, window, window.push_action)
    qtbot.waitUntil(lambda: isinstance(window.current_dialog, PushDialog), timeout=TIMEOUT)
    dialog = window.current_dialog
    assert dialog.question.text() == f"Push {len(approved)} summaries to “{window.library.server.name}”?"
    assert plex.put_counts() == {}  # nothing written before the confirmation
    qtbot.mouseClick(dialog.push_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running and dialog.results.count() == len(approved), timeout=TIMEOUT)
    assert dialog.cancel_button.text() == "Close"
    for key, pushed in approved.items():
        assert plex.summary(key) == sanitise_summary(pushed.proposed_summary)
        assert "summary" in plex.locked_fields(key)
    qtbot.waitUntil(lambda: all(record_of(window, key).status is DecisionStatus.PUSHED for key in approved),
                    timeout=TIMEOUT)
    row = window.model.row_of(target)
    assert window.model.item_at(row).summary == plex.summary(target)  # the panel's "now in Plex" is fresh
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # Close
    assert not dialog.isVisible()

    # Revert the reviewed item.
    click_action(qtbot, window, window.revert_action)
    qtbot.waitUntil(lambda: isinstance(window.current_dialog, RevertDialog), timeout=TIMEOUT)
    dialog = window.current_dialog
    assert dialog.table.rowCount() == len(approved)
    revert_row = next(i for i, entry in enumerate(dialog._entries) if entry.rating_key == target)
    assert dialog.table.item(revert_row, 0).text() == item.title
    dialog.table.selectRow(revert_row)
    assert dialog.revert_button.text() == "Revert 1 selected"
    qtbot.mouseClick(dialog.revert_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running and dialog.results.count() == 1, timeout=TIMEOUT)
    assert (plex.summary(target), plex.locked_fields(target)) == before
    qtbot.waitUntil(lambda: record_of(window, target).status is DecisionStatus.ACCEPTED, timeout=TIMEOUT)
    others = [key for key in approved if key != target]
    assert all("summary" in plex.locked_fields(key) for key in others)


def test_enter_accepts_an_edited_summary_and_moves_on(qtbot, window):
    match_all(qtbot, window)
    qtbot.mouseClick(window.filter_buttons[ReviewFilter.NEEDS_REVIEW], Qt.MouseButton.LeftButton)
    waiting = window.proxy.rowCount()
    item = window.proxy.item_at(0)
    click_row(qtbot, window, 0)
    window.panel.proposed_summary.setPlainText("My own words.")
    press(qtbot, window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: record_of(window, item.rating_key).status is DecisionStatus.ACCEPTED, timeout=TIMEOUT)
    assert record_of(window, item.rating_key).proposed_summary == "My own words."
    assert window.proxy.rowCount() == waiting - 1
    if waiting > 1:  # the next item needing review is selected
        qtbot.waitUntil(lambda: window.panel.item is not None and window.panel.item != item, timeout=TIMEOUT)


def test_skip_then_undo(qtbot, window):
    match_all(qtbot, window)
    click_row(qtbot, window, 0)
    item = window.proxy.item_at(0)
    status = record_of(window, item.rating_key).status
    press(qtbot, window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: record_of(window, item.rating_key).status is DecisionStatus.SKIPPED, timeout=TIMEOUT)
    assert window.model.index(window.model.row_of(item.rating_key), Column.STATUS).data() == "Skipped"
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: record_of(window, item.rating_key).status is status, timeout=TIMEOUT)


def test_accept_above_threshold_is_undone_by_one_ctrl_z(qtbot, window):
    match_all(qtbot, window)
    before = {key: record.status for key, record in window.model.decisions.items()}
    click_action(qtbot, window, window.accept_above_action)
    dialog = window.current_dialog
    assert isinstance(dialog, AcceptAboveDialog)
    dialog.threshold.spin.setValue(0.80)
    expected = preview_accept(window.model.decisions.values(), 0.80, dialog.margin.value())
    assert expected.accepted >= 2
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(record_of(window, key).status is DecisionStatus.ACCEPTED for key in expected.keys),
                    timeout=TIMEOUT)
    assert "Ctrl+Z puts them back" in window.messages.item(window.messages.count() - 1).text()
    window.activateWindow()  # back from the dialog (offscreen, activation is not handed back)
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT)
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: {key: record.status for key, record in window.model.decisions.items()} == before,
                    timeout=TIMEOUT)
    assert f"Undone: {expected.accepted:,} decisions" in window.messages.item(window.messages.count() - 1).text()


def test_never_auto_toggles_with_n(qtbot, window):
    match_all(qtbot, window)
    click_row(qtbot, window, 0)
    item = window.proxy.item_at(0)
    press(qtbot, window, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: record_of(window, item.rating_key).never_auto, timeout=TIMEOUT)
    assert window.panel.never_auto_button.isChecked()
    press(qtbot, window, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: not record_of(window, item.rating_key).never_auto, timeout=TIMEOUT)


def test_j_and_k_walk_the_items_needing_review(qtbot, window):
    match_all(qtbot, window)
    needing = [row for row in range(window.proxy.rowCount())
               if window.proxy.status_at(row) is DecisionStatus.AMBIGUOUS]
    assert len(needing) >= 2
    click_row(qtbot, window, 0 if needing[0] else 1)
    press(qtbot, window, Qt.Key.Key_J)
    first = window.selected_rows()
    assert first == [needing[0]] if needing[0] else [needing[1]]
    press(qtbot, window, Qt.Key.Key_J)
    press(qtbot, window, Qt.Key.Key_K)
    assert window.selected_rows() == first


def test_look_up_by_id(qtbot, window):
    match_all(qtbot, window)
    click_row(qtbot, window, 0)
    item = window.proxy.item_at(0)
    press(qtbot, window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = window.current_dialog
    assert isinstance(dialog, LookUpDialog)
    dialog.id_edit.setText("no such id")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "tt0133093" in dialog.error_label.text()  # checked before anything is sent
    dialog.id_edit.setText("tmdb:603")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [c["title"] for c in record_of(window, item.rating_key).candidates] == ["The Matrix"],
                    timeout=TIMEOUT)
    qtbot.waitUntil(lambda: [card.title_label.text() for card in window.panel.cards] == ["The Matrix (1999)"],
                    timeout=TIMEOUT)


def test_filters_count_and_search_narrows(qtbot, window):
    match_all(qtbot, window)
    counts = window.model.counts()
    assert sum(counts[f] for f in ReviewFilter if f is not ReviewFilter.ALL) == 37
    for review_filter, button in window.filter_buttons.items():
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert window.proxy.rowCount() == counts[review_filter], review_filter
    qtbot.mouseClick(window.filter_buttons[ReviewFilter.ALL], Qt.MouseButton.LeftButton)
    window.search.setText("nosferatu")
    assert 1 <= window.proxy.rowCount() < 37
    assert all("nosferatu" in window.proxy.item_at(r).title.casefold() for r in range(window.proxy.rowCount()))


def test_cancel_in_the_push_dialog_pushes_nothing(qtbot, window):
    match_all(qtbot, window)
    click_action(qtbot, window, window.push_action)
    qtbot.waitUntil(lambda: isinstance(window.current_dialog, PushDialog), timeout=TIMEOUT)
    dialog = window.current_dialog
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    QApplication.processEvents()
    assert window.context.demo.plex.put_counts() == {}


def test_cancel_stops_matching_after_the_items_in_flight(qtbot, window):
    for service in window.context.demo.providers.services:
        service.set_latency(0.2)
    click_action(qtbot, window, window.match_action)
    qtbot.waitUntil(lambda: window.match_bar.isVisible(), timeout=TIMEOUT)
    qtbot.mouseClick(window.match_bar.cancel_button, Qt.MouseButton.LeftButton)
    assert window.match_bar.cancel_button.text() == "Stop now"
    qtbot.waitUntil(lambda: not window.controller.matching_running, timeout=TIMEOUT)
    assert len(window.model.decisions) < 37
    assert "stopped" in window.messages.item(window.messages.count() - 1).text()
    assert window.library_box.isEnabled()


def test_keys_act_on_every_selected_item(qtbot, window):
    match_all(qtbot, window)
    qtbot.mouseClick(window.filter_buttons[ReviewFilter.NEEDS_REVIEW], Qt.MouseButton.LeftButton)
    assert window.proxy.rowCount() >= 3
    first, second, third = (window.proxy.item_at(row) for row in range(3))
    click_row(qtbot, window, 0)
    rect = window.table.visualRect(window.proxy.index(1, Column.TITLE))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     rect.center())
    assert window.selected_rows() == [0, 1]
    assert window.panel.heading.text() == "2 items selected"
    press(qtbot, window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: all(record_of(window, i.rating_key).status is DecisionStatus.ACCEPTED
                                for i in (first, second)), timeout=TIMEOUT)
    assert record_of(window, third.rating_key).status is DecisionStatus.AMBIGUOUS
    qtbot.mouseClick(window.filter_buttons[ReviewFilter.ALL], Qt.MouseButton.LeftButton)
    window.table.selectAll()
    press(qtbot, window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.model.counts()[ReviewFilter.SKIPPED] == 37, timeout=TIMEOUT)


def test_export_writes_every_decision(qtbot, window, tmp_path):
    match_all(qtbot, window)
    dialog = window.export_decisions()
    target = tmp_path / "decisions.csv"
    dialog.fileSelected.emit(str(target))
    qtbot.waitUntil(target.exists, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "Wrote 37 decisions" in window.messages.item(window.messages.count() - 1).text(),
                    timeout=TIMEOUT)
    dialog.reject()
    with target.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.reader(handle))) == 1 + 37
