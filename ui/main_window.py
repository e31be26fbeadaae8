"""The main window: the case list beside the case editor, menus, locking and language."""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
)

from ui import background, help_dialogs
from ui.after_unlock import report_unlock
from ui.case_editor.editor import CaseEditor
from ui.case_list import CaseListPanel
from ui.context import AppContext
from ui.idle import IdleWatcher
from ui.new_case_dialog import NewCaseDialog
from ui.preferences import LAST_USER, SPLITTER_STATE, WINDOW_GEOMETRY
from ui.qt_language import apply_language
from ui.settings_dialog import SettingsDialog
from ui.stats_dialog import StatsDialog, StatsPanel
from ui.sync_status import SyncStatusLabel
from ui.team_sync import TeamSync
from ui.unlock_dialog import UnlockDialog
from workbench.cases.model import CaseFile
from workbench.i18n import _
from workbench.labels import label
from workbench.session import Role

log = logging.getLogger(__name__)

# The case list's share of the window: on a 1366-pixel laptop the case beside it needs the
# rest (the list then shows name, arrears and follow-up; a wider window shows more).
LIST_WIDTH, LIST_MIN_WIDTH = 360, 300


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, unlock_hint: str = "") -> None:
        super().__init__()
        self.ctx = ctx
        self.unlock_hint = unlock_hint
        self.idle = IdleWatcher(ctx.preferences.idle_minutes() * 60, self)
        self.idle.idle.connect(self.lock)
        self.ctx.store_replaced.connect(self.lock)
        QApplication.instance().installEventFilter(self.idle)
        ctx.case_saved.connect(self._case_saved)
        ctx.cases_changed.connect(self._cases_changed)
        self.team_sync = TeamSync(ctx, self)
        self._busy_tasks = 0  # Settings tasks running on the store (see _hold_idle_lock)
        self._arrived_meanwhile = False  # other laptops' changes to show after them
        self.team_sync.arrived.connect(self._cases_arrived)
        background.busy.changed.connect(self._hold_idle_lock)  # sealing, exports, …
        self.team_sync.changed.connect(self._team_changed)
        self._build()
        geometry = ctx.preferences.get(WINDOW_GEOMETRY)
        if not geometry or not self.restoreGeometry(QByteArray(geometry)):
            self._first_size()
        if ctx.unlocked:
            self._after_unlock()

    def _first_size(self) -> None:
        """The first time: the whole screen on a laptop, else a roomy window (a 1280×800
        window on a 768-pixel screen had its status bar below the screen's edge)."""
        screen = QApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        if room is None or room.width() <= 1600 or room.height() <= 900:
            self.resize(1280, 800) if room is None else self.resize(room.size())
            self.setWindowState(self.windowState() | Qt.WindowMaximized)
        else:
            self.resize(1440, 900)

    # --- building (again, when the language changes) -------------------------------------

    def _build(self) -> None:
        # Rebuilding (a language change) replaces every widget; the old ones go entirely.
        self.menuBar().clear()
        for menu in self.menuBar().findChildren(QMenu):
            menu.deleteLater()
        self.lead_only = self._lead_only()
        self._build_menus()
        self.case_list = CaseListPanel(self.ctx)
        self.case_list.case_chosen.connect(self.open_case)
        self.case_list.case_entered.connect(self._enter_case)
        self.editor = CaseEditor(self.ctx)
        self.empty = QLabel(_("Choose a case from the list, or create a new one with Ctrl+N."))
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setWordWrap(True)
        self.right = QStackedWidget()
        self.right.addWidget(self.empty)
        self.right.addWidget(self.editor)
        self.locked_label = QLabel(_("The case store is locked."))
        self.locked_label.setAlignment(Qt.AlignCenter)
        self.splitter = QSplitter()
        self.splitter.setChildrenCollapsible(False)
        self.case_list.setMinimumWidth(LIST_MIN_WIDTH)
        self.splitter.addWidget(self.case_list)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(1, 1)  # a wider window widens the case
        state = self.ctx.preferences.get(SPLITTER_STATE)
        if not state or not self.splitter.restoreState(QByteArray(state)):
            self.splitter.setSizes([LIST_WIDTH, max(self.width() - LIST_WIDTH, 600)])
        self.central = QStackedWidget()
        # A project lead sees the statistics and nothing of the cases.
        self.work = StatsPanel(self.ctx) if self.lead_only else self.splitter
        self.central.addWidget(self.work)
        self.central.addWidget(self.locked_label)
        old = self.centralWidget()
        self.setCentralWidget(self.central)
        if self.isVisible():
            self.central.show()  # now, not when the event loop next runs: keys may follow
        if old is not None:
            old.deleteLater()
        if getattr(self, "user_label", None) is not None:
            self.statusBar().removeWidget(self.user_label)
            self.user_label.deleteLater()
        self.user_label = QLabel()
        if getattr(self, "sync_label", None) is not None:
            self.statusBar().removeWidget(self.sync_label)
            self.sync_label.deleteLater()
        self.sync_label = SyncStatusLabel(self.ctx, self.team_sync)
        self.statusBar().addPermanentWidget(self.sync_label)
        self.statusBar().addPermanentWidget(self.user_label)
        self._update_title()

    def _lead_only(self) -> bool:
        user = self.ctx.session.user if self.ctx.session else None
        return bool(user) and user.has(Role.LEAD) and not (
            user.has(Role.ADVISOR) or user.has(Role.ADMIN))

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        if not self.lead_only:
            self._action(file_menu, _("&New case…"), self.new_case, QKeySequence.New)
            self._action(file_menu, _("S&tatistics…"), self.open_statistics, "Ctrl+Shift+S")
        self._action(file_menu, _("Sync &now"), self.team_sync.sync_now, "F5")
        self._action(file_menu, _("&Lock"), self.lock_when_saved, "Ctrl+L")
        file_menu.addSeparator()
        self._action(file_menu, _("&Settings…"), self.open_settings, "Ctrl+,")
        file_menu.addSeparator()
        self._action(file_menu, _("&Quit"), self.close, QKeySequence.Quit)
        if not self.lead_only:
            case_menu = bar.addMenu(_("&Case"))
            self._action(case_menu, _("&Find…"), lambda: self.case_list.focus_search(),
                         QKeySequence.Find)
            self._action(case_menu, _("Log a &contact"), self.log_contact, "Ctrl+K")
        help_menu = bar.addMenu(_("&Help"))
        self._action(help_menu, _("&Keyboard shortcuts"), self.show_shortcuts,
                     QKeySequence.HelpContents)
        self._action(help_menu, _("&About"), lambda: help_dialogs.show_about(
            self, self.ctx.session.organisation.name if self.ctx.session else ""))

    def show_shortcuts(self) -> None:
        """F1: every key the window answers to, those of sections not opened yet too."""
        if not self.lead_only:
            self.editor.build_all()
        help_dialogs.show_shortcuts(self)

    def _update_title(self) -> None:
        title = _("Housing Advice Workbench")
        if self.ctx.session is not None:
            title += f" — {self.ctx.session.organisation.name}"
            self.user_label.setText(_("Signed in as {user}").format(
                user=self.ctx.session.user.name))
        if self.ctx.demo:
            title += " — " + _("DEMO: fictional cases, removed when you quit")
        self.setWindowTitle(title)

    # --- cases ---------------------------------------------------------------------------

    def open_case(self, case_id: int, tab: int | None = None) -> None:
        if self.editor.current_case_id() == case_id and tab is None:
            return
        if self.editor.open_case(case_id, tab):
            self.right.setCurrentWidget(self.editor)
            self.case_list.open_case_id = case_id
        elif self.editor.current_case_id() is not None:
            # Stayed on the open case (an entry to put right): the list says so too, and
            # a second click on the other case tries again.
            self.case_list.select_case(self.editor.current_case_id())

    def _enter_case(self, case_id: int) -> None:
        """Enter (or a double click) on a case in the list: its section shown, the cursor in
        its first field."""
        if self.editor.current_case_id() == case_id:
            self.editor.focus_first_field()

    def new_case(self) -> None:
        if not self.ctx.unlocked or not self.editor.commit_or_ask():
            return
        dialog = NewCaseDialog(self.ctx, self)
        result = dialog.exec()
        if result == QDialog.Accepted and dialog.created is not None:
            self.case_list.search.clear()
            self.open_case(dialog.created.case.id, 0)
            self.case_list.select_case(dialog.created.case.id)
        elif dialog.open_existing is not None:
            self.open_case(dialog.open_existing, 0)
        else:
            return
        # The dialog took the cursor with it: it goes on in the case (it went nowhere, and
        # keys typed next were lost).
        self.activateWindow()
        self.editor.focus_first_field()

    def log_contact(self) -> None:
        if self.editor.current_case_id() is not None:
            self.editor.show_page(self.editor.contacts)
            self.editor.contacts.start_new()

    def _case_saved(self, file: CaseFile) -> None:
        row = self.ctx.cases.case_row(file.case.id)
        if row is not None:
            self.case_list.model.update_row(row)
        self.statusBar().showMessage(_("Saved {name} ({status})").format(
            name=file.person.full_name, status=label(file.case.status)), 4000)

    def _cases_changed(self) -> None:
        self.case_list.refresh()

    def _team_changed(self) -> None:
        if self.lead_only and not self.team_sync.running and self.ctx.unlocked:
            self.work.refresh_team_note()  # the figures are as of this sync

    def _cases_arrived(self, cases: set[int] | None) -> None:
        """Other laptops' changes: the list and the open case follow in place (a tab
        being edited keeps what the advisor is typing). ``None``: which cases is not
        known (a sync that stopped part way)."""
        if self.lead_only or not self.ctx.unlocked:
            return
        if self._busy_tasks:
            # Settings works on the store on a worker with the window's connection (it may
            # be renewing the keys): shown once it is done.
            self._arrived_meanwhile = True
            return
        self.case_list.refresh()
        current = self.editor.current_case_id()
        if current is not None and (cases is None or current in cases) and \
                not self.editor.reload():
            self.right.setCurrentWidget(self.empty)
            self.statusBar().showMessage(
                _("The case you had open was deleted on another laptop."), 8000)

    # --- locking -------------------------------------------------------------------------

    def lock_when_saved(self) -> None:
        """File → Lock: an entry that cannot be saved is asked about first (the idle lock
        cannot ask: nobody is there, and such an entry cannot be kept)."""
        if not self.ctx.unlocked or self.editor.commit_or_ask():
            self.lock()

    def lock(self) -> None:
        """Finish saving, close dialogs, forget the key and the cases, ask to unlock."""
        if not self.ctx.unlocked:
            return
        self.idle.stop()
        self.ctx.locking = True
        try:
            if not self.editor.commit():
                log.info("an edit that could not be saved was dropped by locking")
        finally:
            self.ctx.locking = False
        self._resume = (None, None) if self.lead_only else (
            self.editor.current_case_id(), self.editor.sections.currentIndex())
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        self.editor.clear()
        self.case_list.model.clear()
        self.right.setCurrentWidget(self.empty)
        self.central.setCurrentWidget(self.locked_label)
        self.ctx.preferences.set(LAST_USER, self.ctx.session.user.name)
        self.ctx.lock()
        self.ask_unlock()

    def ask_unlock(self) -> None:
        dialog = UnlockDialog(self.ctx.location, last_user=self.ctx.preferences.get(LAST_USER),
                              hint=self.unlock_hint, parent=self)
        if dialog.exec() == QDialog.Accepted and dialog.session is not None:
            self.ctx.open(dialog.session)
            self._after_unlock()
        else:
            self.close()

    def open_statistics(self) -> None:
        if self.ctx.unlocked and self.editor.commit_or_ask():
            StatsDialog(self.ctx, self).exec()

    def _after_unlock(self) -> None:
        if self._lead_only() != self.lead_only:
            self._build()  # another user with other rights signed in
        self.central.setCurrentWidget(self.work)
        self._update_title()
        # Once the window shows (at start it is not yet on the screen): what the store's
        # checks found, and after an upgrade the new recovery key.
        QTimer.singleShot(0, self, self._report_unlock)
        self.team_sync.start()
        if self.lead_only:
            self.idle.set_timeout(self.ctx.preferences.idle_minutes() * 60)
            self.idle.start()
            return
        self.case_list.apply_filters()
        case_id, tab = getattr(self, "_resume", (None, None))
        if case_id is not None:
            self.open_case(case_id, tab)
            self.case_list.select_case(case_id)
        self.idle.set_timeout(self.ctx.preferences.idle_minutes() * 60)
        self.idle.start()

    def _report_unlock(self) -> None:
        if self.ctx.unlocked:
            report_unlock(self, self.ctx.session, self._hold_idle_lock)

    # --- settings and language -----------------------------------------------------------

    def open_settings(self) -> None:
        before = self.ctx.preferences.language()
        dialog = SettingsDialog(self.ctx.preferences, self, self.ctx.session)
        dialog.busy.connect(self._hold_idle_lock)
        if dialog.exec() != QDialog.Accepted:
            return
        self.idle.set_timeout(self.ctx.preferences.idle_minutes() * 60)
        if self.ctx.preferences.language() != before:
            self.change_language(self.ctx.preferences.language())

    def _hold_idle_lock(self, busy: bool) -> None:
        """No idle lock, and no team sync, while Settings works on the store on a worker
        thread (renewing its keys puts new files in place; a backup reads it whole): locking
        would close the store under it, and a sync would use the old files and the window's
        connection at the same time. Tasks may overlap (the team's laptops are listed while
        a user is removed): both resume when the last one ends."""
        self._busy_tasks = max(0, self._busy_tasks + (1 if busy else -1))
        if busy:
            self.idle.stop()
            self.team_sync.stop()
        elif self._busy_tasks == 0 and self.ctx.unlocked:
            self.idle.start()
            if self._arrived_meanwhile:
                self._arrived_meanwhile = False
                self._cases_arrived(None)
            self.team_sync.start()

    def change_language(self, language: str) -> None:
        """Rebuild the window in the new language, back on the same case and tab."""
        if not self.editor.commit_or_ask():
            return
        case_id, tab = self.editor.current_case_id(), self.editor.sections.currentIndex()
        search = self.case_list.search.text()
        apply_language(language)
        self._build()
        self.ctx.language_changed.emit()
        if self.ctx.unlocked:
            self.case_list.search.setText(search)
            self.case_list.apply_filters()
            if case_id is not None:
                self.open_case(case_id, tab)

    # --- closing -------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.ctx.unlocked and not self.editor.commit_or_ask():
            event.ignore()  # the advisor chose to put an entry right first
            return
        self.ctx.preferences.set(WINDOW_GEOMETRY, bytes(self.saveGeometry()))
        self.ctx.preferences.set(SPLITTER_STATE, bytes(self.splitter.saveState()))
        QApplication.instance().removeEventFilter(self.idle)
        if self.ctx.unlocked:
            self.ctx.lock()
        event.accept()

