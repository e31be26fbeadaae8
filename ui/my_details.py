"""Settings → My details: the signed-in user's full name, title and contact details, as
agreements print them. Saved with its own button, in one audited action."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ui.context import show_failure
from workbench.i18n import _
from workbench.profiles import FIELDS, Profile, ProfileService
from workbench.session import Session


class MyDetailsBox(QGroupBox):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(_("My details"), parent)
        self.session = session
        self.service = ProfileService(session)
        profile = self.service.profile(session.user.name)
        form = QFormLayout(self)
        labels = {"full_name": _("&Full name"), "title": _("&Title"), "phone": _("&Phone"),
                  "email": _("&E-mail"), "address": _("&Office address")}
        self.fields: dict[str, QLineEdit] = {}
        for name in FIELDS:
            field = QLineEdit(getattr(profile, name))
            field.setObjectName(f"my_{name}")
            self.fields[name] = field
            form.addRow(labels[name], field)
        hint = QLabel(_("Printed on the agreements you make, instead of your user name."))
        hint.setWordWrap(True)
        row = QHBoxLayout()
        self.save_button = QPushButton(_("Save my details"))
        self.save_button.clicked.connect(self.save)
        self.status = QLabel("")
        self.status.setObjectName("my_status")
        row.addWidget(self.save_button)
        row.addWidget(self.status, 1)
        form.addRow(hint)
        form.addRow(row)
        for field in self.fields.values():
            field.textEdited.connect(lambda _text: self.status.setText(""))

    def save(self) -> None:
        values = {name: field.text() for name, field in self.fields.items()}
        try:
            saved = self.service.set_profile(Profile(self.session.user.name, **values))
        except Exception as error:
            show_failure(self, error)
            return
        for name, field in self.fields.items():
            field.setText(getattr(saved, name))
        self.status.setText(_("Saved."))
