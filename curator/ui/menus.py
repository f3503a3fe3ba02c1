"""Hooks the dialogs (sign-in, first-run setup, Settings, log, About) into the main window's
menu slots, so the window itself needs to know nothing about them."""

from __future__ import annotations

from typing import Any

from curator.ui.about_dialog import AboutDialog
from curator.ui.first_run import FirstRunWizard, should_show_first_run
from curator.ui.log_viewer import LogViewer
from curator.ui.main_window import MainWindow
from curator.ui.plex_signin import PlexSignInDialog
from curator.ui.settings_dialog import SettingsDialog
from curator.ui.stats_dialog import StatsDialog


def install_dialogs(window: MainWindow) -> None:
    context = window.context

    def use(library: Any) -> None:
        if library is not None:
            window._connected(library)

    def settings_changed(dialog: SettingsDialog) -> None:
        context.reset_providers()  # keys, order or languages may have changed
        window.apply_settings()
        use(dialog.library)

    def open_sign_in() -> None:
        dialog = PlexSignInDialog(context, window.tasks, parent=window)
        dialog.accepted.connect(lambda: use(dialog.library))
        dialog.open()

    def open_settings() -> None:
        dialog = SettingsDialog(context, window.tasks, parent=window)
        dialog.accepted.connect(lambda: settings_changed(dialog))
        dialog.open()

    window.hook(window.sign_in_action, open_sign_in)
    window.hook(window.settings_action, open_settings)
    window.hook(window.setup_wizard_action, lambda: open_first_run(window))
    window.hook(window.log_viewer_action, lambda: LogViewer(context.paths, window.tasks, parent=window).open())
    window.hook(window.about_action, lambda: AboutDialog(window).open())
    statistics = window.view_menu.addAction("Statistics…")
    statistics.triggered.connect(lambda: StatsDialog(context, window).open())
    window.stats_action = statistics


def open_first_run(window: MainWindow) -> FirstRunWizard:
    wizard = FirstRunWizard(window.context, window.tasks, parent=window)

    def finished() -> None:
        window.context.reset_providers()
        window.apply_settings()
        if wizard.library is not None:
            window._connected(wizard.library)

    wizard.accepted.connect(finished)
    wizard.open()
    return wizard


def start(window: MainWindow) -> None:
    """What the window does when it first appears: the setup wizard on a first run, else
    connect to the demo or the saved server."""
    if should_show_first_run(window.context):
        open_first_run(window)
    else:
        window.connect_configured()
