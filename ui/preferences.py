"""Every preference declared once, with its default: language, idle lock, window layout.

Kept in QSettings on this computer; never any personal data (the store holds that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSettings

from workbench.i18n import LANGUAGES, language_from_environment

ORGANISATION, APPLICATION = "HousingAdviceWorkbench", "workbench"


@dataclass(frozen=True)
class Preference:
    key: str
    default: Any
    kind: type


LANGUAGE = Preference("ui/language", "", str)  # "" = from the environment
IDLE_MINUTES = Preference("security/idle_minutes", 5, int)
AGREEMENT_LANGUAGE = Preference("documents/agreement_language", "", str)
LAST_USER = Preference("session/last_user", "", str)
WINDOW_GEOMETRY = Preference("window/geometry", b"", bytes)
WINDOW_STATE = Preference("window/state", b"", bytes)
SPLITTER_STATE = Preference("window/splitter", b"", bytes)
MIN_IDLE_MINUTES, MAX_IDLE_MINUTES = 1, 120


class Preferences:
    def __init__(self, settings: QSettings | None = None) -> None:
        self.settings = settings or QSettings(ORGANISATION, APPLICATION)

    def get(self, preference: Preference) -> Any:
        value = self.settings.value(preference.key, preference.default)
        if preference.kind is bytes:
            return bytes(value) if value else b""
        try:
            return preference.kind(value)
        except (TypeError, ValueError):
            return preference.default

    def set(self, preference: Preference, value: Any) -> None:
        self.settings.setValue(preference.key, value)

    def language(self) -> str:
        chosen = self.get(LANGUAGE)
        return chosen if chosen in LANGUAGES else language_from_environment()

    def idle_minutes(self) -> int:
        return min(MAX_IDLE_MINUTES, max(MIN_IDLE_MINUTES, self.get(IDLE_MINUTES)))
