"""``curator --self-test``: a headless smoke test of an installed or frozen Curator.

In a fresh data folder, and without reading or writing the user's keyring, it opens the store
(a real SQLite file, migrated), checks that Qt loads and collates text (ICU's data on Linux),
checks that a keyring backend is usable, starts the embedded demo servers, loads the demo
library, matches a few films, pushes one summary with the Publisher, reads it back, reverts it
and checks that the old summary and lock are back.

It prints one line — ``self-test ok: …`` or ``self-test FAILED: <step>: <reason>`` — and
returns 0 or 1. A missing keyring backend is a warning in the line, not a failure: keys from
``CURATOR_*`` environment variables work without one. Modules are imported inside the steps,
so a module left out of a frozen bundle is reported against the step that needs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from curator.domain.errors import CuratorError
from curator.domain.models import Candidate, DecisionStatus, LibraryItem, MediaKind, PushState
from curator.domain.redaction import redact

if TYPE_CHECKING:
    from curator.app import AppContext
    from curator.services.library import LibraryService

#: A safety net for a hung server; the whole test normally takes one to two seconds.
TIME_LIMIT = 30.0
#: How many films without a summary the match step searches for.
MATCH_SAMPLE = 3


@dataclass(frozen=True, slots=True)
class Match:
    item: LibraryItem
    candidate: Candidate


class SelfTestFailure(CuratorError):
    """A check that did not hold; the message is the reason in the report line."""


@dataclass
class _Progress:
    step: str = "start"


def run_self_test(out: TextIO | None = None, *, time_limit: float = TIME_LIMIT) -> int:
    """Run every step, print the one-line report to ``out`` (default stdout); 0 when all passed."""
    started = time.perf_counter()
    progress = _Progress()
    try:
        with _private_state():
            findings = _run_steps(progress, time_limit)
    except Exception as exc:  # noqa: BLE001 - every failure, foreseen or not, becomes the report line
        line, code = f"self-test FAILED: {progress.step}: {_reason(exc)}", 1
    else:
        line, code = f"self-test ok: {findings} ({time.perf_counter() - started:.1f} s)", 0
    # A windowed Windows build has no stdout (sys.stdout is None): print() then does nothing.
    print(line, file=out if out is not None else sys.stdout, flush=True)
    return code


def _run_steps(progress: _Progress, time_limit: float) -> str:
    progress.step = "store"
    from curator.app import build_context, start_demo

    context = build_context()
    try:
        findings = [_check_store(context)]
        progress.step = "qt"
        findings.append(_check_qt())
        progress.step = "keyring"
        findings.append(_check_keyring(context))
        with _keyring_left_alone():
            progress.step = "demo"
            context.demo = start_demo()
            findings.append(asyncio.run(_round_trip(context, progress, time_limit)))
    finally:
        context.close()
    return ", ".join(findings)


def _check_store(context: AppContext) -> str:
    from curator.store import db as store_db

    version = store_db.schema_version(context.database)
    if version != len(store_db.MIGRATIONS):
        raise SelfTestFailure(f"the database is at schema version {version}, expected {len(store_db.MIGRATIONS)}")
    if not context.paths.database.is_file():
        raise SelfTestFailure(f"no database file at {context.paths.database}")
    return f"store v{version}"


def _check_qt() -> str:
    """Qt loads, with the text services it takes from the bundle: on Linux, collation comes
    from ICU's data library (rebuilt smaller for the bundle); without it Qt sorts by code point."""
    from PySide6.QtCore import QCollator, QLocale, qVersion

    if QCollator(QLocale(QLocale.Language.German)).compare("\u00e4", "b") >= 0:
        raise SelfTestFailure("Qt sorts 'ä' after 'b' in German: its collation data (ICU) is missing or broken")
    return f"Qt {qVersion()}"


def _check_keyring(context: AppContext) -> str:
    usable, backend = context.secrets.backend_status()
    if usable:
        return f"keyring {backend}"
    return "WARNING: no keyring backend (keys from CURATOR_* environment variables still work)"


async def _round_trip(context: AppContext, progress: _Progress, time_limit: float) -> str:
    try:
        async with asyncio.timeout(time_limit):
            progress.step = "load"
            library = await context.open_library()
            films = await _load_films(library)
            progress.step = "match"
            sample = [item for item in films if item.year and not item.summary.strip()][:MATCH_SAMPLE]
            matches = await _match_step(context, library.server.machine_identifier, sample)
            if not matches:
                raise SelfTestFailure(f"none of {len(sample)} demo films found a candidate")
            title = await _push_and_revert(context, library, matches, progress)
    except TimeoutError:
        raise SelfTestFailure(f"no answer within {time_limit:g} s") from None
    finally:
        await context.aclose()
    return (f"{len(films)} demo films loaded, {len(matches)}/{len(sample)} matched, "
            f"summary of {title!r} pushed, read back and reverted")


