"""Statistics: pick the period, preview the protected tables, export CSV, XLSX or PDF.

For a project lead this is the whole program: no case list, no case data.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext, show_failure
from ui.dialogs import Dialogs
from ui.setup_wizard import LANGUAGE_NAMES
from workbench.i18n import LANGUAGES, _
from workbench.stats import export
from workbench.stats.period import Period, quarter_period, year_to_date
from workbench.stats.report import Report
from workbench.stats.service import FORMATS, StatsService
from workbench.stats.suppression import MIN_THRESHOLD

CUSTOM = "custom"
FILTERS = {"csv": "CSV (*.csv)", "xlsx": "Excel (*.xlsx)", "pdf": "PDF (*.pdf)"}


def quarters(today: date, count: int = 8) -> list[Period]:
    """The current quarter and the ones before it, newest first."""
    index = today.year * 4 + (today.month - 1) // 3
    return [quarter_period(i // 4, i % 4 + 1) for i in range(index, index - count, -1)]


class StatsPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: Report | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.period = QComboBox()
        today = date.today()
        for period in quarters(today):
            self.period.addItem(period.name, period)
        self.period.addItem(_("Year to date"), year_to_date(today))
        self.period.addItem(_("Custom period"), CUSTOM)
        # A custom period is whole quarters: from one quarter to another (see Period.quarters).
        self.start, self.end = QComboBox(), QComboBox()
        for period in reversed(quarters(today, 12)):
            self.start.addItem(period.name, period)
            self.end.addItem(period.name, period)
        self.start.setCurrentIndex(max(0, self.start.count() - 4))
        self.end.setCurrentIndex(self.end.count() - 1)
        for edit in (self.start, self.end):
            edit.setEnabled(False)
        custom = QHBoxLayout()
        custom.addWidget(self.start)
        custom.addWidget(QLabel("–"))
        custom.addWidget(self.end)
        self.language = QComboBox()
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(LANGUAGES.index(ctx.preferences.language()))
        self.threshold = QSpinBox()
        self.threshold.setRange(MIN_THRESHOLD, 50)
        self.threshold.setValue(StatsService(ctx.session).threshold())
        form.addRow(_("Period"), self.period)
        form.addRow(_("From quarter – to quarter"), custom)
        form.addRow(_("Language of the export"), self.language)
        form.addRow(_("Hide counts below"), self.threshold)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        preview = QPushButton(_("&Show the tables"))
        preview.clicked.connect(self.refresh)
        buttons.addWidget(preview)
        for fmt in FORMATS:
            button = QPushButton(_("Export {format}…").format(format=fmt.upper()))
            button.clicked.connect(lambda _checked=False, f=fmt: self.export(f))
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        layout.addWidget(self.legend)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.period.setCurrentIndex(1 if self.period.count() > 2 else 0)  # the last full one

    def _period_changed(self) -> None:
        custom = self.period.currentData() == CUSTOM
        for edit in (self.start, self.end):
            edit.setEnabled(custom)

    def chosen_period(self) -> Period:
        data = self.period.currentData()
        if data == CUSTOM:
            return Period(self.start.currentData().start, self.end.currentData().end)
        return data

    def refresh(self) -> Report | None:
        try:
            self.report = StatsService(self.ctx.session).report(self.chosen_period(),
                                                                 self.threshold.value())
        except Exception as error:
            show_failure(self, error)
            return None
        self._show(self.report)
        return self.report

    def _show(self, report: Report) -> None:
        self.tabs.clear()
        language = self.ctx.preferences.language()
        self.legend.setText(_(export.LEGEND).format(
            k=report.threshold, below=report.threshold - 1))
        for number, table in enumerate(report.tables, 1):
            grid = table.grid
            columns = [report.text(c, language) for c in table.columns]
            if grid.row_totals:
                columns.append(_("Total"))
            rows = [report.text(r, language) for r in table.rows]
            if grid.column_totals:
                rows.append(_("Total"))
            widget = QTableWidget(len(rows), len(columns))
            widget.setHorizontalHeaderLabels(columns)
            widget.setVerticalHeaderLabels(rows)
            widget.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
            for r in range(len(rows)):
                for c in range(len(columns)):
                    value = export.value_at(table, r if r < grid.rows else None,
                                            c if c < grid.columns else None)
                    text = export.shown(value, report.threshold, table.unit, report.currency,
                                         language)
                    widget.setItem(r, c, QTableWidgetItem(text))
            self.tabs.addTab(widget, f"{number}")
            self.tabs.setTabToolTip(self.tabs.count() - 1, _(table.title))

    def export(self, fmt: str) -> None:
        report = self.report or self.refresh()
        if report is None:
            return
        target = Dialogs.save_file(self, _("Export the statistics"),
                                   f"statistics-{report.period.name}.{fmt}", FILTERS[fmt])
        if target is None:
            return
        try:
            StatsService(self.ctx.session).export(report, fmt, self.language.currentData(),
                                                  target)
        except Exception as error:
            show_failure(self, error)
            return
        Dialogs.inform(self, _("Wrote the statistics to {path}.").format(path=target))


class StatsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Statistics"))
        self.resize(900, 640)
        layout = QVBoxLayout(self)
        self.panel = StatsPanel(ctx)
        layout.addWidget(self.panel)
