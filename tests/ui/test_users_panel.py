"""Settings → Users and what the window says after unlocking, clicked as a person does."""

from __future__ import annotations

import shutil
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
)

from tests.conftest import ADMIN, FAST_KDF, PASSPHRASE, make_store
from tests.ui.conftest import unlock_with, when_modal
from ui.context import AppContext
from ui.dialogs import Dialogs
from ui.main_window import MainWindow
from ui.settings_dialog import SettingsDialog
from workbench.cases.service import CaseService
from workbench.demo.seed import seed_demo
from workbench.errors import WorkbenchError
from workbench.session import Role, StoreLocation, unlock
from workbench.store.keyslots import RECOVERY
from workbench.users import UserService

BEN = "bens own passphrase"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "store-0.1.0"


def open_settings(window, qtbot, session=None) -> SettingsDialog:
    dialog = SettingsDialog(window.ctx.preferences, window, session or window.ctx.session,
                            kdf=FAST_KDF)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def button(parent, text: str) -> QPushButton:
    found = [b for b in parent.findChildren(QPushButton) if b.text().replace("&", "") == text]
    assert len(found) == 1, f"one button “{text}”, found {len(found)}"
    return found[0]


def user_list(dialog) -> QTreeWidget:
    return dialog.findChild(QGroupBox, "usersGroup").findChild(QTreeWidget, "userList")


def listed(dialog) -> dict[str, str]:
    tree = user_list(dialog)
    return {tree.topLevelItem(i).text(0): tree.topLevelItem(i).text(1)
            for i in range(tree.topLevelItemCount())}


def click_user(qtbot, dialog, name: str) -> None:
    tree = user_list(dialog)
    item = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).text(0) == name)
    qtbot.mouseClick(tree.viewport(), Qt.LeftButton, pos=tree.visualItemRect(item).center())
    assert tree.currentItem() is item


def ok_button(dialog) -> QPushButton:
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok)


def type_passphrase(qtbot, dialog, passphrase: str) -> None:
    for name in ("passphrase", "repeatPassphrase"):
        field = dialog.findChild(QLineEdit, name)
        field.clear()
        qtbot.keyClicks(field, passphrase)


def add_ben(session) -> None:
    UserService(session, kdf=FAST_KDF).add_user("ben", {Role.ADVISOR}, BEN)


def test_an_administrator_adds_an_advisor_who_can_then_sign_in(window, ctx, qtbot):
    settings = open_settings(window, qtbot)
    assert listed(settings) == {"anna (you)": "Administrator, Advisor"}
    seen = {}

    def fill(dialog) -> None:
        qtbot.keyClicks(dialog.findChild(QLineEdit, "userName"), "ben")
        roles = {box.objectName(): box for box in dialog.findChildren(QCheckBox)}
        assert roles["role_advisor"].isChecked() and not roles["role_admin"].isChecked()
        ok = ok_button(dialog)
        type_passphrase(qtbot, dialog, "letmein123")
        seen["feedback"] = dialog.findChild(QLabel, "passphraseFeedback").text()
        qtbot.mouseClick(ok, Qt.LeftButton)  # the core refuses it; the dialog stays open
        seen["refusal"] = dialog.findChild(QLabel, "userDialogMessage").text()
        seen["open"] = dialog.isVisible()
        type_passphrase(qtbot, dialog, BEN)
        qtbot.mouseClick(ok, Qt.LeftButton)

    when_modal(fill)
    qtbot.mouseClick(button(settings, "Add user…"), Qt.LeftButton)
    assert seen["feedback"] == "Weak. Easy to guess. Add more words."
    assert seen["refusal"].startswith("Choose a stronger passphrase.")
    assert seen["open"]
    assert listed(settings) == {"anna (you)": "Administrator, Advisor", "ben": "Advisor"}
    ben = unlock(ctx.location, "ben", BEN)
    assert ben.user.roles == frozenset({Role.ADVISOR})
    ben.lock()


@pytest.fixture
def unlocked_window(location, preferences, qtbot) -> Iterator[MainWindow]:
    """A window as after any unlock (``window`` has the session that created the store)."""
    session = make_store(location)
    seed_demo(session, 5, seed=3)
    add_ben(session)
    session.lock()
    ctx = AppContext(location, preferences)
    ctx.open(unlock(location, ADMIN, PASSPHRASE))
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    if ctx.unlocked:
        ctx.lock()


