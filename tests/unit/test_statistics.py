"""Statistics: disclosure control that holds, exports that parse, and no person in them."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.conftest import FAST_KDF
from workbench.cases.service import CaseService
from workbench.demo.seed import seed_demo
from workbench.errors import PermissionDenied
from workbench.session import Role, unlock
from workbench.stats import export
from workbench.stats.period import BadPeriod, parse_quarter, quarter_period
from workbench.stats.report import cell
from workbench.stats.service import StatsService, ThresholdTooLow
from workbench.stats.suppression import Grid, solvable, suppress
from workbench.users import UserService

counts = st.integers(0, 12)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5).flatmap(lambda rows: st.integers(1, 5).flatmap(
    lambda cols: st.lists(st.lists(counts, min_size=cols, max_size=cols), min_size=rows,
                          max_size=rows))), st.booleans(), st.booleans(), st.integers(3, 6))
def test_no_hidden_value_can_be_worked_out_and_no_small_count_shows(values, rows, cols, k):
    grid = suppress(Grid(values, row_totals=rows, column_totals=cols), k)
    assert solvable(grid) == []
    for r, line in enumerate(values):
        for c, value in enumerate(line):
            if 0 < value < k:
                assert (r, c) in grid.hidden
    for margin, value in grid.margins().items():
        if 0 < value < k:
            assert margin in grid.hidden_margins


def test_a_lone_small_cell_is_protected_by_hiding_a_second_one():
    grid = suppress(Grid([[28], [15], [12], [5], [8], [4]], column_totals=True), 5)
    assert (5, 0) in grid.hidden and len(grid.hidden) == 2 and (3, 0) in grid.hidden


def test_zero_is_shown():
    grid = suppress(Grid([[0], [9], [7]], column_totals=True), 5)
    assert grid.hidden == set()


def test_quarters_and_bad_periods():
    assert parse_quarter("2026Q3") == quarter_period(2026, 3)
    assert quarter_period(2026, 3).start == date(2026, 7, 1)
    assert quarter_period(2026, 4).end == date(2026, 12, 31)
    for text in ("2026Q5", "Q3", "2026-3", ""):
        with pytest.raises(BadPeriod):
            parse_quarter(text)


@pytest.fixture
def report(session):
    seed_demo(session, 400, seed=21, today=date(2026, 11, 21))
    return StatsService(session).report(quarter_period(2026, 3), today=date(2026, 11, 21))


def test_each_table_agrees_with_its_definition(session, report):
    tables = {t.key: t for t in report.tables}
    q3 = quarter_period(2026, 3)
    rows = CaseService(session).list_cases()
    opened = [r for r in rows if q3.start <= r.opened_on <= q3.end]
    assert tables["households"].grid.values[0][0] == len(opened)
    assert tables["referral_source"].grid.grand_total == len(opened)
    assert tables["arrears"].grid.grand_total == len(opened)
    contacts = session.db.scalar("SELECT count(*) FROM contacts WHERE at >= ? AND at < ?",
                                 ("2026-07-01", "2026-10-01"))
    assert tables["contacts"].grid.grand_total == contacts
    active = tables["households"].grid.values[0][1]
    assert tables["household_age"].grid.grand_total == active
    assert tables["landlord_type"].grid.grand_total == active


def test_the_exports_parse_and_hide_the_same_cells(report):
    rows = list(csv.DictReader(io.StringIO(export.to_csv(report, "en").decode("utf-8"))))
    assert {"table", "row", "column", "value", "unit"} == set(rows[0])
    hidden_csv = sum(1 for row in rows if row["value"] == export.MARK)
    book = load_workbook(io.BytesIO(export.to_xlsx(report, "sv")))
    assert len(book.sheetnames) == 1 + len(report.tables)
    hidden_xlsx = sum(1 for sheet in book.worksheets[1:] for line in sheet.iter_rows(
        values_only=True) for value in line if value == export.MARK)
    assert hidden_csv == hidden_xlsx > 0
    assert export.to_pdf(report, "da").startswith(b"%PDF")
    for row in rows:  # no count from 1 to k-1 anywhere
        if row["unit"] == "count" and row["value"].isdigit():
            assert not 0 < int(row["value"]) < report.threshold


def test_no_name_number_address_reference_or_note_appears_in_any_output(session, report,
                                                                      tmp_path):
    db = session.db
    needles = set()
    for first, last, number in db.all("SELECT first_name, last_name, identity_number "
                                      "FROM persons"):
        needles |= {first, last} | ({number} if number else set())
    for street, reference in db.all("SELECT street, landlord_reference FROM tenancies"):
        needles |= {street, reference}
    needles |= {row[0] for row in db.all("SELECT note FROM contacts") if row[0]}
    needles = {n for n in needles if n and len(n) > 3}
    outputs = {"csv": export.to_csv(report, "fi").decode("utf-8")}
    with zipfile.ZipFile(io.BytesIO(export.to_xlsx(report, "fi"))) as archive:
        outputs["xlsx"] = "".join(archive.read(name).decode("utf-8", "replace")
                                  for name in archive.namelist() if name.endswith(".xml"))
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(export.to_pdf(report, "fi"))
    outputs["pdf"] = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                    text=True, check=True).stdout
    assert "Asumisneuvonta Testi ry" in outputs["pdf"]  # the extraction works
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # all embedded
    for kind, text in outputs.items():
        found = sorted(n for n in needles if n in text)
        assert found == [], kind


def test_a_lead_sees_statistics_only_and_every_export_is_audited(session, tmp_path):
    UserService(session, kdf=FAST_KDF).add_user("lea", {Role.LEAD}, "leads passphrase 1")
    seed_demo(session, 50)
    session.lock()
    lead = unlock(session.location, "lea", "leads passphrase 1")
    with pytest.raises(PermissionDenied):
        CaseService(lead).list_cases()
    service = StatsService(lead)
    report = service.report(quarter_period(2026, 3))
    service.export(report, "csv", "fi", tmp_path / "q3.csv")
    assert lead.db is None  # the lead's passphrase opened no case store
    last = lead.facts_db.one("SELECT actor, action, entity FROM fact_audit ORDER BY id DESC")
    assert tuple(last) == ("lea", "stats.export.csv", "stats:2026Q3:k5")
    with pytest.raises(ThresholdTooLow):
        service.report(quarter_period(2026, 3), threshold=2)
    lead.lock()


def test_cells_read_back_as_published(report):
    table = next(t for t in report.tables if t.key == "contacts")
    for r in range(table.grid.rows):
        value = cell(table, r, 0)
        assert value.hidden == ((r, 0) in table.grid.hidden)


def test_only_an_administrator_may_show_smaller_numbers(session):
    UserService(session, kdf=FAST_KDF).add_user("lea", {Role.LEAD}, "leads passphrase 1")
    StatsService(session).set_threshold(10)
    session.lock()
    lead = unlock(session.location, "lea", "leads passphrase 1")
    with pytest.raises(PermissionDenied):
        StatsService(lead).report(quarter_period(2026, 3), threshold=5)
    assert StatsService(lead).report(quarter_period(2026, 3)).threshold == 10
    lead.lock()


def test_typed_partner_names_stay_text_in_every_format(session, tmp_path):
    from datetime import date as day

    from tests.helpers import intake
    from workbench.cases.model import Referral

    cases = CaseService(session)
    for n in range(6):
        case_id = cases.create_case(intake(identity_text="", first_name=f"P{n}")).case.id
        cases.add(Referral(case_id, '=HYPERLINK("http://x","<b>Velka</b>")', day(2026, 8, 1)))
    report = StatsService(session).report(quarter_period(2026, 3))
    text = export.to_csv(report, "en").decode("utf-8")
    assert "'=HYPERLINK" in text
    with zipfile.ZipFile(io.BytesIO(export.to_xlsx(report, "en"))) as archive:
        sheets = "".join(archive.read(n).decode() for n in archive.namelist()
                         if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets  # no formula anywhere
    # In the PDF the name is text as typed, markup and all: not bold, not a crash.
    pdf = tmp_path / "partners.pdf"
    pdf.write_bytes(export.to_pdf(report, "en"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert '=HYPERLINK("http://x","<b>Velka</b>")' in text.replace("\n", "")


def test_a_longer_period_hides_what_its_published_quarters_would_give_away(session,
                                                                           tmp_path):
    from workbench.stats.disclosure import ADDITIVE
    from workbench.stats.period import NotWholeQuarters, Period

    seed_demo(session, 400, seed=21, today=date(2026, 11, 21))
    service = StatsService(session)
    q1, q2 = (service.report(quarter_period(2026, q)) for q in (1, 2))
    for report in (q1, q2):
        service.export(report, "csv", "en", tmp_path / f"{report.period.name}.csv")
    half = service.report(Period(date(2026, 1, 1), date(2026, 6, 30)))
    checked = 0
    for a, b, h in zip(q1.tables, q2.tables, half.tables, strict=True):
        for hidden in a.grid.hidden ^ b.grid.hidden:  # hidden in exactly one quarter
            if ADDITIVE[h.key](*hidden):  # the half year minus the other quarter gives it
                assert hidden in h.grid.hidden, (h.key, hidden)
                checked += 1
    assert checked > 0
    with pytest.raises(NotWholeQuarters):
        service.report(Period(date(2026, 1, 1), date(2026, 11, 15)))
