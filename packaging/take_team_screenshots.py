"""Screenshots of team work in the window for README.md, on an X server (Xvfb) and a
throwaway PostgreSQL cluster (Debian's ``postgresql``; run as root it starts the cluster
as an unprivileged user):

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python packaging/take_team_screenshots.py

Two laptops change one resident's phone offline and sync: the desk's window then shows the
status bar, the conflict banner and the conflicts panel; Settings shows the team's laptops
with a third one waiting for approval.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import FAST_KDF, PASSPHRASE, make_store
from tests.support.postgres import LOCALHOST, Cluster
from ui.app import application
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.preferences import LANGUAGE, Preferences
from ui.qt_language import apply_language
from ui.settings_dialog import SettingsDialog
from workbench.cases.service import CaseService
from workbench.demo.seed import seed_demo
from workbench.session import StoreLocation
from workbench.sync import team
from workbench.sync.engine import sync

OUT = Path(__file__).resolve().parent / "screenshots"


def shot(widget, name: str) -> None:
    QGuiApplication.primaryScreen().grabWindow(widget.winId()).save(str(OUT / name))
    print("wrote", OUT / name)


def main() -> int:
    app = application()
    folder = Path(tempfile.mkdtemp(prefix="workbench-team-shots-"))
    cluster = Cluster()
    try:
        dsn = cluster.conninfo(cluster.create_database(), host=LOCALHOST)
        desk = make_store(StoreLocation(folder / "desk"))
        seed_demo(desk, 40, seed=8)
        team.init_server(desk, dsn, "desk")
        sessions = {"desk": desk}
        for name, user in (("visit", "ville"), ("visit-2", "sanna")):
            team.invite(desk, name, user, "advisor", folder / f"{name}.invitation")
            session, _key, fingerprint = team.join(StoreLocation(folder / name),
                                                   folder / f"{name}.invitation", user,
                                                   PASSPHRASE, kdf=FAST_KDF)
            if name == "visit":
                team.approve(desk, fingerprint)
            sessions[name] = session
        visit = sessions["visit"]
        for laptop in (desk, visit, desk):
            sync(laptop)
        case_id = desk.db.scalar("SELECT id FROM cases ORDER BY opened_on DESC LIMIT 1")
        gid = desk.db.scalar("SELECT gid FROM sync_rows WHERE tbl = 'cases' AND row_id = ?",
                             (case_id,))
        there = visit.db.scalar("SELECT row_id FROM sync_rows WHERE gid = ?", (gid,))
        for session, local, phone in ((desk, case_id, "+358 40 551 2020"),
                                      (visit, there, "+358 50 733 1188")):
            person = CaseService(session).open_case(local).person
            CaseService(session).update_person(local, dataclasses.replace(person, phone=phone))
        for laptop in (visit, desk):
            sync(laptop)
        CaseService(desk).update_person(case_id, dataclasses.replace(
            CaseService(desk).open_case(case_id).person, email="asukas@example.fi"))
        sessions["visit-2"].lock()
        visit.lock()

        preferences = Preferences(QSettings(str(folder / "settings.ini"), QSettings.IniFormat))
        preferences.set(LANGUAGE, "en")
        apply_language("en")
        ctx = AppContext(desk.location, preferences)
        ctx.open(desk)
        window = MainWindow(ctx)
        window.resize(1366, 740)
        window.move(0, 0)
        window.show()
        holder: dict = {}

        def open_case() -> None:
            window.case_list.view.selectRow(window.case_list.model.row_of(case_id))
            window.editor.sections.setCurrentIndex(1)

        def open_settings() -> None:
            holder["settings"] = SettingsDialog(preferences, window, desk)
            holder["settings"].resize(900, 700)
            holder["settings"].move(0, 0)
            holder["settings"].show()

        def pick_pending() -> None:
            settings = holder["settings"]
            settings.devices.table.selectRow(0)  # waiting laptops come first
            settings.scroll.ensureWidgetVisible(settings.devices, 0, 0)

        steps = [
            open_case,
            lambda: shot(window, "team-status-en.png"),
            window.editor.settle_conflicts,
            lambda: shot(window.editor.conflicts_dialog, "conflicts-en.png"),
            lambda: window.editor.conflicts_dialog.reject(),
            open_settings,
            pick_pending,
            lambda: shot(holder["settings"], "devices-en.png"),
            lambda: holder["settings"].reject(),
            app.quit,
        ]

        def run(index: int = 0) -> None:
            steps[index]()
            if index + 1 < len(steps):
                QTimer.singleShot(2500, lambda: run(index + 1))

        QTimer.singleShot(4000, run)
        app.exec()
        if ctx.unlocked:
            ctx.lock()
    finally:
        cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
