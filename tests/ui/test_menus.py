"""The dialogs are reachable from the window's menus."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QDialog

from curator.app import build_context
from curator.ui.main_window import MainWindow
from curator.ui.menus import install_dialogs


@pytest.fixture
def window(qtbot, qloop):
    context = build_context(demo=True)
    main = MainWindow(context)
    install_dialogs(main)
    qtbot.addWidget(main)
    yield main
    main.tasks.cancel_all()
    closing = asyncio.ensure_future(context.aclose())
    qtbot.waitUntil(closing.done, timeout=5000)
    context.close()


@pytest.mark.parametrize("action", ["settings_action", "log_viewer_action", "about_action", "sign_in_action"])
def test_each_menu_entry_opens_its_dialog(qtbot, window, action):
    entry = getattr(window, action)
    assert entry.isVisible()
    entry.trigger()
    qtbot.waitUntil(lambda: any(isinstance(w, QDialog) and w.isVisible() for w in window.findChildren(QDialog)),
                    timeout=5000)
    for dialog in window.findChildren(QDialog):
        dialog.reject()


def test_statistics_view_shows_providers_and_runs(qtbot, window):
    from curator.ui.stats_dialog import StatsDialog

    window.connect_configured()
    qtbot.waitUntil(lambda: window.model.rowCount() >= 30, timeout=20_000)
    window.toggle_matching()
    context = window.context

    def tmdb_asked() -> bool:
        return context._providers is not None and context.providers.gateways["tmdb"].stats().requests > 0

    qtbot.waitUntil(tmdb_asked, timeout=20_000)
    dialog = StatsDialog(window.context, window)
    names = {dialog.providers.item(r, 0).text() for r in range(dialog.providers.rowCount())}
    assert "tmdb" in names
    tmdb_row = next(r for r in range(dialog.providers.rowCount()) if dialog.providers.item(r, 0).text() == "tmdb")
    assert int(dialog.providers.item(tmdb_row, 1).text()) > 0
