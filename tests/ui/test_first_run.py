"""The first-run wizard on the demo: sign in with Plex through the fake plex.tv, pick the demo
server, tick libraries, test provider keys, choose languages, finish — and everything is saved."""

from __future__ import annotations

import asyncio
import dataclasses
import os

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from curator import preferences
from curator.app import build_context
from curator.demo.providers import TMDB_API_KEY
from curator.logs import log_files
from curator.ui.first_run import DONE, KEYS, LIBRARY, MATCHING, SERVER, SIGN_IN, FirstRunWizard, should_show_first_run
from tests.support.memory_keyring import memory_keyring

Next = QWizard.WizardButton.NextButton
Finish = QWizard.WizardButton.FinishButton


@pytest.fixture
def keyring_backend():
    with memory_keyring() as backend:
        yield backend


@pytest.fixture
def demo(qtbot, qloop, keyring_backend):
    executor = qasync.QThreadExecutor(2)  # for the keyring calls; shut down below so no thread outlives the test
    qloop.set_default_executor(executor)
    context = build_context(demo=True)
    # The demo hands Curator its keys through CURATOR_* variables; the wizard must get them from the user.
    for name in [name for name in os.environ if name.startswith("CURATOR_") and not name.endswith("_URL")]:
        del os.environ[name]
    yield context
    closing = asyncio.ensure_future(context.aclose())
    qtbot.waitUntil(closing.done, timeout=5000)
    context.close()
    executor.shutdown()


@pytest.fixture
def wizard(qtbot, demo):
    opened = []
    wizard = FirstRunWizard(demo, open_url=opened.append, poll_interval=0.55)
    wizard.opened = opened
    qtbot.addWidget(wizard)
    wizard.show()
    yield wizard
    wizard.tasks.cancel_all()


def click(qtbot, widget):
    assert widget.isVisible() and widget.isEnabled(), widget.text()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_the_wizard_sets_up_curator_from_sign_in_to_finish(qtbot, demo, wizard, keyring_backend, tmp_path):
    described = demo.demo.describe()
    click(qtbot, wizard.button(Next))
    assert wizard.currentId() == SIGN_IN
    assert not wizard.button(Next).isEnabled()  # not signed in yet

    # Sign in with Plex: the browser is sent to the (fake) plex.tv page; the demo approves on the 2nd poll.
    sign_in = wizard.sign_in_page.sign_in
    click(qtbot, sign_in.start_button)
    qtbot.waitUntil(lambda: sign_in.pin is not None, timeout=5000)
    assert sign_in.code_label.text() == sign_in.pin.code and sign_in.code_label.isVisible()
    assert "approve" in sign_in.status.text().lower()
    assert len(wizard.opened) == 1 and wizard.opened[0].toString().startswith(described["plextv_url"] + "/auth#?")
    assert sign_in.pin.code in wizard.opened[0].toString()
    qtbot.waitUntil(lambda: wizard.currentId() == SERVER, timeout=10_000)  # goes on by itself
    assert keyring_backend.passwords[("curator", "PLEX_TOKEN")] == described["plextv_token"]

    # The server picker lists the demo server (yours, local address works) and a friend's (no address).
    picker = wizard.server_page.picker
    qtbot.waitUntil(lambda: picker.selected() is not None, timeout=10_000)
    items = [picker.tree.topLevelItem(i) for i in range(picker.tree.topLevelItemCount())]
    rows = {item.text(0): item for item in items}
    assert set(rows) == {described["plex_name"], "Friend's Server"}
    assert rows[described["plex_name"]].text(1) == "Yours"
    assert rows[described["plex_name"]].text(2) == f"local: {described['plex_url']}"
    assert picker.tree.indexOfTopLevelItem(rows[described["plex_name"]]) == 0
    qtbot.waitUntil(lambda: rows["Friend's Server"].text(2) == "No address answered", timeout=10_000)
    assert picker.selected().server.name == described["plex_name"]
    click(qtbot, wizard.button(Next))
    qtbot.waitUntil(lambda: wizard.currentId() == LIBRARY, timeout=10_000)
    assert wizard.library is not None and wizard.library.server.name == described["plex_name"]
    assert keyring_backend.passwords[("curator", "PLEX_TOKEN")] == described["plex_token"]

    # Libraries: the first is ticked; tick the other too.
    libraries = wizard.library_page.picker
    qtbot.waitUntil(lambda: libraries.list.count() == 2, timeout=5000)
    assert libraries.chosen() == ["Movies"]
    libraries.list.item(1).setCheckState(Qt.CheckState.Checked)
    assert libraries.chosen() == ["Movies", "TV Shows"]
    click(qtbot, wizard.button(Next))
    assert wizard.currentId() == KEYS

    # Keys: the Test button makes one request to the (fake) TMDB.
    keys = wizard.keys_page.keys
    qtbot.waitUntil(lambda: "TMDB_API_KEY" in keys._original, timeout=5000)
    assert keys.fields["TMDB_API_KEY"].echoMode() == keys.fields["TMDB_API_KEY"].EchoMode.Password
    keys.fields["TMDB_API_KEY"].setText("not-a-valid-key")
    click(qtbot, keys.test_buttons["tmdb"])
    qtbot.waitUntil(lambda: "tmdb" in keys.checks, timeout=5000)
    assert not keys.checks["tmdb"].works
    result = keys.results["tmdb"].text()
    assert "TMDB" in result and "refused" in result and "not-a-valid-key" not in result
    assert keys.results["tmdb"].textFormat() == Qt.TextFormat.PlainText
    keys.fields["TMDB_API_KEY"].setText(TMDB_API_KEY)
    click(qtbot, keys.test_buttons["tmdb"])
    qtbot.waitUntil(lambda: "tmdb" in keys.checks, timeout=5000)
    assert keys.checks["tmdb"].works and keys.results["tmdb"].text().endswith("Works")
    click(qtbot, wizard.button(Next))
    assert wizard.currentId() == MATCHING

    # Languages: add Dutch and put it first; a stricter threshold.
    matching = wizard.matching_page.matching
    matching.language_box.setEditText("nl")
    click(qtbot, matching.add_language_button)
    matching.languages.list.setCurrentRow(1)
    click(qtbot, matching.languages.up_button)
    assert matching.languages.values() == ["nl", "en"]
    matching.threshold.setValue(0.9)
    click(qtbot, wizard.button(Next))
    assert wizard.currentId() == DONE
    summary = wizard.done_page.summary.text()
    assert described["plex_name"] in summary and "Movies, TV Shows" in summary and "TMDB" in summary

    click(qtbot, wizard.button(Finish))
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=5000)
    assert wizard.result() == QWizard.DialogCode.Accepted
    saved = preferences.load(demo.paths.data)
    assert saved.server_url == described["plex_url"] and saved.server_name == described["plex_name"]
    assert saved.library == "Movies" and saved.extra["libraries"] == ["Movies", "TV Shows"]
    assert saved.summary_languages == ("nl", "en") and saved.threshold == 0.9 and saved.margin is None
    assert keyring_backend.passwords[("curator", "TMDB_API_KEY")] == TMDB_API_KEY
    assert ("curator", "OMDB_API_KEY") not in keyring_backend.passwords
    assert not should_show_first_run(dataclasses.replace(demo, demo=None, prefs=saved))
    logged = "".join(path.read_text(encoding="utf-8") for path in log_files(demo.paths))
    assert "/configuration" in logged  # the key tests were logged…
    for secret in ("not-a-valid-key", TMDB_API_KEY, described["plex_token"], described["plextv_token"]):
        assert secret not in logged  # …without a key or token


