"""One quarter's statistics at 100,000 cases and about a million contacts, in all formats,
with the disclosure audit; and the audit against a register of 20 earlier exports."""

from __future__ import annotations

import time
from datetime import date

from tests.benchmarks.conftest import PASSPHRASE, USER
from workbench.session import unlock
from workbench.stats.period import Period, quarter_period
from workbench.stats.service import FORMATS, AuditFailed, StatsService


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
    print(f"\nstatistics 2026Q3 over {contacts:,} contacts: tables and audit "
          f"{counted - started:.2f} s, all three formats {seconds:.2f} s")
    record("one quarter: tables, audit, CSV + XLSX + PDF", seconds, "s", "<= 3 s",
           seconds <= 3)


def test_the_audit_against_a_register_of_20_exports(big_store, tmp_path, record):
    location, _ = big_store
    session = unlock(location, USER, PASSPHRASE)
    service = StatsService(session)
    periods = ([quarter_period(2026, q) for q in (1, 2, 3)]
               + [Period(date(2026, 1, 1), quarter_period(2026, q).end) for q in (2, 3)])
    made = refused = 0
    n = 0
    while made < 20:
        period, k = periods[n % len(periods)], (5, 6, 8)[n // len(periods) % 3]
        n += 1
        try:
            service.export(service.report(period, k), "csv", "en", tmp_path / f"{n}.csv")
            made += 1
        except AuditFailed:
            refused += 1
    releases = session.facts_db.scalar("SELECT count(*) FROM f_releases")
    samples = []
    for period in (quarter_period(2026, 2), Period(date(2026, 1, 1), date(2026, 9, 30))):
        for k in (5, 7):
            started = time.perf_counter()
            try:
                service.report(period, k)
            except AuditFailed:
                refused += 1
            samples.append(time.perf_counter() - started)
    session.lock()
    worst = max(samples)
    print(f"\naudit against {releases} registered exports ({refused} refused): "
          f"{[round(s, 2) for s in samples]} s")
    record("report + audit against a register of 20 exports (worst)", worst, "s", "<= 1 s",
           worst <= 1)
