"""A walk-in's new case, done with the keyboard in under a minute.

Before a second case is opened for somebody, cases with the same identity number, or the
same name and street, are listed; the advisor opens the existing one or goes ahead.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.case_editor.tenancy import LandlordEditor
from ui.context import AppContext, show_failure
from ui.fields import AmountEditor, Editor, FieldRow, TextEditor, read_fields
from workbench.cases.model import CaseFile, CaseRow, Intake
from workbench.errors import FieldError, ValidationError
from workbench.i18n import _, format_date
from workbench.labels import identity_label, label


class NewCaseDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.created: CaseFile | None = None
        self.open_existing: int | None = None
        self._duplicates_shown_for: tuple | None = None
        self.setWindowTitle(_("New case"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.editors: dict[str, Editor] = {}
        self.rows: dict[str, FieldRow] = {}
        locale, currency = ctx.locale, ctx.currency

        def add(name: str, caption: str, editor: Editor) -> None:
            row = FieldRow(editor)
            text = QLabel(caption)
            text.setBuddy(editor.widget)
            form.addRow(text, row)
            self.editors[name], self.rows[name] = editor, row

        add("first_name", _("&First name"), TextEditor(required=True))
        add("last_name", _("&Last name"), TextEditor(required=True))
        add("identity", identity_label(accelerator=True), TextEditor())
        self.override = QCheckBox(_("Keep the number even though it does not check out"))
        self.override.hide()
        form.addRow("", self.override)
        add("phone", _("&Phone"), TextEditor())
        add("landlord_id", _("Land&lord"), LandlordEditor(ctx))
        add("street", _("&Street address"), TextEditor())
        add("postcode", _("Post&code"), TextEditor())
        add("city", _("Ci&ty"), TextEditor())
        add("monthly_rent", _("&Monthly rent"), AmountEditor(locale, currency))
        add("rent_arrears", _("Rent &arrears"), AmountEditor(locale, currency))
        layout.addLayout(form)
        self.editors["landlord_id"].reload()

        self.duplicates_box = QWidget()
        dup_layout = QVBoxLayout(self.duplicates_box)
        dup_layout.setContentsMargins(0, 0, 0, 0)
        warning = QLabel(_("There may already be a case for this person:"))
        warning.setStyleSheet("color: #8a4b00; font-weight: 600;")
        dup_layout.addWidget(warning)
        self.duplicates = QListWidget()
        self.duplicates.setMaximumHeight(90)
        dup_layout.addWidget(self.duplicates)
        self.open_button = QPushButton(_("&Open the existing case"))
        self.open_button.clicked.connect(self._open_existing)
        dup_layout.addWidget(self.open_button, 0, Qt.AlignLeft)
        self.duplicates_box.hide()
        layout.addWidget(self.duplicates_box)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.create_button = self.buttons.button(QDialogButtonBox.Ok)
        self.create_button.setText(_("Create case"))
        self.buttons.accepted.connect(self.create)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.editors["first_name"].widget.setFocus()

    def create(self) -> None:
        try:
            values = read_fields(self.editors, self.rows)
        except ValidationError:
            return
        key = (values["first_name"], values["last_name"], values["identity"], values["street"])
        if self._duplicates_shown_for != key:
            found = self.ctx.run(self, lambda: self.ctx.cases.find_duplicates(
                values["first_name"], values["last_name"], values["identity"], values["street"]))
            if found:
                self._show_duplicates(found, key)
                return
        intake = Intake(first_name=values["first_name"], last_name=values["last_name"],
                        identity_text=values["identity"],
                        identity_override=self.override.isChecked(), phone=values["phone"],
                        landlord_id=values["landlord_id"], street=values["street"],
                        postcode=values["postcode"], city=values["city"],
                        monthly_rent=values["monthly_rent"] or 0,
                        rent_arrears=values["rent_arrears"])
        try:
            self.created = self.ctx.cases.create_case(intake)
        except Exception as error:
            if isinstance(error, FieldError) and error.field in self.editors:
                if error.field == "identity":
                    self.override.show()  # offer to keep the number all the same
                self.editors[error.field].widget.setFocus()
            show_failure(self, error, self.rows)
            return
        self.ctx.cases_changed.emit()
        self.accept()

    def _show_duplicates(self, found: list[CaseRow], key: tuple) -> None:
        self._duplicates_shown_for = key
        self.duplicates.clear()
        for row in found:
            item = QListWidgetItem(_("{name} · case {id} · {status} · opened {opened}").format(
                name=row.name, id=row.id, status=label(row.status),
                opened=format_date(row.opened_on, self.ctx.locale)))
            item.setData(Qt.UserRole, row.id)
            self.duplicates.addItem(item)
        self.duplicates.setCurrentRow(0)
        self.duplicates_box.show()
        self.create_button.setText(_("Create a new case anyway"))

    def _open_existing(self) -> None:
        item = self.duplicates.currentItem()
        if item is not None:
            self.open_existing = item.data(Qt.UserRole)
            self.reject()
