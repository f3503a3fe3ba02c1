"""Settings round trip on the demo, the log viewer and the About box."""

from __future__ import annotations

import asyncio
import logging
import os

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from curator import preferences
from curator.app import build_context
from curator.demo.providers import OMDB_API_KEY
from curator.domain.policy import DEFAULT_MARGIN, DEFAULT_THRESHOLD
from curator.logs import LOG_FILE_NAME
from curator.ui.about_dialog import TMDB_NOTICE, AboutDialog, about_text
from curator.ui.log_viewer import LogViewer, read_tail
from curator.ui.settings_dialog import SettingsDialog
from tests.support.memory_keyring import memory_keyring


@pytest.fixture
def keyring_backend():
    with memory_keyring() as backend:
        yield backend


@pytest.fixture
def demo(qtbot, qloop, keyring_backend):
    executor = qasync.QThreadExecutor(2)
    qloop.set_default_executor(executor)
    context = build_context(demo=True)
    yield context
    closing = asyncio.ensure_future(context.aclose())
    qtbot.waitUntil(closing.done, timeout=5000)
    context.close()
    executor.shutdown()


def open_settings(qtbot, context):
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: bool(dialog.keys._original) and dialog.libraries.list.count() == 2, timeout=10_000)
    return dialog


def test_settings_round_trip(qtbot, demo, keyring_backend):
    os.environ.pop("CURATOR_OMDB_API_KEY")  # as if the user had no OMDb key yet
    dialog = open_settings(qtbot, demo)
    assert dialog.matching.threshold.value() == DEFAULT_THRESHOLD
    assert dialog.matching.margin.value() == DEFAULT_MARGIN
    assert dialog.matching.languages.values() == ["en"]
    assert dialog.keys.fields["OMDB_API_KEY"].text() == ""
    assert dialog.keys.fields["TMDB_API_KEY"].text()  # the demo's key, from its environment

    matching = dialog.matching
    matching.language_box.setEditText("de")
    qtbot.mouseClick(matching.add_language_button, Qt.MouseButton.LeftButton)
    matching.language_box.setEditText("nl")
    qtbot.mouseClick(matching.add_language_button, Qt.MouseButton.LeftButton)
    matching.language_box.setEditText("not a language")
    qtbot.mouseClick(matching.add_language_button, Qt.MouseButton.LeftButton)
    assert "language code" in matching.language_status.text()
    matching.languages.list.setCurrentRow(2)
    qtbot.mouseClick(matching.languages.up_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(matching.languages.up_button, Qt.MouseButton.LeftButton)
    assert matching.languages.values() == ["nl", "en", "de"]
    matching.movie_order.list.setCurrentRow(1)  # OMDb above TMDB
    qtbot.mouseClick(matching.movie_order.up_button, Qt.MouseButton.LeftButton)
    matching.movie_order.list.item(3).setCheckState(Qt.CheckState.Checked)  # and NPO POMS too
    matching.show_order.list.item(1).setCheckState(Qt.CheckState.Unchecked)  # no TMDB for shows
    matching.threshold.setValue(0.91)
    matching.margin.setValue(0.08)
    dialog.libraries.list.item(1).setCheckState(Qt.CheckState.Checked)
    dialog.keys.fields["OMDB_API_KEY"].setText(OMDB_API_KEY)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert dialog.result() == SettingsDialog.DialogCode.Accepted

    saved = preferences.load(demo.paths.data)
    assert saved == demo.prefs
    assert saved.summary_languages == ("nl", "en", "de")
    assert saved.movie_providers == ("omdb", "tmdb", "tvdb", "poms")
    assert saved.show_providers == ("tvdb", "tvmaze")
    assert (saved.threshold, saved.margin) == (0.91, 0.08)
    assert saved.library == "Movies" and saved.extra["libraries"] == ["Movies", "TV Shows"]
    assert keyring_backend.passwords == {("curator", "OMDB_API_KEY"): OMDB_API_KEY}  # unchanged keys not copied
    assert demo.match_settings().threshold == 0.91

    again = open_settings(qtbot, demo)
    assert again.matching.languages.values() == ["nl", "en", "de"]
    assert again.matching.movie_order.values(ticked_only=True) == ["omdb", "tmdb", "tvdb", "poms"]
    assert again.matching.show_order.values() == ["tvdb", "tvmaze", "tmdb", "omdb", "poms"]
    assert again.matching.threshold.value() == 0.91 and again.matching.margin.value() == 0.08
    assert again.libraries.chosen() == ["Movies", "TV Shows"]
    assert again.keys.fields["OMDB_API_KEY"].text() == OMDB_API_KEY
    again.keys.fields["OMDB_API_KEY"].clear()  # clearing a key forgets it
    again.matching.reset_thresholds()
    again.save()
    qtbot.waitUntil(lambda: not again.isVisible(), timeout=5000)
    assert keyring_backend.passwords == {}
    assert demo.prefs.threshold is None and demo.prefs.margin is None  # the defaults are not pinned


def test_cancel_changes_nothing(qtbot, demo, keyring_backend):
    before = preferences.load(demo.paths.data)
    dialog = open_settings(qtbot, demo)
    dialog.matching.threshold.setValue(0.99)
    dialog.keys.fields["FANART_API_KEY"].setText("something-new")
    dialog.reject()
    assert preferences.load(demo.paths.data) == before
    assert keyring_backend.passwords == {}


def test_settings_key_test_button(qtbot, demo):
    dialog = open_settings(qtbot, demo)
    dialog.tabs.setCurrentWidget(dialog.keys)
    dialog.keys.fields["TVDB_API_KEY"].setText("wrong-tvdb-key")
    qtbot.mouseClick(dialog.keys.test_buttons["tvdb"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "tvdb" in dialog.keys.checks, timeout=5000)
    result = dialog.keys.results["tvdb"].text()
    assert "TheTVDB" in result and "wrong-tvdb-key" not in result
    qtbot.mouseClick(dialog.keys.test_buttons["omdb"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "omdb" in dialog.keys.checks, timeout=5000)
    assert dialog.keys.checks["omdb"].works
    dialog.keys.fields["TVDB_API_KEY"].setText("typing clears the old result")
    dialog.keys.fields["TVDB_API_KEY"].textEdited.emit("x")
    assert "tvdb" not in dialog.keys.checks and not dialog.keys.results["tvdb"].isVisible()
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in dialog.findChildren(QLabel))
    dialog.reject()


def test_settings_connects_to_another_server_by_address(qtbot, demo, keyring_backend):
    described = demo.demo.describe()
    dialog = open_settings(qtbot, demo)
    connect = dialog.enter_address()
    connect.url_edit.setText(described["plex_url"])
    connect.token_edit.setText(described["plex_token"])
    connect.buttons.accepted.emit()
    qtbot.waitUntil(lambda: dialog.library is not None and not connect.isVisible(), timeout=10_000)
    assert demo.prefs.server_url == described["plex_url"] and demo.prefs.server_name == described["plex_name"]
    assert keyring_backend.passwords[("curator", "PLEX_TOKEN")] == described["plex_token"]
    qtbot.waitUntil(lambda: dialog.libraries.list.count() == 2, timeout=5000)
    dialog.reject()


def test_log_viewer_shows_the_end_of_the_log(qtbot, demo):
    opened = []
    logging.getLogger("curator.test").warning("a line the viewer must show <b>as text</b>")
    viewer = LogViewer(demo.paths, open_url=opened.append)
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitUntil(lambda: "a line the viewer must show" in viewer.text.toPlainText(), timeout=5000)
    assert viewer.text.isReadOnly()
    assert "<b>as text</b>" in viewer.text.toPlainText()
    assert viewer.source.text().endswith(LOG_FILE_NAME)
    logging.getLogger("curator.test").warning("written after opening")
    qtbot.mouseClick(viewer.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "written after opening" in viewer.text.toPlainText(), timeout=5000)
    qtbot.mouseClick(viewer.folder_button, Qt.MouseButton.LeftButton)
    assert [url.toLocalFile() for url in opened] == [str(demo.paths.logs)]


def test_read_tail_starts_at_a_whole_line(tmp_path):
    log = tmp_path / "x.log"
    log.write_text("".join(f"line {n}\n" for n in range(1000)), encoding="utf-8")
    tail = read_tail(log, max_bytes=100)
    assert tail.endswith("line 999\n") and tail.startswith("line ") and len(tail) <= 100
    assert read_tail(log) == log.read_text(encoding="utf-8")


def test_about_box_carries_the_attributions(qtbot):
    box = AboutDialog()
    qtbot.addWidget(box)
    text = box.text.toPlainText()
    assert TMDB_NOTICE == "This product uses the TMDB API but is not endorsed or certified by TMDB."
    assert TMDB_NOTICE in text and text == about_text()
    for required in ("Metadata provided by TheTVDB", "TVmaze", "CC BY-SA", "OMDb", "fanart.tv", "NPO", "VPRO",
                     "MIT"):
        assert required in text
    assert box.text.isReadOnly()
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in box.findChildren(QLabel)
               if label.pixmap().isNull())


def test_find_fills_the_poms_fields_with_the_published_key_and_save_keeps_it(qtbot, demo, keyring_backend):
    os.environ.pop("CURATOR_POMS_API_KEY")  # a user with no POMS key of their own
    os.environ.pop("CURATOR_POMS_API_SECRET")
    fake_poms = demo.demo.providers.poms
    fake_poms.rotate_credentials("published-key-7", "published-secret-7")  # what its pages publish now
    dialog = open_settings(qtbot, demo)
    keys = dialog.keys
    assert keys.fields["POMS_API_KEY"].text() == "" and keys.fields["POMS_API_SECRET"].text() == ""

    qtbot.mouseClick(keys.find_poms_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: keys.fields["POMS_API_KEY"].text() == "published-key-7", timeout=5000)
    assert keys.fields["POMS_API_SECRET"].text() == "published-secret-7"
    assert keys.results["poms"].text().startswith("✔ Found")
    assert keys.fields["POMS_API_SECRET"].echoMode() == keys.fields["POMS_API_SECRET"].EchoMode.Password
    pages_read = fake_poms.requests.total

    qtbot.mouseClick(keys.find_poms_button, Qt.MouseButton.LeftButton)  # again, within the minute
    qtbot.waitUntil(lambda: keys.results["poms"].text().startswith("✔ Found"), timeout=5000)
    assert fake_poms.requests.total == pages_read, "a second search within the cooldown reads no page"

    qtbot.mouseClick(keys.test_buttons["poms"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "poms" in keys.checks, timeout=5000)
    assert keys.checks["poms"].works
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert keyring_backend.passwords[("curator", "POMS_API_KEY")] == "published-key-7"
    assert keyring_backend.passwords[("curator", "POMS_API_SECRET")] == "published-secret-7"


def test_find_says_what_to_do_when_no_key_is_published(qtbot, demo):
    demo.demo.providers.poms.fail_next(5, 404, path_prefix="/static/")  # the config script is gone
    dialog = open_settings(qtbot, demo)
    before = dialog.keys.fields["POMS_API_KEY"].text()
    qtbot.mouseClick(dialog.keys.find_poms_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.keys.results["poms"].text().startswith("✖"), timeout=5000)
    assert "Enter a key and secret from the NPO" in dialog.keys.results["poms"].text()
    assert dialog.keys.fields["POMS_API_KEY"].text() == before  # nothing changed
    dialog.reject()
