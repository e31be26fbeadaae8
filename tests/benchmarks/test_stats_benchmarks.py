"""One quarter's statistics at 100,000 cases and about a million contacts, in all formats."""

from __future__ import annotations

import time

from tests.benchmarks.conftest import PASSPHRASE, USER
from workbench.session import unlock
from workbench.stats.period import quarter_period
from workbench.stats.service import FORMATS, StatsService


def test_a_quarter_in_all_three_formats(big_store, tmp_path, record):
    location, _ = big_store
    session = unlock(location, USER, PASSPHRASE)
    contacts = session.db.scalar("SELECT count(*) FROM contacts")
    started = time.perf_counter()
    service = StatsService(session)
    report = service.report(quarter_period(2026, 3))
    counted = time.perf_counter()
    for fmt in FORMATS:
        service.export(report, fmt, "fi", tmp_path / f"q3.{fmt}")
    seconds = time.perf_counter() - started
    session.lock()
    print(f"\nstatistics 2026Q3 over {contacts:,} contacts: tables {counted - started:.2f} s, "
          f"all three formats {seconds:.2f} s")
    record("one quarter's statistics, CSV + XLSX + PDF", seconds, "s", "<= 5 s", seconds <= 5)
