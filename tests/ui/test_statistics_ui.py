"""A project lead signs in to statistics only, previews the tables and exports them."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from tests.conftest import FAST_KDF
from ui.context import AppContext
from ui.dialogs import Dialogs
from ui.main_window import MainWindow
from ui.stats_dialog import StatsPanel
from workbench.demo.seed import seed_demo
from workbench.session import Role, unlock
from workbench.users import UserService


def test_a_lead_sees_only_statistics_and_can_export(ctx, preferences, qtbot, tmp_path):
    UserService(ctx.session, kdf=FAST_KDF).add_user("lea", {Role.LEAD}, "leads passphrase 1")
    location = ctx.location
    ctx.lock()
    lead_ctx = AppContext(location, preferences)
    lead_ctx.open(unlock(location, "lea", "leads passphrase 1"))
    window = MainWindow(lead_ctx)
    qtbot.addWidget(window)
    window.show()
    assert isinstance(window.work, StatsPanel)
    assert not window.case_list.isVisible() and not window.editor.isVisible()
    menus = [action.text() for action in window.menuBar().actions()]
    assert "&Case" not in menus
    panel = window.work
    qtbot.mouseClick(button(panel, "&Show the tables"), Qt.LeftButton)
    titles = [panel.tables.item(n).text() for n in range(panel.tables.count())]
    assert titles[0] == "1. Households served" and len(titles) == 10  # titles, not numbers
    target = tmp_path / "q.csv"
    Dialogs.answer_next(str(target), None)  # the file dialog, then the "written" message
    qtbot.mouseClick(button(panel, "Export CSV…"), Qt.LeftButton)
    with open(target, encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == ["table", "row", "column", "value", "unit"]
    assert lead_ctx.session.db is None  # the lead's passphrase opened no case store
    last = lead_ctx.session.facts_db.one("SELECT actor, action FROM fact_audit "
                                         "ORDER BY id DESC")
    assert tuple(last) == ("lea", "stats.export.csv")
    window.close()


def button(panel, text: str) -> QPushButton:
    return next(b for b in panel.findChildren(QPushButton) if b.text() == text)


def test_an_export_is_of_what_the_controls_say_not_an_older_preview(ctx, qtbot, tmp_path):
    seed_demo(ctx.session, 150, seed=4)
    panel = StatsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.mouseClick(button(panel, "&Show the tables"), Qt.LeftButton)
    first = panel.period.currentText()
    panel.period.setCurrentIndex(1)  # another quarter, chosen after the preview
    panel.threshold.setValue(7)
    assert panel.tables.count() == 0  # the old preview is gone
    target = tmp_path / "other.csv"
    Dialogs.answer_next(str(target), None)
    qtbot.mouseClick(button(panel, "Export CSV…"), Qt.LeftButton)
    entity = ctx.session.db.scalar("SELECT entity FROM audit_log WHERE action = "
                                   "'stats.export.csv' ORDER BY id DESC")
    assert entity == f"stats:{panel.period.currentText()}:k7" and first not in entity


def test_an_advisor_opens_statistics_from_the_file_menu(window, qtbot):
    """File → Statistics… opens the statistics over the window; its tables show; Close
    returns to the cases."""
    from tests.ui.conftest import when_modal

    assert not window.lead_only
    seen = {}

    def look(dialog) -> None:
        seen["title"] = dialog.windowTitle()
        panel = dialog.findChild(StatsPanel)
        qtbot.mouseClick(button(panel, "&Show the tables"), Qt.LeftButton)
        seen["tables"] = panel.tables.count()
        dialog.reject()

    when_modal(look)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5000)
    qtbot.keyClick(window, Qt.Key_F, Qt.AltModifier)  # the File menu, from the keyboard
    qtbot.waitUntil(lambda: window.menuBar().activeAction() is not None, timeout=5000)
    menu = window.menuBar().activeAction().menu()
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    qtbot.keyClick(menu, Qt.Key_T)  # S&tatistics…
    assert seen == {"title": "Statistics", "tables": 10}
    assert window.isVisible() and not window.lead_only
