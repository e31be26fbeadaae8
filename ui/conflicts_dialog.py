"""Settling a case's conflicts: field by field, every value with who saved it where and
when; keep one, or type a third where the field is free text. A delete that crossed an
edit asks whether to keep (restore) or delete. Each choice goes to every laptop."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from workbench.i18n import _
from workbench.sync import conflicts
from workbench.sync.conflict_view import caption, laptop_names, made_by, may_type, shown


class ConflictBox(QGroupBox):
    """One conflict: a choice per value (and a typed one), and Keep."""

    def __init__(self, ctx: AppContext, conflict: conflicts.Conflict, on_settled,
                 parent: QWidget | None = None) -> None:
        super().__init__(caption(conflict), parent)
        self.ctx, self.conflict, self.on_settled = ctx, conflict, on_settled
        self.setObjectName("conflictBox")
        layout = QVBoxLayout(self)
        laptops = laptop_names(ctx.session.db)
        self.group = QButtonGroup(self)
        self.choices: list[QRadioButton] = []
        for value in conflict.values:
            button = QRadioButton(self._value_text(value))
            who = made_by(conflict, value, laptops, ctx.locale)
            button.setToolTip(who)
            self.group.addButton(button, value.number)
            self.choices.append(button)
            layout.addWidget(button)
            line = QLabel(who)
            line.setTextFormat(Qt.PlainText)  # a laptop's name is another laptop's text
            line.setObjectName("conflictWho")
            line.setIndent(24)
            font = line.font()
            font.setItalic(True)  # beside its value, in the text's own colour: readable
            line.setFont(font)
            layout.addWidget(line)
        self.typed: QLineEdit | None = None
        if may_type(conflict):
            row = QHBoxLayout()
            self.other = QRadioButton(_("Another value:"))
            self.group.addButton(self.other, 0)
            self.typed = QLineEdit()
            self.typed.setEnabled(False)
            self.typed.textEdited.connect(lambda _text: self.other.setChecked(True))
            self.other.toggled.connect(self.typed.setEnabled)
            row.addWidget(self.other)
            row.addWidget(self.typed, 1)
            layout.addLayout(row)
        self.keep = QPushButton(_("&Keep this") if not conflict.is_delete else _("&Decide"))
        self.keep.setEnabled(False)
        self.group.idToggled.connect(lambda _id, _on: self.keep.setEnabled(
            self.group.checkedButton() is not None))
        self.keep.clicked.connect(self._keep)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep)
        layout.addLayout(buttons)

    def _value_text(self, value: conflicts.Value) -> str:
        text = shown(self.ctx.session.db, self.conflict, value.value, self.ctx.locale,
                     self.ctx.currency)
        if self.conflict.is_delete:
            text = _("Delete it") if value.value == 1 else _("Keep it")
        return text

    def _keep(self) -> None:
        number = self.group.checkedId()
        if number == 0 and self.typed is not None:
            typed = self.typed.text()
            done = self.ctx.run(self, lambda: conflicts.resolve(
                self.ctx.session, self.conflict.id, typed=typed))
        else:
            done = self.ctx.run(self, lambda: conflicts.resolve(
                self.ctx.session, self.conflict.id, str(number)))
        if done is not None:
            self.on_settled(self)


class ConflictsDialog(QDialog):
    """The conflicts of one case."""

    def __init__(self, ctx: AppContext, case_id: int, name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.case_id = ctx, case_id
        self.settled = 0
        self.setObjectName("conflictsDialog")
        self.setWindowTitle(_("Conflicts in {name}'s case").format(name=name))
        layout = QVBoxLayout(self)
        intro = QLabel(_("This case was changed on two laptops before they synced. Choose "
                         "what to keep; your choice goes to every laptop."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        inner = QWidget()
        self.boxes = QVBoxLayout(inner)
        for conflict in conflicts.list_conflicts(ctx.session.db, case_id):
            self.boxes.addWidget(ConflictBox(ctx, conflict, self._settled))
        self.boxes.addStretch(1)
        scroll.setWidget(inner)
        layout.addWidget(scroll, 1)
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.rejected.connect(self.accept)
        layout.addWidget(close)
        self.resize(560, 480)

    def box(self, number: int) -> ConflictBox:
        return self.findChildren(ConflictBox)[number]

    def _settled(self, box: ConflictBox) -> None:
        self.settled += 1
        box.hide()
        box.deleteLater()
        if not any(b.isVisible() and b is not box for b in self.findChildren(ConflictBox)):
            self.accept()
