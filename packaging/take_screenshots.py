"""Screenshots of the real window for README.md, taken on an X server (Xvfb).

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python packaging/take_screenshots.py

Opens the demo store, shows the case list and a case in English and in Finnish, and saves
what the X server shows into packaging/screenshots/.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from ui.app import application, demo_window
from ui.preferences import LANGUAGE, Preferences
from ui.qt_language import apply_language

OUT = Path(__file__).resolve().parent / "screenshots"


def main() -> int:
    app = application()
    folder = Path(tempfile.mkdtemp(prefix="workbench-shots-"))
    preferences = Preferences(QSettings(str(folder / "settings.ini"), QSettings.IniFormat))
    preferences.set(LANGUAGE, "en")
    apply_language("en")
    window = demo_window(folder, 200, preferences)
    window.resize(1366, 768)  # a common laptop screen, filled as the program does there
    window.move(0, 0)
    window.show()
    from ui.case_editor.budget_page import BudgetPage
    from ui.case_editor.documents_page import DocumentsPage
    from ui.case_editor.money_pages import MoneyPage
    from ui.case_editor.plan_page import PlanPage
    from ui.case_editor.resident import ResidentPage

    def with_plan() -> None:  # a case with a budget and a plan, for those sections
        rows = window.case_list.model.rows
        window.case_list.view.selectRow(next(n for n, row in enumerate(rows)
                                             if row.has_plan and row.status == "open"))

    steps = [
        lambda: window.case_list.view.selectRow(2),
        lambda: shot(window, "main-window-en.png"),
        with_plan,
        lambda: window.editor.show_page(window.editor.page_of(BudgetPage)),
        lambda: shot(window, "budget-en.png"),
        lambda: window.editor.show_page(window.editor.page_of(PlanPage)),
        lambda: shot(window, "plan-en.png"),
        lambda: sign_agreement(window),
        lambda: shot(window, "agreement-pages-en.png"),  # read before signing
        lambda: sign_pads(QApplication.activeModalWidget()),
        lambda: shot(window, "signing-en.png"),
        lambda: QApplication.activeModalWidget().seal_button.click(),
        lambda: window.editor.show_page(window.editor.page_of(DocumentsPage)),
        lambda: shot(window, "documents-en.png"),
        lambda: window.editor.show_page(window.editor.contacts),
        lambda: shot(window, "contacts-en.png"),
        lambda: (preferences.set(LANGUAGE, "fi"), window.change_language("fi")),
        lambda: window.editor.show_page(window.editor.page_of(BudgetPage)),
        lambda: shot(window, "main-window-fi.png"),
        lambda: window.editor.show_page(window.editor.page_of(MoneyPage)),
        lambda: shot(window, "arrears-fi.png"),
        lambda: window.editor.show_page(window.editor.page_of(PlanPage)),
        lambda: shot(window, "plan-fi.png"),
        lambda: (preferences.set(LANGUAGE, "sv"), window.change_language("sv")),
        lambda: window.editor.show_page(window.editor.page_of(ResidentPage)),
        lambda: shot(window, "resident-sv.png"),
        app.quit,
    ]

    def run(index: int = 0) -> None:
        steps[index]()
        if index + 1 < len(steps):
            QTimer.singleShot(400, lambda: run(index + 1))

    QTimer.singleShot(800, run)
    return app.exec()


def sign_agreement(window) -> None:
    """Open the agreement dialog: its first step shows the pages about to be sealed."""
    page = window.editor.page_of(__import__("ui.case_editor.documents_page",
                                            fromlist=["DocumentsPage"]).DocumentsPage)
    QTimer.singleShot(0, page.new_agreement)


def sign_pads(dialog) -> None:
    """On to the pads, and sign each box with a drawn line (as a mouse would)."""
    import math

    dialog.sign_button.click()
    for n, box in enumerate(dialog.boxes):
        box.pad.strokes = [[(0.06 + 0.85 * k / 80,
                             0.55 + 0.22 * math.sin(k / (5 + n)) * math.cos(k / 23),
                             0.3 + 0.5 * abs(math.sin(k / 9))) for k in range(81)]]
        box.pad.update()
        box.pad.changed.emit()


def shot(window, name: str) -> None:
    window = QApplication.activeModalWidget() or window
    OUT.mkdir(exist_ok=True)
    screen = QGuiApplication.primaryScreen()
    screen.grabWindow(window.winId()).save(str(OUT / name))
    print(OUT / name)


if __name__ == "__main__":
    sys.exit(main())
