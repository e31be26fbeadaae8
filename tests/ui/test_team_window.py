"""Team work in the window: sync runs beside the advisor's work, the status bar says where
this laptop stands, and other laptops' changes appear in place. Real windows on real
encrypted stores and a real PostgreSQL server."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QGroupBox, QLabel, QTableWidget

from tests.helpers import intake
from tests.support.team import close, make_team, roundtrip
from tests.ui.conftest import show_section, type_into
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
    show_section(qtbot, window, 1)
    phone = window.editor.sections.currentWidget().person.editors["phone"].widget
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
    show_section(qtbot, window, 1)
    (there,) = [row[0] for row in visit.db.all("SELECT id FROM cases")]
    person = CaseService(visit).open_case(there).person
    CaseService(visit).update_person(there, dataclasses.replace(person, phone="+358 44 777"))
    sync(visit)
    sync_now(window, qtbot)
    phone = window.editor.sections.currentWidget().person.editors["phone"].widget
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
    show_section(qtbot, window, 1)
    widget = window.editor.sections.currentWidget().person.editors[field].widget
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
    assert visit.editor.sections.currentWidget().person.editors["email"].widget.text() == \
        "asukas@example.fi"
    CaseService(desk.ctx.session).create_case(intake(last_name="Untouched"))
    activate(desk, qtbot)
    desk.case_list.show_filter.setFocus()
    qtbot.keyClicks(desk.case_list.show_filter, "Cases")  # Show → Cases with conflicts
    listed = desk.case_list.view.model()
    assert desk.case_list.show_filter.currentText() == "Cases with conflicts"
    from ui.case_list import CASE_ID_ROLE
    assert listed.rowCount() == 1
    assert listed.index(0, 0).data(CASE_ID_ROLE) == desk.editor.current_case_id()
    qtbot.wait(QApplication.keyboardInputInterval() + 100)  # a new search by typing
    qtbot.keyClicks(desk.case_list.show_filter, "All")
    assert desk.case_list.show_filter.currentText() == "All cases"
    assert listed.rowCount() == 2, [listed.index(n, 0).data() for n in range(listed.rowCount())]

    qtbot.mouseClick(desk.editor.settle_button, Qt.LeftButton)
    dialog = desk.editor.conflicts_dialog
    qtbot.waitExposed(dialog)
    box = dialog.box(0)
    assert box.title() == "Resident · Phone"
    said = sorted(line.text() for line in box.findChildren(QLabel, "conflictWho"))
    assert said[0].startswith("saved by anna on this laptop, ")
    assert said[1].startswith("saved by user-visit on “visit”, ")
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
        phone = window.editor.sections.currentWidget().person.editors["phone"].widget
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


def type_while_another_laptop_saves(window, visit, qtbot, field: str, typed: str,
                                    **theirs: str):
    """Type into the first case's Resident ``field`` (not saved yet) while the visit laptop
    changes the resident (``theirs``) and the window's sync brings it; returns the field."""
    qtbot.waitUntil(lambda: status(window) == "Up to date", timeout=20000)
    window.case_list.view.selectRow(0)
    show_section(qtbot, window, 1)
    widget = window.editor.sections.currentWidget().person.editors[field].widget
    widget.setFocus()
    type_into(qtbot, widget, typed)  # still typing: nothing saved yet
    (there,) = [row[0] for row in visit.db.all("SELECT id FROM cases")]
    person = CaseService(visit).open_case(there).person
    CaseService(visit).update_person(there, dataclasses.replace(person, **theirs))
    sync(visit)
    sync_now(window, qtbot)
    qtbot.waitUntil(lambda: not window.team_sync.running, timeout=20000)
    return widget


