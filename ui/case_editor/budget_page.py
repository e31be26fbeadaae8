"""Budget: the household's income and expenses, line by line, with totals, the payment
capacity and the reasonableness check, updated as the advisor types.

Totals, monthly figures and flags come from the core (``workbench.budget``); this page only
shows them. Each finished field saves today's snapshot of the budget.
"""

from __future__ import annotations

import itertools
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext, show_failure
from ui.fields import AmountEditor
from workbench.budget.categories import Category, categories
from workbench.budget.model import Budget, BudgetLine, Frequency
from workbench.budget.reference import Flag, reference_table
from workbench.budget.service import BudgetService
from workbench.cases.model import CaseFile
from workbench.errors import ValidationError
from workbench.i18n import N_, NP_, _, format_date, format_money, pgettext
from workbench.labels import choices

FLAG_TEXT = {Flag.LOW: N_("unusually low"), Flag.HIGH: N_("unusually high")}
# Beside the reference a short mark (the long words did not fit a laptop's width in
# Finnish); the words are its tooltip.
FLAG_MARK = {Flag.LOW: ("▼", NP_("budget flag", "low")),
             Flag.HIGH: ("▲", NP_("budget flag", "high"))}


class LineRow:
    """The widgets of one budget line in the grid."""

    def __init__(self, page: BudgetPage, category: Category) -> None:
        self.category = category
        ctx = page.ctx
        self.caption = QLabel(category.label)
        self.caption.setWordWrap(True)  # a long one on two lines, not the note off screen
        self.caption.setMaximumWidth(150)
        self.amount = AmountEditor(ctx.locale, ctx.currency)
        self.amount.widget.setMinimumWidth(80)
        self.amount.widget.setMaximumWidth(120)
        self.frequency = QComboBox()
        for frequency, text in choices(Frequency):
            self.frequency.addItem(text, frequency)
        self.frequency.setCurrentIndex(2)
        self.monthly = QLabel()
        self.monthly.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.reference = QLabel()
        self.reference.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.flag = QLabel()
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("Note"))
        self.note.setMinimumWidth(92)
        self.caption.setBuddy(self.amount.widget)
        self.amount.widget.textEdited.connect(lambda _text: page.edited())
        self.amount.committed.connect(page.save)
        self.frequency.activated.connect(lambda _index: (page.edited(), page.save()))
        self.note.textEdited.connect(lambda _text: page.edited())
        self.note.editingFinished.connect(page.save)

    def widgets(self) -> list[QWidget]:
        return [self.caption, self.amount.widget, self.frequency, self.monthly, self.reference,
                self.flag, self.note]

    def line(self) -> BudgetLine:
        """The line as typed; raises ValidationError for an amount that does not parse."""
        return BudgetLine(self.category.code, self.category.kind, self.amount.value(),
                          Frequency(self.frequency.currentData()), "",
                          self.note.text().strip())

    def show(self, line: BudgetLine | None) -> None:
        self.amount.set_value(line.amount if line and line.amount else None)
        self.frequency.setCurrentIndex(max(0, self.frequency.findData(
            line.frequency if line else Frequency.MONTHLY)))
        self.note.setText(line.explanation if line else "")


class BudgetPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.file: CaseFile | None = None
        self.snapshots: list[Budget] = []
        self._loading = False
        self.dirty = False
        self._untouched_draft = False
        country = ctx.country
        self.categories = categories(country)
        self.reference = reference_table(country)
        outer = QVBoxLayout(self)
        outer.addWidget(self._summary())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        grid_host = QWidget()
        self.grid = QGridLayout(grid_host)
        self.grid.setColumnStretch(6, 1)
        self.grid.setHorizontalSpacing(4)  # seven columns beside the case list at 1280 px
        scroll.setWidget(grid_host)
        outer.addWidget(scroll, 1)
        self.rows: dict[str, LineRow] = {}
        self._add_section(_("Income"), self.categories.income)
        for group in self.categories.expense_groups:
            self._add_section(group.label, group.categories)
        # Enter goes down the lines, amount to amount, as in a spreadsheet (Tab goes
        # through each line's period and note as well).
        lines = list(self.rows.values())
        for line, below in itertools.pairwise(lines):
            line.amount.widget.returnPressed.connect(
                lambda below=below: _into(below.amount.widget))

    def focus_first(self) -> bool:
        """The cursor to the first line's amount."""
        _into(next(iter(self.rows.values())).amount.widget)
        return True

    def _add_section(self, title: str, members) -> None:
        first = not self.rows
        row = self.grid.rowCount() if not first else 0
        heading = QLabel(f"<b>{title}</b>")
        self.grid.addWidget(heading, row, 0, 1, 3)
        if first:  # column headings beside the first section's title
            for column, text in ((3, _("Per month")), (4, _("Reference"))):
                label = QLabel(f"<b>{text}</b>")
                label.setAlignment(Qt.AlignRight)
                self.grid.addWidget(label, row, column)
        for category in members:
            line = LineRow(self, category)
            self.rows[category.code] = line
            row = self.grid.rowCount()
            for column, widget in enumerate(line.widgets()):
                self.grid.addWidget(widget, row, column)

    def _summary(self) -> QWidget:
        """One line above the budget: which snapshot, the totals and the capacity."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        line = QHBoxLayout()
        self.snapshot = QComboBox()
        self.snapshot.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.snapshot.activated.connect(self._show_snapshot)
        caption = QLabel(_("Budget of"))
        caption.setBuddy(self.snapshot)
        line.addWidget(caption)
        line.addWidget(self.snapshot)
        self.income = QLabel()
        self.expenses = QLabel()
        self.balance = QLabel()
        self.capacity = QLabel()
        self.capacity.setStyleSheet("font-weight: 600;")
        line.addStretch(1)
        layout.addLayout(line)
        # The totals on a line of their own: beside the date they squeezed it to "29 Nov 2(".
        totals = QHBoxLayout()
        for number, (text, value) in enumerate((
                (_("Income"), self.income), (_("Expenses"), self.expenses),
                (_("Balance"), self.balance), (_("Payment capacity"), self.capacity))):
            if number:
                totals.addSpacing(16)
            totals.addWidget(QLabel(text + ":"))
            totals.addWidget(value)
        totals.addStretch(1)
        layout.addLayout(totals)
        self.problem = QLabel()
        self.problem.setObjectName("pageProblem")  # (the editor names it when asked)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        layout.addWidget(self.problem)
        hint = QLabel(_("Lines far from the reference budget are marked; write in the note "
                        "why the figure is right for this household. Changes are saved as "
                        "today's budget."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(mid);")
        layout.addWidget(hint)
        return box

    # --- showing -------------------------------------------------------------------------

    def load(self, file: CaseFile) -> None:
        if self.dirty and self.file is not None and self.file.case.id == file.case.id:
            self.file = file
            return
        self.file = file
        self.snapshots = BudgetService(self.ctx.session).budgets(file.case.id)
        self.snapshot.clear()
        for budget in reversed(self.snapshots):
            self.snapshot.addItem(format_date(budget.taken_on, self.ctx.locale), budget.id)
        if not self.snapshots:
            self.snapshot.addItem(_("No budget yet"), None)
        self._fill(self.snapshots[-1] if self.snapshots else None)

    def _show_snapshot(self, index: int) -> None:
        budget = next((b for b in self.snapshots if b.id == self.snapshot.itemData(index)), None)
        self._fill(budget)

    def _fill(self, budget: Budget | None) -> None:
        # The first one starts with the rent already known; until the advisor types in it,
        # nothing is "missing" or "unusually low" in it.
        self._untouched_draft = budget is None and self.file is not None
        if self._untouched_draft:
            budget = BudgetService(self.ctx.session).first_draft(self.file.case.id)
        self._loading = True
        for code, row in self.rows.items():
            row.show(budget.line(code) if budget else None)
        self._loading = False
        self.dirty = False
        self.recalculate()

    def current(self) -> Budget:
        """The budget as typed now; lines that do not parse are left out (and reported)."""
        adults, children = BudgetService(self.ctx.session).household(self.file.case.id)
        lines, problems = [], []
        for row in self.rows.values():
            try:
                lines.append(row.line())
                row.amount.widget.setStyleSheet("")
            except ValidationError as error:
                row.amount.widget.setStyleSheet("border: 1px solid #b00020;")
                problems.append(f"{row.category.label}: {error.message()}")
        self.problem.setText("\n".join(problems))
        return Budget(self.file.case.id, date.today(), adults, children, lines)

    def edited(self) -> None:
        if not self._loading:
            self.dirty = True
            self.recalculate()

    def recalculate(self) -> None:
        if self.file is None:
            return
        budget = self.current()
        money = lambda amount: format_money(amount, self.ctx.currency, self.ctx.locale)  # noqa: E731
        flags = {} if self._untouched_draft and not self.dirty else \
            BudgetService(self.ctx.session).flags(budget)  # (the rules live in the core)
        for code, row in self.rows.items():
            line = budget.line(code)
            row.monthly.setText(money(line.monthly) if line and line.amount else "")
            reference = self.reference.reference(code, budget.adults, budget.children)
            row.reference.setText(money(reference.monthly) if reference else "")
            if reference:
                row.reference.setToolTip(reference.source)
            flag = flags.get(code)
            if flag:
                mark, word = FLAG_MARK[flag]
                row.flag.setText(f"{mark} {pgettext('budget flag', word)}")
            else:
                row.flag.setText("")
            row.flag.setToolTip(_(FLAG_TEXT[flag]) if flag else "")
            row.flag.setStyleSheet("color: #8a4b00;" if flag else "")
        self.income.setText(money(budget.income))
        self.expenses.setText(money(budget.expenses))
        self.balance.setText(money(budget.balance))
        self.balance.setStyleSheet("color: #b00020;" if budget.balance < 0 else "")
        self.capacity.setText(money(budget.payment_capacity))

    # --- saving --------------------------------------------------------------------------

    def save(self) -> bool:
        if self._loading or not self.dirty or self.file is None or not self.ctx.unlocked:
            return True
        budget = self.current()
        if self.problem.text():
            return False  # an amount that does not parse: say so, save nothing
        try:
            BudgetService(self.ctx.session).save(self.file.case.id, budget.lines)
        except Exception as error:
            show_failure(self, error)
            return False
        self.dirty = False
        self.ctx.case_saved.emit(self.ctx.cases.open_case(self.file.case.id))
        return True

    def commit(self) -> bool:
        return self.save()


def _into(field: QLineEdit) -> None:
    field.setFocus(Qt.TabFocusReason)
    field.selectAll()  # typing replaces what is there
