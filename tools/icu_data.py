"""A smaller ICU data library for the Linux bundle: the data Qt reads, for the languages kept.

    uv run python tools/icu_data.py PATH/TO/libicudata.so.73 OUT_DIR [--languages en,nl,de,fr,es]

PySide6's Linux wheels link QtCore against ICU, whose data library (libicudata, 32 MB) holds
every locale's collation, break iterators, transliterators, converters and display names. Qt
calls only four ICU services (QtCore's imported ICU symbols, ``readelf --dyn-syms``): case
mapping (in ICU's code, no data), collation (``ucol_*``), time-zone names and canonical ids
(``ucal_*``), and named encodings (``ucnv_*``, for QStringDecoder by name; Curator decodes
with Python). So the rebuilt library keeps:

- the non-locale items: normalisation, properties, likely subtags, time-zone rules and metazones;
- for the root locale and the kept languages (and their regions): locale data, collation and
  time-zone names;

and leaves out the break-iterator, transliteration, unit, currency, language, region and
spell-out trees, every other language, and the table converters (UTF-8/16/32, Latin-1 and
ASCII are built into ICU's code). Another language then collates with the root order and
names time zones in English, ICU's own fallback; nothing fails.

The rebuild uses ICU's ``icupkg`` (Debian: icu-devtools) to rewrite the data package and
binutils (``objcopy``, ``ld``) to wrap it in a shared library with the same soname and the
one symbol ICU looks for (``icudt<major>_dat``).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess  # nosec B404 - runs the build tools named below, with argument lists
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

DEFAULT_LANGUAGES = frozenset({"en", "nl", "de", "fr", "es"})
#: Trees read by ICU services Qt never calls.
DROPPED_TREES = frozenset({"brkitr", "translit", "unit", "curr", "lang", "region", "rbnf"})
#: Items every kept tree needs: its root, its shared key pool, its list of locales.
TREE_ITEMS = frozenset({"root.res", "pool.res", "res_index.res"})
LOCALE_ITEM = re.compile(r"^(?P<language>[a-z]{2,3})(?:_[A-Za-z0-9]+)*\.res$")
LIBRARY_NAME = re.compile(r"^libicudata\.so\.(?P<major>\d+)$")
ICU_MAGIC = b"\xda\x27"  # bytes 2-3 of an ICU data header


class IcuDataError(Exception):
    """The library could not be rebuilt; the message says why."""


def keeps(item: str, languages: Iterable[str] = DEFAULT_LANGUAGES) -> bool:
    """Whether the data item (``coll/de.res``, ``ibm-1390_P110-2003.cnv``…) stays."""
    tree, _, leaf = item.rpartition("/")
    if tree in DROPPED_TREES or leaf.endswith(".cnv"):
        return False
    if leaf in TREE_ITEMS:
        return True
    locale = LOCALE_ITEM.match(leaf)
    return locale is None or locale["language"] in set(languages)


def rebuild(library: Path, out_dir: Path, languages: Iterable[str] = DEFAULT_LANGUAGES) -> Path:
    """Write ``out_dir/<library's name>`` holding only the kept items; return its path."""
    match = LIBRARY_NAME.match(library.name)
    if match is None:
        raise IcuDataError(f"{library.name} is not an ICU data library (libicudata.so.<major>)")
    tools = {name: shutil.which(name) for name in ("icupkg", "objcopy", "ld")}
    missing = sorted(name for name, path in tools.items() if path is None)
    if missing:
        raise IcuDataError(f"{', '.join(missing)} missing: install icu-devtools and binutils "
                           "(make dist does it when run as root)")
    package = f"icudt{match['major']}{'l' if sys.byteorder == 'little' else 'b'}"
    symbol = f"icudt{match['major']}_dat"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        full, trimmed = work / "full" / f"{package}.dat", work / "trimmed" / f"{package}.dat"
        full.parent.mkdir()
        trimmed.parent.mkdir()
        _run(tools["objcopy"], "-O", "binary", "--only-section=.rodata", str(library), str(full))
        if full.read_bytes()[2:4] != ICU_MAGIC:
            raise IcuDataError(f"{library} does not start its data with an ICU header")
        items = _run(tools["icupkg"], "--list", str(full)).split()
        dropped = work / "dropped.txt"
        dropped.write_text("".join(f"{item}\n" for item in items if not keeps(item, languages)), encoding="utf-8")
        _run(tools["icupkg"], "--remove", str(dropped), str(full), str(trimmed))
        # The package as one read-only, 16-byte aligned symbol, as ICU's own build lays it out.
        binary = f"_binary_{re.sub(r'[^A-Za-z0-9]', '_', trimmed.name)}"
        raw, obj = work / "raw.o", work / "data.o"
        _run(tools["ld"], "-r", "-b", "binary", "-o", str(raw), trimmed.name, cwd=trimmed.parent)
        _run(tools["objcopy"], "--set-section-alignment", ".data=16",
             "--rename-section", ".data=.rodata,alloc,load,readonly,data,contents",
             "--redefine-sym", f"{binary}_start={symbol}",
             "--strip-symbol", f"{binary}_end", "--strip-symbol", f"{binary}_size", str(raw), str(obj))
        target = out_dir / library.name
        _run(tools["ld"], "-shared", "-soname", library.name, "-z", "noexecstack", "-o", str(target), str(obj))
    return target


def _run(*command: str | None, cwd: Path | None = None) -> str:
    args = [str(part) for part in command]  # a tool found by shutil.which, then paths of ours
    done = subprocess.run(args, capture_output=True, text=True, cwd=cwd, check=False)  # noqa: S603  # nosec B603
    if done.returncode != 0:
        raise IcuDataError(f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr.strip()[:500]}")
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--languages", default=",".join(sorted(DEFAULT_LANGUAGES)))
    args = parser.parse_args(argv)
    try:
        target = rebuild(args.library, args.out_dir, args.languages.split(","))
    except IcuDataError as exc:
        print(f"icu_data: {exc}", file=sys.stderr)
        return 1
    print(f"{args.library.name}: {args.library.stat().st_size / 1e6:.1f} MB -> {target.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
