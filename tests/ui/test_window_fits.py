"""Everything fits a 1366×768 (and a 1280×800) laptop screen in every language.

Found: at 1366 px some tabs hid behind scroll arrows and in Finnish "Suostu…" was cut, the
budget's date read "29 Nov 2(", the list's Landlord header "andlor", the plan's fields
"Collectio…". The walk opens every section of a case in each language at each size and
fails on any label, button, field, header or list entry whose text does not fit, and on any
part of the window that would need sideways scrolling.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from tests.ui.conftest import show_section
from ui.preferences import LANGUAGE

SIZES = [(1366, 768), (1280, 800)]
SLACK = 1  # a pixel of rounding


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def _text_width(widget: QWidget, text: str) -> int:
    return widget.fontMetrics().horizontalAdvance(text.replace("&&", "\0").replace("&", "")
                                                  .replace("\0", "&"))


def cut_texts(root: QWidget) -> list[str]:
    """What does not fit under ``root``: one line per widget, naming it and its text."""
    cut = []
    for widget in root.findChildren(QWidget):
        if not _shown(widget):
            continue
        name = f"{type(widget).__name__} {widget.objectName() or ''}".strip()
        if isinstance(widget, QLabel) and not widget.wordWrap() and widget.text() and \
                widget.textFormat() != Qt.RichText and "<" not in widget.text():
            if _text_width(widget, widget.text()) > widget.contentsRect().width() + SLACK:
                cut.append(f"{name}: {widget.text()!r} in {widget.contentsRect().width()} px")
        elif isinstance(widget, QPushButton | QCheckBox | QRadioButton) and widget.text():
            if widget.sizeHint().width() > widget.width() + SLACK:
                cut.append(f"{name}: {widget.text()!r} needs {widget.sizeHint().width()} px, "
                           f"has {widget.width()}")
        elif isinstance(widget, QComboBox) and widget.currentText():
            needed = _text_width(widget, widget.currentText()) + 30  # the arrow and margins
            if needed > widget.width() + SLACK:
                cut.append(f"{name}: {widget.currentText()!r} in {widget.width()} px")
        elif isinstance(widget, QLineEdit) and not isinstance(widget.parent(),
                                                              QAbstractSpinBox | QComboBox):
            shown = widget.text() or widget.placeholderText()
            if shown and not widget.text() and \
                    _text_width(widget, shown) + 10 > widget.width() + SLACK:
                cut.append(f"{name}: placeholder {shown!r} in {widget.width()} px")
        elif isinstance(widget, QAbstractSpinBox) and widget.text():
            needed = _text_width(widget, widget.text()) + 30  # the arrows and margins
            if needed > widget.width() + SLACK:
                cut.append(f"{name}: {widget.text()!r} in {widget.width()} px")
        elif isinstance(widget, QGroupBox) and widget.title():
            if _text_width(widget, widget.title()) + 16 > widget.width() + SLACK:
                cut.append(f"{name}: title {widget.title()!r}")
        elif isinstance(widget, QHeaderView) and widget.orientation() == Qt.Horizontal:
            model = widget.model()
            for column in range(model.columnCount() if model else 0):
                if widget.isSectionHidden(column):
                    continue
                text = str(model.headerData(column, Qt.Horizontal) or "")
                margin = 2 * widget.style().pixelMetric(
                    widget.style().PixelMetric.PM_HeaderMargin) + 2
                if text and _text_width(widget, text) + margin > \
                        widget.sectionSize(column) + SLACK:
                    cut.append(f"header {text!r} in {widget.sectionSize(column)} px")
        if isinstance(widget, QAbstractScrollArea) and \
                widget.horizontalScrollBar().isVisible():
            bar = widget.horizontalScrollBar()
            cut.append(f"{name}: needs scrolling sideways ({bar.maximum()} px more than "
                       f"its {widget.viewport().width()} px)")
    return cut


def _walk(window, qtbot) -> list[str]:
    cut = []
    sections = window.editor.sections
    for index in range(sections.count()):
        show_section(qtbot, window, index)  # fails if a title is out of sight
        qtbot.wait(10)  # as the screen shows it: laid out and painted
        cut += [f"{sections.title(index)}: {line}" for line in cut_texts(window)]
    return sorted(set(cut))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_section_fits_the_screen_in_every_language(window, ctx, qtbot, size):
    window.resize(*size)
    qtbot.waitUntil(lambda: window.width() == size[0], timeout=5000)
    rows = window.case_list.model.rows  # a case with a budget and a plan: the most to show
    window.case_list.view.selectRow(next(n for n, row in enumerate(rows)
                                         if row.has_plan and row.status == "open"))
    found = {}
    for language in ("en", "fi", "sv", "da"):
        if language != "en":
            ctx.preferences.set(LANGUAGE, language)
            window.change_language(language)
            QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        QApplication.processEvents()
        cut = _walk(window, qtbot)
        if cut:
            found[language] = cut
    assert found == {}, "\n".join(f"{language}: {line}" for language, lines in found.items()
                                   for line in lines)
