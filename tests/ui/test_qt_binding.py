"""The Qt binding keeps Python's reference counts straight across signal and slot calls.

PySide6 6.12.0 dropped a reference to None on every Python slot call, so a long session
(or a test run) ended with the interpreter aborting. This test fails on such a binding.
"""

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QCheckBox

CALLS = 300


class Relay(QObject):
    changed = Signal()


def test_slot_calls_leave_none_and_true_reference_counts_as_they_were(qapp):
    relay = Relay()
    box = QCheckBox()
    box.toggled.connect(lambda checked: relay.changed.emit())
    before = sys.getrefcount(None), sys.getrefcount(True)
    for n in range(CALLS):
        box.setChecked(n % 2 == 0)
    after = sys.getrefcount(None), sys.getrefcount(True)
    # A few references may come or go for unrelated reasons; one per call may not.
    assert abs(after[0] - before[0]) < CALLS // 10
    assert abs(after[1] - before[1]) < CALLS // 10
