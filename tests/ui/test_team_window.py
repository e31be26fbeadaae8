"""Team work in the window: sync runs beside the advisor's work, the status bar says where
this laptop stands, and other laptops' changes appear in place. Real windows on real
encrypted stores and a real PostgreSQL server."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from tests.helpers import intake
from tests.support.team import close, make_team, roundtrip
from tests.ui.conftest import type_into
from ui.context import AppContext
from ui.main_window import MainWindow
from workbench.cases.service import CaseService
from workbench.sync.engine import sync


@pytest.fixture
def team_window(tmp_path, pg_database, preferences, qtbot, qapp):
    desk, visit = make_team(tmp_path, pg_database.owner_dsn)
    CaseService(desk).create_case(intake())
    roundtrip(desk, visit)
    window = open_window(desk, preferences, qtbot)
    yield window, visit, pg_database.cluster
    if window.ctx.unlocked:
        window.ctx.lock()
    close([visit])


def open_window(session, preferences, qtbot) -> MainWindow:
    """The window on an unlocked store, shown (its first sync starts at once)."""
    ctx = AppContext(session.location, preferences)
    ctx.open(session)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def status(window) -> str:
    return window.sync_label.text()


def sync_now(window, qtbot) -> None:
    qtbot.keyClick(window, Qt.Key_F5)


def test_offline_work_goes_on_and_the_waiting_change_goes_out_when_the_server_is_back(
        team_window, qtbot):
    window, visit, cluster = team_window
    qtbot.waitUntil(lambda: status(window) == "Up to date", timeout=20000)
    cluster.stop()
    window.case_list.view.selectRow(0)
    case_id = window.editor.current_case_id()
    window.editor.tabs.setCurrentIndex(1)
    phone = window.editor.tabs.currentWidget().person.editors["phone"].widget
    phone.setFocus()
    phone.selectAll()
    type_into(qtbot, phone, "+358 50 111 2222")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Tab)  # saved as the focus moves on
    sync_now(window, qtbot)
    qtbot.waitUntil(lambda: status(window).startswith("Offline since"), timeout=20000)
    assert "1 change waiting to be sent" in status(window)
    assert window.ctx.cases.open_case(case_id).person.phone == "+358 50 111 2222"

    cluster.start()
    sync_now(window, qtbot)
    qtbot.waitUntil(lambda: status(window) == "Up to date", timeout=20000)
    sync(visit)
    (there,) = [row[0] for row in visit.db.all("SELECT id FROM cases")]
    assert CaseService(visit).open_case(there).person.phone == "+358 50 111 2222"


def test_a_change_from_another_laptop_appears_in_the_open_case(team_window, qtbot):
    window, visit, _cluster = team_window
    qtbot.waitUntil(lambda: status(window) == "Up to date", timeout=20000)
    window.case_list.view.selectRow(0)
    window.editor.tabs.setCurrentIndex(1)
    (there,) = [row[0] for row in visit.db.all("SELECT id FROM cases")]
    person = CaseService(visit).open_case(there).person
    CaseService(visit).update_person(there, dataclasses.replace(person, phone="+358 44 777"))
    sync(visit)
    sync_now(window, qtbot)
    phone = window.editor.tabs.currentWidget().person.editors["phone"].widget
    qtbot.waitUntil(lambda: phone.text() == "+358 44 777", timeout=20000)
    assert status(window) == "Up to date"


@pytest.fixture
def two_windows(tmp_path, pg_database, qtbot, qapp):
    """The desk's and the home visit's windows on one team, each on its own store."""
    from PySide6.QtCore import QSettings

    from ui.preferences import LANGUAGE, Preferences

    desk, visit = make_team(tmp_path, pg_database.owner_dsn)
    CaseService(desk).create_case(intake())
    roundtrip(desk, visit)
    windows = []
    for session in (desk, visit):
        preferences = Preferences(QSettings(str(tmp_path / f"{session.location.data_dir.name}"
                                                ".ini"), QSettings.IniFormat))
        preferences.set(LANGUAGE, "en")
        windows.append(open_window(session, preferences, qtbot))
    yield windows, pg_database.cluster
    for window in windows:
        if window.ctx.unlocked:
            window.ctx.lock()


def activate(window, qtbot) -> None:
    """Bring the window to the front, as clicking on it does (keys go to the active one)."""
    window.activateWindow()
    window.raise_()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def edit(window, qtbot, field: str, text: str) -> None:
    """Open the first case's Resident tab and type a new value into ``field``."""
    activate(window, qtbot)
    window.case_list.view.selectRow(0)
    window.editor.tabs.setCurrentIndex(1)
    widget = window.editor.tabs.currentWidget().person.editors[field].widget
    widget.setFocus()
    widget.selectAll()
    type_into(qtbot, widget, text)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Tab)


def synced(window, qtbot) -> None:
    activate(window, qtbot)
    sync_now(window, qtbot)
    qtbot.waitUntil(lambda: window.team_sync.running, timeout=5000)
    qtbot.waitUntil(lambda: not window.team_sync.running, timeout=20000)


