"""Nordic identity numbers: published examples, and generated ones with hypothesis."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from workbench.i18n import _
from workbench.identity import IdentityKind, check_identity, format_identity, search_forms

HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_SIGNS = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}


@pytest.mark.parametrize(("text", "birth", "temporary"), [
    ("131052-308T", date(1952, 10, 13), False),  # the Digital and Population Data example
    ("010594Y9032", date(1994, 5, 1), True),      # 2023 century letter, temporary number
    ("010594Y9021", date(1994, 5, 1), True),
    ("020594X903P", date(1994, 5, 2), True),
    ("010516B903X", date(2016, 5, 1), True),
    ("131052-308t", date(1952, 10, 13), False),   # lower case as typed
])
def test_finnish_hetu_examples(text, birth, temporary):
    check = check_identity(text, "FI")
    assert check.valid and check.kind is IdentityKind.FI_HETU
    assert check.birth_date == birth and check.temporary is temporary


@pytest.mark.parametrize("text", ["131052-308U", "131052-308", "320152-308T", "abc", "", "1" * 11])
def test_invalid_hetu(text):
    check = check_identity(text, "FI")
    assert not check.valid and check.problem


@pytest.mark.parametrize(("text", "canonical", "kind"), [
    ("811228-9874", "198112289874", IdentityKind.SE_PERSONNUMMER),
    ("19811228-9874", "198112289874", IdentityKind.SE_PERSONNUMMER),
    ("8112289874", "198112289874", IdentityKind.SE_PERSONNUMMER),
    ("811228+9874", "188112289874", IdentityKind.SE_PERSONNUMMER),  # 100 years or older
    ("811228-9875", None, None),                                     # a broken check digit
])
def test_swedish_personnummer(text, canonical, kind):
    check = check_identity(text, "SE")
    assert check.valid is (canonical is not None)
    if canonical:
        assert check.compact == canonical and check.kind is kind
        assert format_identity(check.compact, check.kind) == f"{canonical[:8]}-{canonical[8:]}"


def test_swedish_samordningsnummer_is_recognised():
    body = "701063239"  # day 63 = the 3rd + 60
    number = f"{body}{luhn.calc_check_digit(body)}"
    check = check_identity(number, "SE")
    assert check.valid and check.kind is IdentityKind.SE_SAMORDNINGSNUMMER
    assert check.birth_date == date(1970, 10, 3)


@pytest.mark.parametrize(("text", "valid"), [("211062-5629", True), ("2110625629", True),
                                             ("3213625629", False), ("211062-562", False)])
def test_danish_cpr(text, valid):
    assert check_identity(text, "DK").valid is valid


def hetu_for(birth: date, individual: int, sign_index: int) -> str:
    signs = CENTURY_SIGNS[birth.year // 100 * 100]
    sign = signs[sign_index % len(signs)]
    check = HETU_CHECK[int(f"{birth:%d%m%y}{individual:03d}") % 31]
    return f"{birth:%d%m%y}{sign}{individual:03d}{check}"


@given(st.dates(date(1850, 1, 1), date.today()), st.integers(2, 999),
       st.integers(0, 5))
def test_every_well_formed_hetu_is_valid_with_its_birth_date(birth, individual, sign_index):
    check = check_identity(hetu_for(birth, individual, sign_index), "FI")
    assert check.valid and check.birth_date == birth
    assert check.temporary is (individual >= 900)


@given(st.dates(date(1900, 1, 1), date.today()), st.integers(2, 899),
       st.integers(1, 30))
def test_a_wrong_hetu_check_character_is_caught(birth, individual, shift):
    good = hetu_for(birth, individual, 0)
    wrong = good[:-1] + HETU_CHECK[(HETU_CHECK.index(good[-1]) + shift) % 31]
    assert not check_identity(wrong, "FI").valid


@given(st.dates(date(1901, 1, 1), date(2024, 12, 31)), st.integers(0, 999),
       st.integers(1, 9))
def test_personnummer_with_luhn_is_valid_and_one_changed_digit_is_not(birth, serial, delta):
    body = f"{birth:%y%m%d}{serial:03d}"
    number = f"{body}{luhn.calc_check_digit(body)}"
    check = check_identity(f"{birth.year}{number[2:6]}-{number[6:]}", "SE")
    assert check.valid and check.birth_date == birth
    broken = number[:-1] + str((int(number[-1]) + delta) % 10)
    assert not check_identity(broken, "SE").valid


@given(st.text(max_size=20))
def test_any_typed_text_gets_an_answer_never_an_exception(text):
    for country in ("FI", "SE", "DK"):
        check = check_identity(text, country)
        if check.valid:
            assert check.compact and check.problem is None
        else:  # a sentence to show beside the field
            assert check.problem and _(check.problem)


def test_search_forms_cover_how_people_type_numbers():
    assert {"198112289874", "19811228-9874", "8112289874", "811228-9874"} <= set(
        search_forms("198112289874"))
    assert "211062-5629" in search_forms("2110625629")