def test_skipped_pages_keep_nothing(qtbot, demo, wizard, keyring_backend):
    click(qtbot, wizard.button(Next))
    click(qtbot, wizard.sign_in_page.sign_in.start_button)
    qtbot.waitUntil(lambda: wizard.currentId() == SERVER, timeout=10_000)
    qtbot.waitUntil(lambda: wizard.server_page.picker.selected() is not None, timeout=10_000)
    click(qtbot, wizard.button(Next))
    qtbot.waitUntil(lambda: wizard.currentId() == LIBRARY and bool(wizard.library_page.picker.chosen()), timeout=10_000)
    skip = wizard.button(QWizard.WizardButton.CustomButton1)
    assert not skip.isVisible()
    click(qtbot, wizard.button(Next))
    wizard.keys_page.keys.fields["OMDB_API_KEY"].setText("typed-but-skipped")
    click(qtbot, skip)
    assert wizard.currentId() == MATCHING
    wizard.matching_page.matching.threshold.setValue(0.95)
    click(qtbot, skip)
    assert wizard.currentId() == DONE and not skip.isVisible()
    click(qtbot, wizard.button(Finish))
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=5000)
    saved = preferences.load(demo.paths.data)
    assert saved.threshold is None and saved.library == "Movies"
    assert ("curator", "OMDB_API_KEY") not in keyring_backend.passwords


def test_address_and_token_instead_of_plex(qtbot, demo, wizard, keyring_backend):
    described = demo.demo.describe()
    click(qtbot, wizard.button(Next))
    wizard.sign_in_page.manual_choice.setChecked(True)
    manual = wizard.sign_in_page.manual
    manual.url_edit.setText(described["plex_url"])
    manual.token_edit.setText("wrong-token-value")
    click(qtbot, wizard.button(Next))
    qtbot.waitUntil(lambda: "token" in manual.status.text().lower(), timeout=10_000)
    assert wizard.currentId() == SIGN_IN and "wrong-token-value" not in manual.status.text()
    manual.token_edit.setText(described["plex_token"])
    click(qtbot, wizard.button(Next))
    qtbot.waitUntil(lambda: wizard.currentId() == LIBRARY, timeout=10_000)  # the server page is not needed
    assert keyring_backend.passwords[("curator", "PLEX_TOKEN")] == described["plex_token"]


def test_first_run_is_for_new_users_only(demo):
    assert not demo.prefs.server_url
    assert not should_show_first_run(demo)  # the demo brings its server
    fresh = dataclasses.replace(demo, demo=None)
    assert should_show_first_run(fresh)
    fresh.save_prefs(fresh.prefs.with_changes(server_url="http://192.168.1.10:32400"))
    assert not should_show_first_run(fresh)
