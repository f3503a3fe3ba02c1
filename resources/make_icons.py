"""Draw Curator's icon with QPainter and write every file the packaging needs.

    uv run --frozen python resources/make_icons.py

Writes ``resources/icons/curator-<size>.png`` (16–1024 px), ``resources/curator.ico``
(Windows: PNG entries 16–256 px) and ``resources/curator.icns`` (macOS: PNG entries 16–1024 px).
The generated files are committed; run this again only when the drawing changes.

The drawing: an amber film frame with sprocket holes on a dark rounded square, and a white
check mark in the frame — "your films, checked". Each size is drawn at that size (not scaled
down from a big one), and small sizes leave out the sprocket holes.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QImage, QLinearGradient, QPainter, QPainterPath, QPen

HERE = Path(__file__).resolve().parent
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: ICNS entry types holding PNG data, by pixel size (the @2x types repeat a size).
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
    (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),
)
SMALL = 32  # at this size and below the sprocket holes are left out

BACKGROUND_TOP = QColor("#2d3b57")
BACKGROUND_BOTTOM = QColor("#121a2b")
AMBER = QColor("#e8a317")
FRAME_WINDOW = QColor("#1b2438")
CHECK = QColor("#ffffff")


def draw_icon(size: int) -> QImage:
    """The icon at ``size`` × ``size`` pixels, drawn in a 100 × 100 coordinate space."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 100.0, size / 100.0)

    gradient = QLinearGradient(QPointF(0, 4), QPointF(0, 96))
    gradient.setColorAt(0.0, BACKGROUND_TOP)
    gradient.setColorAt(1.0, BACKGROUND_BOTTOM)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(gradient))
    painter.drawRoundedRect(QRectF(4, 4, 92, 92), 21, 21)

    strip = QRectF(20, 14, 60, 72)
    painter.setBrush(AMBER)
    painter.drawRoundedRect(strip, 7, 7)
    window = QRectF(31, 22, 38, 56)
    painter.setBrush(FRAME_WINDOW)
    painter.drawRoundedRect(window, 4, 4)
    if size > SMALL:
        _draw_sprocket_holes(painter, strip)

    pen = QPen(CHECK, 8.5 if size > SMALL else 10.5)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    check = QPainterPath(QPointF(38.5, 51))
    check.lineTo(QPointF(47, 60))
    check.lineTo(QPointF(62, 40))
    painter.drawPath(check)
    painter.end()
    return image


def _draw_sprocket_holes(painter: QPainter, strip: QRectF) -> None:
    painter.setBrush(FRAME_WINDOW)
    for row in range(4):
        top = strip.top() + 9 + row * 15
        for left in (strip.left() + 3.5, strip.right() - 3.5 - 5):
            painter.drawRoundedRect(QRectF(left, top, 5, 7), 1.5, 1.5)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico whose entries are PNG images (Windows Vista and later read these)."""
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    directory, payload = b"", b""
    for size in sizes:
        data = pngs[size]
        edge = 0 if size >= 256 else size  # 0 means 256 in an icon directory entry
        directory += struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(data), offset + len(payload))
        payload += data
    return header + directory + payload


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns made of PNG entries (big-endian type and length before each)."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_all(folder: Path = HERE) -> list[Path]:
    """Render every size and write the PNG, .ico and .icns files; returns the paths written."""
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    pngs = {size: png_bytes(draw_icon(size)) for size in PNG_SIZES}
    icons = folder / "icons"
    icons.mkdir(parents=True, exist_ok=True)
    written = []
    for size, data in pngs.items():
        path = icons / f"curator-{size}.png"
        path.write_bytes(data)
        written.append(path)
    for path, data in ((folder / "curator.ico", ico_bytes(pngs)), (folder / "curator.icns", icns_bytes(pngs))):
        path.write_bytes(data)
        written.append(path)
    del app
    return written


if __name__ == "__main__":
    for written_path in write_all():
        print(f"{written_path.relative_to(HERE.parent)}  {written_path.stat().st_size:>7} bytes")
