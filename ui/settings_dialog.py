"""Settings: the language, when to lock, and the default language of agreements."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.preferences import (
    AGREEMENT_LANGUAGE,
    IDLE_MINUTES,
    LANGUAGE,
    MAX_IDLE_MINUTES,
    MIN_IDLE_MINUTES,
    Preferences,
)
from ui.setup_wizard import LANGUAGE_NAMES
from workbench.i18n import LANGUAGES, _


class SettingsDialog(QDialog):
    def __init__(self, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preferences = preferences
        self.setWindowTitle(_("Settings"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.language = QComboBox()
        self.agreement_language = QComboBox()
        self.agreement_language.addItem(_("The resident's language"), "")
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
            self.agreement_language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(LANGUAGES.index(preferences.language()))
        self.agreement_language.setCurrentIndex(
            max(0, self.agreement_language.findData(preferences.get(AGREEMENT_LANGUAGE))))
        self.idle = QSpinBox()
        self.idle.setRange(MIN_IDLE_MINUTES, MAX_IDLE_MINUTES)
        self.idle.setSuffix(" " + _("min"))
        self.idle.setValue(preferences.idle_minutes())
        form.addRow(_("&Language"), self.language)
        form.addRow(_("Lock after &idle time"), self.idle)
        form.addRow(_("Default language of &agreements"), self.agreement_language)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _save(self) -> None:
        self.preferences.set(LANGUAGE, self.language.currentData())
        self.preferences.set(IDLE_MINUTES, self.idle.value())
        self.preferences.set(AGREEMENT_LANGUAGE, self.agreement_language.currentData())
        self.accept()
