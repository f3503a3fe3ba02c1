"""Settings: the server and its libraries, the provider keys, and how matching works.

The pages are plain widgets so the first-run wizard shows the same ones: ``LibraryPicker``,
``ProviderKeysPage``, ``MatchingPage`` and ``ManualServerForm``.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from curator.app import AppContext
from curator.domain.errors import CuratorError
from curator.domain.models import LibrarySection
from curator.domain.policy import DEFAULT_MARGIN, DEFAULT_THRESHOLD
from curator.preferences import Preferences
from curator.services import setup
from curator.services.library import LibraryService
from curator.ui.connect_dialog import ConnectDialog
from curator.ui.plex_signin import PlexSignInDialog, UrlOpener, heading, plain_label, remember_server
from curator.ui.tasks import TaskRunner

GOOD = QColor("#1b7f3b")
BAD = QColor("#b3261e")


# --- the server by hand ------------------------------------------------------------------------


class ManualServerForm(QWidget):
    """A server address and a token, for servers not reached through a Plex account."""

    def __init__(self, url: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.url_edit = QLineEdit(url)
        self.url_edit.setPlaceholderText("http://192.168.1.10:32400")
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("X-Plex-Token")
        form = QFormLayout()
        form.addRow("Server address", self.url_edit)
        form.addRow("Token", self.token_edit)
        self.status = plain_label()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(plain_label(
            "The address is what you type to reach Plex in a browser on this network, usually ending in "
            ":32400. Plex's support article “Finding an authentication token” shows where to find the "
            "token. The token is kept in your system's keyring, never in Curator's files."))
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def address(self) -> tuple[str, str]:
        return self.url_edit.text().strip(), self.token_edit.text().strip()


# --- libraries -----------------------------------------------------------------------------------


class LibraryPicker(QWidget):
    """The server's movie and TV libraries with a tick box each."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sections: list[LibrarySection] = []
        self.list = QListWidget()
        self.list.itemChanged.connect(lambda _item: self.changed.emit())
        self.status = plain_label()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)

    def set_sections(self, sections: Sequence[LibrarySection], chosen: Iterable[str]) -> None:
        """Show ``sections``, ticking those in ``chosen`` (the first one when none is)."""
        self.sections = list(sections)
        wanted = set(chosen) & {section.title for section in sections}
        if not wanted and sections:
            wanted = {sections[0].title}
        self.list.blockSignals(True)
        self.list.clear()
        for section in sections:
            kind = "films" if section.kind.value == "movie" else "TV shows"
            item = QListWidgetItem(f"{section.title}  ({kind})")
            item.setData(Qt.ItemDataRole.UserRole, section.title)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if section.title in wanted else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.status.setText("" if sections else "This server has no film or TV libraries.")
        self.changed.emit()

    def chosen(self) -> list[str]:
        return [self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count())
                if self.list.item(row).checkState() == Qt.CheckState.Checked]

    def set_chosen(self, titles: Iterable[str]) -> None:
        wanted = set(titles)
        for row in range(self.list.count()):
            item = self.list.item(row)
            checked = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)


# --- provider keys ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyField:
    secret: str
    label: str


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    name: str
    label: str
    purpose: str
    where: str
    fields: tuple[KeyField, ...]


PROVIDERS: tuple[ProviderInfo, ...] = (
    ProviderInfo("tmdb", "TMDB",
                 "Film and TV descriptions in many languages, posters and ids. The most useful key to add.",
                 "Free: sign up at themoviedb.org, then your profile → Settings → API. Either credential works.",
                 (KeyField("TMDB_API_KEY", "API key or read access token"),)),
    ProviderInfo("tvdb", "TheTVDB",
                 "TV series and their episodes; also films.",
                 "thetvdb.com → Dashboard → Account → API Keys. A personal key works with your subscriber PIN.",
                 (KeyField("TVDB_API_KEY", "API key"), KeyField("TVDB_PIN", "Subscriber PIN"))),
    ProviderInfo("omdb", "OMDb",
                 "Short English plots found by IMDb id: a backup for films.",
                 "Free for 1,000 requests a day: omdbapi.com/apikey.aspx → FREE, then the link in the e-mail.",
                 (KeyField("OMDB_API_KEY", "API key"),)),
    ProviderInfo("fanart", "fanart.tv",
                 "Extra posters and logos (artwork only, no descriptions).",
                 "Free: sign up at fanart.tv, then your profile → personal API key.",
                 (KeyField("FANART_API_KEY", "Personal API key"),)),
    ProviderInfo("poms", "NPO POMS (VPRO Cinema)",
                 "Dutch film and series descriptions by VPRO Cinema (unofficial API; may stop working).",
                 "A POMS frontend API key and secret from the NPO (apply through the NPO's developer pages), "
                 "or press Find for the pair NPO publishes on cinema.nl.",
                 (KeyField("POMS_API_KEY", "API key"), KeyField("POMS_API_SECRET", "API secret"))),
)
SECRET_NAMES: tuple[str, ...] = tuple(field.secret for info in PROVIDERS for field in info.fields)


