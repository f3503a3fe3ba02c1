"""Helpers shared by the benchmark scripts: start the demo servers in a child process and
report figures as JSON lines (make bench collects them)."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def demo_servers(*args: str) -> Iterator[dict[str, Any]]:
    """Run `curator demo-server ARGS` in a child process; yield the URLs and token it prints."""
    process = subprocess.Popen([sys.executable, "-m", "curator", "demo-server", *args],
                               stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the demo server did not start")
        yield json.loads(line)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports kilobytes, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def report(name: str, **figures: Any) -> None:
    """Print one human line and one JSON line (prefixed BENCH) per benchmark figure set."""
    human = ", ".join(f"{k}={v}" for k, v in figures.items())
    print(f"{name}: {human}")
    print("BENCH " + json.dumps({"name": name, "machine": machine(), **figures}))
