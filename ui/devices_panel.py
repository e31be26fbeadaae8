"""The team's laptops, for administrators (in Settings): the organisation's server, every
laptop with its user and last sync, laptops waiting for approval with the fingerprint to
compare, inviting a laptop (writes the invitation file) and removing one (the team's keys
are renewed in the background, with progress).

Every step talks to the server, so each runs on a worker thread with a progress dialog.
"""

from __future__ import annotations

from datetime import datetime

from psycopg.conninfo import conninfo_to_dict
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.background import Background, Work, run_task
from ui.dialogs import Dialogs
from workbench.i18n import N_, _, format_datetime
from workbench.session import Session
from workbench.sync import state, team

STATES = {"invited": N_("Invited, not joined yet"), "pending": N_("Waiting for approval"),
          "active": N_("Active"), "revoked": N_("Removed")}
ROLES = {"advisor": N_("Advisor"), "admin": N_("Administrator"), "lead": N_("Project lead")}


class InviteDialog(QDialog):
    """Name, user and role of the laptop to invite."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Invite a laptop"))
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.name.setPlaceholderText(_("e.g. visit-2 (letters, digits and -)"))
        self.user = QLineEdit()
        self.role = QComboBox()
        for code, text in ROLES.items():
            self.role.addItem(_(text), code)
        form.addRow(_("Laptop's &name"), self.name)
        form.addRow(_("&User on that laptop"), self.user)
        form.addRow(_("&Role"), self.role)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText(_("&Write the invitation…"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class DevicesPanel(QGroupBox):
    busy = Signal(bool)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(_("Team laptops"), parent)
        self.session = session
        self.setObjectName("devicesPanel")
        self.rows: list[team.DeviceRow] = []
        self.background: Background | None = None
        layout = QVBoxLayout(self)
        self.server = QLabel(_("Organisation's server: {server}").format(
            server=server_text(state.config(session.db)["conninfo"])))
        self.server.setWordWrap(True)
        self.server.setTextFormat(Qt.PlainText)
        layout.addWidget(self.server)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("devicesTable")
        self.table.setHorizontalHeaderLabels([_("Laptop"), _("User"), _("Role"), _("State"),
                                              _("Last sync")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(120)
        layout.addWidget(self.table)
        self.fingerprint = QLabel()
        self.fingerprint.setObjectName("pendingFingerprint")
        self.fingerprint.setTextFormat(Qt.PlainText)  # names come from other laptops
        self.fingerprint.setWordWrap(True)
        layout.addWidget(self.fingerprint)
        buttons = QHBoxLayout()
        self.invite_button = QPushButton(_("&Invite a laptop…"))
        self.approve_button = QPushButton(_("A&pprove"))
        self.remove_button = QPushButton(_("Re&move…"))
        self.refresh_button = QPushButton(_("Re&fresh"))
        for button in (self.invite_button, self.approve_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        layout.addLayout(buttons)
        self.invite_button.clicked.connect(self.invite)
        self.approve_button.clicked.connect(self.approve)
        self.remove_button.clicked.connect(self.remove)
        self.refresh_button.clicked.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._selected)
        self._selected()
        QTimer.singleShot(0, self.refresh)  # once Settings shows

    # --- the list ------------------------------------------------------------------------

    def refresh(self) -> None:
        self._start(lambda _progress: team.list_devices(self.session),
                    _("Asking the organisation's server for the team's laptops…"),
                    self._show)

    def _show(self, rows: list[team.DeviceRow]) -> None:
        self.rows = sorted(rows, key=lambda r: (r.state != "pending", r.name.casefold()))
        self.table.setRowCount(len(self.rows))
        for number, row in enumerate(self.rows):
            name = row.name + (" " + _("(this laptop)") if row.this_device else "")
            seen = ""
            if row.last_seen:
                seen = format_datetime(datetime.fromisoformat(row.last_seen), None, "short")
            for column, text in enumerate((name, row.user, _(ROLES.get(row.role, row.role)),
                                           _(STATES.get(row.state, row.state)), seen)):
                self.table.setItem(number, column, QTableWidgetItem(text))
        self._selected()

    def selected(self) -> team.DeviceRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _selected(self) -> None:
        row = self.selected()
        pending = row is not None and row.state == "pending"
        self.approve_button.setEnabled(pending)
        self.remove_button.setEnabled(row is not None and not row.this_device
                                      and row.state != "revoked")
        self.fingerprint.setVisible(pending)
        if pending:
            self.fingerprint.setText(_(
                "Fingerprint of {name}: {fingerprint}\nApprove only if the new laptop shows "
                "exactly this.").format(name=row.name, fingerprint=row.fingerprint))

    # --- actions -------------------------------------------------------------------------

    def invite(self) -> None:
        dialog = InviteDialog(self)
        if dialog.exec() != QDialog.Accepted:
            return
        name, user, role = dialog.name.text(), dialog.user.text(), dialog.role.currentData()
        target = Dialogs.save_file(self, _("Save the invitation"), f"{name}.invitation",
                                   _("Invitations (*.invitation)"))
        if target is None:
            return
        self._start(lambda _progress: team.invite(self.session, name, user, role, target),
                    _("Registering the new laptop on the server…"),
                    lambda _result: self._invited(name, target))

    def _invited(self, name: str, target) -> None:
        Dialogs.inform(self, _(
            "Wrote the invitation for {name} to {path}. Take it to that laptop (not by "
            "e-mail): it holds the laptop's first password.").format(name=name, path=target))
        self.refresh()

    def approve(self) -> None:
        row = self.selected()
        if row is None or row.state != "pending":
            return
        if not Dialogs.confirm(self, _(
                "Does {name} show this fingerprint?\n\n{fingerprint}\n\nApprove it only if "
                "every group matches.").format(name=row.name, fingerprint=row.fingerprint)):
            return
        self._start(lambda _progress: team.approve(self.session, row.fingerprint),
                    _("Approving {name}…").format(name=row.name), lambda _result: self.refresh())

    def remove(self) -> None:
        row = self.selected()
        if row is None or row.this_device:
            return
        if not Dialogs.confirm(self, _(
                "Remove {name}? It can no longer sync, and the team's keys are renewed for "
                "every other laptop.").format(name=row.name)):
            return
        self._start(lambda progress: team.remove(
            self.session, row.name,
            lambda _stage, done, total: progress(done, total)),
            _("Removing {name} and renewing the team's keys…").format(name=row.name),
            lambda _result: self.refresh())

    def _start(self, work: Work, text: str, succeeded) -> None:
        self.background = run_task(self, self.background, self.busy, work, text,
                                   _("Team laptops"), succeeded)

def server_text(conninfo: str) -> str:
    """host:port/database of the organisation's server (never the password)."""
    params = conninfo_to_dict(conninfo)
    host = params.get("host", "")
    port = params.get("port")
    return f"{host}{':' + str(port) if port else ''}/{params.get('dbname', '')}"
