"""GUI fixtures: real windows on real encrypted stores, offscreen, clicked with qtbot."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from tests.conftest import PASSPHRASE, make_store
from ui.context import AppContext
from ui.dialogs import Dialogs
from ui.main_window import MainWindow
from ui.preferences import LANGUAGE, Preferences
from ui.qt_language import apply_language
from workbench.demo.seed import seed_demo


@pytest.fixture(autouse=True)
def clean_dialogs() -> Iterator[None]:
    Dialogs.reset()
    Dialogs.strict = True
    apply_language("en")
    yield
    Dialogs.strict = False
    Dialogs.reset()
    apply_language("en")


@pytest.fixture
def preferences(tmp_path) -> Preferences:
    chosen = Preferences(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    chosen.set(LANGUAGE, "en")
    return chosen


@pytest.fixture
def ctx(location, preferences, qapp) -> Iterator[AppContext]:
    session = make_store(location)
    seed_demo(session, 20, seed=3)
    context = AppContext(location, preferences)
    context.open(session)
    yield context
    if context.unlocked:
        context.lock()


@pytest.fixture
def window(ctx, qtbot) -> MainWindow:
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


def when_modal(action: Callable[[object], None], delay_ms: int = 0) -> None:
    """Act on the next modal dialog once it is showing (exec() blocks the test)."""
    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, attempt)
            return
        dialog.activateWindow()
        QApplication.processEvents()
        try:
            action(dialog)
        except BaseException:
            dialog.reject()  # never leave a test waiting on a dialog nobody will close
            raise

    QTimer.singleShot(delay_ms, attempt)


def unlock_with(passphrase: str = PASSPHRASE) -> Callable[[object], None]:
    def fill(dialog) -> None:
        dialog.passphrase.setText(passphrase)
        dialog.try_unlock()

    return fill


def type_into(qtbot, widget, text: str) -> None:
    """Type like a person, including letters outside ASCII (å, ä, ø) that keyClicks refuses."""
    from PySide6.QtTest import QTest

    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char,
                               Qt.KeyboardModifier.NoModifier)


def show_section(qtbot, window, which: int | str) -> QWidget:
    """Click a section of the open case in the list beside it, as a person does: by its
    number in the list or its title (without the Alt-letter's "&"). Returns the page."""
    sections = window.editor.sections
    index = which if isinstance(which, int) else next(
        i for i in range(sections.count()) if sections.title(i) == which)
    rect = sections.item_rect(index)
    assert sections.list.viewport().rect().contains(rect), "the title is out of sight"
    qtbot.mouseClick(sections.list.viewport(), Qt.LeftButton, pos=rect.center())
    assert sections.currentIndex() == index
    return sections.currentWidget()
