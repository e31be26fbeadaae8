"""Statistics: pick the period, preview the protected tables, export CSV, XLSX or PDF.

For a project lead this is the whole program: no case list, no case data.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.background import wait_for
from ui.context import AppContext, show_failure
from ui.dialogs import Dialogs
from ui.language_names import LANGUAGE_NAMES
from workbench.i18n import LANGUAGES, _, format_datetime
from workbench.stats import export
from workbench.stats.period import Period, quarter_period
from workbench.stats.report import Report
from workbench.stats.service import FORMATS, MAX_THRESHOLD, StatsService
from workbench.stats.suppression import MIN_THRESHOLD
from workbench.sync.background import team_status

FILTERS = {"csv": "CSV (*.csv)", "xlsx": "Excel (*.xlsx)", "pdf": "PDF (*.pdf)"}


def publishable_periods(today: date, quarters_back: int = 8, years_back: int = 3
                        ) -> list[tuple[str, Period]]:
    """What may be published (see ``check_publishable``): ended quarters, newest first;
    this year to date while a quarter of it has ended; whole ended years."""
    found = []
    index = today.year * 4 + (today.month - 1) // 3  # the current quarter, not yet ended
    for i in range(index - 1, index - 1 - quarters_back, -1):
        quarter = quarter_period(i // 4, i % 4 + 1)
        found.append((quarter.name, quarter))
    if today.month > 3:
        last = quarter_period(today.year, (today.month - 1) // 3)
        found.append((_("{year} to date (to {quarter})").format(
            year=today.year, quarter=last.name), Period(date(today.year, 1, 1), last.end)))
    for year in range(today.year - 1, today.year - 1 - years_back, -1):
        found.append((_("Year {year}").format(year=year),
                      Period(date(year, 1, 1), date(year, 12, 31))))
    return found


class StatsPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: Report | None = None
        layout = QVBoxLayout(self)
        self.team_note = QLabel()
        self.team_note.setObjectName("statsTeamNote")
        self.team_note.setWordWrap(True)
        layout.addWidget(self.team_note)
        self.refresh_team_note()
        form = QFormLayout()
        self.period = QComboBox()
        self.period.setObjectName("statsPeriod")
        for name, period in publishable_periods(date.today()):
            self.period.addItem(name, period)
        self.language = QComboBox()
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(LANGUAGES.index(ctx.preferences.language()))
        self.threshold = QSpinBox()
        self.threshold.setObjectName("statsThreshold")
        self.threshold.setRange(MIN_THRESHOLD, MAX_THRESHOLD)
        self.threshold.setValue(StatsService(ctx.session).threshold())
        form.addRow(_("Period"), self.period)
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
        # The tables by title in a list beside the table shown: ten titles never fit as tabs.
        body = QHBoxLayout()
        self.tables = QListWidget()
        self.tables.setObjectName("statsTables")
        self.tables.setMaximumWidth(280)
        self.pages = QStackedWidget()
        self.tables.currentRowChanged.connect(self.pages.setCurrentIndex)
        body.addWidget(self.tables)
        body.addWidget(self.pages, 1)
        layout.addLayout(body, 1)
        # What is shown is what the controls say: a changed choice clears the old preview.
        for signal in (self.period.currentIndexChanged, self.threshold.valueChanged):
            signal.connect(self._clear)

    def refresh_team_note(self) -> None:
        """On a laptop in a team: the figures are the whole team's, as of the last sync."""
        status = team_status(self.ctx.session) if self.ctx.unlocked else None
        if status is None or not status.in_team:
            self.team_note.hide()
            return
        if status.last_sync is None:
            text = _("The whole team's figures arrive with the first sync.")
        else:
            text = _("The whole team's figures, as of the last sync on {time}.").format(
                time=format_datetime(status.last_sync, self.ctx.locale, "short"))
        self.team_note.setText(text)
        self.team_note.show()

    def chosen_period(self) -> Period:
        return self.period.currentData()

    def _clear(self) -> None:
        self.report = None
        self.tables.clear()
        while self.pages.count():
            self.pages.removeWidget(self.pages.widget(0))
        self.legend.clear()

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
        self._clear()
        self.report = report
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
                    item = QTableWidgetItem(text)
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)  # figures line up
                    widget.setItem(r, c, item)
            self.tables.addItem(f"{number}. {_(table.title)}")
            self.pages.addWidget(widget)
        self.tables.setCurrentRow(0)

    def export(self, fmt: str) -> None:
        # Always the period and threshold the controls show now, never an older preview.
        report = self.refresh()
        if report is None:
            return
        target = Dialogs.save_file(self, _("Export the statistics"),
                                   f"statistics-{report.period.name}.{fmt}", FILTERS[fmt])
        if target is None:
            return
        language = self.language.currentData()
        try:
            # On a worker behind a busy dialog: the disclosure audit and the PDF's charts
            # take seconds on a big store.
            wait_for(self, lambda: StatsService(self.ctx.session).export(report, fmt, language,
                                                                         target),
                     _("Writing the statistics…"), _("Statistics"))
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
