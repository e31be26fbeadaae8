"""Overview: status, advisor, reasons, referral source, dates, outcomes and a note."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from ui.case_editor.form_page import FormPage
from ui.context import AppContext
from ui.fields import DateEditor, Editor, EnumEditor, NoteEditor, SetEditor
from workbench.cases.model import CaseFile, CaseStatus, Outcome, Reason, ReferralSource
from workbench.i18n import _
from workbench.users import UserService


class AdvisorEditor(Editor):
    def __init__(self, ctx: AppContext) -> None:
        combo = QComboBox()
        super().__init__(combo)
        self.ctx = ctx
        combo.currentIndexChanged.connect(self.changed)
        combo.activated.connect(self.committed)

    def reload(self) -> None:
        self.widget.blockSignals(True)
        self.widget.clear()
        self.widget.addItem(_("Nobody yet"), None)
        for user in UserService(self.ctx.session).list_users():
            self.widget.addItem(user.name, user.id)
        self.widget.blockSignals(False)

    def value(self) -> int | None:
        return self.widget.currentData()

    def set_value(self, value) -> None:
        self.widget.setCurrentIndex(max(0, self.widget.findData(value)))


class OverviewPage(FormPage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        locale = ctx.locale
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addLayout(self.form)
        outer.addLayout(left, 3)
        self.add_field("status", _("Status"), EnumEditor(CaseStatus))
        self.advisor = self.add_field("advisor_id", _("Advisor"), AdvisorEditor(ctx))
        self.add_field("referral_source", _("Referred by"), EnumEditor(ReferralSource))
        self.add_field("opened_on", _("Opened"), DateEditor(locale, required=True))
        self.add_field("closed_on", _("Closed"), DateEditor(locale))
        self.add_field("note", _("Note"), NoteEditor())
        self.add_field("reasons", _("Reasons for contact"), SetEditor(Reason))
        self.add_field("outcomes", _("Outcomes"), SetEditor(Outcome))
        left.addStretch(1)

    def fill(self, file: CaseFile) -> None:
        self.advisor.reload()
        case = file.case
        for name in ("status", "advisor_id", "referral_source", "opened_on", "closed_on",
                     "note", "reasons"):
            self.editors[name].set_value(getattr(case, name))
        self.editors["outcomes"].set_value({o.outcome for o in file.outcomes})

    def save(self, values: dict) -> CaseFile:
        outcomes = frozenset(values.pop("outcomes"))
        case = dataclasses.replace(self.file.case, **values)
        return self.ctx.cases.update_overview(case, outcomes)
