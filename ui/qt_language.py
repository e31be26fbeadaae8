"""Switching the language: our catalogs (gettext) and Qt's own strings (qtbase_*.qm)."""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from workbench.i18n import set_language

_installed: list[QTranslator] = []


class _WithoutMnemonic(QTranslator):
    """Qt's own catalogs lack some strings with an Alt-letter that they have without one:
    in Finnish and Danish the file dialog said "Look in:" and "Files of type:" (its
    catalog knows "Look in:" without the "&"). Such a string is taken from there, with the
    Alt-letter on its first letter. ``None`` leaves a string to the other catalogs."""

    def __init__(self, qt: QTranslator, parent) -> None:
        super().__init__(parent)
        self.qt = qt

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        if "&" not in source or self.qt.translate(context, source, disambiguation, n):
            return None
        text = self.qt.translate(context, source.replace("&", ""), disambiguation, n)
        return "&" + text if text else None

    def isEmpty(self) -> bool:  # (Qt asks; an empty translator is skipped)
        return False


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
        fallback = _WithoutMnemonic(translator, app)  # asked first: installed last
        app.installTranslator(fallback)
        _installed.append(fallback)
    QLocale.setDefault(QLocale(language))