async def _load_films(library: LibraryService) -> list[LibraryItem]:
    sections = [section for section in await library.sections() if section.kind is MediaKind.MOVIE]
    if not sections:
        raise SelfTestFailure("the demo server has no film library")
    films = [item async for item in library.iter_items(sections[0])]
    if not films:
        raise SelfTestFailure(f"the library {sections[0].title!r} is empty")
    return films


async def _match_step(context: AppContext, server: str, items: Sequence[LibraryItem]) -> list[Match]:
    """Each item through the matching service (search, score, policy; nothing stored): the
    best candidate of every item the policy did not reject."""
    from curator.domain.policy import MatchStatus
    from curator.services.matching import MatchingService, MatchSettings
    from curator.store.decisions import DecisionStore

    service = MatchingService(context.providers.chain, DecisionStore(context.database), server,
                              MatchSettings(languages=context.prefs.summary_languages or ("en",)))
    matches = []
    for item in items:
        verdict = (await service.propose(item)).verdict
        if verdict.status is not MatchStatus.NO_MATCH and verdict.best is not None:
            matches.append(Match(item, verdict.best.candidate))
    return matches


async def _push_and_revert(context: AppContext, library: LibraryService, matches: Sequence[Match],
                           progress: _Progress) -> str:
    """Push one new summary, read it back, revert it; returns the film's title."""
    from curator.services.publishing import Publisher, PushRequest
    from curator.store.decisions import DecisionStore
    from curator.store.journal import PushJournal

    progress.step = "push"
    match = next((m for m in matches if m.candidate.summary.strip()
                  and m.candidate.summary.strip() != m.item.summary.strip()), None)
    if match is None:
        raise SelfTestFailure("no matched film has a new summary to push")
    item, server = match.item, library.server.machine_identifier
    decisions, journal = DecisionStore(context.database), PushJournal(context.database)
    await asyncio.to_thread(decisions.save_proposal, server, item.rating_key, kind=item.kind, title=item.title,
                            year=item.year, status=DecisionStatus.ACCEPTED, proposed_summary=match.candidate.summary)
    publisher = Publisher(library.client, server, journal, decisions)
    before = await library.client.read_summary(item.rating_key)
    pushed = await publisher.push(PushRequest(item.rating_key, match.candidate.summary))
    if not pushed.ok or pushed.journal_id is None:
        raise SelfTestFailure(pushed.message or "the push was not journalled")

    progress.step = "read back"
    entry = await asyncio.to_thread(journal.get, pushed.journal_id)
    current, locked = await library.client.read_summary(item.rating_key)
    if entry is None or entry.state is not PushState.DONE or current != entry.new_summary or not locked:
        raise SelfTestFailure(f"Plex does not hold the pushed, locked summary of {item.title!r}")

    progress.step = "revert"
    reverted = await publisher.revert(entry)
    if not reverted.ok:
        raise SelfTestFailure(reverted.message)
    if await library.client.read_summary(item.rating_key) != before:
        raise SelfTestFailure(f"the previous summary and lock of {item.title!r} did not come back")
    settled = await asyncio.to_thread(journal.get, entry.id)
    record = await asyncio.to_thread(decisions.get, server, item.rating_key)
    if settled is None or settled.state is not PushState.REVERTED:
        raise SelfTestFailure("the journal does not record the revert")
    if record is None or record.status is not DecisionStatus.ACCEPTED:
        raise SelfTestFailure("the decision did not go back to accepted")
    return item.title


@contextlib.contextmanager
def _private_state() -> Iterator[None]:
    """A fresh data folder for the run; afterwards the environment and logging as they were
    (the demo points CURATOR_* endpoints at itself for the process)."""
    from curator.logs import remove_handlers

    saved = dict(os.environ)
    folder = tempfile.mkdtemp(prefix="curator-self-test-")
    os.environ["CURATOR_DATA_DIR"] = folder
    try:
        yield
    finally:
        remove_handlers()
        for name in set(os.environ) - set(saved):
            del os.environ[name]
        os.environ.update(saved)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _keyring_left_alone() -> Iterator[None]:
    """No keyring during the round trip: the demo's keys come from the environment, and a
    locked keyring must not prompt the user in a self-test."""
    import keyring
    from keyring.backends import null

    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def _reason(exc: BaseException) -> str:
    text = exc.user_message if isinstance(exc, CuratorError) else f"{type(exc).__name__}: {exc}"
    return redact(" ".join(text.split())) or type(exc).__name__
