"""About the program, and the keyboard shortcuts."""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox, QWidget

from workbench import __version__
from workbench.i18n import N_, _

# Keys that are not one action's shortcut; the rest is read from the window itself, so a
# new shortcut is listed without anyone remembering to (Ctrl+Shift+S and Ctrl+Z were not).
GENERAL = [
    (N_("Alt+underlined letter"), N_("Go to a menu, a section of the case or a field")),
    (N_("Tab, Shift+Tab"), N_("Next or previous field")),
    (N_("Up, Down"), N_("Move in the case list or the list of sections")),
    ("Enter", N_("In the case list or the sections: into the first field")),
]


def shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for every action and shortcut the window has, then the
    general keys. Keys doing one thing in several places are listed once."""
    found: dict[str, list[str]] = {}

    def add(keys: list[QKeySequence], what: str) -> None:
        texts = [k.toString(QKeySequence.NativeText) for k in keys if not k.isEmpty()]
        if texts and what:
            for text in texts:
                if text not in found.setdefault(what, []):
                    found[what].append(text)

    for action in window.findChildren(QAction):
        add(action.shortcuts(), action.whatsThis() or _plain(action.text()))
    for shortcut in window.findChildren(QShortcut):
        add([shortcut.key()], shortcut.whatsThis())  # (a section's Alt+letter has none)
    rows = [(", ".join(keys), what) for what, keys in found.items()]
    return rows + [(_(keys), _(what)) for keys, what in GENERAL]


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


def shortcuts_text(window: QWidget) -> str:
    rows = "".join(f"<tr><td><b>{escape(keys)}</b></td><td>&nbsp;&nbsp;{escape(what)}</td></tr>"
                   for keys, what in shortcuts(window))
    return f"<table>{rows}</table>"


def show_shortcuts(parent: QWidget) -> None:
    QMessageBox.information(parent, _("Keyboard shortcuts"), shortcuts_text(parent))


def show_about(parent: QWidget, organisation: str) -> None:
    QMessageBox.about(parent, _("About Housing Advice Workbench"), "<p>" + "</p><p>".join([
        f"<b>{_('Housing Advice Workbench')}</b> {__version__}",
        _("Case work, budgets, payment plans and agreements for housing advisors, "
          "fully offline, with every byte of client data encrypted."),
        _("Organisation: {organisation}").format(organisation=organisation) if organisation
        else "",
    ]) + "</p>")
