"""``curator --self-test``: the real round trip against the demo servers, its one-line report,
its failures (a step that breaks, a server that hangs), and that it leaves the process as found."""

from __future__ import annotations

import os
import subprocess
import sys

import keyring
import pytest
from keyring.backends import fail

import curator.app
from curator import selftest
from curator.selftest import run_self_test
from tests.support.memory_keyring import installed_keyring, memory_keyring


def curator_variables() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name.startswith("CURATOR_")}


def report_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture
def changed_demo(monkeypatch):
    """Apply a change to the demo servers the self-test starts; returns the servers started."""
    started = []
    start_demo = curator.app.start_demo

    def install(change):
        def start_changed(items=None):
            servers = start_demo(items)
            change(servers)
            started.append(servers)
            return servers

        monkeypatch.setattr(curator.app, "start_demo", start_changed)
        return started

    return install


def test_round_trip_passes_and_leaves_the_process_as_found(capsys):
    before = curator_variables()
    backend = keyring.get_keyring()
    with memory_keyring() as memory:
        assert run_self_test() == 0
    line = report_line(capsys)
    assert line.startswith("self-test ok: store v1, Qt 6.")
    assert ", keyring " in line
    assert "WARNING" not in line
    assert "demo films loaded" in line and "pushed, read back and reverted" in line
    assert memory.passwords == {}  # the round trip never wrote to the keyring
    assert curator_variables() == before  # the demo's endpoints and keys are gone again
    assert keyring.get_keyring() is backend
    assert not os.path.exists(os.path.join(os.environ["CURATOR_DATA_DIR"], "curator.sqlite3"))


def test_no_keyring_backend_is_a_warning_not_a_failure(capsys):
    with installed_keyring(fail.Keyring()):
        assert run_self_test() == 0
    line = report_line(capsys)
    assert line.startswith("self-test ok:")
    assert "WARNING: no keyring backend" in line


def test_a_refused_write_fails_the_push_step(capsys, changed_demo):
    started = changed_demo(lambda servers: servers.plex.fail_next(20, 500, method="PUT"))
    assert run_self_test() == 1
    assert report_line(capsys).startswith("self-test FAILED: push: Plex")
    assert started and not started[0].plex.running  # stopped despite the failure


def test_a_hung_server_fails_at_the_time_limit(capsys, changed_demo):
    changed_demo(lambda servers: servers.plex.set_latency(2.0))
    assert run_self_test(time_limit=0.3) == 1
    assert report_line(capsys) == "self-test FAILED: load: no answer within 0.3 s"


def test_no_match_fails_the_match_step(capsys, monkeypatch):
    before = curator_variables()

    async def no_matches(context, server, items):
        return []

    monkeypatch.setattr(selftest, "_match_step", no_matches)
    assert run_self_test() == 1
    assert report_line(capsys) == "self-test FAILED: match: none of 3 demo films found a candidate"
    assert curator_variables() == before


def test_command_line_prints_one_line_and_exits_zero(tmp_path):
    env = {name: value for name, value in os.environ.items() if not name.startswith("CURATOR_")}
    completed = subprocess.run([sys.executable, "-m", "curator", "--self-test"], capture_output=True, text=True,
                               env=env, timeout=60, check=False, cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.count("\n") == 1
    assert completed.stdout.startswith("self-test ok:")
