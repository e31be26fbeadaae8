"""Settings → Users, for administrators: who may open the store, with which roles.

Adding a user and setting a passphrase are quick (one Argon2 run) and happen in their
dialogs. Removing a user renews the store's keys and re-encrypts every store file, which
can take a minute on a big store, so it runs on a worker thread behind a progress dialog;
so does the fresh backup offered afterwards.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.background import Background, Work, run_task
from ui.dialogs import Dialogs
from ui.user_dialogs import AddUserDialog, SetPassphraseDialog
from workbench.i18n import _
from workbench.labels import label
from workbench.session import Role, Session, User
from workbench.store import maintenance
from workbench.store.keyslots import DEFAULT_KDF, KdfParams
from workbench.users import UserService

ROLE_ORDER = (Role.ADMIN, Role.ADVISOR, Role.LEAD)


def roles_text(user: User) -> str:
    return ", ".join(label(role) for role in ROLE_ORDER if user.has(role))


class UsersPanel(QGroupBox):
    # True while a removal or backup runs on its worker thread: nothing else may use the
    # session meanwhile, so the window pauses its idle lock and Settings stays open.
    busy = Signal(bool)

    def __init__(self, session: Session, kdf: KdfParams = DEFAULT_KDF,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Users"), parent)
        self.setObjectName("usersGroup")
        self.session = session
        self.service = UserService(session, kdf)
        self.background: Background | None = None
        layout = QVBoxLayout(self)
        self.list = QTreeWidget()
        self.list.setObjectName("userList")
        self.list.setHeaderLabels([_("User"), _("Roles")])
        self.list.setRootIsDecorated(False)
        self.list.setAllColumnsShowFocus(True)
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.list.setMinimumHeight(120)
        self.list.currentItemChanged.connect(self._selection_changed)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.add_button = self._button(_("&Add user…"), "addUser", self.add_user)
        self.passphrase_button = self._button(_("Set &passphrase…"), "setPassphrase",
                                              self.set_passphrase)
        self.remove_button = self._button(_("&Remove…"), "removeUser", self.remove_user)
        for button in (self.add_button, self.passphrase_button, self.remove_button):
            row.addWidget(button)
        row.addStretch()
        layout.addLayout(row)
        self.refresh()

    def _button(self, text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(False)  # Return in Settings means OK, not "Add user"
        button.clicked.connect(slot)
        return button

    # --- the list ------------------------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        select = select or self.selected_name()
        self.list.clear()
        me = self.session.user.name
        for user in self.service.list_users():
            name = user.name if user.name != me else _("{user} (you)").format(user=user.name)
            item = QTreeWidgetItem([name, roles_text(user)])
            item.setData(0, Qt.UserRole, user.name)
            self.list.addTopLevelItem(item)
            if user.name == select:
                self.list.setCurrentItem(item)
        self.list.resizeColumnToContents(0)
        self._selection_changed()

    def selected_name(self) -> str | None:
        item = self.list.currentItem()
        return item.data(0, Qt.UserRole) if item is not None else None

    def _selection_changed(self, *_args) -> None:
        name = self.selected_name()
        self.passphrase_button.setEnabled(name is not None)
        # Removing oneself is refused by the core too; another administrator does it.
        self.remove_button.setEnabled(name is not None and name != self.session.user.name)

    # --- adding and passphrases ----------------------------------------------------------

    def add_user(self) -> None:
        dialog = AddUserDialog(self.service, self)
        if dialog.exec() == QDialog.Accepted and dialog.added is not None:
            self.refresh(select=dialog.added.name)

    def set_passphrase(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        dialog = SetPassphraseDialog(self.service, name, self)
        if dialog.exec() != QDialog.Accepted:
            return
        changed = _("Changed the passphrase of {user}.").format(user=name)
        if dialog.chosen is None:  # your own: done already
            Dialogs.inform(self, changed)
            return
        chosen = dialog.chosen
        self._start(lambda report: self.service.change_passphrase(name, chosen, report),
                    _("Setting {user}'s passphrase and renewing the store's keys…").format(
                        user=name), _("Setting a passphrase"),
                    lambda _result: Dialogs.inform(self, changed))

    # --- removing ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.background is not None and self.background.running

    def remove_user(self) -> None:
        name = self.selected_name()
        if name is None or self.running:
            return
        if not Dialogs.confirm(self, _(
                "Remove {user}? They can no longer sign in. The store's keys are renewed and "
                "every store file is re-encrypted, which can take a minute on a big store; "
                "the store must not be open in another window or program meanwhile.").format(
                    user=name), title=_("Remove a user")):
            return
        self._start(lambda report: self.service.remove_user(name, report),
                    _("Removing {user} and renewing the store's keys…").format(user=name),
                    _("Removing a user"),
                    lambda _result: self._removed(name))

    def _removed(self, name: str) -> None:
        self.refresh()
        text = (_("Removed user {user}. The store's keys were renewed: nothing in the store "
                  "opens with {user}'s old passphrase any more.").format(user=name) + "\n\n"
                + _("Backups made before now still open with {user}'s old passphrase. Make a "
                    "fresh backup now, and then destroy the older ones?").format(user=name))
        kept = sorted(p.name for p in self.session.location.data_dir.glob("replaced-*"))
        if kept:
            text += "\n\n" + _("So do the earlier stores kept aside by restores in the store's "
                               "folder: {folders}. Delete them once you no longer need "
                               "them.").format(folders=", ".join(kept))
        if Dialogs.confirm(self, text, title=_("User removed")):
            self.make_backup()

    def make_backup(self) -> None:
        target = Dialogs.save_file(self, _("Save a fresh backup"),
                                   f"workbench-{date.today().isoformat()}.whb",
                                   _("Backups (*.whb)"))
        if target is None:
            return
        self._start(lambda _report: maintenance.backup(self.session, Path(target)),
                    _("Writing and checking the backup…"), _("Backup"),
                    lambda path: Dialogs.inform(
                        self, _("Backup written and verified: {path}").format(path=path)))

    def _start(self, work: Work, text: str, title: str, succeeded) -> None:
        self.background = run_task(self, self.background, self.busy, work, text, title,
                                   succeeded, after_failure=self.refresh)
