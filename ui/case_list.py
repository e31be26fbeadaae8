"""The case list: a lazily fetched table model over the case services, with search and
filters. Sorting, searching and filtering happen in the store (SQL and the full-text
index), so the list of 100,000 cases is read 200 rows at a time in the order asked for;
a proxy model would only ever see the rows fetched so far."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import IntEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from workbench.cases.listing import RANKED_LIMIT, CaseQuery, SortKey
from workbench.cases.model import CaseRow, CaseStatus
from workbench.cases.search import match_expression
from workbench.i18n import N_, _, format_date, format_money, ngettext
from workbench.labels import choices, label

PAGE = 200
FORMATTED_KEPT = 5000  # rows' texts kept between searches


class Column(IntEnum):
    NAME = 0
    STATUS = 1
    LANDLORD = 2
    ARREARS = 3
    NEXT_FOLLOWUP = 4
    ADVISOR = 5
    OPENED = 6


HEADERS = {Column.NAME: N_("Name"), Column.STATUS: N_("Status"), Column.LANDLORD: N_("Landlord"),
           Column.ARREARS: N_("Arrears"), Column.NEXT_FOLLOWUP: N_("Follow-up"),
           Column.ADVISOR: N_("Advisor"), Column.OPENED: N_("Opened")}
SORT_KEYS = {Column.NAME: SortKey.NAME, Column.STATUS: SortKey.STATUS,
             Column.LANDLORD: SortKey.LANDLORD, Column.ARREARS: SortKey.ARREARS,
             Column.NEXT_FOLLOWUP: SortKey.NEXT_FOLLOWUP, Column.ADVISOR: SortKey.ADVISOR,
             Column.OPENED: SortKey.OPENED}
# What stays in sight as the list gets narrower (the columns at the end go first).
KEPT_FIRST = (Column.NAME, Column.ARREARS, Column.NEXT_FOLLOWUP, Column.STATUS,
              Column.LANDLORD, Column.OPENED, Column.ADVISOR)
CASE_ID_ROLE = Qt.UserRole + 1
ROOT = QModelIndex()  # the invisible root of a flat table
# Roles as plain numbers: ``data`` compares them some 1,700 times per repaint.
_DISPLAY, _ALIGNMENT, _FOREGROUND = (int(Qt.DisplayRole), int(Qt.TextAlignmentRole),
                                     int(Qt.ForegroundRole))
_CASE_ID = int(CASE_ID_ROLE)
_RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)


class CaseListModel(QAbstractTableModel):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.query = CaseQuery()
        self.rows: list[CaseRow] = []
        self.total = 0
        self._texts: dict[int, tuple[str, ...]] = {}  # row -> its cells, formatted once
        self._style: tuple | None = None  # (locale, currency) for this list's texts
        # A case's texts by its row, kept across searches (typing a name lists the same
        # cases again and again; formatting amounts and dates is most of a repaint).
        self._formatted: dict[CaseRow, tuple[str, ...]] = {}
        self._formatted_style: tuple | None = None

    # --- what to show --------------------------------------------------------------------

    def set_query(self, query: CaseQuery) -> None:
        self.query = query
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self._texts.clear()
        self._style = None  # (the language is read once per list, not per row)
        if self.ctx.unlocked:
            cases = self.ctx.cases
            if self.ranked():
                # Best matches first: the index hands back its few hundred best at once.
                self.rows = cases.list_cases(self.query)
                self.total = len(self.rows)
            else:
                self.rows = cases.list_cases(self.query, limit=PAGE)
                self.total = cases.count_cases(self.query) if len(self.rows) == PAGE \
                    else len(self.rows)
        else:
            self.rows, self.total = [], 0
        self.endResetModel()

    def ranked(self) -> bool:
        """A search shown best match first (not sorted by a column)."""
        return self.query.sort is SortKey.RELEVANCE and \
            match_expression(self.query.text) is not None

    def clear(self) -> None:
        """Locked: nothing of the cases stays in memory (names kept for searches too)."""
        self.beginResetModel()
        self._texts.clear()
        self._formatted.clear()
        self._formatted_style = None
        self.rows, self.total = [], 0
        self.endResetModel()

    def canFetchMore(self, parent=ROOT) -> bool:
        return not parent.isValid() and len(self.rows) < self.total and self.ctx.unlocked

    def fetchMore(self, parent=ROOT) -> None:
        more = self.ctx.cases.list_cases(self.query, limit=PAGE, offset=len(self.rows))
        if not more:
            self.total = len(self.rows)
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
        self.rows += more
        self.endInsertRows()

    def row_of(self, case_id: int) -> int | None:
        return next((n for n, row in enumerate(self.rows) if row.id == case_id), None)

    def update_row(self, row: CaseRow) -> None:
        """Show a saved case's new values without re-reading the whole list."""
        index = self.row_of(row.id)
        if index is not None:
            self.rows[index] = row
            self._texts.pop(index, None)
            self.dataChanged.emit(self.index(index, 0), self.index(index, len(Column) - 1))

    # --- Qt's model interface ------------------------------------------------------------

    def rowCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return _(HEADERS[Column(section)])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.DisplayRole):
        # Qt asks for every role of every visible cell at each repaint: the common answers
        # come first and a row's texts are formatted once.
        if not index.isValid():
            return None
        if role == _DISPLAY:
            n = index.row()
            texts = self._texts.get(n)
            if texts is None:
                row = self.rows[n]
                texts = self._formatted.get(row)
                if texts is None:
                    if len(self._formatted) > FORMATTED_KEPT:
                        self._formatted.clear()
                    texts = self._formatted[row] = self._format(row)
                self._texts[n] = texts
            return texts[index.column()]
        if role == _CASE_ID:
            return self.rows[index.row()].id
        if role == _ALIGNMENT and index.column() == Column.ARREARS:
            return _RIGHT
        if role == _FOREGROUND and index.column() == Column.NEXT_FOLLOWUP:
            due = self.rows[index.row()].next_followup
            if due and due <= date.today():
                return QColor("#b00020")  # due or overdue
        return None

    def _format(self, row: CaseRow) -> tuple[str, ...]:
        if self._style is None:
            self._style = (self.ctx.locale, self.ctx.currency)
            if self._style != self._formatted_style:
                self._formatted.clear()  # (another language: nothing kept is right)
                self._formatted_style = self._style
        locale, currency = self._style
        followup = format_date(row.next_followup, locale, "short") if row.next_followup else ""
        texts = {Column.NAME: row.name, Column.STATUS: label(row.status),
                 Column.LANDLORD: row.landlord,
                 Column.ARREARS: format_money(row.arrears, currency, locale),
                 Column.NEXT_FOLLOWUP: followup, Column.ADVISOR: row.advisor,
                 Column.OPENED: format_date(row.opened_on, locale, "short")}
        return tuple(texts[column] for column in Column)


