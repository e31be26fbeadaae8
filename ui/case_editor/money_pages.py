"""Arrears and debts: the arrears by component, and the household's other debts."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from ui.case_editor.form_page import FormPage
from ui.case_editor.record_page import Field, RecordKind, RecordPage
from ui.context import AppContext
from ui.fields import AmountEditor, CheckEditor, EnumEditor, TextEditor
from workbench.cases.model import ArrearsComponent, CaseFile, Debt, DebtKind
from workbench.i18n import N_, _, format_date, format_money
from workbench.labels import label

DEBTS = RecordKind(
    Debt, N_("Other debts"),
    [Field("creditor", N_("Creditor"), lambda ctx: TextEditor(required=True)),
     Field("kind", N_("Kind"), lambda ctx: EnumEditor(DebtKind)),
     Field("amount", N_("Amount"), lambda ctx: AmountEditor(ctx.locale, ctx.currency,
                                                            required=True)),
     Field("in_enforcement", N_("In enforcement"),
           lambda ctx: CheckEditor(_("With the bailiff for collection")))],
    records=lambda file: file.debts)


class ArrearsForm(FormPage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.form)
        for component in ArrearsComponent:
            self.add_field(component.value, label(component),
                           AmountEditor(ctx.locale, ctx.currency))
        self.total = QLabel()
        self.intake = QLabel()
        self.form.addRow(_("Total now"), self.total)
        self.form.addRow(_("At intake"), self.intake)

    def fill(self, file: CaseFile) -> None:
        amounts = {item.component: item for item in file.arrears}
        for component in ArrearsComponent:
            item = amounts.get(component)
            self.editors[component.value].set_value(item.amount if item else 0)
            self.rows[component.value].setToolTip(
                _("As of {date}").format(date=format_date(item.as_of, self.ctx.locale))
                if item else "")
        self.total.setText(format_money(file.arrears_total, self.ctx.currency, self.ctx.locale))
        self.intake.setText(format_money(file.case.intake_arrears, self.ctx.currency,
                                         self.ctx.locale))

    def save(self, values: dict) -> CaseFile:
        amounts = {ArrearsComponent(name): amount for name, amount in values.items()}
        return self.ctx.cases.set_all_arrears(self.file.case.id, amounts)


class MoneyPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        box = QGroupBox(_("Arrears"))
        QVBoxLayout(box).addWidget(arrears := ArrearsForm(ctx))
        self.arrears = arrears
        layout.addWidget(box)
        debts_box = QGroupBox(_("Other debts"))
        self.debts = RecordPage(ctx, DEBTS)
        QVBoxLayout(debts_box).addWidget(self.debts)
        layout.addWidget(debts_box, 1)

    def load(self, file: CaseFile) -> None:
        self.arrears.load(file)
        self.debts.load(file)

    def commit(self) -> bool:
        return self.arrears.commit() and self.debts.commit()
