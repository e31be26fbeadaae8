"""The payment schedule: exact sums, due days, month ends, pauses, rebalancing."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.errors import FieldError
from workbench.plans.schedule import (
    UNIT,
    PlanTerms,
    build_schedule,
    due_date,
    rebalance,
)

totals = st.integers(1, 5_000_000)          # up to 50,000.00
starts = st.dates(date(2020, 1, 1), date(2040, 12, 31))
due_days = st.integers(1, 31)


def check_schedule(terms: PlanTerms, schedule) -> None:
    assert sum(item.amount for item in schedule) == terms.total
    assert all(item.amount > 0 for item in schedule)
    assert all(item.amount % UNIT == 0 for item in schedule[:-1])
    days = [item.due for item in schedule]
    assert days == sorted(days) and len(set(days)) == len(days)
    assert days[0] >= terms.start
    for day in days:
        last = calendar.monthrange(day.year, day.month)[1]
        assert day.day == min(terms.due_day, last)
        assert (day.year, day.month) not in terms.pause_months


@given(totals, starts, due_days, st.integers(1, 120))
def test_a_schedule_by_months_adds_up_exactly(total, start, due_day, months):
    terms = PlanTerms(total, start, due_day, months=months)
    if months > 1 and total < months * UNIT:  # less than one unit a month: said, not guessed
        with pytest.raises(FieldError):
            build_schedule(terms)
        return
    schedule = build_schedule(terms)
    check_schedule(terms, schedule)
    assert len(schedule) == months


@given(totals, starts, due_days, st.integers(1, 2000).map(lambda units: units * UNIT))
def test_a_schedule_by_instalment_adds_up_exactly(total, start, due_day, instalment):
    terms = PlanTerms(total, start, due_day, instalment=instalment)
    if -(-total // instalment) > 600:
        return
    schedule = build_schedule(terms)
    check_schedule(terms, schedule)
    assert all(item.amount == instalment for item in schedule[:-1])
    assert 0 < schedule[-1].amount <= instalment


@given(st.integers(10_000, 5_000_000), starts, due_days, st.integers(2, 36),
       st.sets(st.integers(0, 40), max_size=6))
def test_paused_months_are_skipped(total, start, due_day, months, offsets):
    pauses = frozenset(((start.year * 12 + start.month - 1 + k) // 12,
                        (start.month - 1 + k) % 12 + 1) for k in offsets)
    terms = PlanTerms(total, start, due_day, months=months, pause_months=pauses)
    check_schedule(terms, build_schedule(terms))


def test_the_31st_falls_on_month_ends_and_the_29th_on_leap_february():
    terms = PlanTerms(600_00, date(2027, 12, 1), 31, months=6)
    assert [i.due for i in build_schedule(terms)] == [
        date(2027, 12, 31), date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31),
        date(2028, 4, 30), date(2028, 5, 31)]
    assert due_date(2028, 2, 29) == date(2028, 2, 29)
    assert due_date(2027, 2, 29) == date(2027, 2, 28)


def test_the_first_instalment_waits_for_the_due_day_on_or_after_the_start():
    terms = PlanTerms(300_00, date(2026, 11, 21), 15, months=3)
    assert build_schedule(terms)[0].due == date(2026, 12, 15)
    terms = PlanTerms(300_00, date(2026, 11, 21), 21, months=3)
    assert build_schedule(terms)[0].due == date(2026, 11, 21)


def test_the_remainder_goes_in_the_last_instalment():
    schedule = build_schedule(PlanTerms(1000_50, date(2026, 1, 1), 5, months=3))
    assert [i.amount for i in schedule] == [333_00, 333_00, 334_50]
    schedule = build_schedule(PlanTerms(1000_50, date(2026, 1, 1), 5, instalment=300_00))
    assert [i.amount for i in schedule] == [300_00, 300_00, 300_00, 100_50]


@pytest.mark.parametrize(("terms", "field"), [
    (PlanTerms(0, date(2026, 1, 1), 1, months=3), "total"),
    (PlanTerms(-5, date(2026, 1, 1), 1, months=3), "total"),
    (PlanTerms(100_00, date(2026, 1, 1), 32, months=3), "due_day"),
    (PlanTerms(100_00, date(2026, 1, 1), 0, months=3), "due_day"),
    (PlanTerms(100_00, date(2026, 1, 1), 1, months=0), "months"),
    (PlanTerms(100_00, date(2026, 1, 1), 1), "instalment"),
    (PlanTerms(100_00, date(2026, 1, 1), 1, instalment=10_00, months=3), "instalment"),
    (PlanTerms(100_00, date(2026, 1, 1), 1, instalment=10_50), "instalment"),
    (PlanTerms(100_000_00, date(2026, 1, 1), 1, instalment=1_00), "instalment"),
])
def test_impossible_terms_name_the_field_to_correct(terms, field):
    with pytest.raises(FieldError) as raised:
        build_schedule(terms)
    assert raised.value.field == field and raised.value.message()


def test_rebalance_spreads_the_difference_over_the_remaining_instalments():
    schedule = build_schedule(PlanTerms(1200_00, date(2026, 1, 1), 10, months=4))
    edited = [schedule[0].__class__(schedule[0].due, 500_00), *schedule[1:]]
    balanced = rebalance(edited, 1200_00, 1)
    assert balanced[0].amount == 500_00
    assert sum(i.amount for i in balanced) == 1200_00
    assert [i.amount for i in balanced[1:]] == [233_00, 233_00, 234_00]
    assert [i.due for i in balanced] == [i.due for i in schedule]


@given(st.lists(st.integers(1, 100_000), min_size=2, max_size=40), st.data())
def test_rebalance_always_lands_on_the_total(amounts, data):
    from workbench.plans.schedule import Instalment

    rows = [Instalment(date(2026, 1, 1), a) for a in amounts]
    index = data.draw(st.integers(0, len(rows) - 1))
    left = data.draw(st.integers(1, 10_000_000))
    total = sum(a for a in amounts[:index]) + left
    if left < (len(rows) - index) * UNIT:
        with pytest.raises(FieldError):
            rebalance(rows, total, index)
        return
    balanced = rebalance(rows, total, index)
    assert sum(i.amount for i in balanced) == total
    assert balanced[:index] == rows[:index]
