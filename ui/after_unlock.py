"""What the user must know right after unlocking: what the store's checks found, and after
an upgrade to personal keys the new recovery key (once) and who needs a new passphrase."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ui.dialogs import Dialogs
from ui.recovery_key import RecoveryKeyView
from workbench.i18n import _
from workbench.session import Session


def report_unlock(parent: QWidget | None, session: Session,
                  hold_idle_lock: Callable[[bool], None] = lambda _hold: None) -> None:
    """Show the warnings in one message, then a new recovery key if the unlock made one.

    The key is shown only once, so the idle lock is held while it is on the screen."""
    if session.warnings:
        lines = "\n".join(f"• {warning}" for warning in session.warnings)
        Dialogs.warn(parent, _("The case store opened, but its checks found this:") + "\n\n"
                     + lines, title=_("Warnings about the case store"))
    if session.new_recovery_key:
        dialog = NewRecoveryKeyDialog(session.new_recovery_key, session.organisation.name,
                                      session.users_needing_passphrase, parent)
        session.new_recovery_key = None  # shown once, like at set-up
        hold_idle_lock(True)
        try:
            dialog.exec()
        finally:
            hold_idle_lock(False)
    elif session.users_needing_passphrase:
        Dialogs.inform(parent, needs_passphrase_text(session.users_needing_passphrase))


def needs_passphrase_text(users: list[str]) -> str:
    return _("These users cannot sign in until an administrator sets a new passphrase for "
             "each of them in Settings → Users (select the user, then “Set passphrase…”): "
             "{users}").format(users=", ".join(users))


class NewRecoveryKeyDialog(QDialog):
    """Closes only once the user says the key is stored, like the wizard's last page."""

    def __init__(self, key: str, org_name: str, users: list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newRecoveryKeyDialog")
        self.setWindowTitle(_("New recovery key"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        heading = QLabel(_("This store was upgraded to personal keys."))
        bold = QFont(heading.font())
        bold.setBold(True)
        heading.setFont(bold)
        layout.addWidget(heading)
        intro = QLabel(_("The old recovery key no longer works. If every passphrase is "
                         "forgotten, this new key is the only way into the case store. It is "
                         "shown only now: print it or write it down, and keep it in a safe."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.view = RecoveryKeyView()
        self.view.show_key(key, org_name)
        layout.addWidget(self.view)
        self.users = QLabel(needs_passphrase_text(users) if users else "")
        self.users.setObjectName("usersNeedingPassphrase")
        self.users.setWordWrap(True)
        self.users.setVisible(bool(users))
        layout.addWidget(self.users)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok)
        self.buttons.accepted.connect(self.accept)
        self.ok = self.buttons.button(QDialogButtonBox.Ok)
        self.ok.setEnabled(False)
        self.view.stored.toggled.connect(self.ok.setEnabled)
        layout.addWidget(self.buttons)

    def reject(self) -> None:
        if self.view.stored.isChecked():  # Esc or the close button, once it is stored
            super().reject()
