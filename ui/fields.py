"""Form editors that parse what people type in their locale and say what is wrong beside
the field. Each editor reads and writes plain values (minor units, dates, enum members);
formatting and parsing come from the core (babel), never from the widget.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from babel import Locale
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from workbench.dates import example_date, parse_date
from workbench.errors import ValidationError
from workbench.i18n import N_, _, format_amount, format_date, format_datetime, format_money
from workbench.labels import choices, label
from workbench.money import parse_money


class RequiredMissing(ValidationError):
    template = N_("This field is required.")


class Editor(QObject):
    """One value in a form: its widget, how it reads and shows the value."""

    changed = Signal()    # the user altered the value (the form is now unsaved)
    committed = Signal()  # the user finished with the field (time to save)

    def __init__(self, widget: QWidget, required: bool = False) -> None:
        super().__init__(widget)
        self.widget = widget
        self.required = required

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        self.set_value(None)

    def display(self, value: Any) -> str:
        return "" if value is None else str(value)


class TextEditor(Editor):
    def __init__(self, required: bool = False, placeholder: str = "") -> None:
        field = QLineEdit()
        field.setPlaceholderText(placeholder)
        field.setMaxLength(200)
        super().__init__(field, required)
        field.textEdited.connect(self.changed)
        field.editingFinished.connect(self.committed)

    def value(self) -> str:
        text = self.widget.text().strip()
        if self.required and not text:
            raise RequiredMissing()
        return text

    def set_value(self, value: Any) -> None:
        self.widget.setText(value or "")


class NoteEditor(Editor):
    def __init__(self) -> None:
        field = QPlainTextEdit()
        field.setTabChangesFocus(True)
        field.setMaximumHeight(70)
        super().__init__(field)
        field.textChanged.connect(self._edited)
        self._loading = False

    def _edited(self) -> None:
        if not self._loading:
            self.changed.emit()

    def value(self) -> str:
        return self.widget.toPlainText().strip()

    def set_value(self, value: Any) -> None:
        self._loading = True
        self.widget.setPlainText(value or "")
        self._loading = False

    def display(self, value: Any) -> str:
        return (value or "").replace("\n", " ")


class _ParsedEditor(TextEditor):
    """A line edit whose text is parsed in the user's locale."""

    def __init__(self, locale: Locale, required: bool = False, placeholder: str = "") -> None:
        super().__init__(required, placeholder)
        self.locale = locale

    def value(self) -> Any:
        text = self.widget.text().strip()
        if not text:
            if self.required:
                raise RequiredMissing()
            return None
        return self.parse(text)

    def parse(self, text: str) -> Any:
        raise NotImplementedError


class AmountEditor(_ParsedEditor):
    """Money in minor units, typed as ``1 234,50`` (or ``1234.5``)."""

    def __init__(self, locale: Locale, currency: str, required: bool = False) -> None:
        super().__init__(locale, required, format_amount(0, locale))
        self.currency = currency

    def parse(self, text: str) -> int:
        return parse_money(text, self.locale)

    def value(self) -> int:
        parsed = super().value()
        return 0 if parsed is None else parsed

    def set_value(self, value: Any) -> None:
        self.widget.setText("" if value is None else format_amount(value, self.locale))

    def display(self, value: Any) -> str:
        return "" if value is None else format_money(value, self.currency, self.locale)


class DateEditor(_ParsedEditor):
    def __init__(self, locale: Locale, required: bool = False) -> None:
        # "e.g." so an empty optional date never looks filled in
        super().__init__(locale, required, _("e.g. {example}").format(
            example=example_date(locale)))

    def parse(self, text: str) -> date:
        return parse_date(text, self.locale)

    def set_value(self, value: Any) -> None:
        self.widget.setText("" if value is None else format_date(value, self.locale, "short"))

    def display(self, value: Any) -> str:
        return "" if value is None else format_date(value, self.locale, "short")


