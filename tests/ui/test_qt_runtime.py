"""Guards against Qt binding regressions that would crash the app in a long session."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    bare = Signal()
    text = Signal(str)


def test_emitting_signals_keeps_reference_counts(qapp):
    """PySide6 6.12.0 dropped a reference to True on every Python-side emit, so a long match
    (thousands of progress signals) ended in "Fatal Python error: bool_dealloc"."""
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(500):
        emitter.bare.emit()
        emitter.text.emit("x")
    assert abs(sys.getrefcount(True) - before) < 10  # the bug made it -1000 here
