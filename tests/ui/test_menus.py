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
