"""The payment-plan table: edit dates, amounts and notes in place, add and remove rows,
rebalance, with every change (regeneration included) on an undo stack.

Each change is one ``SetRows`` command holding the rows before and after; at 120 rows a
copy is cheap and the undo history stays simple and exact.
"""

from __future__ import annotations

import dataclasses
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QWidget,
)

from ui.context import AppContext
from workbench.dates import parse_date
from workbench.errors import ValidationError
from workbench.i18n import N_, NP_, _, format_amount, format_date, format_money, pgettext
from workbench.labels import label
from workbench.money import parse_money
from workbench.plans.model import PlanRow, to_pay
from workbench.plans.tracking import InstalmentStatus


class PlanColumn(IntEnum):
    DUE = 0
    INSTALMENT = 1
    RENT = 2
    MONTH_TOTAL = 3
    STATUS = 4
    NOTE = 5


# "Due" is the instalment's due date here (Eräpäivä), a deadline for a follow-up elsewhere.
HEADERS = {PlanColumn.DUE: NP_("plan", "Due"), PlanColumn.INSTALMENT: N_("Instalment"),
           PlanColumn.RENT: N_("Rent"), PlanColumn.MONTH_TOTAL: N_("To pay that month"),
           PlanColumn.STATUS: N_("Status"), PlanColumn.NOTE: N_("Note")}
HEADER_CONTEXT = {PlanColumn.DUE: "plan"}
EDITABLE = {PlanColumn.DUE, PlanColumn.INSTALMENT, PlanColumn.NOTE}
ROOT = QModelIndex()


class PlanTableModel(QAbstractTableModel):
    edit_refused = Signal(str)   # a typed value that does not parse, in the user's words
    rows_changed = Signal()      # after any change to the rows, for the banner

    def __init__(self, ctx: AppContext, undo: QUndoStack) -> None:
        super().__init__()
        self.ctx, self.undo = ctx, undo
        self.rows: list[PlanRow] = []
        self.rent = 0  # a saved revision's own rent; the tenancy's for a draft
        self.capacity: int | None = None
        self.statuses: list[InstalmentStatus] | None = None
        self.read_only = False
        self.refused = False  # the last typed value did not parse

    # --- changing the rows (only ever through the undo stack) ----------------------------

    def set_rows(self, rows: list[PlanRow]) -> None:
        rows = [dataclasses.replace(row) for row in rows]
        if len(rows) == len(self.rows) and self.statuses is None and rows:
            # The same rows with some values changed (an edit, its undo, a rebalance):
            # repaint just those, rather than resetting and re-measuring the whole table.
            changed = [n for n, (old, new) in enumerate(zip(self.rows, rows, strict=True))
                       if old != new]
            self.rows = rows
            if changed:
                self.dataChanged.emit(self.index(changed[0], 0),
                                      self.index(changed[-1], len(PlanColumn) - 1))
            self.rows_changed.emit()
            return
        self.beginResetModel()
        self.rows = rows
        self.statuses = None  # statuses belong to a saved revision, not to an edited draft
        self.endResetModel()
        self.rows_changed.emit()

    def show_saved(self, rows: list[PlanRow], statuses: list[InstalmentStatus] | None) -> None:
        """A saved revision's rows with each instalment's status (not an edit: no undo)."""
        self.beginResetModel()
        self.rows = [dataclasses.replace(row) for row in rows]
        self.statuses = statuses
        self.endResetModel()
        self.rows_changed.emit()

    def change(self, rows: list[PlanRow], text: str) -> None:
        """Replace the rows as one undoable step named ``text``."""
        self.undo.push(SetRows(self, self.rows, rows, text))

    # --- Qt's model interface ------------------------------------------------------------

    def rowCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else len(PlanColumn)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role != Qt.DisplayRole:
            return None
        if orientation == Qt.Horizontal:
            column = PlanColumn(section)
            if column in HEADER_CONTEXT:
                return pgettext(HEADER_CONTEXT[column], HEADERS[column])
            return _(HEADERS[column])
        return str(section + 1)

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        flags = Qt.ItemIsSelectable | Qt.ItemIsEnabled
        if not self.read_only and PlanColumn(index.column()) in EDITABLE:
            flags |= Qt.ItemIsEditable
        return flags

    def data(self, index: QModelIndex, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], PlanColumn(index.column())
        locale, currency = self.ctx.locale, self.ctx.currency
        if role == Qt.EditRole:
            if column is PlanColumn.DUE:
                return format_date(row.due_on, locale, "short")
            if column is PlanColumn.INSTALMENT:
                return format_amount(row.amount, locale)
            return row.note
        if role == Qt.DisplayRole:
            if column is PlanColumn.DUE:
                return format_date(row.due_on, locale, "short")
            if column is PlanColumn.INSTALMENT:
                return format_money(row.amount, currency, locale)
            if column is PlanColumn.RENT:
                return format_money(self.rent, currency, locale) if self.rent else ""
            if column is PlanColumn.MONTH_TOTAL:
                return format_money(to_pay(self.rent, row), currency, locale)
            if column is PlanColumn.STATUS:
                return label(self.statuses[index.row()]) if self.statuses else ""
            return row.note
        if role == Qt.TextAlignmentRole and column in (PlanColumn.INSTALMENT, PlanColumn.RENT,
                                                       PlanColumn.MONTH_TOTAL):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ForegroundRole and column is PlanColumn.INSTALMENT \
                and self.capacity is not None and row.amount > self.capacity:
            return QColor("#8a4b00")  # above what the budget leaves for the arrears
        return None

    def setData(self, index: QModelIndex, value, role=Qt.EditRole) -> bool:
        if role != Qt.EditRole or not index.isValid() or self.read_only:
            return False
        column = PlanColumn(index.column())
        row = self.rows[index.row()]
        self.refused = False
        try:
            if column is PlanColumn.DUE:
                changed = dataclasses.replace(row, due_on=parse_date(str(value), self.ctx.locale))
            elif column is PlanColumn.INSTALMENT:
                changed = dataclasses.replace(row, amount=parse_money(str(value),
                                                                      self.ctx.locale))
            else:
                changed = dataclasses.replace(row, note=str(value).strip())
        except ValidationError as error:
            self.refused = True  # (the cursor stays on the cell to put it right)
            self.edit_refused.emit(error.message())
            return False
        if changed == row:
            return False
        rows = list(self.rows)
        rows[index.row()] = changed
        self.change(rows, _("Edit instalment {number}").format(number=index.row() + 1))
        return True


