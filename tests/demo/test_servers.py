"""DemoServers: the fakes together, describe(), and the foreground runner (in a subprocess)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from curator.demo.plextv_server import FakePlexTv
from curator.demo.servers import DemoServers
from tests.demo.conftest import JSON, TLS

REPO = Path(__file__).resolve().parents[2]
RUN_FOREGROUND = "import sys; from curator.demo.servers import run_foreground; sys.exit(run_foreground(50, None))"


def test_describe_and_wiring() -> None:
    with DemoServers(items=120) as demo:
        description = demo.describe()
        assert description["plex_sections"] == {"1": "Movies", "2": "TV Shows", "3": "Synthetic"}
        env = description["env"]
        assert env["CURATOR_PLEXTV_URL"] == description["plextv_url"]
        assert env["CURATOR_PLEX_AUTH_APP_URL"] == f"{description['plextv_url']}/auth"
        for name in ("tmdb", "tvdb", "tvmaze", "omdb", "fanart"):
            assert env[f"CURATOR_{name.upper()}_URL"] == description[f"{name}_url"]
        assert {"CURATOR_TMDB_API_KEY", "CURATOR_TVDB_API_KEY", "CURATOR_OMDB_API_KEY"} <= set(env)
        with httpx.Client(verify=TLS, timeout=5) as http:
            synthetic = http.get(f"{description['plex_url']}/library/sections/3/all",
                                 headers={**JSON, "X-Plex-Token": description["plex_token"],
                                          "X-Plex-Container-Start": "0", "X-Plex-Container-Size": "0"})
            assert synthetic.json()["MediaContainer"]["totalSize"] == 120
            resources = http.get(f"{description['plextv_url']}/api/v2/resources",
                                 headers={"X-Plex-Client-Identifier": "t", "X-Plex-Token": description["plextv_token"]})
            (server,) = [d for d in resources.json() if d["clientIdentifier"] == description["plex_machine_identifier"]]
            assert server["accessToken"] == description["plex_token"]
            assert description["plex_url"] in [c["uri"] for c in server["connections"]]
            # the demo signs the user in by itself on the second poll
            demo.plextv.min_poll_interval = 0
            client = {"X-Plex-Client-Identifier": "t"}
            pin = http.post(f"{description['plextv_url']}/api/v2/pins?strong=true", headers=client).json()
            polls = [http.get(f"{description['plextv_url']}/api/v2/pins/{pin['id']}", headers=client).json()
                     for _ in range(2)]
            assert [poll["authToken"] for poll in polls] == [None, description["plextv_token"]]
            page = http.get(description["env"]["CURATOR_PLEX_AUTH_APP_URL"])
            assert page.status_code == 200 and "demo" in page.text
    assert not demo.plex.running and not demo.plextv.running


def test_later_fakes_add_entries() -> None:
    extra = FakePlexTv(account_token="other")
    with DemoServers() as demo:
        demo.add(extra, lambda: {"other_url": extra.url, "env": {"CURATOR_OTHER_URL": extra.url}})
        assert extra.running
        description = demo.describe()
        assert description["other_url"] == extra.url
        assert {"CURATOR_PLEXTV_URL", "CURATOR_PLEX_AUTH_APP_URL", "CURATOR_OTHER_URL"} <= set(description["env"])
    assert not extra.running


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_run_foreground_prints_one_json_line_and_stops_on_signal(sig: signal.Signals) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_FOREGROUND],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        description = json.loads(line)
        with httpx.Client(verify=TLS, timeout=5) as http:
            identity = http.get(f"{description['plex_url']}/identity", headers=JSON)
        assert identity.status_code == 200
        process.send_signal(sig)
        assert process.wait(timeout=10) == 0
        assert process.stdout.read() == ""  # nothing but the one line
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
