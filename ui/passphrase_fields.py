"""A new passphrase typed twice, with its strength shown as it is typed (set-up, users)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QProgressBar

from workbench.i18n import _, ngettext
from workbench.passphrase import strength
from workbench.session import MIN_PASSPHRASE_LENGTH


class PassphraseFields(QObject):
    """The rows "Passphrase", "Repeat it", "Strength" and advice, added to a form.

    ``user_inputs`` gives the words that make a passphrase weak here (the user's and the
    organisation's names), as the core's check counts them.
    """

    changed = Signal()

    def __init__(self, user_inputs: Callable[[], tuple[str, ...]] = tuple,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.user_inputs = user_inputs
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.Password)
        self.repeat = QLineEdit()
        self.repeat.setObjectName("repeatPassphrase")
        self.repeat.setEchoMode(QLineEdit.Password)
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.feedback = QLabel()
        self.feedback.setObjectName("passphraseFeedback")
        self.feedback.setWordWrap(True)
        for field in (self.passphrase, self.repeat):
            field.textChanged.connect(self.update)

    def add_rows(self, form: QFormLayout) -> None:
        form.addRow(_("&Passphrase"), self.passphrase)
        form.addRow(_("&Repeat it"), self.repeat)
        form.addRow(_("Strength"), self.meter)
        form.addRow("", self.feedback)

    def text(self) -> str:
        return self.passphrase.text()

    def clear(self) -> None:
        self.passphrase.clear()
        self.repeat.clear()

    def update(self) -> None:
        """Show the verdict and what is still wrong; call it when a name changes too."""
        typed = self.passphrase.text()
        verdict = strength(typed, self.user_inputs())
        self.meter.setValue(verdict.score)
        text = f"{verdict.verdict}. {verdict.advice}" if typed else ""
        if 0 < len(typed) < MIN_PASSPHRASE_LENGTH:
            text += " " + ngettext("At least {count} character.", "At least {count} characters.",
                                   MIN_PASSPHRASE_LENGTH).format(count=MIN_PASSPHRASE_LENGTH)
        elif self.repeat.text() and self.repeat.text() != typed:
            text += " " + _("The two passphrases differ.")
        self.feedback.setText(text.strip())
        self.changed.emit()

    def acceptable(self) -> bool:
        """Long and strong enough, and typed the same twice."""
        typed = self.passphrase.text()
        return (len(typed) >= MIN_PASSPHRASE_LENGTH and typed == self.repeat.text()
                and strength(typed, self.user_inputs()).acceptable)

    def repeated(self) -> bool:
        return bool(self.passphrase.text()) and self.passphrase.text() == self.repeat.text()
