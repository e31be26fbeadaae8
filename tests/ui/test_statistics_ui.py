"""A project lead signs in to statistics only, previews the tables and exports them."""

from __future__ import annotations

import csv

from tests.conftest import FAST_KDF
from ui.context import AppContext
from ui.dialogs import Dialogs
from ui.main_window import MainWindow
from ui.stats_dialog import StatsPanel
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
    report = panel.refresh()
    assert report is not None and panel.tabs.count() == len(report.tables)
    target = tmp_path / "q.csv"
    Dialogs.answer_next(str(target), None)  # the file dialog, then the "written" message
    panel.export("csv")
    with open(target, encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == ["table", "row", "column", "value", "unit"]
    assert lead_ctx.session.db is None  # the lead's passphrase opened no case store
    last = lead_ctx.session.facts_db.one("SELECT actor, action FROM fact_audit "
                                         "ORDER BY id DESC")
    assert tuple(last) == ("lea", "stats.export.csv")
    window.close()


def test_an_advisor_opens_statistics_from_the_file_menu(window, qtbot):
    actions = [a.text() for menu in window.menuBar().actions() for a in menu.menu().actions()]
    assert "S&tatistics…" in actions
    assert not window.lead_only
