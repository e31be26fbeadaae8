"""A 120-instalment plan: computing the schedule, and editing it in the window."""

from __future__ import annotations

import random
import time
from datetime import date

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from tests.benchmarks.conftest import percentile, summary
from tests.conftest import make_store
from tests.helpers import intake
from ui.case_editor.plan_page import PlanPage
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.plan_editor import PlanColumn
from ui.preferences import LANGUAGE, Preferences
from workbench.plans.schedule import PlanTerms, build_schedule


def test_schedule_of_120_instalments(record):
    samples = []
    for n in range(1000):
        terms = PlanTerms(1_234_567 + n, date(2026, 1, 1), 1 + n % 31, months=120,
                          pause_months=frozenset({(2027, 7), (2029, 12)}))
        started = time.perf_counter()
        schedule = build_schedule(terms)
        samples.append((time.perf_counter() - started) * 1000)
        assert len(schedule) == 120
    print(f"\nschedule of 120 instalments: {summary(samples)} ms")
    record("schedule of 120 instalments p95", percentile(samples, 95), "ms", "<= 5 ms",
           percentile(samples, 95) <= 5)


def test_editing_a_120_row_plan_in_the_window(qapp, tmp_path, record):
    location = tmp_path / "store"
    from workbench.session import StoreLocation

    session = make_store(StoreLocation(location))
    preferences = Preferences(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    preferences.set(LANGUAGE, "en")
    ctx = AppContext(StoreLocation(location), preferences)
    ctx.open(session)
    case_id = ctx.cases.create_case(intake(rent_arrears=12_345_67)).case.id
    window = MainWindow(ctx)
    window.show()
    window.open_case(case_id)
    page = window.editor.page_of(PlanPage)
    window.editor.show_page(page)
    page.months.setValue(120)
    page.generate()
    QApplication.processEvents()
    model = page.model
    assert model.rowCount() == 120
    rng = random.Random(1)

    def edit(n: int) -> None:
        row = rng.randrange(120)
        if n % 4 == 3:
            page.undo.undo()
        else:
            model.setData(model.index(row, PlanColumn.INSTALMENT), str(rng.randint(50, 300)))
        QApplication.processEvents()

    samples = []
    for n in range(200):
        started = time.perf_counter()
        edit(n)
        samples.append((time.perf_counter() - started) * 1000)
    print(f"edit or undo at 120 rows (banner, totals, table): {summary(samples)} ms")
    record("plan editor: one edit at 120 rows p95", percentile(samples, 95), "ms", "<= 50 ms",
           percentile(samples, 95) <= 50)
    page.undo.clear()
    window.close()
