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
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.case_editor.payments import PaymentsPanel
from ui.case_editor.plan_banner import TONES, banner
from ui.case_editor.plan_terms import COMPONENTS, TermsBox
from ui.context import AppContext, show_failure
from ui.dialogs import Dialogs
from ui.fields import Editor, FieldRow, read_fields
from ui.plan_editor import PlanTable, PlanTableModel
from workbench.budget.service import BudgetService
from workbench.cases.model import CaseFile
from workbench.errors import FieldError, ValidationError
from workbench.i18n import _, format_date, format_money
from workbench.labels import label
from workbench.plans.checks import draft_state
from workbench.plans.drafting import added_row, default_months, parse_pause_months
from workbench.plans.model import PlanDraft, PlanRevision, PlanRow
from workbench.plans.schedule import PlanTerms, build_schedule, rebalance
from workbench.plans.service import PlanService

DRAFT = -1  # the revision combo's entry for the draft being edited


class PlanPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.file: CaseFile | None = None
        self.revisions: list[PlanRevision] = []
        self.capacity: int | None = None
        self.budget_id: int | None = None
        self.tenancy_rent = 0
        self.model = PlanTableModel(ctx, QUndoStack(self))
        self.undo = self.model.undo
        layout = QVBoxLayout(self)
        # One above the other: side by side, the revision's name was cut in Swedish.
        terms = TermsBox(ctx)
        terms.generate_button.clicked.connect(self.generate)
        terms.renegotiate_button.clicked.connect(self.renegotiate)
        self.components, self.term_rows = terms.components, terms.term_rows
        self.start, self.due_day, self.months = terms.start, terms.due_day, terms.months
        self.by_months, self.by_amount = terms.by_months, terms.by_amount
        self.instalment, self.pauses = terms.instalment, terms.pauses
        self.budget_note, self.renegotiate_button = terms.budget_note, terms.renegotiate_button
        layout.addWidget(terms)
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
            if budget else _("No budget yet: make one in the Budget section first."))
        self.model.capacity = self.capacity
        self.tenancy_rent = file.tenancy.monthly_rent if file.tenancy else 0
        self.model.rent = self.tenancy_rent
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
        self.months.setValue(default_months(sum(amounts.values()), self.capacity))
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
        # The rent it was made with, as its agreement says (the tenancy's may have changed).
        self.model.rent = revision.monthly_rent
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
        if not read_only:
            self.model.rent = self.tenancy_rent  # a new draft: today's rent
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
        pauses = parse_pause_months(self.pauses.text())
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
        rows.append(added_row(rows, self.due_day.value(), date.today()))
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
        text, tone = banner(state, len(draft.rows), self.capacity, self.ctx)
        self.reason_label.setVisible(bool(state.above_capacity))
        self.reason_row.setVisible(bool(state.above_capacity))
        self.banner.setText(text)
        self.banner.setStyleSheet(TONES[tone])

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
