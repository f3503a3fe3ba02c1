"""Sign in with Plex against the fake plex.tv: cancel, expiry with "Try again", no keyring, and
the whole dialog from code to connected server."""

from __future__ import annotations

import asyncio

import keyring
import pytest
import qasync
from keyring.backends import fail
from PySide6.QtCore import Qt

from curator.app import build_context
from curator.services import setup
from curator.ui.plex_signin import PlexSignInDialog, PlexSignInWidget
from curator.ui.tasks import TaskRunner
from tests.support.memory_keyring import installed_keyring, memory_keyring

POLL = 0.55  # the fake plex.tv refuses polls closer than 0.5 s apart


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


@pytest.fixture
def widget(qtbot, demo):
    demo.demo.plextv.auto_approve_after(None)  # these tests approve (or not) by hand
    tasks = TaskRunner()
    opened = []
    plextv = setup.plextv_client(demo.http, demo.prefs.client_identifier)
    widget = PlexSignInWidget(tasks, plextv, demo.secrets, open_url=opened.append, poll_interval=POLL)
    widget.opened = opened
    widget.errors = []
    tasks.failed.connect(widget.errors.append)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.cancel_wait()


def click(qtbot, button):
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_for_code(qtbot, widget):
    qtbot.waitUntil(lambda: widget.pin is not None, timeout=5000)
    assert widget.state == "waiting"
    assert widget.code_label.text() == widget.pin.code
    assert "waiting for you to approve" in widget.status.text().lower()
    assert widget.busy.isVisible() and widget.cancel_button.isVisible()


def test_cancel_stops_waiting(qtbot, demo, widget):
    click(qtbot, widget.start_button)
    wait_for_code(qtbot, widget)
    plextv = demo.demo.plextv
    qtbot.waitUntil(lambda: plextv.pin(widget.pin.id).polls >= 1, timeout=5000)
    task = widget._task
    click(qtbot, widget.cancel_button)
    assert widget.state == "idle" and "cancelled" in widget.status.text().lower()
    assert widget.start_button.isVisible() and not widget.cancel_button.isVisible()
    qtbot.waitUntil(task.done, timeout=2000)
    assert task.cancelled()
    polls = plextv.pin(widget.pin.id).polls
    plextv.approve_pin(widget.pin.id)
    qtbot.wait(int(POLL * 2000))  # a cancelled wait polls no more and signs nobody in
    assert plextv.pin(widget.pin.id).polls == polls
    assert widget.token is None and widget.errors == []


def test_an_expired_code_says_so_and_try_again_signs_in(qtbot, demo, widget, keyring_backend):
    signed_in = []
    widget.signed_in.connect(signed_in.append)
    click(qtbot, widget.start_button)
    wait_for_code(qtbot, widget)
    first = widget.pin
    assert len(widget.opened) == 1 and first.code in widget.opened[0].toString()
    demo.demo.plextv.expire_pin(first.id)
    qtbot.waitUntil(lambda: widget.state == "expired", timeout=5000)
    assert "expired" in widget.status.text().lower()
    assert widget.retry_button.isVisible() and widget.retry_button.text() == "Try again"
    assert not widget.busy.isVisible() and widget.errors == []  # an outcome, not an error

    click(qtbot, widget.retry_button)
    qtbot.waitUntil(lambda: widget.pin is not None and widget.pin.id != first.id, timeout=5000)
    assert len(widget.opened) == 2 and widget.pin.code in widget.opened[1].toString()
    demo.demo.plextv.approve_pin(widget.pin.id)
    qtbot.waitUntil(lambda: widget.state == "signed_in", timeout=5000)
    token = demo.demo.describe()["plextv_token"]
    assert signed_in == [token] and widget.token == token
    assert keyring_backend.passwords[("curator", "PLEX_TOKEN")] == token
    assert widget.status.text() == "Signed in to Plex."


def test_without_a_keyring_the_sign_in_works_and_says_the_token_was_not_kept(qtbot, demo, widget):
    with installed_keyring(fail.Keyring()):
        assert isinstance(keyring.get_keyring(), fail.Keyring)
        click(qtbot, widget.start_button)
        wait_for_code(qtbot, widget)
        demo.demo.plextv.approve_pin(widget.pin.id)
        qtbot.waitUntil(lambda: widget.state == "signed_in", timeout=5000)
    assert widget.token == demo.demo.describe()["plextv_token"]
    assert "keyring" in widget.note.lower() and "CURATOR_PLEX_TOKEN" in widget.note
    assert widget.status.text() == widget.note
    assert widget.token not in widget.note


def test_the_dialog_signs_in_picks_the_server_and_saves_it(qtbot, demo, keyring_backend):
    described = demo.demo.describe()
    opened = []
    dialog = PlexSignInDialog(demo, open_url=opened.append, poll_interval=POLL)  # the demo approves on poll 2
    qtbot.addWidget(dialog)
    dialog.show()
    click(qtbot, dialog.sign_in.start_button)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.picker, timeout=10_000)
    qtbot.waitUntil(lambda: dialog.connect_button.isEnabled(), timeout=10_000)
    assert dialog.picker.selected().server.name == described["plex_name"]
    assert dialog.picker.tree.topLevelItem(0).text(2).startswith("local: http://127.0.0.1:")
    click(qtbot, dialog.connect_button)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert dialog.result() == PlexSignInDialog.DialogCode.Accepted
    assert dialog.library is not None and dialog.library.server.name == described["plex_name"]
    assert demo.prefs.server_url == described["plex_url"] and demo.prefs.server_name == described["plex_name"]
    assert keyring_backend.passwords[("curator", "PLEX_TOKEN")] == described["plex_token"]


def test_closing_the_dialog_cancels_the_wait(qtbot, demo):
    demo.demo.plextv.auto_approve_after(None)
    dialog = PlexSignInDialog(demo, open_url=lambda _url: True, poll_interval=POLL)
    qtbot.addWidget(dialog)
    dialog.show()
    click(qtbot, dialog.sign_in.start_button)
    qtbot.waitUntil(lambda: dialog.sign_in.pin is not None, timeout=5000)
    task = dialog.sign_in._task
    dialog.reject()
    qtbot.waitUntil(task.done, timeout=2000)
    assert task.cancelled() and not dialog.tasks.busy