def test_the_same_field_edited_offline_on_both_is_a_conflict_in_both_until_settled_in_one(
        two_windows, qtbot):
    (desk, visit), cluster = two_windows
    for window in (desk, visit):
        qtbot.waitUntil(lambda w=window: status(w) == "Up to date", timeout=20000)
    cluster.stop()
    edit(desk, qtbot, "phone", "+358 40 111 1111")
    edit(desk, qtbot, "email", "asukas@example.fi")
    edit(visit, qtbot, "phone", "+358 40 222 2222")
    cluster.start()
    for window in (desk, visit, desk):
        synced(window, qtbot)
    for window in (desk, visit):
        assert window.editor.banner.isVisible(), status(window)
        assert status(window) == "Up to date · 1 case with a conflict"
    # Different fields merged without a question: the desk's e-mail is on the visit laptop.
    assert visit.editor.tabs.currentWidget().person.editors["email"].widget.text() == \
        "asukas@example.fi"

    qtbot.mouseClick(desk.editor.settle_button, Qt.LeftButton)
    dialog = desk.editor.conflicts_dialog
    qtbot.waitExposed(dialog)
    box = dialog.box(0)
    assert box.title() == "Resident · Phone"
    (theirs,) = [b for b in box.choices if b.text() == "+358 40 222 2222"]
    qtbot.mouseClick(theirs, Qt.LeftButton, pos=QPoint(8, theirs.height() // 2))  # its dot
    qtbot.mouseClick(box.keep, Qt.LeftButton)
    assert not dialog.isVisible()  # nothing more to settle
    assert not desk.editor.banner.isVisible()
    for window in (desk, visit):
        synced(window, qtbot)
    for window in (desk, visit):
        assert not window.editor.banner.isVisible()
        assert status(window) == "Up to date"
        phone = window.editor.tabs.currentWidget().person.editors["phone"].widget
        assert phone.text() == "+358 40 222 2222"


def test_a_laptop_joins_through_the_wizard_and_is_approved_in_settings(
        tmp_path, pg_database, preferences, qtbot, qapp):
    from PySide6.QtWidgets import QDialog, QWizard

    from tests.conftest import FAST_KDF, PASSPHRASE, make_store
    from tests.ui.conftest import when_modal
    from ui.dialogs import Dialogs
    from ui.settings_dialog import SettingsDialog
    from ui.setup_wizard import SetupWizard
    from workbench.session import StoreLocation
    from workbench.sync import team

    desk = make_store(StoreLocation(tmp_path / "desk"))
    team.init_server(desk, pg_database.owner_dsn, "desk")
    settings = SettingsDialog(preferences, None, desk)
    qtbot.addWidget(settings)
    settings.show()
    devices = settings.devices
    qtbot.waitUntil(lambda: devices.table.rowCount() == 1, timeout=20000)  # the desk itself

    invitation = tmp_path / "visit.invitation"

    def fill_invitation(dialog: QDialog) -> None:
        type_into(qtbot, dialog.name, "visit")
        type_into(qtbot, dialog.user, "ville")
        dialog.accept()

    Dialogs.answer_next(str(invitation), None)  # where to save it; the note about it
    when_modal(fill_invitation)
    qtbot.mouseClick(devices.invite_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: devices.table.rowCount() == 2, timeout=20000)
    assert invitation.exists()

    wizard = SetupWizard(StoreLocation(tmp_path / "visit"), "en", kdf=FAST_KDF)
    qtbot.addWidget(wizard)
    wizard.show()
    join = wizard.start_page.join
    qtbot.mouseClick(join, Qt.LeftButton, pos=QPoint(8, join.height() // 2))
    qtbot.mouseClick(wizard.button(QWizard.NextButton), Qt.LeftButton)
    page = wizard.join_page
    Dialogs.answer_next(str(invitation))
    qtbot.mouseClick(_button(page, "&Open…"), Qt.LeftButton)
    assert page.user.text() == "ville"
    for field in (page.fields.passphrase, page.fields.repeat):
        type_into(qtbot, field, PASSPHRASE)
    qtbot.mouseClick(wizard.button(QWizard.NextButton), Qt.LeftButton)
    assert wizard.currentPage() is wizard.wait_page
    shown = wizard.wait_page.fingerprint.text()
    assert not wizard.button(QWizard.NextButton).isEnabled()
    assert wizard.wait_page.waiting.text() == "Waiting for the administrator's approval…"

    qtbot.mouseClick(devices.refresh_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: any(r.state == "pending" for r in devices.rows), timeout=20000)
    devices.table.selectRow(0)  # waiting laptops are listed first
    assert shown in devices.fingerprint.text()
    Dialogs.answer_next(True)  # "does the laptop show this fingerprint?"
    qtbot.mouseClick(devices.approve_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: wizard.button(QWizard.NextButton).isEnabled(), timeout=30000)
    qtbot.mouseClick(wizard.button(QWizard.NextButton), Qt.LeftButton)
    assert wizard.currentPage() is wizard.recovery
    assert wizard.session.user.name == "ville"
    wizard.session.lock()
    settings.close()
    desk.lock()


def _button(parent, text: str):
    from PySide6.QtWidgets import QPushButton

    return next(b for b in parent.findChildren(QPushButton) if b.text() == text)


def test_a_field_typed_while_another_laptops_change_arrives_keeps_both(team_window, qtbot):
    window, visit, _cluster = team_window
    qtbot.waitUntil(lambda: status(window) == "Up to date", timeout=20000)
    window.case_list.view.selectRow(0)
    case_id = window.editor.current_case_id()
    window.editor.tabs.setCurrentIndex(1)
    email = window.editor.tabs.currentWidget().person.editors["email"].widget
    email.setFocus()
    type_into(qtbot, email, "asukas@example.fi")  # still typing: nothing saved yet
    (there,) = [row[0] for row in visit.db.all("SELECT id FROM cases")]
    person = CaseService(visit).open_case(there).person
    CaseService(visit).update_person(there, dataclasses.replace(person, phone="+358 44 777"))
    sync(visit)
    sync_now(window, qtbot)
    qtbot.waitUntil(lambda: not window.team_sync.running, timeout=20000)
    assert email.text() == "asukas@example.fi"  # the typing was not overwritten
    qtbot.keyClick(email, Qt.Key_Tab)  # saved as the focus moves on
    saved = window.ctx.cases.open_case(case_id).person
    assert (saved.phone, saved.email) == ("+358 44 777", "asukas@example.fi")
