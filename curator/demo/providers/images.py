"""The one picture every fake serves for posters and logos, so the UI can show thumbnails
offline: a small 2:3 PNG in a muted blue, built with the standard library."""

from __future__ import annotations

import struct
import zlib

_WIDTH, _HEIGHT = 20, 30
_COLOUR = bytes((0x44, 0x5E, 0x7A))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png() -> bytes:
    header = struct.pack(">IIBBBBB", _WIDTH, _HEIGHT, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = b"".join(b"\x00" + _COLOUR * _WIDTH for _ in range(_HEIGHT))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b"")


PNG = _png()
