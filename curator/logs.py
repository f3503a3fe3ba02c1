"""Logging set-up: a rotating file in the logs folder (and stderr for the CLI), every handler
behind a filter that removes secrets from messages, arguments and tracebacks. A crash (an
exception nothing caught) is reported the same way: into the log and onto stderr, redacted."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import traceback
from pathlib import Path
from types import TracebackType

from curator import settings
from curator.domain.redaction import redact

LOG_FILE_NAME = "curator.log"
MAX_LOG_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
#: Loggers that follow the chosen level; everything else logs warnings and worse.
LOGGER_NAMES = ("curator", "httpx", "httpcore")
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_MARK = "_curator_handler"


class RedactingFilter(logging.Filter):
    """Renders the message with its arguments, redacts it, and redacts traceback text too.

    The record is changed in place (``args`` cleared), so later handlers see the redacted
    text as well."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format string
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def configure_logging(paths: settings.Paths, *, level: str | int | None = None,
                      to_stderr: bool = False) -> None:
    """Install Curator's handlers on the root logger (replacing any from an earlier call)."""
    chosen = _level_number(level if level is not None else settings.log_level())
    paths.logs.mkdir(parents=True, exist_ok=True)
    file_handler = logging.handlers.RotatingFileHandler(
        paths.logs / LOG_FILE_NAME, maxBytes=MAX_LOG_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")
    handlers: list[logging.Handler] = [file_handler]
    if to_stderr:
        # The terminal gets warnings and errors unless CURATOR_LOG_LEVEL (or ``level``) asks for more.
        console = logging.StreamHandler(sys.stderr)
        explicit = level is not None or "CURATOR_LOG_LEVEL" in os.environ
        console.setLevel(chosen if explicit else max(chosen, logging.WARNING))
        handlers.append(console)
    root = logging.getLogger()
    remove_handlers()
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(RedactingFilter())
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
    sys.excepthook = report_crash
    for name in LOGGER_NAMES:
        logger = logging.getLogger(name)
        logger.setLevel(chosen)
        # Records of these loggers are redacted at the source too, so a handler installed by
        # someone else (a test harness, an embedding app) never sees a URL with a key in it.
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


def report_crash(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """``sys.excepthook``: the crash report (the traceback) goes to the log file and to stderr
    with every secret removed, instead of Python's raw print to stderr."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    logging.getLogger("curator").critical("Curator stopped on an unexpected error", exc_info=(kind, error, trace))
    if not any(getattr(h, _MARK, False) and getattr(h, "stream", None) is sys.stderr
               for h in logging.getLogger().handlers):
        sys.stderr.write(redact("".join(traceback.format_exception(kind, error, trace))))


def remove_handlers() -> None:
    """Remove and close the handlers ``configure_logging`` installed."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
        handler.close()


def log_files(paths: settings.Paths) -> list[Path]:
    """The current log file and its rotated backups that exist, newest first."""
    current = paths.logs / LOG_FILE_NAME
    candidates = [current, *(current.with_name(f"{LOG_FILE_NAME}.{n}") for n in range(1, BACKUP_COUNT + 1))]
    return [path for path in candidates if path.is_file()]


def _level_number(level: str | int) -> int:
    if isinstance(level, int):
        return level
    return logging.getLevelNamesMapping().get(level.strip().upper(), logging.INFO)
