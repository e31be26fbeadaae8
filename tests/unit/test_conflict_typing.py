"""A third value typed to settle a conflict is checked like the form would check it."""

from __future__ import annotations

import pytest

from workbench.errors import ValidationError
from workbench.sync.conflict_view import check_typed
from workbench.sync.conflicts import Conflict


def conflict(table: str, field: str) -> Conflict:
    return Conflict(f"g/{field}", "g", table, field, 1, ())


def test_a_typed_phone_is_trimmed_and_kept():
    assert check_typed(conflict("persons", "phone"), "  +358 40 1  ") == "+358 40 1"


@pytest.mark.parametrize("table, field", [("user_profiles", "title"), ("persons", "email"),
                                          ("persons", "identity_number"),
                                          ("cases", "status")])
def test_fields_with_checks_of_their_own_cannot_be_typed(table, field):
    with pytest.raises(ValidationError):
        check_typed(conflict(table, field), "anything")


def test_a_task_cannot_be_emptied_and_a_line_has_a_limit():
    with pytest.raises(ValidationError):
        check_typed(conflict("followups", "task"), "   ")
    with pytest.raises(ValidationError):
        check_typed(conflict("persons", "phone"), "1" * 201)
    assert len(check_typed(conflict("cases", "note"), "x" * 5000)) == 5000
