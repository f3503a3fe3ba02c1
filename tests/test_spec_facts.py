"""curator.spec states facts about the locked dependencies; they must hold for the lock as it is."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _spec_constant(name: str) -> str:
    found = re.search(rf'^{name} = "([^"]+)"', (ROOT / "curator.spec").read_text(encoding="utf-8"), re.MULTILINE)
    assert found, f"{name} not found in curator.spec"
    return found[1]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.split(r"[._]", text))


def test_the_macos_minimum_is_what_the_locked_qt_wheels_need():
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    needed = [
        _version(tag[1])
        for package in lock["package"] if package["name"] in ("pyside6-essentials", "shiboken6")
        for wheel in package.get("wheels", ())
        if (tag := re.search(r"-macosx_(\d+_\d+)_", wheel["url"]))
    ]
    assert needed, "no macOS wheel of PySide6 in uv.lock"
    assert _version(_spec_constant("MACOS_MINIMUM")) == max(needed)
