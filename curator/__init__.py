"""Curator: review and fix the matches and summaries of a Plex Media Server library."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("curator")
except PackageNotFoundError:  # running from a frozen bundle or a source tree without install
    __version__ = "0.1.0"

APP_NAME = "Curator"
