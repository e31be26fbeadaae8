"""Every message box and file dialog goes through here, so tests can answer them.

A test queues answers with ``Dialogs.answer_next(...)``; while answers are queued no real
dialog opens, and what would have been shown is kept in ``Dialogs.shown``.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from workbench.i18n import _


class Dialogs:
    _answers: ClassVar[deque[Any]] = deque()
    shown: ClassVar[list[tuple[str, str]]] = []
    # Tests set this: a dialog nobody scripted then fails the test instead of waiting
    # forever for a click that never comes.
    strict: ClassVar[bool] = False

    @classmethod
    def answer_next(cls, *answers: Any) -> None:
        cls._answers.extend(answers)

    @classmethod
    def reset(cls) -> None:
        cls._answers.clear()
        cls.shown.clear()

    @classmethod
    def _scripted(cls, kind: str, text: str) -> tuple[bool, Any]:
        cls.shown.append((kind, text))
        if cls._answers:
            return True, cls._answers.popleft()
        if cls.strict:
            raise AssertionError(f"an unexpected {kind} dialog: {text}")
        return False, None

    # --- messages ------------------------------------------------------------------------

    @classmethod
    def error(cls, parent: QWidget | None, text: str, title: str | None = None) -> None:
        scripted, _answer = cls._scripted("error", text)
        if not scripted:
            QMessageBox.warning(parent, title or _("Could not do that"), text)

    @classmethod
    def warn(cls, parent: QWidget | None, text: str, title: str | None = None) -> None:
        scripted, _answer = cls._scripted("warn", text)
        if not scripted:
            QMessageBox.warning(parent, title or _("Housing Advice Workbench"), text)

    @classmethod
    def inform(cls, parent: QWidget | None, text: str, title: str | None = None) -> None:
        scripted, _answer = cls._scripted("inform", text)
        if not scripted:
            QMessageBox.information(parent, title or _("Housing Advice Workbench"), text)

    @classmethod
    def confirm(cls, parent: QWidget | None, text: str, title: str | None = None) -> bool:
        scripted, answer = cls._scripted("confirm", text)
        if scripted:
            return bool(answer)
        reply = QMessageBox.question(parent, title or _("Please confirm"), text,
                                     QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return reply == QMessageBox.Yes

    @classmethod
    def choose(cls, parent: QWidget | None, text: str, options: list[tuple[str, str]],
               title: str | None = None) -> str | None:
        """Buttons ``options`` (key, label), the last the default; the key chosen, or None
        when the dialog is closed without a choice."""
        scripted, answer = cls._scripted("choose", text)
        if scripted:
            return answer
        box = QMessageBox(QMessageBox.Warning, title or _("Housing Advice Workbench"), text,
                          QMessageBox.NoButton, parent)
        buttons = {box.addButton(label, QMessageBox.AcceptRole): key for key, label in options}
        box.setDefaultButton(list(buttons)[-1])
        box.setEscapeButton(list(buttons)[-1])
        box.exec()
        return buttons.get(box.clickedButton())

    # --- files ---------------------------------------------------------------------------

    @classmethod
    def save_file(cls, parent: QWidget | None, title: str, suggested: str,
                  filters: str) -> Path | None:
        scripted, answer = cls._scripted("save_file", title)
        if scripted:
            return Path(answer) if answer else None
        name, _filter = QFileDialog.getSaveFileName(parent, title, suggested, filters)
        return Path(name) if name else None

    @classmethod
    def open_file(cls, parent: QWidget | None, title: str, filters: str) -> Path | None:
        scripted, answer = cls._scripted("open_file", title)
        if scripted:
            return Path(answer) if answer else None
        name, _filter = QFileDialog.getOpenFileName(parent, title, "", filters)
        return Path(name) if name else None

    # --- printing ------------------------------------------------------------------------

    @classmethod
    def choose_printer(cls, parent: QWidget | None, printer, title: str) -> bool:
        """Qt's print dialog for ``printer`` (which printer, copies, pages); False when
        cancelled. A test answers with a file name: the printer then writes a PDF there."""
        scripted, answer = cls._scripted("print", title)
        if scripted:
            if not answer:
                return False
            from PySide6.QtPrintSupport import QPrinter

            printer.setOutputFormat(QPrinter.PdfFormat)
            printer.setOutputFileName(str(answer))
            return True
        from PySide6.QtPrintSupport import QPrintDialog

        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(title)
        return dialog.exec() == QPrintDialog.Accepted
