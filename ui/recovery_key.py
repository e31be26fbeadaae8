"""The recovery key, shown once: large, selectable, printable, with "I have stored it"."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.i18n import _


class RecoveryKeyView(QWidget):
    """Used by the set-up wizard and after an upgrade that made a new key."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.org_name = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.key = QLabel()
        self.key.setObjectName("recoveryKey")
        self.key.setTextInteractionFlags(Qt.TextSelectableByMouse)
        font = QFont("monospace")
        font.setStyleHint(QFont.Monospace)
        font.setPointSize(16)
        self.key.setFont(font)
        self.key.setAlignment(Qt.AlignCenter)
        layout.addWidget(self.key)
        self.print_button = QPushButton(_("&Print…"))
        self.print_button.clicked.connect(self._print)
        layout.addWidget(self.print_button, 0, Qt.AlignCenter)
        self.stored = QCheckBox(_("I have stored the recovery key in a safe place"))
        layout.addWidget(self.stored)

    def show_key(self, key: str, org_name: str) -> None:
        self.key.setText(key)
        self.org_name = org_name

    def _print(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        if QPrintDialog(printer, self).exec():
            document = QTextDocument()
            document.setHtml(f"<h2>{escape(_('Recovery key'))}</h2>"
                             f"<p>{escape(self.org_name)}</p>"
                             f"<pre style='font-size:18pt'>{escape(self.key.text())}</pre>")
            document.print_(printer)