class ProviderKeysPage(QWidget):
    """A password field per key and a "Test" button per provider (one cheap request each)."""

    loaded = Signal()
    tested = Signal(str)  # provider

    def __init__(self, tasks: TaskRunner, http: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._http = http
        self._original: dict[str, str] = {}
        self._running: dict[str, asyncio.Task[Any]] = {}
        self.fields: dict[str, QLineEdit] = {}
        self.test_buttons: dict[str, QPushButton] = {}
        self.results: dict[str, QLabel] = {}
        self.checks: dict[str, setup.KeyCheck] = {}
        self._poms_finder: setup.PublishedPomsKey | None = None  # one per page: its cooldown holds

        self.keyring_note = plain_label()
        self.show_keys = QCheckBox("Show the keys")
        self.show_keys.toggled.connect(self._set_echo)
        top = QHBoxLayout()
        top.addWidget(plain_label("Keys are kept in your system's keyring. TVmaze needs no key. "
                                  "Add at least a TMDB key."), 1)
        top.addWidget(self.show_keys)

        boxes = QWidget()
        column = QVBoxLayout(boxes)
        column.setContentsMargins(0, 0, 6, 0)
        for info in PROVIDERS:
            column.addWidget(self._provider_box(info))
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(boxes)
        scroll.viewport().setAutoFillBackground(False)
        boxes.setAutoFillBackground(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.keyring_note)
        layout.addWidget(scroll, 1)
        self.keyring_note.setVisible(False)

    def _provider_box(self, info: ProviderInfo) -> QGroupBox:
        box = QGroupBox(info.label)
        grid = QGridLayout(box)
        grid.setColumnMinimumWidth(0, 190)
        grid.setColumnStretch(1, 1)
        grid.addWidget(plain_label(info.purpose), 0, 0, 1, 3)
        where = plain_label("Get a key: " + info.where, selectable=True)
        where.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        grid.addWidget(where, 1, 0, 1, 3)
        for row, field in enumerate(info.fields, start=2):
            edit = QLineEdit()
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setClearButtonEnabled(True)
            edit.textEdited.connect(lambda _text, name=info.name: self._clear_result(name))
            self.fields[field.secret] = edit
            grid.addWidget(plain_label(field.label, wrap=False), row, 0)
            grid.addWidget(edit, row, 1)
        button = QPushButton("Test")
        button.setToolTip(f"Ask {info.label} once whether the key works")
        button.clicked.connect(lambda _checked=False, name=info.name: self.test(name))
        grid.addWidget(button, 2, 2)
        if info.name == "poms":
            self.find_poms_button = QPushButton("Find")
            self.find_poms_button.setToolTip("Look for the key and secret NPO publishes on cinema.nl for its own "
                                             "site (at most once a minute)")
            self.find_poms_button.clicked.connect(self.find_poms_key)
            grid.addWidget(self.find_poms_button, 3, 2)
        result = plain_label()
        result.setVisible(False)
        grid.addWidget(result, len(info.fields) + 2, 1, 1, 2)
        self.test_buttons[info.name] = button
        self.results[info.name] = result
        return box

    # -- values ---------------------------------------------------------------------------------
    def load(self, store: Any) -> asyncio.Task[Any]:
        """Fill the fields from the environment and keyring (read in the background)."""
        return self._tasks.start(setup.read_secrets(store, SECRET_NAMES), on_done=self._fill,
                                 label="Reading the saved keys")

    def _fill(self, found: setup.SecretValues) -> None:
        self._original = {name: found.values.get(name, "") for name in SECRET_NAMES}
        for name, edit in self.fields.items():
            edit.setText(self._original[name])
        self.keyring_note.setText(found.problem)
        self.keyring_note.setVisible(bool(found.problem))
        self.loaded.emit()

    def values(self) -> dict[str, str]:
        return {name: edit.text().strip() for name, edit in self.fields.items()}

    def changes(self) -> dict[str, str]:
        """The keys the user typed, changed or cleared since ``load`` ("" means forget it)."""
        return {name: value for name, value in self.values().items() if value != self._original.get(name, "")}

    # -- testing ------------------------------------------------------------------------------
    def test(self, provider: str) -> None:
        running = self._running.get(provider)
        if running is not None and not running.done():
            running.cancel()
        info = next(info for info in PROVIDERS if info.name == provider)
        values = {field.secret: self.fields[field.secret].text() for field in info.fields}
        self.checks.pop(provider, None)
        self._show_result(provider, "Testing…", None)
        self._running[provider] = self._tasks.start(
            setup.check_provider_key(self._http, provider, values),
            on_done=self._tested, on_error=functools.partial(self._test_failed, provider),
            label=f"Testing the {info.label} key")

    def find_poms_key(self) -> None:
        """Fill the POMS fields with the key and secret NPO publishes (the user tests and saves)."""
        running = self._running.get("poms")
        if running is not None and not running.done():
            running.cancel()
        if self._poms_finder is None:
            self._poms_finder = setup.PublishedPomsKey(self._http)
        self.checks.pop("poms", None)
        self._show_result("poms", "Looking on cinema.nl…", None)
        self._running["poms"] = self._tasks.start(
            self._poms_finder.find(), on_done=self._found_poms_key,
            on_error=functools.partial(self._test_failed, "poms"), label="Looking for NPO's published POMS key")

    def _found_poms_key(self, found: Mapping[str, str]) -> None:
        for name, value in found.items():
            self.fields[name].setText(value)
        self._show_result("poms", "Found the key and secret NPO publishes. Test them, then save.", GOOD)

    def _tested(self, check: setup.KeyCheck) -> None:
        self.checks[check.provider] = check
        self._show_result(check.provider, check.message, GOOD if check.works else BAD)
        self.tested.emit(check.provider)

    def _test_failed(self, provider: str, error: CuratorError) -> None:
        self._show_result(provider, error.user_message, BAD)

    def _clear_result(self, provider: str) -> None:
        self.checks.pop(provider, None)
        self._show_result(provider, "", None)

    def _show_result(self, provider: str, text: str, colour: QColor | None) -> None:
        label = self.results[provider]
        label.setText(("✔ " if colour == GOOD else "✖ " if colour == BAD else "") + text)
        label.setVisible(bool(text))
        palette = self.palette()
        if colour is not None:
            palette.setColor(QPalette.ColorRole.WindowText, colour)
        label.setPalette(palette)

    def _set_echo(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for edit in self.fields.values():
            edit.setEchoMode(mode)

    def cancel(self) -> None:
        for task in self._running.values():
            task.cancel()
        self._running.clear()


# --- matching ------------------------------------------------------------------------------------


PROVIDER_LABELS: dict[str, str] = {"tmdb": "TMDB", "tvdb": "TheTVDB", "tvmaze": "TVmaze", "omdb": "OMDb",
                                   "poms": "NPO POMS"}
MOVIE_PROVIDERS = ("tmdb", "tvdb", "omdb", "poms")
SHOW_PROVIDERS = ("tvdb", "tmdb", "tvmaze", "omdb", "poms")
LANGUAGES: dict[str, str] = {
    "en": "English", "nl": "Dutch", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "pt-BR": "Portuguese (Brazil)", "sv": "Swedish", "da": "Danish", "no": "Norwegian",
    "fi": "Finnish", "pl": "Polish", "cs": "Czech", "hu": "Hungarian", "tr": "Turkish", "ru": "Russian",
    "uk": "Ukrainian", "ja": "Japanese", "ko": "Korean", "zh": "Chinese",
}
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


def language_text(code: str) -> str:
    name = LANGUAGES.get(code)
    return f"{code} — {name}" if name else code


def language_code(typed: str) -> str | None:
    """The code the user meant: "nl", "nl — Dutch" or "Dutch" → "nl"; None when unrecognised."""
    text = typed.strip()
    by_name = {name.casefold(): code for code, name in LANGUAGES.items()}
    by_text = {language_text(code).casefold(): code for code in LANGUAGES}
    found = by_text.get(text.casefold()) or by_name.get(text.casefold())
    if found:
        return found
    return text if _LANGUAGE_CODE.match(text) else None


class OrderList(QWidget):
    """A list the user orders with Up and Down; items may have tick boxes."""

    def __init__(self, *, checkable: bool, removable: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._checkable = checkable
        self.list = QListWidget()
        self.list.setMinimumHeight(120)
        self.up_button = QPushButton("Up")
        self.down_button = QPushButton("Down")
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_current)
        self.remove_button.setVisible(removable)
        row = QHBoxLayout()
        for button in (self.up_button, self.down_button, self.remove_button):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)

    def set_items(self, entries: Iterable[tuple[str, str, bool]]) -> None:
        """``entries``: (value, text, ticked)."""
        self.list.clear()
        for value, text, ticked in entries:
            self.add(value, text, ticked)

    def add(self, value: str, text: str, ticked: bool = True) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, value)
        if self._checkable:
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.list.addItem(item)

    def values(self, *, ticked_only: bool = False) -> list[str]:
        items = [self.list.item(row) for row in range(self.list.count())]
        return [item.data(Qt.ItemDataRole.UserRole) for item in items
                if not (ticked_only and self._checkable and item.checkState() != Qt.CheckState.Checked)]

    def move_current(self, delta: int) -> None:
        row = self.list.currentRow()
        target = row + delta
        if row < 0 or not 0 <= target < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)


