"""One home visit driven as a person does it, with keys and clicks only, counting actions.

Found when the program was tried: the visit below took 92 actions and typing went astray.
An action is one key press (Tab, Enter, a shortcut), one value typed into a field, one
click, or one signature drawn. Used by tests/ui/test_home_visit.py (which holds the count
to the goal) and by the benchmark that prints it (``make bench``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton, QWidget

from tests.ui.conftest import type_into, when_modal
from tests.ui.test_signing import sign_with_mouse
from ui.plan_editor import PlanColumn

GOAL = 60
# The household's month, line by line (the rent came from the new case).
BUDGET = {"earnings": "1 900", "housing_allowance": "250", "electricity": "45",
          "home_insurance": "15", "food": "400", "clothing": "50", "phone_internet": "30"}


@dataclass
class Person:
    """Hands on the keyboard and the mouse; every act is counted and logged."""

    qtbot: object
    actions: int = 0
    log: list[str] = field(default_factory=list)

    def act(self, what: str) -> None:
        # Between two acts of a person the program runs what it queued (an edited cell is
        # committed a moment after Enter); keys sent back to back would skip that.
        self.qtbot.wait(20)
        self.actions += 1
        self.log.append(what)

    def focused(self) -> QWidget:
        # A dialog that closed gives the activation back to the window (a window manager
        # does it at once; offscreen Qt needs a moment).
        self.qtbot.waitUntil(lambda: QApplication.activeWindow() is not None, timeout=5000)
        widget = QApplication.focusWidget()
        assert widget is not None and widget.isVisible(), (self.log[-3:], widget)
        return widget

    def key(self, key, modifier=Qt.NoModifier, what: str = "") -> None:
        self.act(what or QKeySequence(modifier | key).toString())
        self.qtbot.keyClick(self.focused(), key, modifier)
        if modifier & Qt.AltModifier:
            self.qtbot.wait(150)  # a button's Alt+letter clicks it visibly, 100 ms later

    def type(self, text: str) -> None:
        """Types into the field that has the cursor (wherever the program put it)."""
        self.act(f"type {text!r}")
        widget = self.focused()
        if isinstance(widget, QComboBox):
            # A list is searched by what was typed within a moment: a person's next
            # choice starts a new search, as it does here after that moment.
            self.qtbot.wait(QApplication.keyboardInputInterval() + 50)
        for char in text:  # each key to whatever has the cursor now (a cell's editor
            type_into(self.qtbot, QApplication.focusWidget() or widget, char)  # opens)

    def click(self, widget: QWidget, pos: QPoint | None = None, what: str = "") -> None:
        self.act(what or f"click {type(widget).__name__}")
        assert widget.isVisible() and widget.isEnabled(), (what, widget)
        self.qtbot.mouseClick(widget, Qt.LeftButton, pos=pos or widget.rect().center())

    def double_click(self, widget: QWidget, pos: QPoint, what: str = "") -> None:
        self.act(what or "double click")
        # A mouse sends a click, then the double click (QTest's double click alone lacks
        # the first press, which a table needs to know the cell).
        self.qtbot.mouseClick(widget, Qt.LeftButton, pos=pos)
        self.qtbot.mouseDClick(widget, Qt.LeftButton, pos=pos)

    def sign(self, pad: QWidget) -> None:
        self.act("sign")
        sign_with_mouse(pad)


def button(root: QWidget, text: str) -> QPushButton:
    return next(b for b in root.findChildren(QPushButton)
                if b.text() == text and b.isVisible())


def home_visit(window, qtbot) -> Person:
    """New case with rent and arrears, a home-visit contact, two consents, a budget of
    seven lines, a 10-month plan with one edit and an undo, an agreement signed by two and
    sealed."""
    me = Person(qtbot)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)

    def new_case(dialog) -> None:
        me.type("Aino")
        me.key(Qt.Key_Tab)
        me.type("Kotikäynti")
        me.key(Qt.Key_M, Qt.AltModifier, "Alt+M: monthly rent")
        me.type("720")
        me.key(Qt.Key_A, Qt.AltModifier, "Alt+A: rent arrears")
        me.type("1 800")
        me.key(Qt.Key_Return, what="Enter: create")

    when_modal(new_case)
    me.key(Qt.Key_N, Qt.ControlModifier, "Ctrl+N: new case")
    qtbot.waitUntil(lambda: window.editor.file is not None and
                    window.editor.file.person.last_name == "Kotikäynti", timeout=5000)

    # The talk: a home visit of an hour.
    me.key(Qt.Key_C, Qt.AltModifier, "Alt+C: contacts")
    me.type("h")  # the channel list: Home visit
    me.key(Qt.Key_Tab)
    me.type("60")
    me.key(Qt.Key_Tab)
    me.type("Arrears and a plan")
    me.key(Qt.Key_Return, what="Enter: save the contact")

    # Two consents: the landlord and the social services.
    me.key(Qt.Key_N, Qt.AltModifier, "Alt+N: consents")
    me.type("l")  # Landlord
    me.key(Qt.Key_Return, what="Enter: save the consent")
    me.type("s")  # Social services
    me.key(Qt.Key_Return, what="Enter: save the consent")

    # The budget: seven lines, the rent already there; Enter goes to the next line.
    me.key(Qt.Key_D, Qt.AltModifier, "Alt+D: budget")
    page = window.editor.sections.currentWidget()
    for code, amount in BUDGET.items():
        field = page.rows[code].amount.widget
        if QApplication.focusWidget() is not field:
            me.click(field, what=f"click the {code} line")
        me.type(amount)
        me.key(Qt.Key_Return, what="Enter: next line")

    # The plan: ten months, one instalment changed and the change undone, saved.
    me.key(Qt.Key_P, Qt.AltModifier, "Alt+P: plan")
    plan = window.editor.sections.currentWidget()
    me.click(plan.months, what="click the months")
    me.key(Qt.Key_A, Qt.ControlModifier, "Ctrl+A")
    me.type("10")
    me.key(Qt.Key_G, Qt.AltModifier, "Alt+G: generate")
    table = plan.table
    cell = table.visualRect(table.model().index(2, PlanColumn.INSTALMENT)).center()
    me.click(table.viewport(), cell, "click the third instalment")
    me.type("150")  # typing replaces it, as in a spreadsheet
    me.key(Qt.Key_Return, what="Enter: the instalment changed")
    me.key(Qt.Key_Z, Qt.ControlModifier, "Ctrl+Z: undo")
    me.key(Qt.Key_S, Qt.ControlModifier, "Ctrl+S: save the plan")

    # The agreement: read together, signed by the resident and the advisor, sealed.
    me.key(Qt.Key_U, Qt.AltModifier, "Alt+U: documents")
    documents = window.editor.sections.currentWidget()

    def sign(dialog) -> None:
        qtbot.waitUntil(lambda: len(dialog.pages) > 0, timeout=10000)  # the pages to read
        me.click(dialog.sign_button, what="click Sign…")
        for box in dialog.boxes:
            me.sign(box.pad)
        me.click(dialog.seal_button, what="click Seal the agreement")

    when_modal(sign)
    me.click(button(documents, "New agreement…"), what="click New agreement…")
    return me
