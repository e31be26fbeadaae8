"""Adding a user and setting a passphrase: the dialogs of Settings → Users.

Each dialog calls the core itself when OK is pressed and stays open on a refusal (a name
taken, a passphrase the core calls weak), showing the core's message in red.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.passphrase_fields import PassphraseFields
from workbench.errors import WorkbenchError
from workbench.i18n import _
from workbench.labels import label
from workbench.session import Role, User, check_passphrase
from workbench.users import UserService


class _UserDialog(QDialog):
    """What both dialogs share: a form, the passphrase rows, a message line and OK."""

    def __init__(self, service: UserService, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.service = service
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.fields = PassphraseFields(self.user_inputs, self)
        self.message = QLabel()
        self.message.setObjectName("userDialogMessage")
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.fields.changed.connect(self._ready)

    def finish_layout(self) -> None:
        self.fields.add_rows(self.form)
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.message)
        self.layout_.addWidget(self.buttons)
        self._ready()

    def name(self) -> str:
        raise NotImplementedError

    def user_inputs(self) -> tuple[str, ...]:
        return (self.name(), self.service.session.organisation.name)

    def _ready(self) -> None:
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(
            bool(self.name().strip()) and self.fields.repeated())
        self.message.clear()

    def submit(self) -> None:
        """Ask the core; its refusal stays on screen and the dialog stays open."""
        QGuiApplication.setOverrideCursor(Qt.WaitCursor)  # Argon2 takes a moment
        try:
            self.act()
        except WorkbenchError as error:
            self.message.setText(error.message())
            self.fields.passphrase.setFocus()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.fields.clear()
        self.accept()

    def act(self) -> None:
        raise NotImplementedError


class AddUserDialog(_UserDialog):
    def __init__(self, service: UserService, parent: QWidget | None = None) -> None:
        super().__init__(service, _("Add a user"), parent)
        self.added: User | None = None
        intro = QLabel(_("The new user signs in with this name and passphrase. Give them the "
                         "passphrase in person; they can change it later."))
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        self.user = QLineEdit()
        self.user.setObjectName("userName")
        self.user.textChanged.connect(self.fields.update)
        self.form.addRow(_("&User name"), self.user)
        roles = QHBoxLayout()
        self.roles: dict[Role, QCheckBox] = {}
        for role in (Role.ADVISOR, Role.ADMIN, Role.LEAD):
            box = QCheckBox(label(role))
            box.setObjectName(f"role_{role.value}")
            box.setChecked(role is Role.ADVISOR)
            self.roles[role] = box
            roles.addWidget(box)
        roles.addStretch()
        self.form.addRow(_("Roles"), roles)
        explained = QLabel(_("Advisors do case work; administrators also manage users and the "
                             "organisation's settings; a project lead sees only the "
                             "statistics."))
        explained.setWordWrap(True)
        self.form.addRow("", explained)
        self.finish_layout()

    def name(self) -> str:
        return self.user.text()

    def act(self) -> None:
        chosen = {role for role, box in self.roles.items() if box.isChecked()}
        self.added = self.service.add_user(self.user.text().strip(), chosen,
                                           self.fields.text())


class SetPassphraseDialog(_UserDialog):
    def __init__(self, service: UserService, user_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(service, _("Set a passphrase"), parent)
        self.user_name = user_name
        if user_name == service.session.user.name:
            text = _("Your new passphrase replaces the old one at once; it opens the same "
                     "keys.")
        else:
            text = _("Setting {user}'s passphrase issues {user} new keys: the old passphrase "
                     "opens nothing from now on. Give {user} the new passphrase in "
                     "person.").format(user=user_name)
        intro = QLabel(text)
        intro.setObjectName("passphraseExplanation")
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        self.form.addRow(_("User"), QLabel(f"<b>{escape(user_name)}</b>"))
        self.finish_layout()

    def name(self) -> str:
        return self.user_name

    def act(self) -> None:
        self.chosen: str | None = None
        if self.user_name == self.service.session.user.name:
            self.service.change_passphrase(self.user_name, self.fields.text())
            return
        # Another user's: new keys for them and the store's keys renewed, which can take a
        # minute; the panel runs it on a worker. Refuse a weak passphrase here, at once.
        check_passphrase(self.fields.text(), self.user_inputs())
        self.chosen = self.fields.text()
