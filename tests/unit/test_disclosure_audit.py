"""The statistics pass a disclosure audit, alone and together with everything published:
the examples an auditor found, and random stores with random sequences of exports."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FAST_KDF, PASSPHRASE
from workbench.demo.seed import seed_demo
from workbench.session import StoreLocation, create_store
from workbench.stats import disclosure, register
from workbench.stats.disclosure import PublishedTable, Release, item_ids
from workbench.stats.period import Period, quarter_period
from workbench.stats.report import protect
from workbench.stats.service import (
    AuditFailed,
    PeriodNotEnded,
    PeriodNotPublishable,
    StatsService,
    audited,
)
from workbench.stats.suppression import Grid
from workbench.stats.tables import StatTable

K = 5


def published(key: str, values: list[list[int]], hidden: set[str], **totals) -> PublishedTable:
    table = PublishedTable(key, len(values), len(values[0]), totals.get("rows", False),
                           totals.get("columns", False), {})
    for item in item_ids(table):
        truth = sum(values[r][c] for r, c in table.members(item))
        table.truth[item] = truth
        table.items[item] = None if item in hidden else truth
    return table


def stat_table(key: str, values: list[list[int]], **totals) -> StatTable:
    return StatTable(key, key, "", [f"r{r}" for r in range(len(values))],
                     [f"c{c}" for c in range(len(values[0]))],
                     Grid([list(row) for row in values], totals.get("rows", False),
                          totals.get("columns", False)))


# --- the examples from the audit of the earlier exports --------------------------------------

def test_two_small_counts_that_add_up_to_two_are_each_one():
    # "Referral source: 7, 8, <5, <5, 0, total 17": both hidden cells are 1.
    table = published("referral_source", [[7], [8], [1], [1], [0]], {"c:2:0", "c:3:0"},
                      columns=True)
    findings = disclosure.audit([Release((8104,), {"referral_source": table})], K)
    assert {(f.item, f.low, f.high) for f in findings} == {("c:2:0", 1, 1), ("c:3:0", 1, 1)}


def test_four_hidden_cells_at_least_one_each_adding_to_four():
    # "Other household: <5, <5, 5, <5, <5, 0, total 9" and the column totals beside it.
    values = [[6, 7, 5, 9, 8, 0], [1, 1, 5, 1, 1, 0]]
    hidden = {"c:1:0", "c:1:1", "c:1:3", "c:1:4"}
    table = published("household_age", values, hidden, rows=True, columns=True)
    findings = disclosure.audit([Release((8104,), {"household_age": table})], K)
    assert {f.item for f in findings} >= hidden


def test_the_suppression_of_a_quarter_passes_the_audit_the_old_one_failed():
    tables = [stat_table("referral_source", [[7], [8], [1], [1], [0]], columns=True),
              stat_table("household_age", [[6, 7, 5, 9, 8, 0], [1, 1, 5, 1, 1, 0]],
                         rows=True, columns=True)]
    period = quarter_period(2026, 1)
    safe = audited(protect(tables, K), period, K, [], {})
    assert disclosure.audit([register.release_of(period, safe)], K) == []


def test_a_longer_period_minus_a_published_quarter_gives_nothing_small_away():
    # Court-referred households: 7 in the first quarter, 8 in the half year → 1 in Q2.
    q1 = stat_table("referral_source", [[30], [20], [10], [7], [9]], columns=True)
    q2 = stat_table("referral_source", [[25], [15], [10], [1], [8]], columns=True)
    half = stat_table("referral_source", [[55], [35], [20], [8], [17]], columns=True)
    first, whole = quarter_period(2026, 1), Period(date(2026, 1, 1), date(2026, 6, 30))
    earlier = [register.release_of(first, protect([q1], K))]
    derived = {8104: {"referral_source": register.published_table(q1)},
               8105: {"referral_source": register.published_table(q2)}}
    assert disclosure.audit([*earlier, register.release_of(whole, protect([half], K))], K,
                            derived)  # what was published before this audit existed
    safe = audited(protect([half], K), whole, K, earlier, derived)
    assert (3, 0) in safe[0].grid.hidden
    assert disclosure.audit([*earlier, register.release_of(whole, safe)], K, derived) == []


def test_money_summed_over_quarters_is_not_differenced_down_to_one_plan():
    # 13 − 12 plans made and 41,920.00 − 35,897.00: one plan of 6,023.00.
    assert disclosure.determinable_counts([(8104,), (8104, 8105)], {8104: 12, 8105: 1}, K)
    assert not disclosure.determinable_counts([(8104, 8105)], {8104: 12, 8105: 1}, K)


# --- the program: stores, exports, the register ---------------------------------------------

def make(tmp_path, cases: int, seed: int):
    location = StoreLocation(tmp_path / f"store-{seed}-{cases}")
    session, _key = create_store(location, "Org", "FI", "anna", PASSPHRASE, kdf=FAST_KDF)
    if cases:
        seed_demo(session, cases, seed=seed, today=date(2026, 11, 20))
    return session


PERIODS = ([quarter_period(2025, q) for q in range(1, 5)]
           + [quarter_period(2026, q) for q in range(1, 4)]
           + [Period(date(2026, 1, 1), quarter_period(2026, q).end) for q in (2, 3)]
           + [Period(date(2025, 1, 1), date(2025, 12, 31))])


def published_counts(csv_bytes: bytes) -> list[str]:
    return [row[3] for row in csv.reader(io.StringIO(csv_bytes.decode()))][1:]


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(cases=st.integers(1, 300), seed=st.integers(1, 10_000),
       exports=st.lists(st.tuples(st.sampled_from(PERIODS), st.sampled_from([5, 6, 8])),
                        min_size=1, max_size=5))
def test_after_every_export_the_register_discloses_nothing(tmp_path_factory, cases, seed,
                                                            exports):
    session = make(tmp_path_factory.mktemp("s"), cases, seed)
    service = StatsService(session)
    out = tmp_path_factory.mktemp("out")
    try:
        for n, (period, k) in enumerate(exports):
            try:
                report = service.report(period, k)
            except AuditFailed:
                # Some periods cannot follow what was published (a hidden value being at
                # least 1 would give a small count away): refused, nothing is written.
                continue
            target = service.export(report, "csv", "en", out / f"{n}.csv")
            for value in published_counts(target.read_bytes()):
                if value.isdigit():  # counts only; money has decimals
                    assert not 1 <= int(value) < k, (period.name, k, value)
            # The audit of the union (each export judged by its own threshold, counts
            # worked out from them by the organisation's) finds nothing.
            earlier = service._same_year_releases(period)
            assert disclosure.audit([r for r, _f in earlier], K,
                                    service._derived(period, earlier)) == []
    finally:
        session.lock()


def test_only_ended_quarters_year_to_date_and_whole_years_are_published(session):
    service = StatsService(session)
    with pytest.raises(PeriodNotEnded):
        service.report(quarter_period(2026, 4), today=date(2026, 11, 29))
    with pytest.raises(PeriodNotPublishable):
        service.report(Period(date(2025, 10, 1), date(2026, 3, 31)), today=date(2026, 11, 29))
    with pytest.raises(PeriodNotPublishable):
        service.report(Period(date(2026, 4, 1), date(2026, 9, 30)), today=date(2026, 11, 29))
    assert service.report(Period(date(2026, 1, 1), date(2026, 9, 30)),
                          today=date(2026, 11, 29)).tables


def test_a_period_published_again_shows_the_figures_it_was_published_with(session, tmp_path):
    from tests.helpers import intake
    from workbench.cases.service import CaseService

    seed_demo(session, 120, seed=3, today=date(2026, 11, 20))
    service = StatsService(session)
    q3 = quarter_period(2026, 3)
    first = service.export(service.report(q3), "csv", "en", tmp_path / "first.csv")
    # A case entered late, dated in the published quarter.
    cases = CaseService(session)
    case = cases.create_case(intake(identity_text="", opened_on=date(2026, 8, 3))).case
    assert case.opened_on == date(2026, 8, 3)
    again = service.export(service.report(q3), "csv", "fi", tmp_path / "again.csv")
    assert published_counts(first.read_bytes()) == published_counts(again.read_bytes())