SHOW_ALL, SHOW_MINE, SHOW_DUE, SHOW_OUTREACH, SHOW_CONFLICTS = range(5)


def _same_list(one: CaseQuery, other: CaseQuery) -> bool:
    """Whether two queries list the same cases in the same order (a single typed letter
    or trailing space changes nothing the store is asked)."""
    return (match_expression(one.text) == match_expression(other.text)
            and dataclasses.replace(one, text="") == dataclasses.replace(other, text=""))


class CaseListPanel(QWidget):
    """Search box, filters, the list and a count; emits the case the user opens."""

    case_chosen = Signal(int)  # a case selected in the list: shown beside it
    case_entered = Signal(int)  # Enter or a double click on it: to work on it

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search cases (Ctrl+F)"))
        self.search.setToolTip(_("Search by name, identity number, address, landlord's "
                                 "reference or notes"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        filters = QHBoxLayout()
        self.show_filter = QComboBox()
        for text in (_("All cases"), _("My cases"), _("Follow-ups due"), _("Outreach queue"),
                     _("Cases with conflicts")):
            self.show_filter.addItem(text)
        self.status_filter = QComboBox()
        self.status_filter.addItem(_("Any status"), None)
        for status, text in choices(CaseStatus):
            self.status_filter.addItem(text, status)
        filters.addWidget(QLabel(_("Show")))
        filters.addWidget(self.show_filter, 1)
        filters.addWidget(self.status_filter, 1)
        layout.addLayout(filters)

        self.model = CaseListModel(ctx)
        self.view = QTableView()
        self.view.setModel(self.model)
        # Sorting is done by the store: a click on a header asks for a new query.
        header = self.view.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.setSortIndicator(Column.OPENED, Qt.DescendingOrder)
        self.user_sort: tuple[SortKey, bool] | None = None
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        header.setSectionResizeMode(QHeaderView.Fixed)
        header.setSectionResizeMode(Column.NAME, QHeaderView.Stretch)
        self.widths = self._column_widths()
        for column, width in self.widths.items():
            self.view.setColumnWidth(column, width)
        self.several_advisors = False
        self.view.viewport().installEventFilter(self)  # its resizes: which columns fit
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        layout.addWidget(self.view, 1)
        self.count = QLabel()
        layout.addWidget(self.count)

        header.sortIndicatorChanged.connect(self._sort_clicked)
        self.search.textChanged.connect(self.apply_filters)
        self.show_filter.currentIndexChanged.connect(self.apply_filters)
        self.status_filter.currentIndexChanged.connect(self.apply_filters)
        self.view.activated.connect(self._activated)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.search.returnPressed.connect(self._open_first)
        # (Ctrl+F is Case → Find… in the menu: a second binding here made Qt refuse both.)
        self.model.modelReset.connect(self._update_count)
        self.model.modelReset.connect(self._mark_open_case)
        self.model.rowsInserted.connect(self._update_count)
        self.open_case_id: int | None = None  # the case shown beside the list (marked in it)
        self._marking = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Resize and watched is self.view.viewport():
            self.fit_columns()
        return False

    def fit_columns(self) -> None:
        """As many columns as fit the list's width, each whole (headers are never cut
        short); the name takes what is left. A narrow list keeps name, arrears and
        follow-up."""
        room = self.view.viewport().width()
        for column in KEPT_FIRST:
            wanted = column != Column.ADVISOR or self.several_advisors
            width = self.widths[column]
            fits = wanted and (column == Column.NAME or width <= room)
            self.view.setColumnHidden(column, not fits)
            if fits:
                room -= width

    def _column_widths(self) -> dict[Column, int]:
        """Widths that fit what the columns hold in this language and locale."""
        metrics = self.view.fontMetrics()
        locale, pad = self.ctx.locale, 18
        widest_date = format_date(date(2026, 12, 28), locale, "short")
        samples = {
            Column.NAME: "Johanna Nieminen-Holm",
            Column.STATUS: max((text for _s, text in choices(CaseStatus)), key=len),
            Column.ARREARS: format_money(99_999_00, self.ctx.currency, locale),
            Column.NEXT_FOLLOWUP: widest_date, Column.OPENED: widest_date,
            Column.ADVISOR: "advisor",
            Column.LANDLORD: "Kaupunkiasunnot Oy",
        }
        widths = {column: metrics.horizontalAdvance(text) + pad
                  for column, text in samples.items()}
        for column in widths:  # a header must fit too
            header = _(HEADERS[column])
            widths[column] = max(widths[column], metrics.horizontalAdvance(header) + pad + 8)
        return widths

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def query(self) -> CaseQuery:
        show = self.show_filter.currentIndex()
        text = self.search.text()
        if self.user_sort is not None:
            sort, descending = self.user_sort
        else:  # best matches first while searching, else the newest cases first
            sort, descending = (SortKey.RELEVANCE if text.strip() else SortKey.OPENED), True
        return CaseQuery(
            text=text,
            status=CaseStatus.OUTREACH if show == SHOW_OUTREACH
            else self.status_filter.currentData(),
            advisor_id=self.ctx.session.user.id if show == SHOW_MINE and self.ctx.session
            else None,
            followups_due_by=date.today() if show == SHOW_DUE else None,
            with_conflicts=show == SHOW_CONFLICTS,
            sort=sort, descending=descending)

    def apply_filters(self) -> None:
        if not self.ctx.unlocked:
            return
        # With one advisor the column would say the same name on every line.
        several = len(self.ctx.advisors()) >= 2
        if several != self.several_advisors:
            self.several_advisors = several
            self.fit_columns()
        query = self.query()
        if self.model.rows and _same_list(query, self.model.query):
            self.model.query = query  # e.g. one more letter typed that narrows nothing yet
            return
        self.model.set_query(query)

    def _sort_clicked(self, column: int, order: Qt.SortOrder) -> None:
        self.user_sort = (SORT_KEYS[Column(column)], order == Qt.DescendingOrder)
        self.apply_filters()

    def refresh(self) -> None:
        self.model.refresh()

    def select_case(self, case_id: int) -> None:
        row = self.model.row_of(case_id)
        if row is not None:
            self.view.selectRow(row)

    def _mark_open_case(self) -> None:
        """A new search or sort keeps the open case marked where it appears in the list
        (selecting it again opens nothing: it is open)."""
        if self.open_case_id is None:
            return
        row = self.model.row_of(self.open_case_id)
        if row is not None:
            self._marking = True
            try:
                self.view.selectRow(row)
            finally:
                self._marking = False

    def _activated(self, index: QModelIndex) -> None:
        self.case_chosen.emit(index.data(CASE_ID_ROLE))
        self.case_entered.emit(index.data(CASE_ID_ROLE))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._marking:
            self.case_chosen.emit(current.data(CASE_ID_ROLE))

    def _open_first(self) -> None:
        if self.model.rowCount():
            self.view.selectRow(0)
            self.view.setFocus()

    def _update_count(self) -> None:
        total = self.model.total
        if self.model.ranked() and total >= RANKED_LIMIT:
            self.count.setText(ngettext(
                "The first {count} match; type more to narrow the search.",
                "The first {count} matches; type more to narrow the search.",
                total).format(count=total))
        else:
            self.count.setText(ngettext("{count} case", "{count} cases", total).format(
                count=total))
