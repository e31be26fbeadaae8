"""The statistics report as a PDF with charts (reportlab), for the funder."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import STATE_DEFAULTS, Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from workbench.agreements.render import FONT, FONT_BOLD, _register_fonts
from workbench.i18n import format_money, format_number, format_whole_money, translations_for
from workbench.stats.export import (
    LEGEND,
    MADE_ON,
    NOT_PUBLISHED,
    PERIOD,
    TITLE,
    TOTAL,
    _date,
    money_locale,
    shown,
    value_at,
)
from workbench.stats.report import Report, cell, row_total
from workbench.stats.tables import StatTable


def to_pdf(report: Report, language: str) -> bytes:
    _register_fonts()
    t = translations_for(language).gettext
    locale = money_locale(language, report.currency)
    body = ParagraphStyle("b", fontName=FONT, fontSize=9.5, leading=13)
    small = ParagraphStyle("s", parent=body, fontSize=8, leading=10.5,
                           textColor=colors.HexColor("#5b6675"))
    h1 = ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=18, leading=23)
    h2 = ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=12, leading=16,
                        spaceBefore=8, spaceAfter=3)
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                                 topMargin=18 * mm, bottomMargin=18 * mm, title=t(TITLE),
                                 author=report.organisation, lang=language,
                                 initialFontName=FONT)
    story = [Paragraph(t(TITLE), h1), Paragraph(report.organisation, body),
             Paragraph(f"{t(PERIOD)}: {_date(report.period.start, locale)} – "
                       f"{_date(report.period.end, locale)} · {t(MADE_ON)}: "
                       f"{_date(report.generated_on, locale)}", body),
             Spacer(1, 3 * mm),
             Paragraph(t(LEGEND).format(
                 k=report.threshold, below=report.threshold - 1), small)]
    for number, table in enumerate(report.tables, 1):
        chart = _chart(table, report, language)
        block = [Paragraph(f"{number}. {escape(t(table.title))}", h2),
                 *([chart] if chart is not None else []),
                 _table(table, report, language, body), Paragraph(t(table.definition), small)]
        block += [Paragraph(escape(f"{t(f.label)}: " + (
            t(NOT_PUBLISHED) if f.value is None
            else format_money(f.value, report.currency, locale))), body)
                  for f in table.figures]
        story.append(KeepTogether(block))
    # reportlab's charts start every drawing in Helvetica, which would then sit in the file
    # unembedded; start them in our font instead (restored for anyone else afterwards).
    default_font = STATE_DEFAULTS["fontName"]
    STATE_DEFAULTS["fontName"] = FONT
    try:
        document.build(story)
    finally:
        STATE_DEFAULTS["fontName"] = default_font
    return out.getvalue()


def _chart_data(table: StatTable, report: Report, language: str) -> tuple[list, list]:
    """One bar per line of the table, in the table's order: the cells of a one-row or
    one-column table, else each row's total. A hidden value is drawn as no bar."""
    grid = table.grid
    if grid.rows == 1:
        labels = [report.text(label, language) for label in table.columns]
        values = [cell(table, 0, c).number or 0 for c in range(grid.columns)]
    elif grid.columns == 1:
        labels = [report.text(label, language) for label in table.rows]
        values = [cell(table, r, 0).number or 0 for r in range(grid.rows)]
    else:
        labels = [report.text(label, language) for label in table.rows]
        values = [row_total(table, r).number or 0 for r in range(grid.rows)]
    return labels, values


def _chart(table: StatTable, report: Report, language: str) -> Drawing | None:
    labels, values = _chart_data(table, report, language)
    if not any(values):
        return None  # nothing to draw: every value is zero or hidden
    locale = money_locale(language, report.currency)
    # Room below the bars for the value axis's numbers, so the table does not cover them.
    axis_room = 14
    height = axis_room + 8 + 13 * len(labels)
    drawing = Drawing(170 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 60 * mm, axis_room, 100 * mm, height - \
        axis_room - 4
    chart.data = [values[::-1]]  # drawn bottom-up: reversed, it reads as the table does
    chart.categoryAxis.categoryNames = labels[::-1]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max(values)
    step = max(1, _nice_step(top))
    chart.valueAxis.valueStep = step
    chart.valueAxis.valueMax = step * -(-top // step)
    chart.valueAxis.labelTextFormat = (
        (lambda v: format_whole_money(int(v), report.currency, locale))
        if table.unit == "money" else (lambda v: format_number(int(v), locale)))
    chart.barLabels.fontName = FONT  # every text in the chart in the embedded font
    chart.bars[0].fillColor = colors.HexColor("#2f5d8a")
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def _nice_step(top: int) -> int:
    """A round step giving about five ticks: 1, 2, 5, 10, 20, 50 …"""
    raw = max(1, top) / 5
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)


def _table(table: StatTable, report: Report, language: str, style) -> Table:
    t = translations_for(language).gettext
    grid = table.grid
    header = [""] + [report.text(label, language) for label in table.columns]
    if grid.row_totals:
        header.append(t(TOTAL))
    rows = [header]
    captions = [(r, report.text(label, language)) for r, label in enumerate(table.rows)]
    if grid.column_totals:
        captions.append((None, t(TOTAL)))
    for r, caption in captions:
        line = [caption]
        for c in range(grid.columns + (1 if grid.row_totals else 0)):
            line.append(shown(value_at(table, r, c if c < grid.columns else None),
                               report.threshold, table.unit, report.currency, language))
        rows.append(line)
    first = 60 * mm if len(header) <= 5 else 42 * mm  # wide tables give their numbers room
    rest = (170 * mm - first) / max(1, len(header) - 1)
    heading = ParagraphStyle("th", parent=style, fontName=FONT_BOLD, fontSize=7.5, leading=9,
                             alignment=2)  # column headings wrap instead of overlapping
    result = Table([[Paragraph(escape(str(x)), style) if n == 0 else
                     Paragraph(escape(str(x)), heading) if m == 0 else x
                     for n, x in enumerate(line)]
                    for m, line in enumerate(rows)],
                   colWidths=[first] + [rest] * (len(header) - 1), repeatRows=1)
    result.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD), ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#1f2a37")),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.HexColor("#c9d1da")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return result
