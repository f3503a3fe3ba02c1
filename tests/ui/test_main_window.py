"""The main window on the demo server: the library table fills page by page, errors show in
the messages area, and the app keeps running."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt

from curator.app import build_context
from curator.ui.library_model import Column
from curator.ui.main_window import MainWindow


@pytest.fixture
def demo_window(qtbot, qloop):
    context = build_context(demo=True)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.tasks.cancel_all()
    closing = asyncio.ensure_future(context.aclose())
    qtbot.waitUntil(closing.done, timeout=5000)
    context.close()


def test_demo_library_is_listed(qtbot, demo_window, tmp_path):
    demo_window.connect_configured()
    qtbot.waitUntil(lambda: demo_window.model.rowCount() >= 30, timeout=10_000)
    model = demo_window.model
    titles = {model.index(row, Column.TITLE).data() for row in range(model.rowCount())}
    assert {"The Matrix", "Tegenlicht"} - titles == {"Tegenlicht"}  # shows are in the other library
    assert model.headerData(Column.BEST, Qt.Orientation.Horizontal) == "Best candidate"
    statuses = {model.index(row, Column.STATUS).data() for row in range(model.rowCount())}
    assert statuses == {"Not matched yet"}
    assert "37 of 37" in demo_window.status_label.text()
    assert demo_window.grab().save(str(tmp_path / "main-window.png"))

    demo_window.library_box.setCurrentIndex(1)
    qtbot.waitUntil(lambda: demo_window.model.rowCount() == 3, timeout=10_000)
    assert demo_window.model.index(0, Column.TYPE).data() == "show"


def test_search_box_filters_titles(qtbot, demo_window):
    demo_window.connect_configured()
    qtbot.waitUntil(lambda: demo_window.model.rowCount() >= 30, timeout=10_000)
    demo_window.search.setText("nosferatu")
    assert 1 <= demo_window.proxy.rowCount() < demo_window.model.rowCount()


def test_lazy_paging_fetches_more_as_needed(qtbot, demo_window):
    demo_window.model._page_size = 10
    demo_window.connect_configured()
    qtbot.waitUntil(lambda: demo_window.model.rowCount() >= 10, timeout=10_000)
    assert demo_window.model.total == 37
    while demo_window.model.canFetchMore():
        demo_window.model.fetchMore()
        qtbot.waitUntil(lambda: not demo_window.model.loading, timeout=10_000)
    assert demo_window.model.rowCount() == 37


def test_wrong_token_in_the_connect_dialog_shows_an_error_and_the_app_goes_on(qtbot, demo_window):
    dialog = demo_window.show_connect_dialog()
    dialog.url_edit.setText(demo_window.context.plex_url())
    dialog.token_edit.setText("definitely-wrong-token")
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "token" in dialog.status.text().lower() and dialog.buttons.isEnabled(), timeout=10_000)
    assert dialog.isVisible()
    assert "definitely-wrong-token" not in dialog.status.text()
    assert demo_window.messages.count() >= 1
    dialog.reject()
    demo_window.connect_configured()  # still alive and able to work
    qtbot.waitUntil(lambda: demo_window.model.rowCount() >= 30, timeout=10_000)


def test_unreachable_server_in_the_connect_dialog(qtbot, demo_window):
    dialog = demo_window.show_connect_dialog()
    dialog.url_edit.setText("http://127.0.0.1:9")
    dialog.token_edit.setText("some-token-value")
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "connect" in dialog.status.text().lower() and dialog.buttons.isEnabled(), timeout=10_000)
    dialog.reject()


def test_connect_dialog_saves_the_token_in_the_keyring(qtbot, demo_window):
    from tests.support.memory_keyring import MemoryKeyring, installed_keyring

    backend = MemoryKeyring()
    with installed_keyring(backend):
        dialog = demo_window.show_connect_dialog()
        dialog.url_edit.setText(demo_window.context.plex_url())
        dialog.token_edit.setText(demo_window.context.plex_token())
        dialog.buttons.accepted.emit()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
        assert demo_window.context.secrets.get("PLEX_TOKEN") == demo_window.context.plex_token()
    assert demo_window.context.prefs.server_url == demo_window.context.plex_url()
