"""About the program, and the keyboard shortcuts."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from workbench import __version__
from workbench.i18n import N_, _

SHORTCUTS = [
    ("Ctrl+N", N_("New case")),
    ("Ctrl+F", N_("Search cases")),
    ("Ctrl+K", N_("Log a contact")),
    ("Ctrl+L", N_("Lock now")),
    ("Ctrl+,", N_("Settings")),
    ("Alt+letter", N_("Go to a tab or field")),
    ("Enter", N_("Save the entry being added")),
    ("F1", N_("Keyboard shortcuts")),
    ("Ctrl+Q", N_("Quit")),
]


def shortcuts_text() -> str:
    rows = "".join(f"<tr><td><b>{keys}</b></td><td>&nbsp;&nbsp;{_(what)}</td></tr>"
                   for keys, what in SHORTCUTS)
    return f"<table>{rows}</table>"


def show_shortcuts(parent: QWidget) -> None:
    QMessageBox.information(parent, _("Keyboard shortcuts"), shortcuts_text())


def show_about(parent: QWidget, organisation: str) -> None:
    QMessageBox.about(parent, _("About Housing Advice Workbench"), "<p>" + "</p><p>".join([
        f"<b>{_('Housing Advice Workbench')}</b> {__version__}",
        _("Case work, budgets, payment plans and agreements for housing advisors, "
          "fully offline, with every byte of client data encrypted."),
        _("Organisation: {organisation}").format(organisation=organisation) if organisation
        else "",
    ]) + "</p>")
