"""Payments towards the plan in force: record one in a few keystrokes, see them all."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ui.context import AppContext, show_failure
from ui.dialogs import Dialogs
from ui.fields import AmountEditor, DateEditor, FieldRow, read_fields
from workbench.cases.model import CaseFile
from workbench.errors import ValidationError
from workbench.i18n import _, format_date, format_money
from workbench.labels import choices, label
from workbench.plans.model import Payer, Payment, PlanRevision
from workbench.plans.service import PlanService


class PaymentsPanel(QGroupBox):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(_("Payments"))
        self.ctx = ctx
        self.file: CaseFile | None = None
        self.plan: PlanRevision | None = None
        self.payments: list[Payment] = []
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([_("Date"), _("Amount"), _("Paid by"), _("Note")])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        form = QHBoxLayout()
        self.paid_on = DateEditor(ctx.locale, required=True)
        self.amount = AmountEditor(ctx.locale, ctx.currency, required=True)
        self.payer = QComboBox()
        for payer, text in choices(Payer):
            self.payer.addItem(text, payer)
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("Note"))
        self.rows = {"paid_on": FieldRow(self.paid_on), "amount": FieldRow(self.amount)}
        self.add_button = QPushButton(_("Record payment"))
        self.add_button.clicked.connect(self.record)
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.clicked.connect(self.remove)
        for widget in (self.rows["paid_on"], self.rows["amount"], self.payer, self.note,
                       self.add_button, self.remove_button):
            form.addWidget(widget)
        layout.addLayout(form)
        self.message = QLabel()
        layout.addWidget(self.message)
        for field in (self.amount.widget, self.note):
            field.returnPressed.connect(self.record)

    def show_plan(self, file: CaseFile, plan: PlanRevision | None) -> None:
        """Payments of the plan in force; none to record against an older revision."""
        self.file, self.plan = file, plan
        self.payments = PlanService(self.ctx.session).payments(plan.id) if plan else []
        money = lambda amount: format_money(amount, self.ctx.currency, self.ctx.locale)  # noqa: E731
        self.table.setRowCount(len(self.payments))
        for row, payment in enumerate(self.payments):
            for column, text in enumerate((format_date(payment.paid_on, self.ctx.locale, "short"),
                                           money(payment.amount), label(payment.payer),
                                           payment.note)):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(row, column, item)
        self.paid_on.set_value(date.today())
        self.amount.set_value(None)
        self.note.clear()
        for widget in (self.add_button, self.remove_button, self.amount.widget):
            widget.setEnabled(plan is not None)

    def record(self) -> None:
        if self.plan is None:
            return
        try:
            values = read_fields({"paid_on": self.paid_on, "amount": self.amount}, self.rows)
        except ValidationError:
            return
        payment = Payment(self.file.case.id, self.plan.id, values["paid_on"], values["amount"],
                          Payer(self.payer.currentData()), self.note.text())
        try:
            PlanService(self.ctx.session).record_payment(payment)
        except Exception as error:
            show_failure(self, error, self.rows)
            return
        self.ctx.case_saved.emit(self.ctx.cases.open_case(self.file.case.id))

    def remove(self) -> None:
        row = self.table.currentRow()
        if self.plan is None or row < 0:
            return
        if not Dialogs.confirm(self, _("Remove this payment? This cannot be undone.")):
            return
        payment = self.payments[row]
        if self.ctx.run(self, lambda: PlanService(self.ctx.session).remove_payment(payment.id)
                        or True):
            self.ctx.case_saved.emit(self.ctx.cases.open_case(self.file.case.id))
