"""tools/check_bundle.py on fake bundle folders: a clean one passes; test data, evaluation data,
secrets files, databases and key-like text fail with their reason; so do modules packed into a
PyInstaller executable."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parent.parent / "tools" / "check_bundle.py"
_spec = importlib.util.spec_from_file_location("check_bundle", TOOL)
assert _spec is not None and _spec.loader is not None
check_bundle = importlib.util.module_from_spec(_spec)
sys.modules["check_bundle"] = check_bundle
_spec.loader.exec_module(check_bundle)

DEMO_TOKEN = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJjdXJhdG9yLWRlbW8ifQ.demo"  # the demo's short placeholder
LONG_JWT = ("eyJhbGciOiJIUzI1NiJ9." + "eyJhdWQiOiJhYmMxMjMiLCJzdWIiOiI2NTQzMjEiLCJzY29wZXMiOlsiYXBpX3JlYWQiXX0" * 2
            + ".c2lnbmF0dXJlLXNpZ25hdHVyZQ")
HEX_KEY = "0123456789abcdef0123456789abcdef"


def write(root: Path, relative: str, content: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture
def bundle(tmp_path):
    """A small stand-in for dist/curator/ with nothing wrong in it."""
    root = tmp_path / "curator"
    write(root, "curator", b"\x7fELF\x02\x01\x01\x00not a real program")
    write(root, "_internal/libQt6Core.so.6", b"\x7fELF\x00\x00binary api_key=" + HEX_KEY.encode())
    write(root, "_internal/certifi/cacert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    write(root, "_internal/resources/icons/curator-16.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(root, "_internal/curator-0.1.0.dist-info/METADATA", "Name: curator\nVersion: 0.1.0\n")
    write(root, "_internal/demo-notes.txt",
          f"The demo's TMDB read token is {DEMO_TOKEN}; api_key=demo-tmdb-v3-api-key\n")
    return root


def run(capsys, *args: str) -> tuple[int, str]:
    code = check_bundle.main([*args])
    return code, capsys.readouterr().out


def test_clean_bundle_passes_and_reports_its_size(bundle, capsys):
    code, out = run(capsys, str(bundle))
    assert code == 0, out
    assert "OFFENDER" not in out
    assert "bundle " in out and "6 files" in out and "MB (target ≤ 120 MB, met)" in out
    assert out.rstrip().endswith("check_bundle: ok")


@pytest.mark.parametrize(("relative", "content", "reason"), [
    ("_internal/tests/fixtures/plex/sections.json", "{}", "test data"),
    ("_internal/fixtures/tmdb_search.json", "{}", "test data"),
    ("_internal/conftest.py", "import pytest\n", "test data"),
    ("_internal/shared/eval/movielens-tmdb-dev.jsonl", '{"title": "Heat"}\n', "evaluation data"),
    ("_internal/data/cases.jsonl", "{}\n", "evaluation data"),
    ("_internal/MovieLens-README.txt", "MovieLens 25M\n", "evaluation data"),
    ("_internal/eval/README.md", "how the cases were made\n", "evaluation data"),
    ("_internal/.env", "CURATOR_TMDB_API_KEY=x\n", "a secrets file"),
    ("_internal/.env.local", "x=1\n", "a secrets file"),
    ("_internal/curator.sqlite3", b"SQLite format 3\x00", "a database file"),
    ("_internal/config.json", f'{{"api_key": "{HEX_KEY}"}}', "a 32-hex API key next to api_key"),
    ("_internal/query.txt", f"GET /3/search/movie?api_key={HEX_KEY.upper()}&query=heat", "a 32-hex API key"),
    ("_internal/settings.ini", f"[tmdb]\ntoken = {LONG_JWT}\n", "a JWT-like token"),
    ("_internal/keys/server.pem", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n", "a private key"),
    ("_internal/id.pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n", "a private key"),
    ("_internal/plex.txt", "X-Plex-Token=Ab3dEf6hIj9kLm2nOp5q", "a Plex token"),
])
def test_offenders_fail_with_path_and_reason(bundle, capsys, relative, content, reason):
    write(bundle, relative, content)
    code, out = run(capsys, str(bundle))
    assert code == 1
    offenders = [line for line in out.splitlines() if line.startswith("OFFENDER")]
    assert len(offenders) == 1, out
    assert offenders[0].startswith(f"OFFENDER {relative}: {reason}")
    assert out.rstrip().endswith("check_bundle: FAILED")


@pytest.mark.parametrize("content", [
    f"api_key={HEX_KEY}0",  # 33 hex digits: not a 32-hex key
    f"sha = {HEX_KEY}",  # a hash that nothing calls a key
    DEMO_TOKEN,  # the demo's short placeholder
    "-----BEGIN PUBLIC KEY-----",
])
def test_lookalikes_pass(bundle, capsys, content):
    write(bundle, "_internal/notes.txt", content)
    code, out = run(capsys, str(bundle))
    assert code == 0, out


def test_every_offender_is_listed(bundle, capsys):
    write(bundle, "_internal/tests/test_app.py", "def test(): pass\n")
    write(bundle, "_internal/.env", "x=1\n")
    code, out = run(capsys, str(bundle))
    assert code == 1
    assert sum(line.startswith("OFFENDER") for line in out.splitlines()) == 2


def test_list_prints_every_file(bundle, capsys):
    code, out = run(capsys, str(bundle), "--list")
    assert code == 0
    for relative in ("curator", "_internal/certifi/cacert.pem", "_internal/resources/icons/curator-16.png"):
        assert any(line.endswith(f"  {relative}") for line in out.splitlines()), relative


def test_size_budget(bundle, capsys):
    write(bundle, "_internal/big.bin", b"\x00" * 2_100_000)
    assert run(capsys, str(bundle), "--max-mb", "3")[0] == 0
    code, out = run(capsys, str(bundle), "--max-mb", "2")
    assert code == 1
    assert "over the 2 MB budget" in out


def test_missing_bundle(tmp_path, capsys):
    assert check_bundle.main([str(tmp_path / "nothing")]) == 2


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("PYZ.pyz/tests.test_app", b"", "test data"),
    ("PYZ.pyz/curator.tests.fixtures", b"", "test data"),
    ("PYZ.pyz/curator.app", b"\xfa(api_key=" + HEX_KEY.encode(), "a 32-hex API key next to api_key"),
    ("PYZ.pyz/curator.demo.providers.tmdb", DEMO_TOKEN.encode(), None),
    ("pyi_rth_inspect", b"", None),
])
def test_packed_member_rules(name, data, reason):
    assert check_bundle.member_offence(name, data) == reason


def test_modules_packed_in_the_executable_are_checked(bundle, capsys):
    writers = pytest.importorskip("PyInstaller.archive.writers", reason="PyInstaller is in the dist group")
    work = bundle.parent / "work"
    work.mkdir()
    modules = {"curator.app": "TITLE = 'Curator'\n", "tests.test_app": "def test(): pass\n",
               "curator.keys": f"KEY = 'api_key={HEX_KEY}'\n"}
    entries, code = [], {}
    for name, source in modules.items():
        path = write(work, name.replace(".", "/") + ".py", source)
        entries.append((name, str(path), "PYMODULE"))
        code[name] = compile(source, str(path), "exec")
    writers.ZlibArchiveWriter(str(work / "PYZ.pyz"), entries, code_dict=code)
    writers.CArchiveWriter(str(bundle / "curator"), [("PYZ.pyz", str(work / "PYZ.pyz"), False, "z")], "libpython3.so")
    code_, out = run(capsys, str(bundle))
    assert code_ == 1
    assert "OFFENDER curator::PYZ.pyz/tests.test_app: test data" in out
    assert "OFFENDER curator::PYZ.pyz/curator.keys: a 32-hex API key next to api_key" in out
    assert "curator.app" not in out
    assert "3 packed modules and files" in out
