"""Render the documentation screenshots from the demo: ``python -m curator.ui.screenshots DIR``.

Runs offscreen with the demo's fake servers and a throw-away data folder and keyring, so the
user's own settings are never touched. Writes main-window.png, candidate-panel.png,
batch-dialog.png, first-run.png and settings.png into DIR.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend

WINDOW_SIZE = (1200, 760)
WIZARD_SIZE = (780, 520)
SETTINGS_SIZE = (900, 680)
TIMEOUT = 60.0


class ScreenshotError(RuntimeError):
    """The window no longer offers what a screenshot needs, or the demo did not get there."""


class _ThrowAwayKeyring(KeyringBackend):
    """A keyring in memory: the screenshots read the demo's keys and never touch the user's."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._values.pop((service, username), None)


def need(owner: Any, name: str) -> Any:
    """``owner.name``, or a ScreenshotError that says what is missing."""
    try:
        return getattr(owner, name)
    except AttributeError:
        raise ScreenshotError(f"{type(owner).__name__} has no {name!r}; curator/ui/screenshots.py needs "
                              "updating to the window's current API.") from None


async def wait_until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise ScreenshotError(f"Timed out after {timeout:.0f} s waiting for {what}.")
        await asyncio.sleep(0.05)


async def settle(seconds: float = 0.3) -> None:
    """Let queued paints and small background tasks (posters) finish."""
    await asyncio.sleep(seconds)


def save(widget: Any, folder: Path, name: str) -> Path:
    path = folder / name
    if not widget.grab().save(str(path)):
        raise ScreenshotError(f"Could not write {path}.")
    print(f"wrote {path} ({widget.width()}×{widget.height()})")
    return path


async def capture(folder: Path) -> list[Path]:
    from curator.app import build_context
    from curator.ui.first_run import SIGN_IN, FirstRunWizard
    from curator.ui.main_window import MainWindow
    from curator.ui.settings_dialog import SettingsDialog

    context = build_context(demo=True)
    written: list[Path] = []
    try:
        window = MainWindow(context)
        window.resize(*WINDOW_SIZE)
        window.show()
        await show_matched_library(window)
        written.append(save(window, folder, "main-window.png"))

        await select_ambiguous_item(window)
        written.append(save(window, folder, "candidate-panel.png"))

        dialog = need(window, "open_accept_above")()
        await settle()
        written.append(save(dialog, folder, "batch-dialog.png"))
        dialog.reject()

        context.demo.plextv.auto_approve_after(None)  # stay on the "waiting for approval" state
        wizard = FirstRunWizard(context, open_url=lambda _url: True)
        wizard.resize(*WIZARD_SIZE)
        wizard.show()
        wizard.next()
        if wizard.currentId() != SIGN_IN:
            raise ScreenshotError("The first-run wizard did not go to its sign-in page.")
        wizard.sign_in_page.sign_in.start()
        await wait_until(lambda: wizard.sign_in_page.sign_in.pin is not None, "a sign-in code from the demo")
        await settle()
        written.append(save(wizard, folder, "first-run.png"))
        wizard.reject()

        settings = SettingsDialog(context, parent=window)
        settings.resize(*SETTINGS_SIZE)
        settings.show()
        settings.tabs.setCurrentWidget(settings.keys)
        await wait_until(lambda: settings.keys.fields["TMDB_API_KEY"].text() != "", "the saved keys")
        settings.keys.test("tmdb")
        await wait_until(lambda: "tmdb" in settings.keys.checks, "the TMDB key test")
        await settle()
        written.append(save(settings, folder, "settings.png"))
        settings.reject()

        window.close()
    finally:
        await context.aclose()
        context.close()
    return written


async def show_matched_library(window: Any) -> None:
    """Connect to the demo, load the films, match them, and select an automatic match."""
    need(window, "connect_configured")()
    model = need(window, "model")
    await wait_until(lambda: bool(model.total) and model.rowCount() >= model.total, "the demo library to load")
    controller = need(window, "controller")
    finished: list[Any] = []
    need(controller, "match_finished").connect(finished.append)
    need(window, "toggle_matching")()
    await wait_until(lambda: bool(finished), "matching to finish")
    await wait_until(lambda: not need(controller, "matching_running"), "matching to stop")
    from PySide6.QtCore import Qt

    from curator.ui.library_model import Column

    need(window, "table").sortByColumn(need(Column, "TITLE"), Qt.SortOrder.AscendingOrder)
    row = row_with_a_changed_summary(window)
    if row is None:
        row = first_row_with(window, "AUTO")
    need(window, "select_row")(row if row is not None else 0)
    await settle(1.0)


async def select_ambiguous_item(window: Any) -> None:
    from curator.ui.library_model import ReviewFilter

    need(window, "set_review_filter")(ReviewFilter.NEEDS_REVIEW)
    row = first_row_with(window, "AMBIGUOUS")
    if row is None:
        raise ScreenshotError("The demo match left no item needing review.")
    need(window, "select_row")(row)
    await settle(1.5)  # posters come from the fake TMDB in the background


def row_with_a_changed_summary(window: Any) -> int | None:
    """An automatic match whose proposed summary differs from Plex's, so the panel shows the change."""
    from curator.domain.models import DecisionStatus

    proxy, model = need(window, "proxy"), need(window, "model")
    for row in range(proxy.rowCount()):
        item = need(proxy, "item_at")(row)
        record = need(model, "decision_for")(item.rating_key)
        if (record is not None and record.status is DecisionStatus.AUTO and item.summary
                and record.proposed_summary and record.proposed_summary != item.summary
                and latin_only(json.dumps(record.chosen, ensure_ascii=False))):
            return row
    return None


def latin_only(text: str) -> bool:
    """No characters that need fonts (CJK and the like) a build machine may not have."""
    return all(ord(character) < 0x2500 for character in text)


def first_row_with(window: Any, status_name: str) -> int | None:
    from curator.domain.models import DecisionStatus

    wanted = DecisionStatus[status_name]
    proxy = need(window, "proxy")
    status_at = need(proxy, "status_at")
    return next((row for row in range(proxy.rowCount()) if status_at(row) is wanted), None)


def release_widgets(app: Any) -> None:
    """Delete the windows while Qt still runs (left to the interpreter's exit, PySide may crash)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    for widget in app.topLevelWidgets():
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "docs/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import keyring
    import qasync
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    with tempfile.TemporaryDirectory(prefix="curator-screenshots-") as data:
        os.environ["CURATOR_DATA_DIR"] = data
        keyring.set_keyring(_ThrowAwayKeyring())
        app = QApplication.instance() or QApplication([sys.argv[0]])
        QApplication.setApplicationName("Curator")
        QApplication.setQuitOnLastWindowClosed(False)  # closing the window must not stop the loop mid-run
        icon = Path(__file__).resolve().parents[2] / "resources" / "icons" / "curator-256.png"
        if icon.is_file():
            QApplication.setWindowIcon(QIcon(str(icon)))
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        try:
            with loop:
                written = loop.run_until_complete(capture(folder))
        except ScreenshotError as err:
            print(f"screenshots: {err}", file=sys.stderr)
            return 1
        finally:
            release_widgets(app)
    print(f"{len(written)} screenshots in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
