"""Plan: agree the terms, generate the schedule, edit it, save it as a revision, and
follow the payments. Earlier revisions stay viewable, read-only.

Schedules, checks and tracking are computed by the core (``workbench.plans``); this page
shows them and turns clicks into service calls.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.case_editor.payments import PaymentsPanel
from ui.context import AppContext, show_failure
from ui.dialogs import Dialogs
from ui.fields import AmountEditor, DateEditor, Editor, FieldRow, read_fields
from ui.plan_editor import PlanTable, PlanTableModel
from workbench.budget.service import BudgetService
from workbench.cases.model import ArrearsComponent, CaseFile
from workbench.errors import FieldError, ValidationError
from workbench.i18n import N_, _, format_date, format_money, ngettext
from workbench.labels import label
from workbench.plans.checks import draft_state
from workbench.plans.model import PlanDraft, PlanRevision, PlanRow
from workbench.plans.schedule import PlanTerms, build_schedule, due_dates, rebalance
from workbench.plans.service import PlanService

COMPONENTS = (ArrearsComponent.RENT, ArrearsComponent.FEES, ArrearsComponent.COLLECTION_COSTS,
              ArrearsComponent.OTHER)
DRAFT = -1  # the revision combo's entry for the draft being edited


class PlanPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.file: CaseFile | None = None
        self.revisions: list[PlanRevision] = []
        self.capacity: int | None = None
        self.budget_id: int | None = None
        self.model = PlanTableModel(ctx, QUndoStack(self))
        self.undo = self.model.undo
        layout = QVBoxLayout(self)
        # One above the other: side by side, the revision's name was cut in Swedish.
        layout.addWidget(self._terms_box())
        layout.addWidget(self._revisions_box())
        self.banner = QLabel()
        self.banner.setObjectName("planBanner")
        self.banner.setWordWrap(True)
        layout.addWidget(self.banner)
        self.table = PlanTable(self.model)
        layout.addWidget(self.table, 3)
        layout.addLayout(self._row_buttons())
        reason_form = QFormLayout()
        self.reason = QLineEdit()
        self.reason_row = FieldRow(Editor(self.reason))
        self.reason_label = QLabel(_("Why the household can pay more than the budget leaves"))
        reason_form.addRow(self.reason_label, self.reason_row)
        layout.addLayout(reason_form)
        self.payments = PaymentsPanel(ctx)
        layout.addWidget(self.payments, 2)
        self.model.rows_changed.connect(self.refresh_banner)
        self.model.edit_refused.connect(self._edit_refused)
        self.reason.textEdited.connect(lambda _text: self.refresh_banner())

    # --- layout --------------------------------------------------------------------------

    def _terms_box(self) -> QGroupBox:
        box = QGroupBox(_("Terms"))
        form = QFormLayout(box)
        locale, currency = self.ctx.locale, self.ctx.currency
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
        generate = QPushButton(_("&Generate"))
        generate.clicked.connect(self.generate)
        self.renegotiate_button = QPushButton(_("Re&negotiate what is left"))
        self.renegotiate_button.clicked.connect(self.renegotiate)
        buttons.addWidget(generate)
        buttons.addWidget(self.renegotiate_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        return box

    def _revisions_box(self) -> QGroupBox:
        box = QGroupBox(_("Revisions"))
        layout = QHBoxLayout(box)
        self.revision_choice = QComboBox()
        self.revision_choice.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.revision_choice.activated.connect(self._revision_chosen)
        layout.addWidget(self.revision_choice)
        self.save_button = QPushButton(_("&Save as a new revision"))
        self.save_button.clicked.connect(self.save)
        layout.addWidget(self.save_button)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status, 1)
        QShortcut(QKeySequence.Save, self, activated=self.save,
                  context=Qt.WidgetWithChildrenShortcut).setWhatsThis(
            _("Payment plan: save as a new revision"))
        return box

    def _row_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.row_buttons = []
        for text, slot in ((_("Add row"), self.add_row), (_("Remove row"), self.remove_row),
                           (_("Rebalance from the selected row"), self.rebalance)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.row_buttons.append(button)
        undo = self.undo.createUndoAction(self, _("Undo"))
        undo.setShortcut(QKeySequence.Undo)
        redo = self.undo.createRedoAction(self, _("Redo"))
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.Redo])
        undo.setWhatsThis(_("Payment plan: undo a change to the instalments"))
        redo.setWhatsThis(_("Payment plan: redo it"))
        for action, caption in ((undo, _("Undo")), (redo, _("Redo"))):
            action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            self.addAction(action)
            button = QPushButton(caption)
            button.setToolTip(action.shortcut().toString(QKeySequence.NativeText))
            button.clicked.connect(action.trigger)
            action.changed.connect(lambda b=button, a=action: b.setEnabled(a.isEnabled()))
            button.setEnabled(action.isEnabled())
            row.addWidget(button)
        row.addStretch(1)
        return row

    # --- loading -------------------------------------------------------------------------

    def load(self, file: CaseFile) -> None:
        same_case = self.file is not None and self.file.case.id == file.case.id
        self.file = file
        plans = PlanService(self.ctx.session)
        self.revisions = plans.history(file.case.id).revisions
        budget = BudgetService(self.ctx.session).latest(file.case.id)
        self.capacity = budget.payment_capacity if budget else None
        self.budget_id = budget.id if budget else None
        self.budget_note.setText(
            _("{date}: payment capacity {capacity} a month").format(
                date=format_date(budget.taken_on, self.ctx.locale),
                capacity=format_money(budget.payment_capacity, self.ctx.currency,
                                      self.ctx.locale))
            if budget else _("No budget yet: make one on the Budget tab first."))
        self.model.capacity = self.capacity
        self.model.rent = file.tenancy.monthly_rent if file.tenancy else 0
        self._fill_revision_choice()
        if same_case and self.is_draft() and self.model.rows:
            self.refresh_banner()  # keep the draft being edited
            return
        self.undo.clear()
        if self.revisions:
            self.show_revision(self.revisions[-1])
        else:
            self.new_draft()

    def _fill_revision_choice(self) -> None:
        self.revision_choice.clear()
        self.revision_choice.addItem(_("New draft"), DRAFT)
        for revision in reversed(self.revisions):
            text = _("Revision {number} · {date}").format(
                number=revision.revision,
                date=format_date(date.fromisoformat(revision.created_at[:10]), self.ctx.locale))
            if revision is self.revisions[-1]:
                text += " · " + _("in force")
            self.revision_choice.addItem(text, revision.revision)

    def new_draft(self) -> None:
        """Terms filled in from the case's arrears, ready to generate."""
        self._set_read_only(False)
        amounts = {item.component: item.amount for item in self.file.arrears}
        for component, editor in self.components.items():
            editor.set_value(amounts.get(component) or None)
        self.start.set_value(date.today())
        self.due_day.setValue(1)
        total = sum(amounts.values())
        months = min(60, max(1, -(-total // self.capacity))) if self.capacity else 12
        self.months.setValue(months)
        self.by_months.setChecked(True)
        self.instalment.set_value(None)
        self.pauses.clear()
        self.reason.clear()
        self.model.show_saved([], None)
        self.revision_choice.setCurrentIndex(0)
        self.refresh_banner()

    def show_revision(self, revision: PlanRevision) -> None:
        """A saved revision, read-only, with the status of each instalment."""
        for component, editor in self.components.items():
            editor.set_value(revision.components.get(component) or None)
        self.start.set_value(revision.start_on)
        self.due_day.setValue(revision.due_day)
        self.by_amount.setChecked(revision.instalment is not None)
        self.by_months.setChecked(revision.instalment is None)
        self.months.setValue(revision.months or len(revision.rows))
        self.instalment.set_value(revision.instalment)
        self.pauses.setText(", ".join(f"{y:04d}-{m:02d}" for y, m in
                                      sorted(revision.pause_months)))
        self.reason.setText(revision.capacity_reason)
        in_force = revision is self.revisions[-1]
        if in_force:
            tracking = PlanService(self.ctx.session).tracking(revision)
            self.model.show_saved(revision.rows, [t.status for t in tracking.instalments])
            self.status.setText(_("{status}: {paid} paid, {left} left.").format(
                status=label(tracking.status),
                paid=format_money(tracking.paid, self.ctx.currency, self.ctx.locale),
                left=format_money(tracking.remaining, self.ctx.currency, self.ctx.locale)))
        else:
            self.model.show_saved(revision.rows, None)
            self.status.setText(_("Replaced by a later revision."))
        self.payments.show_plan(self.file, revision if in_force else None)
        self._set_read_only(True)
        self.revision_choice.setCurrentIndex(self.revision_choice.findData(revision.revision))
        self.refresh_banner()

    def _revision_chosen(self, index: int) -> None:
        number = self.revision_choice.itemData(index)
        if number == DRAFT:
            if self.model.read_only:
                self.new_draft()
            return
        self.show_revision(next(r for r in self.revisions if r.revision == number))

    def _set_read_only(self, read_only: bool) -> None:
        self.model.read_only = read_only
        for button in self.row_buttons:
            button.setEnabled(not read_only)
        self.save_button.setEnabled(not read_only)
        self.reason.setReadOnly(read_only)
        self.renegotiate_button.setEnabled(bool(self.revisions))

    def is_draft(self) -> bool:
        return not self.model.read_only

    # --- editing -------------------------------------------------------------------------

    def _draft(self) -> PlanDraft:
        amounts = read_fields(
            {c.value: e for c, e in self.components.items()}
            | {"start": self.start, "instalment": self.instalment}, self.term_rows)
        pauses = _parse_pauses(self.pauses.text())
        return PlanDraft(
            components={c: amounts[c.value] for c in COMPONENTS if amounts[c.value]},
            start_on=amounts["start"], due_day=self.due_day.value(),
            rows=list(self.model.rows),
            instalment=amounts["instalment"] if self.by_amount.isChecked() else None,
            months=self.months.value() if self.by_months.isChecked() else None,
            pause_months=pauses, monthly_rent=self.model.rent, budget_id=self.budget_id,
            capacity=self.capacity, capacity_reason=self.reason.text())

    def generate(self) -> None:
        """A fresh schedule from the terms (undoable like any other change)."""
        if self.model.read_only:
            self._set_read_only(False)
            self.revision_choice.setCurrentIndex(0)
        try:
            draft = self._draft()
            schedule = build_schedule(PlanTerms(draft.total, draft.start_on, draft.due_day,
                                                draft.instalment, draft.months,
                                                draft.pause_months))
        except FieldError as error:
            self._show_term_error(error)
            return
        except ValidationError:
            return  # shown beside the field
        self.model.change([PlanRow(item.due, item.amount) for item in schedule],
                          _("Generate the schedule"))

    def renegotiate(self) -> None:
        """A new draft for what is left of the plan in force."""
        try:
            draft = PlanService(self.ctx.session).renegotiation(
                self.file.case.id, max(date.today(), self.start.value() or date.today()),
                self.due_day.value())
        except ValidationError as error:
            show_failure(self, error)
            return
        if draft is None:
            return
        self._set_read_only(False)
        self.revision_choice.setCurrentIndex(0)
        for component, editor in self.components.items():
            editor.set_value(draft.components.get(component) or None)
        self.start.set_value(draft.start_on)
        self.generate()

    def add_row(self) -> None:
        rows = list(self.model.rows)
        last = rows[-1].due_on if rows else date.today()
        next_due = due_dates(last, self.due_day.value(), 2)[-1] if rows else \
            due_dates(last, self.due_day.value(), 1)[0]
        rows.append(PlanRow(next_due, 100 * 100))
        self.model.change(rows, _("Add an instalment"))

    def remove_row(self) -> None:
        index = self.table.selected_row()
        if index is None:
            return
        rows = list(self.model.rows)
        del rows[index]
        self.model.change(rows, _("Remove instalment {number}").format(number=index + 1))

    def rebalance(self) -> None:
        index = self.table.selected_row() or 0
        try:
            total = self._draft().total
            rows = rebalance(self.model.rows, total, index)
        except FieldError as error:
            self.banner.setText(error.message())
            return
        except ValidationError:
            return
        self.model.change(rows, _("Rebalance from instalment {number}").format(number=index + 1))

    def _edit_refused(self, message: str) -> None:
        self.banner.setText(message)
        self.banner.setStyleSheet("color: #b00020;")

    def _show_term_error(self, error: FieldError) -> None:
        if error.field in self.term_rows:
            self.term_rows[error.field].show_error(error.message())
        else:
            self.banner.setText(error.message())
            self.banner.setStyleSheet("color: #b00020;")

    def refresh_banner(self) -> None:
        """The live banner: the sum against the arrears, the capacity, the dates."""
        if self.file is None:
            return
        try:
            draft = self._draft()
        except ValidationError:
            return
        if not draft.rows:
            self.banner.setText(_("Set the terms and press Generate."))
            self.banner.setStyleSheet("")
            return
        state = draft_state(draft)
        money = lambda amount: format_money(amount, self.ctx.currency, self.ctx.locale)  # noqa: E731
        problems, notes = [], []
        if state.difference:
            problems.append(_("The instalments add up to {sum}, the arrears are {total} "
                              "(difference {difference}).").format(
                sum=money(state.scheduled), total=money(state.total),
                difference=money(state.difference)))
        else:
            notes.append(ngettext("{count} instalment adds up to the arrears, {total}.",
                                  "{count} instalments add up to the arrears, {total}.",
                                  len(draft.rows)).format(count=len(draft.rows),
                                                          total=money(state.total)))
        if state.out_of_order:
            problems.append(_("Dates out of order at instalment {numbers}.").format(
                numbers=", ".join(str(n + 1) for n in state.out_of_order)))
        if state.not_positive:
            problems.append(_("Instalments must be more than zero."))
        if state.above_capacity:
            notes.append(ngettext(
                "{count} instalment is above the payment capacity of {capacity}.",
                "{count} instalments are above the payment capacity of {capacity}.",
                len(state.above_capacity)).format(count=len(state.above_capacity),
                                                  capacity=money(self.capacity or 0)))
        self.reason_label.setVisible(bool(state.above_capacity))
        self.reason_row.setVisible(bool(state.above_capacity))
        self.banner.setText(" ".join(problems + notes))
        self.banner.setStyleSheet("color: #b00020;" if problems else
                                  "color: #8a4b00;" if state.above_capacity else
                                  "color: #1b5e20;")

    # --- saving --------------------------------------------------------------------------

    def save(self) -> bool:
        if self.model.read_only or self.file is None:
            return False
        try:
            draft = self._draft()
            PlanService(self.ctx.session).save_revision(self.file.case.id, draft)
        except FieldError as error:
            if error.field == "capacity_reason":
                self.reason_row.show_error(error.message())
                self.reason.setFocus()
            else:
                self._show_term_error(error)
            return False
        except ValidationError:
            return False
        except Exception as error:
            show_failure(self, error)
            return False
        self.undo.clear()
        self.model.read_only = True  # the saved revision is shown, not kept as a draft
        self.ctx.case_saved.emit(self.ctx.cases.open_case(self.file.case.id))
        return True

    def commit(self) -> bool:
        """Moving on with an unsaved draft: on a new case or closing, offer to save it."""
        if self.model.read_only or not self.undo.count():
            return True
        if self.ctx.locking:  # nobody to ask: keep a finished draft, drop an unfinished one
            try:
                ready = draft_state(self._draft()).ready
            except ValidationError:
                ready = False
            if not ready or not self.save():
                self.undo.clear()
            return True
        if not Dialogs.confirm(self, _("Save the payment plan you were editing as a new "
                                       "revision? If not, the draft is discarded.")):
            self.undo.clear()
            return True
        return self.save()


def _parse_pauses(text: str) -> frozenset[tuple[int, int]]:
    """"2027-07, 2027-12" as (year, month) pairs; anything else is ignored with a message."""
    months = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            year, month = (int(x) for x in part.replace("/", "-").split("-")[:2])
            if not 1 <= month <= 12 or not 2000 <= year <= 2100:
                raise ValueError(part)
        except ValueError:
            raise FieldError("pauses", N_("“{text}” is not a month; write it like 2027-07."),
                             text=part) from None
        months.add((year, month))
    return frozenset(months)


def _wide_enough(spin: QSpinBox, widest: str) -> None:
    """Room for the widest value and the arrows (a style's default cut "20" short)."""
    spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance(widest) + 44)