class MatchingPage(QWidget):
    """Summary languages in order, provider order per media type, threshold and margin."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.languages = OrderList(checkable=False, removable=True)
        self.language_box = QComboBox()
        self.language_box.setEditable(True)
        self.language_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for code in LANGUAGES:
            self.language_box.addItem(language_text(code), code)
        self.language_box.setCurrentIndex(-1)
        editor = self.language_box.lineEdit()
        if editor is not None:
            editor.setPlaceholderText("Language, e.g. nl")
        self.add_language_button = QPushButton("Add")
        self.add_language_button.clicked.connect(self.add_language)
        self.language_status = plain_label()
        adder = QHBoxLayout()
        adder.addWidget(self.language_box, 1)
        adder.addWidget(self.add_language_button)
        languages_box = QGroupBox("Summary languages")
        languages_layout = QVBoxLayout(languages_box)
        languages_layout.addWidget(plain_label(
            "Curator proposes a summary in the first language a provider has, then the next."))
        languages_layout.addWidget(self.languages, 1)
        languages_layout.addLayout(adder)
        languages_layout.addWidget(self.language_status)

        self.movie_order = OrderList(checkable=True)
        self.show_order = OrderList(checkable=True)
        movie_box = QGroupBox("Film providers")
        movie_layout = QVBoxLayout(movie_box)
        movie_layout.addWidget(plain_label("Asked in this order. Untick one to leave it out."))
        movie_layout.addWidget(self.movie_order, 1)
        show_box = QGroupBox("TV show providers")
        show_layout = QVBoxLayout(show_box)
        show_layout.addWidget(plain_label("Providers without a key are skipped anyway."))
        show_layout.addWidget(self.show_order, 1)

        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.50, 1.00)
        self.threshold.setSingleStep(0.01)
        self.threshold.setDecimals(2)
        self.margin = QDoubleSpinBox()
        self.margin.setRange(0.00, 0.50)
        self.margin.setSingleStep(0.01)
        self.margin.setDecimals(2)
        self.reset_button = QPushButton("Use the defaults")
        self.reset_button.clicked.connect(self.reset_thresholds)
        rules_box = QGroupBox("Automatic matches")
        rules_layout = QVBoxLayout(rules_box)
        rules_layout.addWidget(plain_label(
            "Curator accepts a match by itself only when the best candidate scores at least the threshold "
            "and leads the next-best candidate by at least the margin; everything else waits for your "
            "review. Higher values mean fewer automatic matches and fewer mistakes. Scores run from 0 to 1."))
        numbers = QHBoxLayout()
        numbers.addWidget(plain_label(f"Threshold (default {DEFAULT_THRESHOLD:.2f})", wrap=False))
        numbers.addWidget(self.threshold)
        numbers.addSpacing(24)
        numbers.addWidget(plain_label(f"Margin (default {DEFAULT_MARGIN:.2f})", wrap=False))
        numbers.addWidget(self.margin)
        numbers.addStretch(1)
        numbers.addWidget(self.reset_button)
        rules_layout.addLayout(numbers)

        top = QHBoxLayout()
        for box in (languages_box, movie_box, show_box):
            top.addWidget(box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(rules_box)

    def load(self, prefs: Preferences) -> None:
        self.languages.set_items((code, language_text(code), True) for code in prefs.summary_languages)
        self.movie_order.set_items(_provider_entries(prefs.movie_providers, MOVIE_PROVIDERS))
        self.show_order.set_items(_provider_entries(prefs.show_providers, SHOW_PROVIDERS))
        self.threshold.setValue(prefs.threshold if prefs.threshold is not None else DEFAULT_THRESHOLD)
        self.margin.setValue(prefs.margin if prefs.margin is not None else DEFAULT_MARGIN)

    def apply(self, prefs: Preferences) -> Preferences:
        """``prefs`` with this page's choices (a threshold or margin at its default is not pinned)."""
        threshold = round(self.threshold.value(), 2)
        margin = round(self.margin.value(), 2)
        return prefs.with_changes(
            summary_languages=tuple(self.languages.values()) or ("en",),
            movie_providers=tuple(self.movie_order.values(ticked_only=True)),
            show_providers=tuple(self.show_order.values(ticked_only=True)),
            threshold=None if threshold == DEFAULT_THRESHOLD else threshold,
            margin=None if margin == DEFAULT_MARGIN else margin)

    def add_language(self) -> None:
        code = language_code(self.language_box.currentText())
        if code is None:
            self.language_status.setText("Type a language code such as nl, en or pt-BR, or pick one from the list.")
            return
        if code in self.languages.values():
            self.language_status.setText(f"{code} is already in the list.")
            return
        self.languages.add(code, language_text(code))
        self.language_status.setText("")
        self.language_box.setCurrentIndex(-1)
        self.language_box.clearEditText()

    def reset_thresholds(self) -> None:
        self.threshold.setValue(DEFAULT_THRESHOLD)
        self.margin.setValue(DEFAULT_MARGIN)


