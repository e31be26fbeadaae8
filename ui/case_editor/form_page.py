"""A tab that edits one record as a form and saves it when the user moves on.

Saving happens on focus leaving a field, on changing tab and on closing the case; each
save is one service call. A field that does not parse keeps the user's text, shows the
message beside it, and nothing is saved until it is put right.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from ui.context import AppContext, show_failure
from ui.fields import Editor, FieldRow, read_fields
from workbench.cases.model import CaseFile
from workbench.errors import ValidationError


class FormPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.file: CaseFile | None = None
        self.editors: dict[str, Editor] = {}
        self.rows: dict[str, FieldRow] = {}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.dirty = False
        self._loading = False
        self._as_loaded: dict = {}  # the fields' values as last filled in from the store
        self._stale = False  # a newer copy of the case arrived while the user was typing
        self._seen = None  # the versions the form was filled from (a syncing store)

    def add_field(self, name: str, caption: str, editor: Editor,
                  form: QFormLayout | None = None) -> Editor:
        row = FieldRow(editor)
        label = QLabel(caption)
        label.setBuddy(editor.widget)
        (form or self.form).addRow(label, row)
        editor.changed.connect(self._mark_dirty)
        editor.committed.connect(self.commit)
        self.editors[name], self.rows[name] = editor, row
        return editor

    def _mark_dirty(self) -> None:
        if not self._loading:
            self.dirty = True

    # --- loading and saving --------------------------------------------------------------

    def load(self, file: CaseFile) -> None:
        if self.dirty and self.file is not None and file.case.id == self.file.case.id:
            # A save elsewhere on the case, or a change from another laptop: keep what the
            # user is typing here; the save merges it with what arrived (see ``commit``).
            self.file = file
            self._stale = True
            return
        self._loading = True
        try:
            self.file = file
            for row in self.rows.values():
                row.show_error(None)
            self.fill(file)
            self._as_loaded = self._quiet_values()
            self._seen = file.sync_versions  # read with the values just filled in
        finally:
            self._loading = False
            self.dirty = False
            self._stale = False

    def _quiet_values(self) -> dict:
        """Every field's value that parses (no message shown)."""
        values = {}
        for name, editor in self.editors.items():
            try:
                values[name] = editor.value()
            except ValidationError:
                continue
        return values

    def fill(self, file: CaseFile) -> None:
        raise NotImplementedError

    def _merged(self, typed: dict) -> dict:
        """The fields the user changed, over the case as it is now: a field another
        laptop changed meanwhile and the user left alone keeps the other laptop's value
        (the form still showed the older one)."""
        changed = {name for name, value in typed.items()
                   if name not in self._as_loaded or value != self._as_loaded[name]}
        self._loading = True
        try:
            self.fill(self.file)
            current = self._quiet_values()
            merged = {name: value if name in changed or name not in current
                      else current[name] for name, value in typed.items()}
            for name, value in merged.items():  # what is saved is what the form shows
                self.editors[name].set_value(value)
        finally:
            self._loading = False
        # From here the form stands on the case as it now is (also if the save fails).
        self._as_loaded = current
        self._stale = False
        return merged

    def values(self) -> dict:
        """Every field's parsed value; a field that does not parse shows its message."""
        return read_fields(self.editors, self.rows)

    def save(self, values: dict) -> CaseFile:
        """Store the values with one service call; returns the case as saved."""
        raise NotImplementedError

    def commit(self) -> bool:
        """Save if anything changed; False when something must be put right first."""
        if self._loading or not self.dirty or self.file is None or not self.ctx.unlocked:
            return True
        try:
            values = self.values()  # a field that does not parse says so beside itself
        except ValidationError:
            return False
        try:
            # One transaction: no page of another laptop's changes lands between the check
            # and the save.
            with self.ctx.cases.saving_over(self._seen):
                if not self._stale and self._seen is not None and \
                        self.ctx.cases.versions_seen(self.file.case.id) != self._seen:
                    # Changes from another laptop are in the store but not yet on screen
                    # (the sync bringing them is still running): save over them as over
                    # any other that arrived while typing.
                    self.file = self.ctx.cases.open_case(self.file.case.id)
                    self._stale = True
                if self._stale:
                    values = self._merged(values)
                # A field the advisor changed that another laptop changed too is kept both
                # ways, as a conflict (see workbench.sync.seen).
                saved = self.save(values)
        except Exception as error:
            show_failure(self, error, self.rows)
            return False
        self._seen = saved.sync_versions
        self.dirty = False
        self.ctx.case_saved.emit(saved)
        return True
