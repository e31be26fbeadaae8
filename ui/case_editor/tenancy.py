"""Tenancy and landlord: the address, rent, start date, landlord and their reference; the
landlord's contact and payment details are edited in the landlord dialog."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.case_editor.form_page import FormPage
from ui.context import AppContext, show_failure
from ui.fields import AmountEditor, DateEditor, Editor, EnumEditor, FieldRow, TextEditor
from workbench import payments
from workbench.cases.model import CaseFile, Landlord, LandlordKind, Tenancy
from workbench.i18n import _
from workbench.labels import label


class LandlordEditor(Editor):
    """The landlord from the organisation's list, with buttons to add one or to edit the
    chosen one's contact and payment details."""

    def __init__(self, ctx: AppContext) -> None:
        # The buttons under the list, so a long name ("Kaupunkiasunnot Kotilaakso Oy
        # (Kunnallinen)") is shown whole beside the Finnish buttons' captions.
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox()
        self.combo.setEditable(False)
        layout.addWidget(self.combo)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(_("New landlord…"))
        self.edit_button = QPushButton(_("Edit landlord…"))
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        super().__init__(box)
        self.ctx = ctx
        self.combo.currentIndexChanged.connect(self.changed)
        self.combo.currentIndexChanged.connect(self._enable)
        self.combo.activated.connect(self.committed)
        self.add_button.clicked.connect(self._add)
        self.edit_button.clicked.connect(self._edit)
        self._enable()

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
        self._enable()

    def _enable(self) -> None:
        self.edit_button.setEnabled(self.combo.currentData() is not None)

    def _add(self) -> None:
        dialog = LandlordDialog(self.ctx, None, self.widget)
        if dialog.exec() == QDialog.Accepted and dialog.landlord is not None:
            self.reload()
            self.set_value(dialog.landlord.id)
            self.changed.emit()
            self.committed.emit()

    def _edit(self) -> None:
        if self.value() is None:
            return
        landlord = self.ctx.run(self.widget, lambda: self.ctx.cases.landlord(self.value()))
        if landlord is None:
            return
        dialog = LandlordDialog(self.ctx, landlord, self.widget)
        if dialog.exec() == QDialog.Accepted:
            self.reload()


class LandlordDialog(QDialog):
    """A landlord's name, type, contact person and the payment details the tenant pays
    the instalments to; the agreement prints them."""

    def __init__(self, ctx: AppContext, landlord: Landlord | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.existing = landlord
        self.landlord: Landlord | None = None
        self.setWindowTitle(_("Edit landlord") if landlord else _("New landlord"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        country = ctx.country
        self.editors = {
            "name": TextEditor(), "kind": EnumEditor(LandlordKind),
            "contact_person": TextEditor(), "phone": TextEditor(), "email": TextEditor(),
            "address": TextEditor(), "iban": TextEditor()}
        labels = {"name": _("Name"), "kind": _("Type"), "contact_person": _("Contact person"),
                  "phone": _("Phone"), "email": _("E-mail"), "address": _("Address"),
                  "iban": _("Account (IBAN)")}
        if country == "SE":
            self.editors["bankgiro"] = TextEditor()
            labels["bankgiro"] = _("Bankgiro")
        self.editors["payment_reference"] = TextEditor()
        labels["payment_reference"] = {
            "FI": _("Reference number (viitenumero or RF)"),
            "SE": _("OCR number or reference"),
            "DK": _("FI-kort line or the landlord's reference")}.get(country,
                                                                    _("Payment reference"))
        self.rows = {}
        for name, editor in self.editors.items():
            editor.widget.setObjectName(f"landlord_{name}")
            self.rows[name] = FieldRow(editor)
            form.addRow(labels[name], self.rows[name])
        if landlord is not None:
            for name, editor in self.editors.items():
                value = getattr(landlord, name)
                if name == "iban":
                    value = payments.format_iban(value)
                elif name == "bankgiro":
                    value = payments.format_bankgiro(value)
                editor.set_value(value)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _save(self) -> None:
        for row in self.rows.values():
            row.show_error(None)
        values = {name: editor.value() for name, editor in self.editors.items()}
        values = {name: ("" if value is None else value) if name != "kind" else value
                  for name, value in values.items()}
        try:
            if self.existing is None:
                self.landlord = self.ctx.cases.add_landlord(Landlord(**values))
            else:
                self.landlord = self.ctx.cases.update_landlord(
                    dataclasses.replace(self.existing, **values))
        except Exception as error:
            show_failure(self, error, self.rows)
            return
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