def remove_ben(qtbot, settings, *answers) -> None:
    click_user(qtbot, settings, "ben")
    Dialogs.answer_next(*answers)
    qtbot.mouseClick(button(settings, "Remove…"), Qt.LeftButton)


def test_removing_a_user_shows_progress_and_offers_a_fresh_backup(unlocked_window, qtbot,
                                                                  tmp_path, monkeypatch):
    window, ctx = unlocked_window, unlocked_window.ctx
    settings = open_settings(window, qtbot)
    remove = button(settings, "Remove…")
    click_user(qtbot, settings, "anna (you)")
    assert not remove.isEnabled()  # nobody removes themselves
    click_user(qtbot, settings, "ben")
    assert remove.isEnabled()

    original = UserService.remove_user
    ran_on = {}

    def slow_remove(self, name, progress=None):
        ran_on["thread"] = threading.current_thread()
        time.sleep(0.5)  # long enough to see the window answer meanwhile
        return original(self, name, progress)

    monkeypatch.setattr(UserService, "remove_user", slow_remove)
    backup = tmp_path / "after-removal.whb"
    Dialogs.answer_next(True, True, str(backup), None)  # remove? backup? where? done
    qtbot.mouseClick(remove, Qt.LeftButton)

    def progress_dialog():
        return next((w for w in QApplication.topLevelWidgets()
                     if w.objectName() == "progressDialog" and w.isVisible()), None)

    qtbot.waitUntil(lambda: progress_dialog() is not None, timeout=2000)
    shown = progress_dialog()
    assert "Removing ben" in shown.labelText()
    settings.reject()  # Esc on Settings while the keys are renewed: it stays open
    assert settings.isVisible()
    qtbot.waitUntil(lambda: backup.exists() and Dialogs.shown[-1][0] == "inform",
                    timeout=60000)

    assert ran_on["thread"] is not threading.main_thread()
    assert shown.steps_seen[-1][0] == shown.steps_seen[-1][1] >= 2  # every step reported
    kinds = [kind for kind, _text in Dialogs.shown]
    assert kinds == ["confirm", "confirm", "save_file", "inform"]
    assert "Remove ben?" in Dialogs.shown[0][1]
    assert "Backups made before now still open with ben's old passphrase" in Dialogs.shown[1][1]
    assert Dialogs.shown[3][1] == f"Backup written and verified: {backup}"
    assert zipfile.is_zipfile(backup)
    assert listed(settings) == {"anna (you)": "Administrator, Advisor"}
    with pytest.raises(WorkbenchError):
        unlock(ctx.location, "ben", BEN)
    assert ctx.cases.case_row(1) is not None  # the window's session works on the new keys
    again = unlock(ctx.location, ADMIN, PASSPHRASE)  # and the store opens under them
    assert again.warnings == [] and CaseService(again).case_row(1) is not None
    again.lock()


def test_removing_a_user_right_after_set_up_keeps_the_store_readable(window, ctx, qtbot):
    add_ben(ctx.session)
    settings = open_settings(window, qtbot)
    remove_ben(qtbot, settings, True, False)  # remove; no backup
    qtbot.waitUntil(lambda: len(Dialogs.shown) == 2, timeout=60000)
    unlock(ctx.location, ADMIN, PASSPHRASE).lock()


def test_a_store_open_elsewhere_is_not_changed_and_says_why(window, ctx, qtbot):
    add_ben(ctx.session)
    elsewhere = unlock(ctx.location, ADMIN, PASSPHRASE)  # another window on the same store
    try:
        settings = open_settings(window, qtbot)
        remove_ben(qtbot, settings, True, None)
        qtbot.waitUntil(lambda: Dialogs.shown[-1][0] == "error", timeout=10000)
    finally:
        elsewhere.lock()
    assert Dialogs.shown[-1][1].startswith("The case store is open in another window")
    assert "ben" in listed(settings)
    unlock(ctx.location, "ben", BEN).lock()


