"""The set-up wizard's way into an existing organisation: open the invitation file an
administrator wrote, choose this laptop's passphrase, read the fingerprint to the
administrator and wait, with the window saying what it waits for, until approved. The
first sync then runs in the window's background while the advisor starts working."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QThread, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWizardPage,
)

from ui.dialogs import Dialogs
from ui.passphrase_fields import PassphraseFields
from workbench.errors import WorkbenchError
from workbench.i18n import _

POLL_MS = 3000  # how often the waiting laptop asks whether it has been approved


class StartPage(QWizardPage):
    """A new organisation, or a laptop joining one."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Welcome"))
        self.setSubTitle(_("Is this the first laptop of your organisation, or are you joining "
                           "a team that already works with the program?"))
        layout = QVBoxLayout(self)
        self.new = QRadioButton(_("Set up a &new organisation"))
        self.join = QRadioButton(_("&Join my organisation (an administrator gave me an "
                                   "invitation file)"))
        self.new.setChecked(True)
        layout.addWidget(self.new)
        layout.addWidget(self.join)
        layout.addStretch(1)


class JoinPage(QWizardPage):
    """The invitation file and this laptop's passphrase; Next joins the team."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Join your organisation"))
        self.setSubTitle(_("Open the invitation file your administrator gave you, then choose "
                           "the passphrase you will type on this laptop."))
        form = QFormLayout(self)
        self.file = QLineEdit()
        self.file.setReadOnly(True)
        browse = QPushButton(_("&Open…"))
        browse.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.user = QLineEdit()
        self.user.setReadOnly(True)  # the invitation names the user
        self.fields = PassphraseFields(lambda: (self.user.text(),), self)
        self.passphrase = self.fields.passphrase
        form.addRow(_("Invitation &file"), row)
        form.addRow(self.about)
        form.addRow(_("User"), self.user)
        self.fields.add_rows(form)
        self.fields.changed.connect(self.completeChanged)
        self.invitation: dict | None = None

    def choose_file(self) -> None:
        path = Dialogs.open_file(self, _("Open the invitation"),
                                 _("Invitations (*.invitation);;All files (*)"))
        if path is not None:
            self.use_file(path)

    def use_file(self, path: Path) -> None:
        try:
            from workbench.sync import team  # (the server's client: only to join)

            self.invitation = team.read_invitation(path)
        except WorkbenchError as error:
            self.invitation = None
            Dialogs.error(self, error.message())
            return
        self.file.setText(str(path))
        self.user.setText(self.invitation["user"])
        self.about.setText(_("{organisation} invites this laptop as “{name}”.").format(
            organisation=self.invitation["organisation"]["name"],
            name=self.invitation["name"]))
        self.fields.update()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.invitation is not None and self.fields.acceptable()


class _Ask(QThread):
    """One question to the server on a worker thread: has this laptop been approved?"""

    answered = Signal(str)

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session

    def run(self) -> None:
        try:
            from workbench.sync import team

            self.answered.emit(team.my_state(self.session))
        except WorkbenchError:
            self.answered.emit("unreachable")


class WaitPage(QWizardPage):
    """The fingerprint to read to the administrator, and the wait for the approval."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Read this to your administrator"))
        self.setSubTitle(_("Your administrator approves this laptop in Settings → Team "
                           "laptops after checking that the fingerprint there is the same."))
        layout = QVBoxLayout(self)
        self.fingerprint = QLabel()
        self.fingerprint.setObjectName("joinFingerprint")
        font = QFont(self.fingerprint.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.fingerprint.setFont(font)
        self.fingerprint.setWordWrap(True)
        self.waiting = QLabel(_("Waiting for the administrator's approval…"))
        self.waiting.setObjectName("joinWaiting")
        self.waiting.setWordWrap(True)
        layout.addWidget(self.fingerprint)
        layout.addWidget(self.waiting)
        layout.addStretch(1)
        self.session = None
        self.approved = False
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self.ask)
        self._asking: _Ask | None = None

    def start(self, session, fingerprint: str) -> None:
        self.session = session
        self.fingerprint.setText(fingerprint)
        self._timer.start()
        self.ask()

    def ask(self) -> None:
        if self._asking is not None or self.session is None:
            return
        self._asking = _Ask(self.session, self)
        self._asking.answered.connect(self._answered)
        self._asking.start()

    def _answered(self, answer: str) -> None:
        self._asking.wait()
        self._asking.deleteLater()
        self._asking = None
        if answer == "active":
            self.approved = True
            self._timer.stop()
            self.waiting.setText(_("Approved. Next: your recovery key; then the team's cases "
                                   "arrive while you start working."))
            self.completeChanged.emit()
        elif answer == "unreachable":
            self.waiting.setText(_("The organisation's server cannot be reached just now; "
                                   "asking again in a moment…"))
        elif answer == "revoked":
            self._timer.stop()
            self.waiting.setText(_("The administrator turned this laptop down. Ask them for "
                                   "a new invitation."))
        else:
            self.waiting.setText(_("Waiting for the administrator's approval…"))

    def stop(self) -> None:
        self._timer.stop()
        if self._asking is not None:
            self._asking.wait()

    def isComplete(self) -> bool:
        return self.approved

