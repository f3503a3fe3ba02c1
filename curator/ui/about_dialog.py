"""The About box: version, licence and the attributions the metadata providers require."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from curator import APP_NAME, __version__
from curator.ui.plex_signin import heading, plain_label

TMDB_NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."
LICENCE = "MIT License"

ATTRIBUTIONS: tuple[tuple[str, str], ...] = (
    ("TMDB", TMDB_NOTICE + " Film and TV data and images from The Movie Database (themoviedb.org)."),
    ("TheTVDB", "Metadata provided by TheTVDB (thetvdb.com), a database kept up by its community."),
    ("TVmaze", "Data from TVmaze (tvmaze.com), licensed under CC BY-SA 4.0."),
    ("OMDb", "Data from the OMDb API (omdbapi.com) by Brian Fritz, licensed under CC BY-NC 4.0."),
    ("fanart.tv", "Artwork from fanart.tv, contributed by its community."),
    ("NPO / VPRO", "Dutch descriptions from the NPO's POMS API and VPRO Cinema (vprogids.nl/cinema), "
                   "© NPO and VPRO."),
    ("Plex", "Curator works with Plex Media Server. Plex is a trademark of Plex, Inc.; Curator is not "
             "affiliated with or endorsed by Plex."),
)


def about_text() -> str:
    """Everything the box says, as plain text."""
    lines = [
        f"{APP_NAME} {__version__}",
        "Review and fix the matches and summaries of your Plex libraries, with undo.",
        "",
        f"Licence: {LICENCE}. Copyright the Curator contributors.",
        f"Built with Qt for Python (PySide6 {pyside_version}), httpx, peewee, keyring and rapidfuzz; "
        f"running on Python {platform.python_version()}.",
        "",
        "Data sources",
    ]
    for name, notice in ATTRIBUTIONS:
        lines += ["", f"{name}", f"  {notice}"]
    return "\n".join(lines)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, icon: QPixmap | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        self.resize(620, 520)
        title = QHBoxLayout()
        if icon is None and not QApplication.windowIcon().isNull():
            icon = QApplication.windowIcon().pixmap(64, 64)
        if icon is not None and not icon.isNull():
            picture = QLabel()
            picture.setPixmap(icon.scaled(64, 64, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))
            title.addWidget(picture)
        names = QVBoxLayout()
        names.addWidget(heading(f"{APP_NAME} {__version__}"))
        names.addWidget(plain_label(TMDB_NOTICE))
        title.addLayout(names, 1)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setPlainText(about_text())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(title)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
