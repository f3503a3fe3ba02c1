"""Check a built bundle before it ships: no test data, no evaluation data, nothing that looks
like a key, and (optionally) no more megabytes than budgeted.

    uv run python tools/check_bundle.py [dist/curator] [--list] [--max-mb 120]

Every file is listed (``--list`` prints them) and judged by its path — test folders and
fixtures, ``*.jsonl`` and MovieLens files, evaluation folders, ``.env`` files, databases —
and, when it is text (no NUL byte in its first 8 KiB), by its content: JWT-like tokens over
100 characters (TMDB read tokens start ``eyJ``), 32-hex API keys next to ``api_key``, Plex
tokens, private-key blocks. When PyInstaller is importable (``--group dist``), the Python
modules packed inside the executables are judged the same way, by module name and content.

Exit status: 0 clean, 1 offenders (each printed with its reason), 2 no bundle there.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

TARGET_MB = 120.0
TEXT_SNIFF_BYTES = 8192
MAX_SCANNED_BYTES = 8 * 1024 * 1024  # larger files are data libraries (ICU), never hand-written text

TEST_FOLDERS = frozenset({"tests", "test", "fixtures", "cassettes", "testdata", "test_data"})
EVAL_FOLDERS = frozenset({"eval", "evaluation"})
SECRET_FILE = re.compile(r"^(\.env(\..+)?|\.netrc|\.pypirc|id_(rsa|dsa|ecdsa|ed25519))$|\.(p12|pfx)$", re.IGNORECASE)
DATABASE_FILE = re.compile(r"\.(sqlite3?|db)(-wal|-shm)?$", re.IGNORECASE)
KEY_PATTERNS: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("a JWT-like token (a TMDB read token starts eyJ)",
     re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("a 32-hex API key next to api_key",
     re.compile(rb"api[_-]?key[\"'\s]*[:=]\s*[\"']?[0-9a-fA-F]{32}(?![0-9a-fA-F])", re.IGNORECASE)),
    ("a Plex token",
     re.compile(rb"x-plex-token[\"'\s]*[:=]\s*[\"']?[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])", re.IGNORECASE)),
    ("a private key", re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
)
JWT_MIN_LENGTH = 100  # shorter ones are the demo's placeholders, e.g. "eyJhbGciOiJub25lIn0…demo"


@dataclass(frozen=True, slots=True)
class Offender:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Report:
    files: int
    total_bytes: int
    archive_members: int
    offenders: tuple[Offender, ...]
    archives_checked: bool

    @property
    def total_mb(self) -> float:
        return self.total_bytes / 1e6


def path_offence(relative: PurePosixPath) -> str | None:
    """Why a file may not ship, judged by its path alone; None when the path is fine."""
    folders = {part.lower() for part in relative.parts[:-1]}
    name = relative.name.lower()
    if folders & TEST_FOLDERS or name == "conftest.py":
        return "test data"
    if name.endswith(".jsonl") or name.startswith("movielens") or folders & EVAL_FOLDERS:
        return "evaluation data"
    if SECRET_FILE.search(relative.name):
        return "a secrets file"
    if DATABASE_FILE.search(name):
        return "a database file (may hold a user's data)"
    return None


def content_offence(data: bytes) -> str | None:
    """What in ``data`` looks like a key; None when nothing does."""
    for description, pattern in KEY_PATTERNS:
        for match in pattern.finditer(data):
            if description.startswith("a JWT") and len(match.group()) <= JWT_MIN_LENGTH:
                continue
            return description
    return None


def is_text(head: bytes) -> bool:
    return b"\0" not in head


def file_offence(path: Path, relative: PurePosixPath) -> str | None:
    reason = path_offence(relative)
    if reason is not None:
        return reason
    if path.stat().st_size > MAX_SCANNED_BYTES:
        return None
    data = path.read_bytes()
    if not is_text(data[:TEXT_SNIFF_BYTES]):
        return None
    return content_offence(data)


def bundle_files(bundle: Path) -> Iterator[Path]:
    """Every regular file under ``bundle`` (symbolic links are other names for files in it)."""
    for folder, _dirs, names in os.walk(bundle):
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


def archive_members(executable: Path) -> Iterator[tuple[str, bytes]]:
    """(name, data) of each entry PyInstaller packed into ``executable``, with the modules of
    its PYZ as ``<pyz>/<dotted.module.name>`` (marshalled code: its strings are readable)."""
    from PyInstaller.archive.readers import PKG_ITEM_PYZ, CArchiveReader

    package = CArchiveReader(str(executable))
    for name, entry in package.toc.items():
        if entry[-1] == PKG_ITEM_PYZ:
            pyz = package.open_embedded_archive(name)
            for module in pyz.toc:
                yield f"{name}/{module}", pyz.extract(module, raw=True) or b""
        elif entry[-1] != "o":  # runtime options have no data
            yield name, package.extract(name)


def member_offence(name: str, data: bytes) -> str | None:
    archive, _, module = name.partition("/")
    dotted = PurePosixPath(*module.split(".")) if module else PurePosixPath(archive)
    as_path = PurePosixPath(str(dotted) + ".py") if module else dotted
    return path_offence(as_path) or content_offence(data)


def executables(bundle: Path) -> list[Path]:
    """Files that may carry a PyInstaller archive: extension-less or .exe files at the top of
    the bundle (or in a macOS app's Contents/MacOS)."""
    folders = [bundle, bundle / "Contents" / "MacOS"]
    return [path for folder in folders if folder.is_dir() for path in sorted(folder.iterdir())
            if path.is_file() and path.suffix.lower() in ("", ".exe")]


def check(bundle: Path, *, listing: list[str] | None = None) -> Report:
    offenders: list[Offender] = []
    files = total = 0
    for path in bundle_files(bundle):
        relative = PurePosixPath(path.relative_to(bundle).as_posix())
        size = path.stat().st_size
        files, total = files + 1, total + size
        if listing is not None:
            listing.append(f"{size:>12,}  {relative}")
        reason = file_offence(path, relative)
        if reason is not None:
            offenders.append(Offender(str(relative), reason))
    members, archives_checked = 0, True
    try:
        from PyInstaller.archive.readers import NotAnArchiveError
        from PyInstaller.loader.pyimod01_archive import ArchiveReadError
    except ImportError:
        archives_checked = False
    else:
        for executable in executables(bundle):
            try:
                for name, data in archive_members(executable):
                    members += 1
                    reason = member_offence(name, data)
                    if reason is not None:
                        offenders.append(Offender(f"{executable.name}::{name}", reason))
            except (ArchiveReadError, NotAnArchiveError, ValueError, OSError):
                continue  # not a PyInstaller executable
    return Report(files, total, members, tuple(offenders), archives_checked)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle", nargs="?", type=Path, default=Path("dist") / "curator")
    parser.add_argument("--list", action="store_true", help="print every file with its size")
    parser.add_argument("--max-mb", type=float, default=None, help="fail when the bundle is larger")
    args = parser.parse_args(argv)
    if not args.bundle.is_dir():
        print(f"check_bundle: no bundle folder at {args.bundle} (run 'make dist' first)", file=sys.stderr)
        return 2
    listing: list[str] | None = [] if args.list else None
    report = check(args.bundle, listing=listing)
    for line in listing or ():
        print(line)
    for offender in report.offenders:
        print(f"OFFENDER {offender.path}: {offender.reason}")
    archives = (f", {report.archive_members} packed modules and files" if report.archives_checked
                else " (PyInstaller not importable: packed modules not checked)")
    over = report.total_mb - TARGET_MB
    target = f"target ≤ {TARGET_MB:.0f} MB" + (f", over by {over:.1f} MB" if over > 0 else ", met")
    print(f"bundle {args.bundle}: {report.files} files{archives}, {report.total_mb:.1f} MB ({target})")
    failed = bool(report.offenders)
    if args.max_mb is not None and report.total_mb > args.max_mb:
        print(f"check_bundle: {report.total_mb:.1f} MB is over the {args.max_mb:.0f} MB budget")
        failed = True
    print("check_bundle: " + ("FAILED" if failed else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
