"""The first-run wizard: welcome → sign in (Plex, or address and token) → server → libraries →
provider keys → matching → done. Shown when no server is set up (and not in the demo)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from curator.app import AppContext
from curator.domain.errors import CuratorError
from curator.domain.models import LibrarySection
from curator.services import setup
from curator.services.library import LibraryService
from curator.ui.plex_signin import (
    PlexSignInWidget,
    ServerChoice,
    ServerPicker,
    UrlOpener,
    plain_label,
    remember_server,
)
from curator.ui.settings_dialog import PROVIDERS, LibraryPicker, ManualServerForm, MatchingPage, ProviderKeysPage
from curator.ui.tasks import TaskRunner

WELCOME, SIGN_IN, SERVER, LIBRARY, KEYS, MATCHING, DONE = range(7)
OPTIONAL_PAGES = frozenset({KEYS, MATCHING})
SKIP_BUTTON = QWizard.WizardButton.CustomButton1


def should_show_first_run(context: AppContext) -> bool:
    """True when no server is set up yet (the demo brings its own)."""
    return context.demo is None and not context.prefs.server_url


class FirstRunWizard(QWizard):
    """Sets Curator up. After ``accepted``: the server, libraries, keys and matching choices are
    saved, and ``library`` is the connected LibraryService."""

    def __init__(self, context: AppContext, tasks: TaskRunner | None = None, *,
                 open_url: UrlOpener = QDesktopServices.openUrl, poll_interval: float = 1.0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.tasks = TaskRunner(self)
        if tasks is not None:
            self.tasks.failed.connect(tasks.failed)
        self.library: LibraryService | None = None
        self.account_token: str | None = None
        self.skipped: set[int] = set()
        self.saving = False
        self.setWindowTitle("Set up Curator")
        self.setTitleFormat(Qt.TextFormat.PlainText)
        self.setSubTitleFormat(Qt.TextFormat.PlainText)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        if not QApplication.windowIcon().isNull():
            self.setPixmap(QWizard.WizardPixmap.LogoPixmap, QApplication.windowIcon().pixmap(48, 48))
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(SKIP_BUTTON, "Skip")
        self.setButtonLayout([QWizard.WizardButton.Stretch, SKIP_BUTTON, QWizard.WizardButton.BackButton,
                              QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton,
                              QWizard.WizardButton.CancelButton])
        self.customButtonClicked.connect(self._custom_button)
        self.currentIdChanged.connect(self._page_changed)
        self.resize(820, 600)

        plextv = setup.plextv_client(context.http, context.prefs.client_identifier)
        self.welcome_page = WelcomePage()
        self.sign_in_page = SignInPage(self, plextv, open_url, poll_interval)
        self.server_page = ServerPage(self, plextv)
        self.library_page = LibraryPage(self)
        self.keys_page = KeysPage(self)
        self.matching_page = MatchingChoicesPage(self)
        self.done_page = DonePage(self)
        for page_id, page in ((WELCOME, self.welcome_page), (SIGN_IN, self.sign_in_page),
                              (SERVER, self.server_page), (LIBRARY, self.library_page), (KEYS, self.keys_page),
                              (MATCHING, self.matching_page), (DONE, self.done_page)):
            self.setPage(page_id, page)
        self.setStartId(WELCOME)
        self._page_changed(WELCOME)

    # -- navigation -------------------------------------------------------------------------------
    def _page_changed(self, page_id: int) -> None:
        self.button(SKIP_BUTTON).setVisible(page_id in OPTIONAL_PAGES)

    def _custom_button(self, _which: int) -> None:
        self.skip()  # Skip is the only custom button

    def skip(self) -> None:
        """Go on without keeping this optional page's changes."""
        page_id = self.currentId()
        if page_id in OPTIONAL_PAGES:
            self.next()
            self.skipped.add(page_id)

    def connected(self, library: LibraryService) -> None:
        self.library = library

    # -- finishing --------------------------------------------------------------------------------
    def accept(self) -> None:
        """Save what the pages hold, then close (the keyring is written in the background)."""
        if self.saving:
            return
        self.saving = True
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self.done_page.status.setText("Saving…")
        keys = {} if KEYS in self.skipped else self.keys_page.keys.changes()
        self.tasks.start(self._save(keys), on_done=lambda _none: self._saved(),
                         on_error=self._save_failed, label="Saving the set-up")

    async def _save(self, keys: Mapping[str, str]) -> None:
        if keys:
            await setup.save_secrets(self.context.secrets, keys)
        prefs = self.context.prefs
        if MATCHING not in self.skipped and self.matching_page.loaded:
            prefs = self.matching_page.matching.apply(prefs)
        prefs = setup.with_libraries(prefs, self.library_page.picker.chosen())
        self.context.save_prefs(prefs)

    def _saved(self) -> None:
        super().accept()

    def _save_failed(self, error: CuratorError) -> None:
        self.saving = False
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        self.done_page.status.setText(f"Not saved: {error.user_message}")

    def done(self, result: int) -> None:  # Qt override: stop the background work on close
        self.sign_in_page.sign_in.cancel_wait()
        self.server_page.picker.cancel()
        self.keys_page.keys.cancel()
        self.tasks.cancel_all()
        super().done(result)


class WelcomePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Welcome to Curator")
        self.setSubTitle("Better descriptions for your Plex films and shows, checked by you.")
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(
            "Curator looks up every film and show of your Plex libraries with metadata services such as "
            "TMDB and TheTVDB, proposes the best match with a description in your language, and writes "
            "the descriptions you approve back into Plex. Every change can be undone."))
        layout.addSpacing(8)
        layout.addWidget(plain_label(
            "In the next few steps you will:\n"
            "  1. sign in with your Plex account (or enter your server's address),\n"
            "  2. choose the server and the libraries to work on,\n"
            "  3. add keys for the metadata services (optional, you can do it later in Settings),\n"
            "  4. choose your languages."))
        layout.addStretch(1)


class SignInPage(QWizardPage):
    """Sign in with Plex (recommended) or type an address and token."""

    def __init__(self, wizard: FirstRunWizard, plextv: setup.PlexTvClient, open_url: UrlOpener,
                 poll_interval: float) -> None:
        super().__init__()
        self._wizard = wizard
        self._connecting = False
        self._connected_with: tuple[str, str] | None = None
        self.setTitle("Connect to Plex")
        self.setSubTitle("Signing in with Plex finds your servers for you.")
        self.plex_choice = QRadioButton("Sign in with Plex (recommended)")
        self.manual_choice = QRadioButton("Enter the server's address and a token")
        self.plex_choice.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.plex_choice)
        group.addButton(self.manual_choice)
        self.sign_in = PlexSignInWidget(wizard.tasks, plextv, wizard.context.secrets, open_url=open_url,
                                        poll_interval=poll_interval)
        self.manual = ManualServerForm(wizard.context.prefs.server_url)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.sign_in)
        self.stack.addWidget(self.manual)
        layout = QVBoxLayout(self)
        layout.addWidget(self.plex_choice)
        layout.addWidget(self.manual_choice)
        layout.addSpacing(8)
        layout.addWidget(self.stack, 1)

        self.plex_choice.toggled.connect(self._choice_changed)
        self.sign_in.signed_in.connect(self._signed_in)
        self.sign_in.state_changed.connect(lambda _state: self.completeChanged.emit())
        self.manual.url_edit.textChanged.connect(lambda _text: self.completeChanged.emit())
        self.manual.token_edit.textChanged.connect(lambda _text: self.completeChanged.emit())

    @property
    def uses_plex(self) -> bool:
        return self.plex_choice.isChecked()

    def _choice_changed(self) -> None:
        self.stack.setCurrentWidget(self.sign_in if self.uses_plex else self.manual)
        self.completeChanged.emit()

    def _signed_in(self, token: str) -> None:
        self._wizard.account_token = token
        self.completeChanged.emit()
        if self._wizard.currentPage() is self:
            self._wizard.next()

    def isComplete(self) -> bool:
        if self.uses_plex:
            return self.sign_in.token is not None
        url, token = self.manual.address()
        return bool(url and token) and not self._connecting

    def nextId(self) -> int:
        return SERVER if self.uses_plex else LIBRARY

    def validatePage(self) -> bool:
        """Plex: signed in. By hand: connect first (in the background), then go on."""
        if self.uses_plex:
            return self.sign_in.token is not None
        address = self.manual.address()
        if self._connected_with == address and self._wizard.library is not None:
            return True
        self._connecting = True
        self.completeChanged.emit()
        self.manual.status.setText("Connecting…")
        url, token = address
        self._wizard.tasks.start(self._connect(url, token), on_done=lambda library: self._connected(library, address),
                                 on_error=self._failed, label="Connecting to Plex")
        return False

    async def _connect(self, url: str, token: str) -> LibraryService:
        context = self._wizard.context
        library = await setup.connect_server(context.http, url, token,
                                             client_identifier=context.prefs.client_identifier)
        note = await remember_server(context, library, token)
        if note:
            self._wizard.tasks.failed.emit(note)
        return library

    def _connected(self, library: LibraryService, address: tuple[str, str]) -> None:
        self._connecting = False
        self._connected_with = address
        self._wizard.connected(library)
        self.manual.status.setText(f"Connected to {library.server.name or 'the server'}.")
        self.completeChanged.emit()
        self._wizard.next()

    def _failed(self, error: CuratorError) -> None:
        self._connecting = False
        self.manual.status.setText(error.user_message)
        self.completeChanged.emit()


