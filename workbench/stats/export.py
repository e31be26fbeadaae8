"""Writing a report: CSV (tidy, one row per cell), XLSX (a sheet per table) and PDF (a chart
per table), each in the chosen language.

Every hidden value reads the same neutral mark, "..", as in Statistics Finland's tables
(".. data subject to secrecy"): a separate mark for values hidden only to protect others
would tell a reader those are k or more. A withheld money figure reads "not published".
Money is formatted for the language and the organisation's country, as everywhere else.
"""

from __future__ import annotations

import csv
import io

from workbench.i18n import (
    N_,
    format_date,
    format_money,
    format_number,
    locale_for,
    translations_for,
)
from workbench.stats.report import Report, Value, cell, column_total, grand_total, row_total
from workbench.stats.tables import COUNTRY_BY_CURRENCY, StatTable

TITLE = N_("Housing advice statistics")
TOTAL = N_("Total")
MARK = ".."
LEGEND = N_("“..” marks a value that is not published: a count from 1 to {below}, or a "
            "value hidden so that such counts cannot be worked out from this report together "
            "with earlier ones. Money figures over fewer than {k} households are not "
            "published either.")
NOT_PUBLISHED = N_("not published")
PERIOD = N_("Period")
MADE_ON = N_("Made on")
HEADER_FILL = "1F2A37"


def shown(value: Value, k: int, unit: str, currency: str, language: str) -> str:
    if value.hidden:
        return MARK
    locale = money_locale(language, currency)
    if unit == "money":
        return format_money(value.number, currency, locale)
    return format_number(value.number, locale)


def money_locale(language: str, currency: str):
    """The language's words with the organisation's country's number style, as the rest
    of the program shows money (``1 850,00 €`` also in English)."""
    return locale_for(language, COUNTRY_BY_CURRENCY.get(currency))


def _date(day, locale) -> str:
    """One date style in every export: the locale's short numeric date."""
    return format_date(day, locale, "short")


def major_units(amount: int) -> float:
    """Money is kept in minor units (cents, öre, øre); files show major units."""
    return amount / 100


def _lines(table: StatTable):
    """(row index or None for totals, column index or None) for every published value."""
    grid = table.grid
    for r in range(grid.rows):
        for c in range(grid.columns):
            yield r, c
        if grid.row_totals:
            yield r, None
    if grid.column_totals:
        for c in range(grid.columns):
            yield None, c
        if grid.row_totals:
            yield None, None  # the grand total


def value_at(table: StatTable, r: int | None, c: int | None) -> Value:
    if r is not None and c is not None:
        return cell(table, r, c)
    if r is not None:
        return row_total(table, r)
    if c is not None:
        return column_total(table, c)
    return grand_total(table)


def _number(value: int, unit: str) -> str | int:
    """Money in the currency's major units with two decimals (the store keeps cents)."""
    return f"{major_units(value):.2f}" if unit == "money" else value


