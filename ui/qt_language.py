"""Switching the language: our catalogs (gettext) and Qt's own strings (qtbase_*.qm)."""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from workbench.i18n import set_language

_installed: list[QTranslator] = []


def apply_language(language: str) -> None:
    """Use ``language`` for our strings, Qt's dialogs and Qt's number/date widgets."""
    set_language(language)
    app = QApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if translator.load(f"qtbase_{language}", folder):
        app.installTranslator(translator)
        _installed.append(translator)
    QLocale.setDefault(QLocale(language))
