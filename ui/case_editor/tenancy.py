"""Tenancy and landlord: the address, rent, start date, landlord and their reference."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.case_editor.form_page import FormPage
from ui.context import AppContext
from ui.fields import AmountEditor, DateEditor, Editor, EnumEditor, TextEditor
from workbench.cases.model import CaseFile, Landlord, LandlordKind, Tenancy
from workbench.i18n import _
from workbench.labels import label


class LandlordEditor(Editor):
    """The landlord from the organisation's list, with a button to add a new one."""

    def __init__(self, ctx: AppContext) -> None:
        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox()
        self.combo.setEditable(False)
        layout.addWidget(self.combo, 1)
        self.add_button = QPushButton(_("New landlord…"))
        layout.addWidget(self.add_button)
        super().__init__(box)
        self.ctx = ctx
        self.combo.currentIndexChanged.connect(self.changed)
        self.combo.activated.connect(self.committed)
        self.add_button.clicked.connect(self._add)

    def reload(self) -> None:
        current = self.value()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem("–", None)
        for landlord in self.ctx.cases.landlords():
            self.combo.addItem(f"{landlord.name} ({label(landlord.kind)})", landlord.id)
        self.combo.blockSignals(False)
        self.set_value(current)

    def value(self) -> int | None:
        return self.combo.currentData()

    def set_value(self, value) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(value)))

    def _add(self) -> None:
        dialog = NewLandlordDialog(self.ctx, self.widget)
        if dialog.exec() == QDialog.Accepted and dialog.landlord is not None:
            self.reload()
            self.set_value(dialog.landlord.id)
            self.changed.emit()
            self.committed.emit()


class NewLandlordDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.landlord: Landlord | None = None
        self.setWindowTitle(_("New landlord"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit()
        self.kind = EnumEditor(LandlordKind)
        form.addRow(_("Name"), self.name)
        form.addRow(_("Type"), self.kind.widget)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _save(self) -> None:
        landlord = Landlord(self.name.text(), self.kind.value())
        self.landlord = self.ctx.run(self, lambda: self.ctx.cases.add_landlord(landlord))
        if self.landlord is not None:
            self.accept()


class TenancyPage(FormPage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        locale = ctx.locale
        self.landlord = self.add_field("landlord_id", _("Landlord"), LandlordEditor(ctx))
        self.add_field("landlord_reference", _("Landlord's reference"), TextEditor())
        self.add_field("street", _("Street address"), TextEditor())
        self.add_field("postcode", _("Postcode"), TextEditor())
        self.add_field("city", _("City"), TextEditor())
        self.add_field("monthly_rent", _("Monthly rent"), AmountEditor(locale, ctx.currency))
        self.add_field("start_date", _("Tenancy began"), DateEditor(locale))

    def fill(self, file: CaseFile) -> None:
        self.landlord.reload()
        tenancy = file.tenancy or Tenancy(file.case.id)
        for name, editor in self.editors.items():
            editor.set_value(getattr(tenancy, name))

    def save(self, values: dict) -> CaseFile:
        tenancy = self.file.tenancy or Tenancy(self.file.case.id)
        return self.ctx.cases.set_tenancy(dataclasses.replace(tenancy, **values))