def _cell_text(text: str) -> str:
    """Text a spreadsheet must not run as a formula (a partner named "=HYPERLINK(…)")."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


# --- CSV ----------------------------------------------------------------------------------

def to_csv(report: Report, language: str) -> bytes:
    """Tidy long format: table,row,column,value,unit; a hidden value reads "<k"."""
    t = translations_for(language).gettext
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "row", "column", "value", "unit"])
    for table in report.tables:
        title = t(table.title)
        for r, c in _lines(table):
            value = value_at(table, r, c)
            writer.writerow([
                _cell_text(title),
                _cell_text(report.text(table.rows[r], language) if r is not None else t(TOTAL)),
                _cell_text(report.text(table.columns[c], language) if c is not None
                           else t(TOTAL)),
                MARK if value.hidden else _number(value.number, table.unit),
                table.unit])
        for figure in table.figures:
            writer.writerow([_cell_text(title), _cell_text(t(figure.label)), "",
                             t(NOT_PUBLISHED) if figure.value is None
                             else _number(figure.value, figure.unit), figure.unit])
    return out.getvalue().encode("utf-8")


# --- XLSX ---------------------------------------------------------------------------------

def to_xlsx(report: Report, language: str) -> bytes:
    # openpyxl (and numpy, which it loads when present) only when a workbook is written:
    # the window need not carry them.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    t = translations_for(language).gettext
    book = Workbook()
    cover = book.active
    cover.title = t(N_("About"))[:31]
    locale = money_locale(language, report.currency)
    lines = [(t(TITLE), True), (report.organisation, False),
             (f"{t(PERIOD)}: {_date(report.period.start, locale)} – "
              f"{_date(report.period.end, locale)}", False),
             (f"{t(MADE_ON)}: {_date(report.generated_on, locale)}", False),
             (t(LEGEND).format(k=report.threshold,
                                                              below=report.threshold - 1),
              False), ("", False)]
    for table in report.tables:
        lines += [(t(table.title), True), (t(table.definition), False)]
    for n, (text, bold) in enumerate(lines, 1):
        cover.cell(row=n, column=1, value=text).font = Font(bold=bold, size=14 if n == 1 else 11)
        cover.cell(row=n, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    cover.column_dimensions["A"].width = 110
    for number, table in enumerate(report.tables, 1):
        sheet = book.create_sheet(f"{number} {t(table.title)}"[:31])
        _sheet(sheet, table, report, language)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(sheet, table: StatTable, report: Report, language: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    t = translations_for(language).gettext
    grid = table.grid
    sheet.cell(row=1, column=1, value=t(table.title)).font = Font(bold=True, size=13)
    header = [""] + [report.text(label, language) for label in table.columns]
    if grid.row_totals:
        header.append(t(TOTAL))
    for c, text in enumerate(header, 1):
        target = sheet.cell(row=3, column=c, value=text)
        target.data_type = "s"
        target.font = Font(bold=True, color="FFFFFF")
        target.fill = PatternFill("solid", fgColor=HEADER_FILL)
    body = [(r, report.text(label, language)) for r, label in enumerate(table.rows)]
    if grid.column_totals:
        body.append((None, t(TOTAL)))
    for n, (r, caption) in enumerate(body, 4):
        label_cell = sheet.cell(row=n, column=1, value=caption)
        label_cell.data_type = "s"  # a label is text, even if it starts with "="
        label_cell.font = Font(bold=r is None)
        for c in range(grid.columns + (1 if grid.row_totals else 0)):
            value = value_at(table, r, c if c < grid.columns else None)
            written = MARK if value.hidden else (
                major_units(value.number) if table.unit == "money" else value.number)
            target = sheet.cell(row=n, column=c + 2, value=written)
            target.alignment = Alignment(horizontal="right")
            if table.unit == "money" and not value.hidden:
                target.number_format = "#,##0.00"
    row = 4 + len(body) + 1
    for figure in table.figures:
        sheet.cell(row=row, column=1, value=t(figure.label))
        sheet.cell(row=row, column=2, value=t(NOT_PUBLISHED) if figure.value is None
                   else format_money(figure.value, report.currency,
                                     money_locale(language, report.currency)))
        row += 1
    sheet.cell(row=row + 1, column=1, value=t(table.definition)).alignment = Alignment(
        wrap_text=True)
    widths = [max(len(str(sheet.cell(row=r, column=c).value or ""))
                  for r in range(3, 4 + len(body))) for c in range(1, len(header) + 1)]
    for c, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(c)].width = min(60, max(10, width + 3))


# --- PDF ----------------------------------------------------------------------------------


def to_pdf(report: Report, language: str) -> bytes:
    # reportlab only when a PDF is written (the statistics window shows the figures
    # without it).
    from workbench.stats.export_pdf import to_pdf as write_pdf

    return write_pdf(report, language)
