"""Starting the window: the application object, language, first-run set-up or unlock."""

from __future__ import annotations

import logging
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog

from ui.context import AppContext
from ui.main_window import MainWindow
from ui.preferences import LAST_USER, Preferences
from ui.qt_language import apply_language
from ui.setup_wizard import SetupWizard
from ui.unlock_dialog import UnlockDialog
from workbench.demo.seed import seed_demo
from workbench.i18n import _
from workbench.new_store import new_organisation_store
from workbench.paths import default_data_dir, private_log_file, resources_dir
from workbench.session import StoreLocation

DEMO_CASES = 200
DEMO_USER, DEMO_PASSPHRASE = "demo", "demo passphrase"


def application() -> QApplication:
    """The one QApplication of the process (tests share theirs)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Housing Advice Workbench")
    app.setOrganizationName("HousingAdviceWorkbench")
    icon = resources_dir() / "icons" / "workbench.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def _quit_on_signals(app: QApplication) -> None:
    """Ctrl+C or a shutdown's SIGTERM closes the window properly: edits saved, the store
    locked, a demo's folder removed. Qt's loop gives Python a moment to see signals."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: app.closeAllWindows() or app.quit())
    heartbeat = QTimer(app)
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(250)


def _log_to_file() -> None:
    try:
        logging.basicConfig(filename=private_log_file(), level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    except OSError:
        logging.basicConfig(level=logging.WARNING)


def open_window(data_dir: Path | None = None, preferences: Preferences | None = None) -> int:
    """``workbench``: set up a new store, or unlock the existing one, then the window."""
    _log_to_file()
    app = application()
    preferences = preferences or Preferences()
    apply_language(preferences.language())
    location = StoreLocation(Path(data_dir) if data_dir else default_data_dir())
    ctx = AppContext(location, preferences)
    if not location.exists():
        wizard = SetupWizard(location, preferences.language())
        if wizard.exec() != QDialog.Accepted or wizard.session is None:
            return 1 if wizard.session is None else 0
        ctx.open(wizard.session)
    else:
        dialog = UnlockDialog(location, last_user=preferences.get(LAST_USER))
        if dialog.exec() != QDialog.Accepted or dialog.session is None:
            return 0
        ctx.open(dialog.session)
    window = MainWindow(ctx)
    window.show()
    _quit_on_signals(app)
    return app.exec()


def open_demo(cases: int = DEMO_CASES, preferences: Preferences | None = None) -> int:
    """``workbench demo``: a throwaway store of fictional cases, removed on exit."""
    _log_to_file()
    app = application()
    preferences = preferences or Preferences()
    apply_language(preferences.language())
    folder = Path(tempfile.mkdtemp(prefix="workbench-demo-"))
    try:
        window = demo_window(folder, cases, preferences)
        window.show()
        _quit_on_signals(app)
        return app.exec()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def demo_window(folder: Path, cases: int, preferences: Preferences) -> MainWindow:
    location = StoreLocation(folder / "store")
    session, _recovery = new_organisation_store(location, _("Demo Housing Advice"), "FI",
                                                DEMO_USER, DEMO_PASSPHRASE,
                                                language=preferences.language())
    seed_demo(session, cases)
    ctx = AppContext(location, preferences, demo=True)
    ctx.open(session)
    hint = _("Demo: the user is “{user}” and the passphrase “{passphrase}”.").format(
        user=DEMO_USER, passphrase=DEMO_PASSPHRASE)
    return MainWindow(ctx, unlock_hint=hint)
