"""The case's sections as a list beside the form, instead of a row of tabs.

Twelve tabs did not fit a 1366-pixel screen in Finnish: some hid behind scroll arrows and
the open one could scroll out of sight. A list shows every section at any width, in the
order of a visit, and keeps each title whole. Alt+letter still opens a section (the letter
is underlined as on a tab); Up/Down walk the list, Enter goes into the section's first
field.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

MNEMONIC_ROLE = Qt.UserRole + 1  # the title with its "&", for the underline
PADDING = 16  # around a title: the item's margins and the list's frame


class _MnemonicDelegate(QStyledItemDelegate):
    """Draws a title with its Alt-letter underlined, as a tab or a button does."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is None:
            super().paint(painter, option, index)
            return
        style.drawControl(QStyle.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.State_Selected)
        role = QPalette.HighlightedText if selected else QPalette.Text
        rect = opt.rect.adjusted(10, 0, -6, 0)
        style.drawItemText(painter, rect, int(Qt.AlignLeft | Qt.AlignVCenter |
                                              Qt.TextShowMnemonic),
                           opt.palette, True, index.data(MNEMONIC_ROLE) or text, role)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + 16, max(hint.height() + 10, 28))


class _SectionListView(QListWidget):
    entered = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter):
            self.entered.emit()
            return
        super().keyPressEvent(event)


class Sections(QWidget):
    """A list of section titles and the pages they show (what the editor needs of a tab
    widget: count, current index or page, and a signal when it changes)."""

    currentChanged = Signal(int)
    entered = Signal()  # Enter on a title, or its Alt+letter: into the section

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = _SectionListView()
        self.list.setObjectName("caseSections")
        self.list.setItemDelegate(_MnemonicDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.list.setSizeAdjustPolicy(QAbstractItemView.AdjustToContents)
        self.stack = QStackedWidget()
        layout.addWidget(self.list)
        layout.addWidget(self.stack, 1)
        self.list.currentRowChanged.connect(self._row_changed)
        self.list.entered.connect(self.entered)
        # The page of a section (its holder in the stack may wait to be filled).
        self.page_at: Callable[[int], QWidget] = self.stack.widget

    def add_section(self, page: QWidget, title: str) -> None:
        item = QListWidgetItem(title.replace("&&", "\0").replace("&", "").replace("\0", "&"))
        item.setData(MNEMONIC_ROLE, title)
        self.list.addItem(item)
        self.stack.addWidget(page)
        key = QKeySequence.mnemonic(title)
        if not key.isEmpty():
            # Window-wide, as a tab's letter was. Beside field labels' and menus' own
            # Alt-letters a key may be taken twice: Qt then calls each in turn
            # ("ambiguously"), as it does for a tab bar.
            shortcut = QShortcut(key, self, context=Qt.WindowShortcut)
            row = self.list.count() - 1
            shortcut.activated.connect(lambda row=row: self._by_key(row))
            shortcut.activatedAmbiguously.connect(lambda row=row: self._by_key(row))
        self._fit_width()
        if self.list.currentRow() < 0:
            self.list.setCurrentRow(0)

    def _fit_width(self) -> None:
        metrics = self.list.fontMetrics()
        widest = max(metrics.horizontalAdvance(self.list.item(row).text())
                     for row in range(self.list.count()))
        self.list.setFixedWidth(widest + PADDING + 16)

    # --- what the editor asks ------------------------------------------------------------

    def count(self) -> int:
        return self.stack.count()

    def currentIndex(self) -> int:
        return self.stack.currentIndex()

    def setCurrentIndex(self, index: int) -> None:
        self.list.setCurrentRow(index)

    def currentWidget(self) -> QWidget | None:
        index = self.currentIndex()
        return self.page_at(index) if index >= 0 else None

    def setCurrentWidget(self, page: QWidget) -> None:
        self.setCurrentIndex(next(i for i in range(self.stack.count())
                                  if self.stack.widget(i) is page
                                  or self.stack.widget(i).isAncestorOf(page)))

    def widget(self, index: int) -> QWidget | None:
        return self.page_at(index)

    def title(self, index: int) -> str:
        return self.list.item(index).text()

    def item_rect(self, index: int):
        """Where a title is drawn, in the list's viewport (to click it)."""
        return self.list.visualItemRect(self.list.item(index))

    def _by_key(self, row: int) -> None:
        self.setCurrentIndex(row)
        if self.currentIndex() == row:  # (not when the section left could not be saved)
            self.entered.emit()

    def _row_changed(self, row: int) -> None:
        if row < 0 or row == self.stack.currentIndex():
            return
        self.stack.setCurrentIndex(row)
        self.currentChanged.emit(row)

    def revert_to(self, index: int) -> None:
        """Back to ``index`` without telling anyone (a section that could not be left)."""
        self.list.blockSignals(True)
        self.list.setCurrentRow(index)
        self.list.blockSignals(False)
        self.stack.setCurrentIndex(index)
