from __future__ import annotations

import logging

import httpx
import pytest

from curator import settings
from curator.domain.redaction import MASK, secrets
from curator.logs import (
    LOG_FILE_NAME,
    LOGGER_NAMES,
    RedactingFilter,
    configure_logging,
    log_files,
    remove_handlers,
)

FAKE_KEY = "fakekey0123456789abcdef"
FAKE_TOKEN = "FakeToken-zyxwvu987654"


@pytest.fixture
def paths():
    return settings.paths().ensure()


@pytest.fixture(autouse=True)
def _restore_logging():
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", *LOGGER_NAMES)}
    yield
    remove_handlers()
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    assert all(not getattr(h, "_curator_handler", False) for h in root.handlers)


def _all_log_text(paths: settings.Paths) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return "".join(path.read_text(encoding="utf-8") for path in log_files(paths))


def test_secrets_never_reach_the_log_file_or_stderr(paths, capsys):
    secrets.register(FAKE_KEY)
    secrets.register(FAKE_TOKEN)
    configure_logging(paths, level="DEBUG", to_stderr=True)
    log = logging.getLogger("curator.test")

    log.debug(f"plain message with {FAKE_TOKEN} inside")
    log.info("key %s and token %r", FAKE_KEY, FAKE_TOKEN)
    logging.getLogger("httpx").info('HTTP Request: %s %s "%s %d %s"', "GET",
                                    httpx.URL(f"https://x/?api_key={FAKE_KEY}&query=alien"), "HTTP/1.1", 200, "OK")
    logging.getLogger("httpcore.http11").debug("send_request_headers.started request=%s", f"X-Plex-Token: {FAKE_TOKEN}")
    try:
        raise RuntimeError(f"Plex refused token {FAKE_TOKEN}")
    except RuntimeError:
        log.exception("push failed for %s", FAKE_KEY)

    text = _all_log_text(paths)
    err = capsys.readouterr().err
    for output in (text, err):
        assert FAKE_KEY not in output and FAKE_TOKEN not in output
        assert "plain message with" in output
        assert "HTTP Request: GET https://x/?api_key=" in output and "query=alien" in output
        assert "RuntimeError: Plex refused token " + MASK in output  # the traceback is there, redacted
        assert "Traceback (most recent call last)" in output
        assert "send_request_headers.started" in output


def test_unregistered_carriers_are_masked_too(paths):
    configure_logging(paths, level="INFO")
    logging.getLogger("httpx").info("HTTP Request: GET %s", "https://omdb/?apikey=never-registered-1")
    text = _all_log_text(paths)
    assert "never-registered-1" not in text and f"apikey={MASK}" in text


def test_configuring_twice_does_not_duplicate_lines(paths):
    configure_logging(paths, level="INFO")
    configure_logging(paths, level="INFO")
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_curator_handler", False)]
    assert len(ours) == 1
    logging.getLogger("curator.x").info("exactly once")
    assert _all_log_text(paths).count("exactly once") == 1


def test_level_comes_from_the_argument_or_curator_log_level(paths, monkeypatch):
    configure_logging(paths)
    assert logging.getLogger("curator").level == logging.INFO
    logging.getLogger("curator.x").debug("hidden at info")
    monkeypatch.setenv("CURATOR_LOG_LEVEL", "debug")
    configure_logging(paths)
    assert all(logging.getLogger(name).level == logging.DEBUG for name in LOGGER_NAMES)
    logging.getLogger("curator.x").debug("shown at debug")
    configure_logging(paths, level="WARNING")
    logging.getLogger("curator.x").info("hidden at warning")
    text = _all_log_text(paths)
    assert "shown at debug" in text
    assert "hidden at info" not in text and "hidden at warning" not in text


def test_other_libraries_log_warnings_only(paths):
    configure_logging(paths, level="DEBUG")
    logging.getLogger("some.library").info("chatty")
    logging.getLogger("some.library").warning(f"trouble with {FAKE_KEY}")
    secrets.register(FAKE_KEY)
    logging.getLogger("some.library").warning(f"again {FAKE_KEY}")
    text = _all_log_text(paths)
    assert "chatty" not in text and "again " + MASK in text


def test_log_files_lists_current_then_backups(paths):
    assert log_files(paths) == []
    configure_logging(paths)
    logging.getLogger("curator").warning("hello")
    (paths.logs / f"{LOG_FILE_NAME}.2").write_text("older")
    (paths.logs / f"{LOG_FILE_NAME}.1").write_text("old")
    (paths.logs / "unrelated.txt").write_text("x")
    assert [p.name for p in log_files(paths)] == [LOG_FILE_NAME, f"{LOG_FILE_NAME}.1", f"{LOG_FILE_NAME}.2"]


def test_log_file_rotates(paths, monkeypatch):
    monkeypatch.setattr("curator.logs.MAX_LOG_BYTES", 2000)
    configure_logging(paths)
    for number in range(100):
        logging.getLogger("curator").warning("line %d %s", number, "x" * 50)
    files = log_files(paths)
    assert 2 <= len(files) <= 6 and all(path.stat().st_size <= 2000 for path in files)


def test_filter_redacts_stack_text_and_survives_bad_arguments():
    secrets.register(FAKE_TOKEN)
    record = logging.LogRecord("curator", logging.INFO, __file__, 1, "count %d of %s", ("many", FAKE_TOKEN), None)
    record.stack_info = f'File "x.py", line 3, in f\n    call("{FAKE_TOKEN}")'
    assert RedactingFilter().filter(record)
    assert record.args is None
    assert FAKE_TOKEN not in record.getMessage() and "count %d of %s" in record.getMessage()
    assert FAKE_TOKEN not in record.stack_info and MASK in record.stack_info