def test_an_administrator_sets_another_users_passphrase(window, ctx, qtbot):
    add_ben(ctx.session)
    settings = open_settings(window, qtbot)
    click_user(qtbot, settings, "ben")
    seen = {}

    def fill(dialog) -> None:
        seen["explained"] = dialog.findChild(QLabel, "passphraseExplanation").text()
        type_passphrase(qtbot, dialog, "correct horse battery staple")
        qtbot.mouseClick(ok_button(dialog), Qt.LeftButton)

    when_modal(fill)
    Dialogs.answer_next(None)
    qtbot.mouseClick(button(settings, "Set passphrase…"), Qt.LeftButton)
    assert "issues ben new keys" in seen["explained"]
    # The store's keys are renewed on a worker; the window says so when it is done.
    qtbot.waitUntil(lambda: Dialogs.shown == [("inform", "Changed the passphrase of ben.")],
                    timeout=20000)
    with pytest.raises(WorkbenchError):
        unlock(ctx.location, "ben", BEN)
    unlock(ctx.location, "ben", "correct horse battery staple").lock()


def test_an_advisor_sees_no_users_group(window, ctx, qtbot):
    add_ben(ctx.session)
    ben = unlock(ctx.location, "ben", BEN)
    try:
        settings = open_settings(window, qtbot, session=ben)
        assert settings.findChild(QGroupBox, "usersGroup") is None
        assert not [b for b in settings.findChildren(QPushButton) if "user" in b.text()]
    finally:
        ben.lock()


def test_unlocking_shows_the_stores_warnings_in_one_message(window, ctx, qtbot):
    add_ben(ctx.session)
    # Somebody edits the database's copy of the roles; the signed list still rules.
    ctx.session.db.execute("UPDATE users SET roles = 'admin,advisor' WHERE name = 'ben'")
    Dialogs.answer_next(None)
    when_modal(unlock_with(PASSPHRASE))
    window.lock()
    qtbot.waitUntil(lambda: bool(Dialogs.shown), timeout=5000)
    [(kind, text)] = Dialogs.shown
    assert kind == "warn"
    assert text.startswith("The case store opened, but its checks found this:")
    assert "• the database gives “ben” the roles admin,advisor" in text
    assert ctx.unlocked


def test_an_upgraded_store_shows_its_new_recovery_key_once(tmp_path, preferences, qtbot):
    location = StoreLocation(tmp_path / "old-store")
    shutil.copytree(FIXTURE, location.data_dir)
    session = unlock(location, ADMIN, PASSPHRASE)  # made by release 0.1.0: upgraded now
    key = session.new_recovery_key
    assert key and session.users_needing_passphrase == ["bo", "lea"]
    ctx = AppContext(location, preferences)
    ctx.open(session)
    seen = {}

    def read_and_store(dialog) -> None:
        seen["key"] = dialog.view.key.text()
        seen["users"] = dialog.findChild(QLabel, "usersNeedingPassphrase").text()
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok)
        seen["ok before"] = ok.isEnabled()
        dialog.reject()  # Esc does not close it before the key is stored
        seen["still open"] = dialog.isVisible()
        qtbot.mouseClick(dialog.view.stored, Qt.LeftButton)
        qtbot.mouseClick(ok, Qt.LeftButton)

    when_modal(read_and_store)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "key" in seen and QApplication.activeModalWidget() is None,
                    timeout=5000)
    assert seen["key"] == key
    assert not seen["ok before"] and seen["still open"]
    assert "Settings → Users" in seen["users"] and seen["users"].endswith("bo, lea")
    assert session.new_recovery_key is None  # never shown again
    assert location.keyslots().unseal(RECOVERY, key).principal == RECOVERY
    window.close()


def test_an_advisor_changes_their_own_passphrase_in_settings(window, ctx, qtbot):
    add_ben(ctx.session)
    ben = unlock(ctx.location, "ben", BEN)
    try:
        settings = open_settings(window, qtbot, session=ben)

        def fill(dialog) -> None:
            type_passphrase(qtbot, dialog, "bens second passphrase")
            qtbot.mouseClick(ok_button(dialog), Qt.LeftButton)

        when_modal(fill)
        Dialogs.answer_next(None)
        qtbot.mouseClick(button(settings, "Change my passphrase…"), Qt.LeftButton)
        assert Dialogs.shown == [("inform", "Changed the passphrase of ben.")]
    finally:
        ben.lock()
    with pytest.raises(WorkbenchError):
        unlock(ctx.location, "ben", BEN)
    unlock(ctx.location, "ben", "bens second passphrase").lock()
