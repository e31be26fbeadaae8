"""A list of a case's records (contacts, consents, debts, …) with a form to add or edit one.

The form below the table adds a new record, or edits the one selected in the table; Enter
saves. An edit of an existing record is saved as the user leaves the field; a new one is
added when the user presses Enter or Add, or moves to another tab with it filled in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext, show_failure
from ui.dialogs import Dialogs
from ui.fields import Editor, FieldRow, read_fields
from workbench.cases.model import CaseFile
from workbench.errors import ValidationError
from workbench.i18n import _


@dataclass
class Field:
    name: str                      # the record's attribute
    caption: str                   # N_-marked
    make: Callable[[AppContext], Editor]
    in_table: bool = True


@dataclass
class Action:
    """An extra button acting on the selected record, e.g. "Withdraw consent"."""

    caption: str                   # N_-marked
    run: Callable[[AppContext, Any], Any]
    enabled: Callable[[Any], bool] = lambda record: True


@dataclass
class RecordKind:
    record_type: type
    title: str                     # N_-marked
    fields: list[Field]
    records: Callable[[CaseFile], list]
    defaults: Callable[[CaseFile], dict] = lambda file: {}
    actions: list[Action] = field(default_factory=list)
    focus: str | None = None       # the field a new entry starts in (default: the first)


class RecordPage(QWidget):
    def __init__(self, ctx: AppContext, kind: RecordKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.kind = ctx, kind
        self.file: CaseFile | None = None
        self.records: list = []
        self.editing: Any = None  # the record shown in the form, None for a new one
        self.dirty = False
        self._loading = False
        self.editors: dict[str, Editor] = {}
        self.rows: dict[str, FieldRow] = {}
        self._build()

    # --- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        shown = [f for f in self.kind.fields if f.in_table]
        self.table = QTableWidget(0, len(shown))
        self.table.setHorizontalHeaderLabels([_(f.caption) for f in shown])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        header.setMaximumSectionSize(320)  # a long note is elided, its tooltip shows it all
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)

        self.box = QGroupBox(_("New entry"))
        form = QFormLayout(self.box)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        for spec in self.kind.fields:
            editor = spec.make(self.ctx)
            row = FieldRow(editor)
            caption = QLabel(_(spec.caption))
            caption.setBuddy(editor.widget)
            form.addRow(caption, row)
            editor.changed.connect(self._mark_dirty)
            editor.committed.connect(self._field_finished)
            self.editors[spec.name], self.rows[spec.name] = editor, row

        buttons = QHBoxLayout()
        self.save_button = QPushButton(_("Add"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.new_button = QPushButton(_("New"))
        self.new_button.clicked.connect(self.start_new)
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.clicked.connect(self.remove)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.remove_button)
        self.action_buttons = []
        for action in self.kind.actions:
            button = QPushButton(_(action.caption))
            button.clicked.connect(lambda _checked=False, a=action: self._run_action(a))
            buttons.addWidget(button)
            self.action_buttons.append((action, button))
        buttons.addStretch(1)
        form.addRow(buttons)
        layout.addWidget(self.box)
        for keys in ("Return", "Enter", "Ctrl+Return"):
            shortcut = QShortcut(QKeySequence(keys), self.box)
            shortcut.setContext(Qt.WidgetWithChildrenShortcut)
            shortcut.setWhatsThis(_("Save the entry being added or changed"))
            shortcut.activated.connect(self.save)
        self._update_buttons()

    # --- showing -------------------------------------------------------------------------

    def load(self, file: CaseFile) -> None:
        selected = self.editing.id if self.editing is not None else None
        if self.file is not None and file.case.id != self.file.case.id:
            selected, self.dirty = None, False  # another case: start clean
        self.file = file
        self.records = list(self.kind.records(file))
        shown = [f for f in self.kind.fields if f.in_table]
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.records))
        for row, record in enumerate(self.records):
            for column, spec in enumerate(shown):
                text = self.editors[spec.name].display(getattr(record, spec.name))
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        if self.dirty and self.editing is None:
            return  # a new entry being typed survives a save elsewhere on the case
        again = next((r for r in self.records if r.id == selected), None)
        if again is not None:
            self._show(again)
            self.table.selectRow(self.records.index(again))
        else:
            self.start_new()

    def start_new(self) -> None:
        self.table.clearSelection()
        self._show(None)
        if self.isVisible():  # (a page filled while another section shows takes no keys)
            self.focus_first()

    def focus_first(self) -> bool:
        """The cursor to where a new entry starts (the contact's channel, …)."""
        first = self.kind.focus or self.kind.fields[0].name
        self.editors[first].widget.setFocus(Qt.ShortcutFocusReason)
        return True

    def _show(self, record: Any) -> None:
        self._loading = True
        self.editing = record
        defaults = self.kind.defaults(self.file) if self.file else {}
        for name, editor in self.editors.items():
            editor.set_value(getattr(record, name) if record is not None
                             else defaults.get(name))
            self.rows[name].show_error(None)
        self._loading = False
        self.dirty = False
        self.box.setTitle(_("Edit entry") if record is not None else _("New entry"))
        self._update_buttons()

    def _selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        if not self.commit():
            return
        self._show(self.records[rows[0].row()])

    def _update_buttons(self) -> None:
        existing = self.editing is not None
        self.save_button.setText(_("Save changes") if existing else _("Add"))
        self.remove_button.setEnabled(existing)
        for action, button in self.action_buttons:
            button.setEnabled(existing and action.enabled(self.editing))

    def _mark_dirty(self) -> None:
        if not self._loading:
            self.dirty = True

    def _field_finished(self) -> None:
        # An existing record is saved field by field; a new one waits for Enter or Add.
        if self.editing is not None and self.dirty:
            self.save()

    # --- saving --------------------------------------------------------------------------

    def _record_from_form(self) -> Any:
        values = read_fields(self.editors, self.rows)
        if self.editing is not None:
            return dataclasses.replace(self.editing, **values)
        return self.kind.record_type(case_id=self.file.case.id, **values)

    def save(self) -> bool:
        if self.file is None or not self.ctx.unlocked:
            return False
        try:
            record = self._record_from_form()
        except ValidationError:
            return False
        cases = self.ctx.cases
        try:
            saved = cases.update(record) if self.editing is not None else cases.add(record)
        except Exception as error:
            show_failure(self, error, self.rows)
            return False
        self.dirty = False
        adding = self.editing is None
        self.editing = saved
        self.ctx.case_saved.emit(cases.open_case(self.file.case.id))
        if adding:
            self.start_new()  # ready for the next entry
        return True

    def commit(self) -> bool:
        """Called when the user moves on: save a changed edit, or a filled-in new entry."""
        if not self.dirty:
            return True
        return self.save()

    def remove(self) -> None:
        if self.editing is None:
            return
        if not Dialogs.confirm(self, _("Remove this entry? This cannot be undone.")):
            return
        record = self.editing
        removed = self.ctx.run(self, lambda: self.ctx.cases.remove(type(record), record.id) or 1)
        if removed:
            self.editing = None
            self.ctx.case_saved.emit(self.ctx.cases.open_case(self.file.case.id))

    def _run_action(self, action: Action) -> None:
        if self.editing is None or not self.commit():
            return
        record = self.editing
        if self.ctx.run(self, lambda: action.run(self.ctx, record)) is not None:
            self.ctx.case_saved.emit(self.ctx.cases.open_case(self.file.case.id))
