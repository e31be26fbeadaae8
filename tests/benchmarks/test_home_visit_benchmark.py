"""How many actions one home visit takes in the window (the scenario of
tests/ui/home_visit.py, driven with keys and clicks only); printed with the other figures."""

from __future__ import annotations

from tests.conftest import location  # noqa: F401 — the fixtures the window needs
from tests.ui.conftest import clean_dialogs, ctx, preferences, window  # noqa: F401
from tests.ui.home_visit import GOAL, home_visit


def test_actions_of_a_home_visit(window, qtbot, record):  # noqa: F811
    me = home_visit(window, qtbot)
    print("\n" + "\n".join(f"{n:>3}. {what}" for n, what in enumerate(me.log, start=1)))
    record("home visit: actions (keys, typed values, clicks)", me.actions, "", f"<= {GOAL}",
           me.actions <= GOAL)