class ServerPage(QWizardPage):
    """The account's servers; Next connects to the chosen one."""

    def __init__(self, wizard: FirstRunWizard, plextv: setup.PlexTvClient) -> None:
        super().__init__()
        self._wizard = wizard
        self._connected_to: ServerChoice | None = None
        self._loaded_for: str | None = None
        self.setTitle("Choose your server")
        self.setSubTitle("Curator checks which address of each server answers, nearby ones first.")
        self.picker = ServerPicker(wizard.tasks, wizard.context.http, wizard.context.prefs.client_identifier, plextv)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        self.picker.selection_changed.connect(self.completeChanged.emit)
        self.picker.connected.connect(self._connected)

    def initializePage(self) -> None:
        token = self._wizard.account_token
        if token and token != self._loaded_for:
            self._loaded_for = token
            self._connected_to = None
            self.picker.load(token)

    def isComplete(self) -> bool:
        return self.picker.selected() is not None and not self.picker.connecting

    def validatePage(self) -> bool:
        choice = self.picker.selected()
        if choice is not None and choice == self._connected_to and self._wizard.library is not None:
            return True
        if self.picker.connect_selected():
            self.completeChanged.emit()
        return False

    def _connected(self, library: LibraryService, token: str) -> None:
        choice = self.picker.selected()
        self._wizard.tasks.start(remember_server(self._wizard.context, library, token),
                                 on_done=lambda note: self._remembered(library, choice, note),
                                 label="Saving the server")

    def _remembered(self, library: LibraryService, choice: ServerChoice | None, note: str) -> None:
        if note:
            self._wizard.tasks.failed.emit(note)
        self._connected_to = choice
        self._wizard.connected(library)
        self.completeChanged.emit()
        if self._wizard.currentPage() is self:
            self._wizard.next()


class LibraryPage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._shown_for: LibraryService | None = None
        self.setTitle("Choose libraries")
        self.setSubTitle("Tick the film and TV libraries Curator should work on.")
        self.picker = LibraryPicker()
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        self.picker.changed.connect(self.completeChanged.emit)

    def initializePage(self) -> None:
        library = self._wizard.library
        if library is None or library is self._shown_for:
            return
        self._shown_for = library
        self.picker.status.setText("Reading the libraries…")
        self._wizard.tasks.start(library.sections(), on_done=self._show,
                                 on_error=lambda err: self.picker.status.setText(err.user_message),
                                 label="Reading libraries")

    def _show(self, sections: list[LibrarySection]) -> None:
        self.picker.set_sections(sections, setup.chosen_libraries(self._wizard.context.prefs))

    def isComplete(self) -> bool:
        return bool(self.picker.chosen())


class KeysPage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._loaded = False
        self.setTitle("Metadata services")
        self.setSubTitle("Keys let Curator ask these services for descriptions. Test each one; skip any you "
                         "do not have.")
        self.keys = ProviderKeysPage(wizard.tasks, wizard.context.http)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.keys)

    def initializePage(self) -> None:
        if not self._loaded:
            self._loaded = True
            self.keys.load(self._wizard.context.secrets)

    def validatePage(self) -> bool:
        self._wizard.skipped.discard(KEYS)
        return True


class MatchingChoicesPage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.loaded = False
        self.setTitle("Languages and matching")
        self.setSubTitle("Which languages you want descriptions in, and how sure Curator must be to match "
                         "by itself.")
        self.matching = MatchingPage()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.matching)

    def initializePage(self) -> None:
        if not self.loaded:
            self.loaded = True
            self.matching.load(self._wizard.context.prefs)

    def validatePage(self) -> bool:
        self._wizard.skipped.discard(MATCHING)
        return True


class DonePage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Ready")
        self.setSubTitle("Press Finish to save and open your library.")
        self.summary = plain_label(selectable=True)
        self.status = plain_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        layout.addWidget(self.status)
        self.setFinalPage(True)

    def initializePage(self) -> None:
        wizard = self._wizard
        library = wizard.library
        server = (library.server.name or library.client.base_url) if library is not None else "none"
        libraries = ", ".join(wizard.library_page.picker.chosen()) or "none"
        keys = _providers_with_keys(wizard.keys_page.keys.values()) if KEYS not in wizard.skipped else []
        lines = [f"Server: {server}", f"Libraries: {libraries}",
                 "Metadata services with a key: " + (", ".join(keys) if keys else "none yet (TVmaze needs none)")]
        if wizard.matching_page.loaded and MATCHING not in wizard.skipped:
            languages = ", ".join(wizard.matching_page.matching.languages.values())
            lines.append(f"Summary languages: {languages}")
        lines += ["", "You can change all of this later in Settings."]
        self.summary.setText("\n".join(lines))


def _providers_with_keys(values: Mapping[str, Any]) -> list[str]:
    return [info.label for info in PROVIDERS if values.get(info.fields[0].secret)]
