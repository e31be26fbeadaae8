"""First run and unlocking, as a person at the keyboard does them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QWizard

from tests.conftest import ADMIN, FAST_KDF, PASSPHRASE, make_store
from tests.ui.conftest import type_into
from ui.setup_wizard import SetupWizard
from ui.unlock_dialog import UnlockDialog, delay_after
from workbench.session import unlock
from workbench.store.keyslots import RECOVERY


def test_the_wizard_creates_a_store_and_shows_the_recovery_key_once(location, qtbot):
    wizard = SetupWizard(location, "en", kdf=FAST_KDF)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.start_page.new.isChecked()  # a new organisation unless joining one
    wizard.next()
    page = wizard.organisation
    type_into(qtbot, page.name, "Bostadsrådgivningen i Norrby")
    page.country.setCurrentIndex(page.country.findData("SE"))
    wizard.next()
    users = wizard.user_page
    next_button = wizard.button(QWizard.NextButton)
    qtbot.keyClicks(users.user, "sara")
    qtbot.keyClicks(users.passphrase, "password1")
    qtbot.keyClicks(users.repeat, "password1")
    assert not next_button.isEnabled()  # too short and too weak
    assert "weak" in users.feedback.text().lower()
    for field in (users.passphrase, users.repeat):
        field.clear()
        type_into(qtbot, field, "grön cykel sjunger på kvällen")
    assert next_button.isEnabled()
    wizard.next()

    assert wizard.currentPage() is wizard.recovery
    key = wizard.recovery.key.text()
    assert len(key) == 35 and key.count("-") == 5
    finish = wizard.button(QWizard.FinishButton)
    assert not finish.isEnabled()
    wizard.recovery.stored.setChecked(True)
    assert finish.isEnabled()
    assert wizard.session.organisation.country == "SE"
    wizard.session.lock()
    # The store really exists, for this user, and the shown key is its recovery key.
    assert unlock(location, "sara", "grön cykel sjunger på kvällen").user.name == "sara"
    assert location.keyslots().unseal(RECOVERY, key).principal == RECOVERY


def test_a_wrong_passphrase_says_so_and_the_right_one_opens(location, qtbot):
    make_store(location).lock()
    dialog = UnlockDialog(location)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.user.currentText() == ADMIN
    qtbot.keyClicks(dialog.passphrase, "not my passphrase")
    qtbot.keyClick(dialog.passphrase, Qt.Key_Return)
    assert dialog.message.text() == "The passphrase is wrong."
    assert dialog.session is None and dialog.isVisible()
    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key_Return)
    assert dialog.session is not None and dialog.session.user.name == ADMIN
    dialog.session.lock()


def test_repeated_failures_make_the_user_wait_longer_each_time(location, qtbot):
    make_store(location).lock()
    dialog = UnlockDialog(location)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    for _ in range(3):
        dialog.passphrase.setText("wrong guess")
        dialog.try_unlock()
    assert not ok.isEnabled()
    assert "Wait 2 seconds" in dialog.message.text()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.try_unlock()  # refused while waiting, even with the right passphrase
    assert dialog.session is None
    qtbot.waitUntil(ok.isEnabled, timeout=3000)
    assert [delay_after(n) for n in range(1, 9)] == [0, 0, 2, 4, 8, 16, 32, 64]