class SetRows(QUndoCommand):
    def __init__(self, model: PlanTableModel, before: list[PlanRow], after: list[PlanRow],
                 text: str) -> None:
        super().__init__(text)
        self.model = model
        self.before = [dataclasses.replace(row) for row in before]
        self.after = [dataclasses.replace(row) for row in after]

    def redo(self) -> None:
        self.model.set_rows(self.after)

    def undo(self) -> None:
        self.model.set_rows(self.before)


class PlanTable(QTableView):
    def __init__(self, model: PlanTableModel) -> None:
        super().__init__()
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed
                             | QAbstractItemView.AnyKeyPressed)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setDefaultSectionSize(24)
        # Fixed widths: measuring 120 rows' contents after every edit would make typing slow.
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(True)
        metrics = self.fontMetrics()
        for column, sample in ((PlanColumn.DUE, "28.12.2026__"),
                               (PlanColumn.INSTALMENT, "99 999,99 €__"),
                               (PlanColumn.RENT, "99 999,99 €__"),
                               (PlanColumn.MONTH_TOTAL, "999 999,99 €____"),
                               (PlanColumn.STATUS, "Partly paid____")):
            header_text = model.headerData(column, Qt.Horizontal) or ""
            self.setColumnWidth(column, max(metrics.horizontalAdvance(sample),
                                            metrics.horizontalAdvance(header_text) + 24))

    def closeEditor(self, editor: QWidget, hint) -> None:  # (Qt's name)
        """Enter after typing in a cell goes down to the same cell of the next row, as in a
        spreadsheet: instalment after instalment without the mouse."""
        super().closeEditor(editor, hint)
        current = self.currentIndex()
        if hint == QAbstractItemDelegate.SubmitModelCache and current.isValid() and \
                not self.model().refused and current.row() + 1 < self.model().rowCount():
            self.setCurrentIndex(current.sibling(current.row() + 1, current.column()))

    def selected_row(self) -> int | None:
        index = self.currentIndex()
        return index.row() if index.isValid() else None
