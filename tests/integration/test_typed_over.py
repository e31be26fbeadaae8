"""A value typed over a form while another laptop changed the same field: both are kept as
a conflict on every laptop, and every laptop shows the same one until a person chooses."""

from __future__ import annotations

import dataclasses
import time

import pytest

from tests.helpers import intake
from tests.support.team import close, make_team, roundtrip
from workbench.cases.service import CaseService
from workbench.sync import rows
from workbench.sync.conflicts import list_conflicts
from workbench.sync.engine import sync


@pytest.fixture
def two(tmp_path, pg_database):
    desk, visit = make_team(tmp_path, pg_database.owner_dsn)
    CaseService(desk).create_case(intake(phone="+358 40 000 0000"))
    roundtrip(desk, visit)
    yield desk, visit
    close([desk, visit])


def _only_case(session) -> int:
    (case_id,) = [row[0] for row in session.db.all("SELECT id FROM cases")]
    return case_id


def _type_phone_over(desk, shown, phone: str) -> None:
    """The desk's form, filled before the visit's change arrived, saves a typed phone."""
    cases = CaseService(desk)
    with cases.saving_over(shown.sync_versions):
        cases.update_person(shown.case.id, dataclasses.replace(
            cases.open_case(shown.case.id).person, phone=phone))


def _phone(session) -> str:
    return CaseService(session).open_case(_only_case(session)).person.phone


def test_both_values_are_kept_on_both_laptops(two):
    desk, visit = two
    shown = CaseService(desk).open_case(_only_case(desk))  # the form is filled
    there = CaseService(visit)
    there.update_person(_only_case(visit), dataclasses.replace(
        there.open_case(_only_case(visit)).person, phone="+358 40 222 2222"))
    sync(visit)
    sync(desk)  # arrives while the advisor types
    _type_phone_over(desk, shown, "+358 40 111 1111")
    sync(desk)
    sync(visit)
    for session in (desk, visit):
        (conflict,) = list_conflicts(session.db)
        assert conflict.field == "phone"
        assert sorted(v.value for v in conflict.values) == ["+358 40 111 1111",
                                                            "+358 40 222 2222"]
        assert _phone(session) == "+358 40 111 1111"  # the later change, on both


def test_a_clock_ahead_on_the_other_laptop_is_shown_alike_on_both(two, monkeypatch):
    desk, visit = two
    shown = CaseService(desk).open_case(_only_case(desk))
    real = time.time
    monkeypatch.setattr(rows.time, "time", lambda: real() + 3600)  # the visit's clock
    there = CaseService(visit)
    there.update_person(_only_case(visit), dataclasses.replace(
        there.open_case(_only_case(visit)).person, phone="+358 40 222 2222"))
    monkeypatch.setattr(rows.time, "time", real)
    sync(visit)
    sync(desk)
    _type_phone_over(desk, shown, "+358 40 111 1111")
    sync(desk)
    sync(visit)
    assert _phone(desk) == _phone(visit) == "+358 40 222 2222"
    assert len(list_conflicts(desk.db)) == len(list_conflicts(visit.db)) == 1


def test_a_different_field_changed_meanwhile_asks_nothing(two):
    desk, visit = two
    shown = CaseService(desk).open_case(_only_case(desk))
    there = CaseService(visit)
    there.update_person(_only_case(visit), dataclasses.replace(
        there.open_case(_only_case(visit)).person, email="arrived@example.fi"))
    sync(visit)
    sync(desk)
    _type_phone_over(desk, shown, "+358 40 111 1111")
    sync(desk)
    sync(visit)
    for session in (desk, visit):
        assert list_conflicts(session.db) == []
        person = CaseService(session).open_case(_only_case(session)).person
        assert (person.phone, person.email) == ("+358 40 111 1111", "arrived@example.fi")