def _provider_entries(chosen: Sequence[str], known: Sequence[str]) -> list[tuple[str, str, bool]]:
    ordered = [name for name in chosen if name in known] + [name for name in known if name not in chosen]
    return [(name, PROVIDER_LABELS.get(name, name), name in chosen) for name in ordered]


# --- the dialog ----------------------------------------------------------------------------------


class SettingsDialog(QDialog):
    """Everything the first-run wizard asked, to change later. Save writes the keys to the
    keyring and the rest to the preferences; ``library`` is set when the user connected anew."""

    def __init__(self, context: AppContext, tasks: TaskRunner | None = None, *,
                 open_url: UrlOpener | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.resize(900, 640)
        self.context = context
        self.tasks = TaskRunner(self)
        if tasks is not None:
            self.tasks.failed.connect(tasks.failed)
        self._open_url = open_url
        self.library: LibraryService | None = None
        self.saving = False

        self.server_label = plain_label(selectable=True)
        self.sign_in_button = QPushButton("Sign in with Plex…")
        self.sign_in_button.clicked.connect(self.sign_in_with_plex)
        self.manual_button = QPushButton("Enter address and token…")
        self.manual_button.clicked.connect(self.enter_address)
        self.libraries = LibraryPicker()
        server_tab = QWidget()
        server_layout = QVBoxLayout(server_tab)
        server_layout.addWidget(heading("Plex server"))
        server_layout.addWidget(self.server_label)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.sign_in_button)
        buttons_row.addWidget(self.manual_button)
        buttons_row.addStretch(1)
        server_layout.addLayout(buttons_row)
        server_layout.addSpacing(10)
        server_layout.addWidget(heading("Libraries"))
        server_layout.addWidget(plain_label("Tick the libraries Curator works on; the first is opened at start."))
        server_layout.addWidget(self.libraries, 1)

        self.keys = ProviderKeysPage(self.tasks, context.http)
        self.matching = MatchingPage()
        self.matching.load(context.prefs)
        self.tabs = QTabWidget()
        self.tabs.addTab(server_tab, "Server and libraries")
        self.tabs.addTab(self.keys, "Provider keys")
        self.tabs.addTab(self.matching, "Matching")

        self.status = plain_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self._show_server()
        self.keys.load(context.secrets)
        self._load_libraries()

    # -- the server tab ---------------------------------------------------------------------------
    def _show_server(self) -> None:
        prefs = self.context.prefs
        if self.context.demo is not None:
            self.server_label.setText(f"Demo server at {self.context.plex_url()} (the demo's own; changes here "
                                      "are saved but the demo keeps using its server).")
        elif prefs.server_url:
            name = prefs.server_name or "Plex server"
            self.server_label.setText(f"{name} at {prefs.server_url}")
        else:
            self.server_label.setText("No server is set up yet: sign in with Plex, or enter the address and token.")

    def _load_libraries(self, library: LibraryService | None = None) -> None:
        if library is None and self.context.demo is None and not self.context.prefs.server_url:
            return
        self.libraries.status.setText("Reading the libraries…")
        self.tasks.start(self._sections(library), on_done=self._sections_loaded,
                         on_error=lambda err: self.libraries.status.setText(err.user_message),
                         label="Reading libraries")

    async def _sections(self, library: LibraryService | None) -> list[LibrarySection]:
        connected = library or await self.context.open_library()
        return await connected.sections()

    def _sections_loaded(self, sections: list[LibrarySection]) -> None:
        self.libraries.set_sections(sections, setup.chosen_libraries(self.context.prefs))

    def sign_in_with_plex(self) -> PlexSignInDialog:
        extra: dict[str, Any] = {"open_url": self._open_url} if self._open_url is not None else {}
        dialog = PlexSignInDialog(self.context, self.tasks, parent=self, **extra)
        dialog.accepted.connect(lambda: self._connected(dialog.library))
        dialog.open()
        return dialog

    def enter_address(self) -> ConnectDialog:
        dialog = ConnectDialog(self.tasks, self._connect_and_remember, url=self.context.prefs.server_url, parent=self)
        dialog.accepted.connect(lambda: self._connected(dialog.result_value))
        dialog.open()
        return dialog

    async def _connect_and_remember(self, url: str, token: str) -> LibraryService:
        library = await setup.connect_server(self.context.http, url, token,
                                             client_identifier=self.context.prefs.client_identifier)
        note = await remember_server(self.context, library, token)
        if note:
            self.tasks.failed.emit(note)
        return library

    def _connected(self, library: LibraryService | None) -> None:
        if library is None:
            return
        self.library = library
        self._show_server()
        self._load_libraries(library)

    # -- saving -----------------------------------------------------------------------------------
    def save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.buttons.setEnabled(False)
        self.status.setText("Saving…")
        self.tasks.start(self._save(self.keys.changes()), on_done=lambda _none: self.accept(),
                         on_error=self._save_failed, label="Saving settings")

    async def _save(self, changes: Mapping[str, str]) -> None:
        if changes:
            await setup.save_secrets(self.context.secrets, changes)
        prefs = self.matching.apply(self.context.prefs)
        if self.libraries.sections:
            prefs = setup.with_libraries(prefs, self.libraries.chosen())
        self.context.save_prefs(prefs)

    def _save_failed(self, error: CuratorError) -> None:
        self.saving = False
        self.buttons.setEnabled(True)
        self.status.setText(f"Not saved: {error.user_message}")

    def done(self, result: int) -> None:  # Qt override: stop the background work on close
        self.keys.cancel()
        self.tasks.cancel_all()
        super().done(result)