def test_a_field_typed_while_another_laptops_change_arrives_keeps_both(team_window, qtbot):
    window, visit, _cluster = team_window
    email = type_while_another_laptop_saves(window, visit, qtbot, "email",
                                            "asukas@example.fi", phone="+358 44 777")
    case_id = window.editor.current_case_id()
    assert email.text() == "asukas@example.fi"  # the typing was not overwritten
    qtbot.keyClick(email, Qt.Key_Tab)  # saved as the focus moves on
    saved = window.ctx.cases.open_case(case_id).person
    assert (saved.phone, saved.email) == ("+358 44 777", "asukas@example.fi")


def test_a_field_typed_while_another_laptop_changes_the_same_field_becomes_a_conflict(
        team_window, qtbot):
    """The advisor's typing is not overwritten and does not silently overwrite either:
    both values are kept as a question, here and on the other laptop."""
    window, visit, _cluster = team_window
    email = type_while_another_laptop_saves(window, visit, qtbot, "email",
                                            "typed@example.fi", email="arrived@example.fi")
    assert email.text() == "typed@example.fi"
    qtbot.keyClick(email, Qt.Key_Tab)  # saved as the focus moves on
    assert window.editor.banner.isVisible()
    synced(window, qtbot)
    assert status(window) == "Up to date · 1 case with a conflict"
    sync(visit)
    from workbench.sync.conflicts import list_conflicts
    for db in (window.ctx.session.db, visit.db):
        (conflict,) = list_conflicts(db)
        assert conflict.field == "email"
        assert sorted(v.value for v in conflict.values) == ["arrived@example.fi",
                                                            "typed@example.fi"]


