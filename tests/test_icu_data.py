"""tools/icu_data.py: which ICU data items the Linux bundle keeps, and a rebuilt library that
Qt really loads — collating the kept languages exactly as the full data does, falling back to
the root order for the others, and failing the self-test when collation data is gone."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("icu_data", ROOT / "tools" / "icu_data.py")
assert _spec is not None and _spec.loader is not None
icu_data = importlib.util.module_from_spec(_spec)
sys.modules["icu_data"] = icu_data
_spec.loader.exec_module(icu_data)


@pytest.mark.parametrize("item", [
    "root.res", "pool.res", "res_index.res", "en.res", "en_GB.res", "en_US_POSIX.res", "nl_BE.res",
    "coll/root.res", "coll/ucadata.icu", "coll/de.res", "coll/res_index.res", "zone/fr_CA.res",
    "zone/pool.res", "zoneinfo64.res", "metaZones.res", "likelySubtags.res", "uts46.nrm",
    "unames.icu", "cnvalias.icu",
])
def test_keeps_what_qt_reads_for_the_kept_languages(item):
    assert icu_data.keeps(item)


@pytest.mark.parametrize("item", [
    "sv.res", "zh_Hant_HK.res", "coll/zh.res", "coll/ja.res", "zone/ja.res", "brkitr/cjdict.dict",
    "brkitr/root.res", "translit/root.res", "unit/en.res", "curr/pool.res", "lang/nl.res",
    "region/de.res", "rbnf/en.res", "ibm-1390_P110-2003.cnv", "gb18030.cnv",
])
def test_leaves_out_other_languages_trees_and_converters(item):
    assert not icu_data.keeps(item)


def test_the_language_list_decides():
    assert icu_data.keeps("coll/sv.res", ["sv"])
    assert not icu_data.keeps("coll/de.res", ["sv"])


def test_a_library_of_another_name_is_refused(tmp_path):
    with pytest.raises(icu_data.IcuDataError, match="not an ICU data library"):
        icu_data.rebuild(tmp_path / "libicuuc.so.73", tmp_path / "out")


# --- the real library --------------------------------------------------------------------------

def _pyside_icu_library() -> Path | None:
    import PySide6

    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    return found[0] if found else None


def _tools_or_skip() -> Path:
    library = _pyside_icu_library()
    missing = [tool for tool in ("icupkg", "objcopy", "ld") if shutil.which(tool) is None]
    reason = ("PySide6 has no ICU data library here (not Linux)" if library is None
              else f"{', '.join(missing)} missing (make setup installs icu-devtools and binutils)" if missing else "")
    if reason:
        if library is not None and os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must not skip the ICU rebuild test: {reason}")
        pytest.skip(reason)
    assert library is not None
    return library


PROBE = r"""
import json
from PySide6.QtCore import QCollator, QLocale, QStringDecoder
words = ["b", "ä", "a", "z", "ö", "Å", "ch", "d", "ij", "y", "æ"]
print(json.dumps({
    "loaded": [line.split()[-1] for line in open("/proc/self/maps") if "libicudata" in line][:1],
    "order": {name: sorted(words, key=QCollator(QLocale(name)).sortKey)
              for name in ("de_DE", "nl_NL", "en_US", "fr_FR", "es_ES", "sv_SE", "da_DK")},
    "upper": QLocale("tr_TR").toUpper("i"),
    "shift_jis": QStringDecoder("Shift_JIS").isValid(),
}))
"""


def _probe(library_dir: Path | None) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if library_dir is not None:  # searched before the wheel's own RUNPATH
        env["LD_LIBRARY_PATH"] = str(library_dir)
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=60,
                          check=True)
    return json.loads(done.stdout)


def test_the_rebuilt_library_is_small_and_qt_collates_the_kept_languages_as_before(tmp_path):
    library = _tools_or_skip()
    rebuilt = icu_data.rebuild(library, tmp_path)
    assert rebuilt.name == library.name
    assert rebuilt.stat().st_size < 5_000_000 < library.stat().st_size / 5

    full, small = _probe(None), _probe(tmp_path)
    assert small["loaded"] == [str(rebuilt)]
    for kept in ("de_DE", "nl_NL", "en_US", "fr_FR", "es_ES"):
        assert small["order"][kept] == full["order"][kept]
    # Swedish and Danish sort å, ä, ö, æ after z; without their data they get the root order.
    assert full["order"]["sv_SE"][-3:] != small["order"]["sv_SE"][-3:]
    assert small["order"]["sv_SE"] == small["order"]["da_DK"] == small["order"]["en_US"]
    assert small["upper"] == full["upper"] == "\u0130"  # Turkish casing is ICU's code, not data
    assert full["shift_jis"] and not small["shift_jis"]  # table converters left out


def test_the_self_test_fails_when_collation_data_is_missing(tmp_path, monkeypatch):
    library = _tools_or_skip()
    monkeypatch.setattr(icu_data, "DROPPED_TREES", icu_data.DROPPED_TREES | {"coll"})
    icu_data.rebuild(library, tmp_path)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LD_LIBRARY_PATH": str(tmp_path),
           "CURATOR_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "curator", "--self-test"], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stdout.startswith("self-test FAILED: qt: Qt sorts 'ä' after 'b' in German")