class DateTimeEditor(DateEditor):
    """A date typed by the user; the time of day is kept from the loaded value, or now."""

    def __init__(self, locale: Locale) -> None:
        super().__init__(locale, required=True)
        self._time: time | None = None

    def parse(self, text: str) -> datetime:
        day = parse_date(text, self.locale)
        if day == date.today() and self._time is None:
            return datetime.now(UTC)
        local_time = self._time or time(12, 0)
        return datetime.combine(day, local_time).astimezone().astimezone(UTC)

    def set_value(self, value: Any) -> None:
        if value is None:
            self._time = None
            self.widget.setText(format_date(date.today(), self.locale, "short"))
            return
        local = value.astimezone()
        self._time = local.time().replace(tzinfo=None)
        self.widget.setText(format_date(local.date(), self.locale, "short"))

    def display(self, value: Any) -> str:
        return "" if value is None else format_datetime(value, self.locale, "short")


class IntEditor(Editor):
    def __init__(self, minimum: int, maximum: int, suffix: str = "",
                 optional: bool = False) -> None:
        field = QSpinBox()
        field.setRange(minimum - 1 if optional else minimum, maximum)
        if optional:
            field.setSpecialValueText("–")  # the lowest value stands for "not known"
        field.setSuffix(suffix)
        field.setAccelerated(True)
        super().__init__(field)
        self.optional, self.minimum = optional, minimum
        field.valueChanged.connect(self.changed)
        field.editingFinished.connect(self.committed)

    def value(self) -> int | None:
        number = self.widget.value()
        return None if self.optional and number < self.minimum else number

    def set_value(self, value: Any) -> None:
        self.widget.setValue(self.widget.minimum() if value is None else value)


class EnumEditor(Editor):
    def __init__(self, enum: type[StrEnum]) -> None:
        field = QComboBox()
        for member, text in choices(enum):
            field.addItem(text, member)
        super().__init__(field)
        self.enum = enum
        field.currentIndexChanged.connect(self.changed)
        field.activated.connect(self.committed)

    def value(self) -> StrEnum:
        # Qt hands a StrEnum back as a plain str; make it the member again.
        return self.enum(self.widget.currentData())

    def set_value(self, value: Any) -> None:
        index = self.widget.findData(value) if value is not None else 0
        self.widget.setCurrentIndex(max(0, index))

    def display(self, value: Any) -> str:
        return label(value) if value is not None else ""


class CheckEditor(Editor):
    def __init__(self, text: str) -> None:
        field = QCheckBox(text)
        super().__init__(field)
        field.toggled.connect(self.changed)
        field.toggled.connect(self.committed)

    def value(self) -> bool:
        return self.widget.isChecked()

    def set_value(self, value: Any) -> None:
        self.widget.setChecked(bool(value))

    def display(self, value: Any) -> str:
        return "✓" if value else ""


class SetEditor(Editor):
    """A set of codes as a column of check boxes (reasons for contact)."""

    def __init__(self, enum: type[StrEnum], columns: int = 2) -> None:
        box = QWidget()
        layout = QGridLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setVerticalSpacing(2)
        super().__init__(box)
        self.boxes: dict[StrEnum, QCheckBox] = {}
        members = choices(enum)
        per_column = -(-len(members) // columns)
        for n, (member, text) in enumerate(members):
            check = QCheckBox(text)
            check.toggled.connect(self.changed)
            check.toggled.connect(self.committed)
            layout.addWidget(check, n % per_column, n // per_column)
            self.boxes[member] = check

    def value(self) -> frozenset:
        return frozenset(m for m, check in self.boxes.items() if check.isChecked())

    def set_value(self, value: Any) -> None:
        for member, check in self.boxes.items():
            check.blockSignals(True)
            check.setChecked(member in (value or ()))
            check.blockSignals(False)


class FieldRow(QWidget):
    """An editor with its error message beside it."""

    def __init__(self, editor: Editor) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(editor.widget, 3)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error, 2)

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))


def read_fields(editors: dict[str, Editor], rows: dict[str, FieldRow]) -> dict[str, Any]:
    """Every editor's parsed value. Each field that does not parse shows its message beside
    itself; then the first such error is raised, so nothing is saved half-read."""
    values, first_error = {}, None
    for name, editor in editors.items():
        try:
            values[name] = editor.value()
            rows[name].show_error(None)
        except ValidationError as error:
            rows[name].show_error(error.message())
            first_error = first_error or error
    if first_error:
        raise first_error
    return values