def test_keeping_an_unchecked_number_survives_another_laptops_change(team_window, qtbot):
    """A number that does not check out, then a change from another laptop, then the tick
    "keep the number": the tick is what is saved, not the stored state it was refilled
    from."""
    window, visit, _cluster = team_window
    qtbot.waitUntil(lambda: status(window) == "Up to date", timeout=20000)
    activate(window, qtbot)
    window.case_list.view.selectRow(0)
    case_id = window.editor.current_case_id()
    show_section(qtbot, window, 1)
    form = window.editor.sections.currentWidget().person
    identity = form.editors["identity"].widget
    identity.setFocus()
    identity.selectAll()
    type_into(qtbot, identity, "131052-3080")  # the check character is wrong
    qtbot.keyClick(identity, Qt.Key_Tab)
    assert form.rows["identity"].error.isVisible()  # refused, the text kept
    (there,) = [row[0] for row in visit.db.all("SELECT id FROM cases")]
    person = CaseService(visit).open_case(there).person
    CaseService(visit).update_person(there, dataclasses.replace(person, phone="+358 44 777"))
    sync(visit)
    synced(window, qtbot)
    qtbot.mouseClick(form.override, Qt.LeftButton, pos=QPoint(8, form.override.height() // 2))
    saved = window.ctx.cases.open_case(case_id).person
    assert (saved.identity_number, saved.identity_unverified, saved.phone) == \
        ("131052-3080", True, "+358 44 777")
    assert not form.rows["identity"].error.isVisible()


def test_removing_a_user_while_records_arrive_renews_the_keys_and_sync_goes_on(
        team_window, qtbot):
    """Settings renews the store's keys (new files) while the window's sync is taking in
    another laptop's cases: the sync waits, then goes on with the new files; nothing is
    lost on either side."""
    from tests.conftest import FAST_KDF
    from tests.ui.conftest import when_modal
    from tests.ui.test_users_panel import button, click_user
    from ui.background import ProgressDialog
    from ui.dialogs import Dialogs
    from workbench.demo.seed import seed_demo
    from workbench.session import Role
    from workbench.users import UserService

    window, visit, _cluster = team_window
    UserService(window.ctx.session, kdf=FAST_KDF).add_user("ben", {Role.ADVISOR},
                                                           "bens own passphrase")
    qtbot.waitUntil(lambda: status(window) == "Up to date", timeout=20000)
    seed_demo(visit, 300, seed=5)
    sync(visit)
    activate(window, qtbot)
    sync_now(window, qtbot)
    qtbot.waitUntil(lambda: window.team_sync.received > 0, timeout=20000)

    def remove_ben(settings) -> None:
        # The team's laptops are listed first, behind a dialog nobody can click through.
        laptops = settings.findChild(QTableWidget, "devicesTable")
        qtbot.waitUntil(lambda: laptops.rowCount() > 0 and not any(
            d.isVisible() for d in settings.findChildren(ProgressDialog)), timeout=20000)
        click_user(qtbot, settings, "ben")
        Dialogs.answer_next(True, False)  # remove him; no backup now
        users = settings.findChild(QGroupBox, "usersGroup")  # (not the laptops' Remove…)
        qtbot.mouseClick(button(users, "Remove…"), Qt.LeftButton)
        qtbot.waitUntil(lambda: len(Dialogs.shown) == 2, timeout=60000)
        settings.accept()

    when_modal(remove_ben)
    qtbot.keyClick(window, Qt.Key_Comma, Qt.ControlModifier)  # File → Settings…
    assert [kind for kind, _text in Dialogs.shown] == ["confirm", "confirm"]
    synced(window, qtbot)
    assert status(window) == "Up to date"
    db = window.ctx.session.db
    assert db.scalar("SELECT count(*) FROM cases") == 301
    edit(window, qtbot, "phone", "+358 40 333 3333")  # and work goes out as before
    synced(window, qtbot)
    sync(visit)
    phones = {row[0] for row in visit.db.all("SELECT phone FROM persons")}
    assert "+358 40 333 3333" in phones


def test_a_sync_stopped_and_started_again_at_once_is_not_taken_for_the_old_one(
        team_window, qtbot, qapp):
    """Settings pauses team sync for a moment (listing the team's laptops): the stopped
    sync's last word arrives after the new sync began and must not end it, nor make the
    window wait for it."""
    window, _visit, _cluster = team_window
    qtbot.waitUntil(lambda: status(window) == "Up to date", timeout=20000)
    activate(window, qtbot)
    sync_now(window, qtbot)
    assert window.team_sync.running
    window.team_sync.stop()  # what the window does when Settings starts work on the store
    window.team_sync.start()  # and when it ends
    qapp.processEvents()  # the stopped sync's answer is delivered now
    assert window.team_sync.running  # the new sync goes on, and the window did not wait
    qtbot.waitUntil(lambda: not window.team_sync.running, timeout=20000)
    assert status(window) == "Up to date"


def test_a_large_sync_shows_how_far_it_is(team_window, qtbot):
    """Over a thousand records to take in (a new laptop's first sync, or a laptop back
    after weeks away): a bar and "N of M" beside the words, gone when it is done."""
    from workbench.demo.seed import seed_demo

    window, visit, _cluster = team_window
    qtbot.waitUntil(lambda: status(window) == "Up to date", timeout=20000)
    seed_demo(visit, 1100, seed=6)
    sync(visit)
    seen: list[tuple[bool, int, int, str]] = []
    bar = window.sync_label.bar
    window.team_sync.changed.connect(lambda: seen.append(
        (bar.isVisibleTo(window), bar.value(), bar.maximum(), status(window))))
    activate(window, qtbot)
    sync_now(window, qtbot)
    qtbot.waitUntil(lambda: window.team_sync.running, timeout=5000)
    qtbot.waitUntil(lambda: not window.team_sync.running, timeout=60000)
    shown = [entry for entry in seen if entry[0]]
    assert shown, seen
    assert all(maximum >= 1100 for _v, _value, maximum, _t in shown)
    assert [value for _v, value, _m, _t in shown] == sorted(value for _v, value, _m, _t in shown)
    _visible, value, maximum, text = shown[-1]
    from workbench.i18n import format_number
    locale = window.ctx.locale
    assert text == (f"Syncing… {format_number(value, locale)} of "
                    f"{format_number(maximum, locale)} changes received")
    assert not bar.isVisibleTo(window) and status(window) == "Up to date"
