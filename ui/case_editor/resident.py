"""Resident and household: the person's details, identity number, and who lives with them."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QComboBox, QGroupBox, QVBoxLayout, QWidget

from ui.case_editor.form_page import FormPage
from ui.case_editor.record_page import Field, RecordKind, RecordPage
from ui.context import AppContext
from ui.fields import CheckEditor, Editor, EnumEditor, IntEditor, TextEditor
from workbench.cases.model import CaseFile, HouseholdMember, MemberRole
from workbench.i18n import LANGUAGES, N_, _
from workbench.identity import IdentityKind, format_identity
from workbench.labels import identity_label

LANGUAGE_NAMES = {"fi": N_("Finnish"), "sv": N_("Swedish"), "da": N_("Danish"),
                  "en": N_("English")}

HOUSEHOLD = RecordKind(
    HouseholdMember, N_("Household"),
    [Field("role", N_("Role"), lambda ctx: EnumEditor(MemberRole)),
     Field("name", N_("Name"), lambda ctx: TextEditor()),
     Field("birth_year", N_("Year of birth"), lambda ctx: IntEditor(1900, 2100, optional=True))],
    records=lambda file: file.members)


class LanguageEditor(Editor):
    """The resident's language: one of the program's four, or not recorded."""

    def __init__(self) -> None:
        combo = QComboBox()
        combo.addItem("–", "")
        for code in LANGUAGES:
            combo.addItem(_(LANGUAGE_NAMES[code]), code)
        super().__init__(combo)
        combo.currentIndexChanged.connect(self.changed)
        combo.activated.connect(self.committed)

    def value(self) -> str:
        return self.widget.currentData()

    def set_value(self, value) -> None:
        self.widget.setCurrentIndex(max(0, self.widget.findData(value or "")))


class PersonForm(FormPage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setLayout(self.form)
        self.add_field("first_name", _("First name"), TextEditor(required=True))
        self.add_field("last_name", _("Last name"), TextEditor(required=True))
        self.add_field("identity", identity_label(), TextEditor())
        # A field like the others (ticking it saves): a form merged with another laptop's
        # change keeps the tick as it keeps what was typed.
        self.override = self.add_field("identity_override", "", CheckEditor(
            _("Keep the number even though it does not check out"))).widget
        self.add_field("birth_year", _("Year of birth"), IntEditor(1900, 2100, optional=True))
        self.add_field("phone", _("Phone"), TextEditor())
        self.add_field("email", _("E-mail"), TextEditor())
        self.add_field("language", _("Language"), LanguageEditor())

    def fill(self, file: CaseFile) -> None:
        person = file.person
        for name in ("first_name", "last_name", "birth_year", "phone", "email", "language"):
            self.editors[name].set_value(getattr(person, name))
        number = person.identity_number or ""
        if number and not person.identity_unverified and person.identity_kind:
            number = format_identity(number, IdentityKind(person.identity_kind))
        self.editors["identity"].set_value(number)
        self.editors["identity_override"].set_value(person.identity_unverified)

    def save(self, values: dict) -> CaseFile:
        identity, override = values.pop("identity"), values.pop("identity_override")
        person = dataclasses.replace(self.file.person, **values)
        return self.ctx.cases.update_person(self.file.case.id, person, identity_text=identity,
                                            identity_override=override)


class ResidentPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.person = PersonForm(ctx)
        layout.addWidget(self.person)
        box = QGroupBox(_("Household"))
        inner = QVBoxLayout(box)
        self.household = RecordPage(ctx, HOUSEHOLD)
        inner.addWidget(self.household)
        layout.addWidget(box, 1)

    def load(self, file: CaseFile) -> None:
        self.person.load(file)
        self.household.load(file)

    def commit(self) -> bool:
        return self.person.commit() and self.household.commit()
