"""Unlock: choose the user, type the passphrase. Repeated failures slow further tries."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from workbench.errors import WorkbenchError
from workbench.i18n import _, ngettext
from workbench.session import Session, StoreLocation, unlock
from workbench.store import throttle
from workbench.store.throttle import delay_after  # noqa: F401  (the rule lives in the core)


class UnlockDialog(QDialog):
    def __init__(self, location: StoreLocation, org_name: str = "", last_user: str = "",
                 hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location = location
        self.session: Session | None = None
        self.failures = 0
        self._last_error = ""
        self.setWindowTitle(_("Unlock the case store"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        intro = QLabel(_("The case store is locked. Choose your name and type your passphrase."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        if org_name:
            layout.addWidget(QLabel(f"<b>{org_name}</b>"))
        form = QFormLayout()
        self.user = QComboBox()
        self.user.addItems(location.user_names())
        if last_user:
            self.user.setCurrentText(last_user)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.Password)
        form.addRow(_("&User"), self.user)
        form.addRow(_("&Passphrase"), self.passphrase)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("unlockMessage")
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            layout.addWidget(note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText(_("Unlock"))
        self.buttons.accepted.connect(self.try_unlock)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.wait = QTimer(self)
        self.wait.setSingleShot(True)
        self.wait.timeout.connect(self._ready_again)
        self.passphrase.setFocus()

    def try_unlock(self) -> None:
        if self.wait.isActive():
            return
        QGuiApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            self.session = unlock(self.location, self.user.currentText(),
                                  self.passphrase.text())
        except WorkbenchError as error:
            self._failed(error)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.passphrase.clear()
        self.accept()

    def _failed(self, error: WorkbenchError) -> None:
        self.failures += 1
        message = self._last_error = error.message()
        self.passphrase.selectAll()
        # The core counts failures beside the store, so a restart does not reset the wait.
        seconds = throttle.wait_seconds(self.location.data_dir, self.user.currentText())
        if seconds:
            if not isinstance(error, throttle.TooManyTries):
                message += " " + ngettext("Wait {seconds} second before trying again.",
                                          "Wait {seconds} seconds before trying again.",
                                          seconds).format(seconds=seconds)
            self.buttons.button(QDialogButtonBox.Ok).setEnabled(False)
            self.wait.start(seconds * 1000)
        self.message.setText(message)

    def _ready_again(self) -> None:
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(True)
        self.message.setText(self._last_error)
        self.passphrase.setFocus()
