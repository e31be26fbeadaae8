"""The plan's terms: the arrears by part, the first due date, months or an instalment,
paused months and the budget's capacity; Generate and Renegotiate."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
)

from ui.context import AppContext
from ui.fields import AmountEditor, DateEditor, FieldRow
from workbench.cases.model import ArrearsComponent
from workbench.i18n import _
from workbench.labels import label

COMPONENTS = (ArrearsComponent.RENT, ArrearsComponent.FEES, ArrearsComponent.COLLECTION_COSTS,
              ArrearsComponent.OTHER)


class TermsBox(QGroupBox):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(_("Terms"))
        form = QFormLayout(self)
        locale, currency = ctx.locale, ctx.currency
        self.components = {c: AmountEditor(locale, currency) for c in COMPONENTS}
        # Each part of the arrears with its own caption (as placeholders they were cut to
        # "Collectio…" and vanished once typed in).
        amounts = QGridLayout()
        amounts.setContentsMargins(0, 0, 0, 0)
        self.term_rows = {}
        for number, (component, editor) in enumerate(self.components.items()):
            self.term_rows[component.value] = FieldRow(editor)
            caption = QLabel(label(component))
            caption.setBuddy(editor.widget)
            amounts.addWidget(caption, number // 2, 2 * (number % 2))
            amounts.addWidget(self.term_rows[component.value], number // 2, 2 * (number % 2) + 1)
        amounts.setColumnStretch(1, 1)
        amounts.setColumnStretch(3, 1)
        form.addRow(_("Arrears"), amounts)
        self.start = DateEditor(locale, required=True)
        self.term_rows["start"] = FieldRow(self.start)
        self.due_day = QSpinBox()
        self.due_day.setRange(1, 31)
        _wide_enough(self.due_day, "31")
        when = QHBoxLayout()
        when.addWidget(self.term_rows["start"], 2)
        when.addWidget(QLabel(_("due day")))
        when.addWidget(self.due_day)
        form.addRow(_("First instalment from"), when)
        self.by_months = QRadioButton(_("Months"))
        self.by_amount = QRadioButton(_("Instalment"))
        group = QButtonGroup(self)
        group.addButton(self.by_months)
        group.addButton(self.by_amount)
        self.months = QSpinBox()
        self.months.setRange(1, 600)
        _wide_enough(self.months, "600")
        self.instalment = AmountEditor(locale, currency)
        self.instalment.widget.setMinimumWidth(90)
        self.term_rows["instalment"] = FieldRow(self.instalment)
        how = QHBoxLayout()
        for widget in (self.by_months, self.months, self.by_amount):
            how.addWidget(widget)
        how.addWidget(self.term_rows["instalment"], 1)
        form.addRow(_("Repay over"), how)
        self.pauses = QLineEdit()
        self.pauses.setPlaceholderText(_("e.g. 2027-07, 2027-12"))
        form.addRow(_("Months without an instalment"), self.pauses)
        self.budget_note = QLabel()
        self.budget_note.setWordWrap(True)
        form.addRow(_("Budget"), self.budget_note)
        buttons = QHBoxLayout()
        self.generate_button = QPushButton(_("&Generate"))
        self.renegotiate_button = QPushButton(_("Re&negotiate what is left"))
        buttons.addWidget(self.generate_button)
        buttons.addWidget(self.renegotiate_button)
        buttons.addStretch(1)
        form.addRow(buttons)



def _wide_enough(spin: QSpinBox, widest: str) -> None:
    """Room for the widest value and the arrows (a style's default cut "20" short)."""
    spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance(widest) + 44)
