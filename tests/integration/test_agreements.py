"""Sealed agreements checked by the program and by poppler's pdfsig, read by pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from tests.conftest import ADMIN, PASSPHRASE, make_store
from tests.helpers import intake
from tests.integration.cli import run, run_unlocked
from workbench.agreements.identity import create_identity
from workbench.agreements.service import AgreementService, StoredButNotWritten
from workbench.cases.model import ArrearsComponent, HouseholdMember, MemberRole
from workbench.cases.service import CaseService
from workbench.i18n import format_money, locale_for, translations_for
from workbench.plans.model import PlanDraft, PlanRow
from workbench.plans.schedule import PlanTerms, build_schedule
from workbench.plans.service import PlanService
from workbench.session import unlock

POPPLER = all(shutil.which(tool) for tool in ("pdfsig", "pdftotext", "pdffonts"))


def poppler(*command: str) -> str:
    assert POPPLER, "poppler-utils (pdfsig, pdftotext, pdffonts) must be installed"
    return subprocess.run(command, capture_output=True, text=True, check=False).stdout


@pytest.fixture
def store(location):
    """A case for Åsa Øberg-Nyström and Jaakko Jääskeläinen with a 120-instalment plan."""
    session = make_store(location)
    cases = CaseService(session)
    case_id = cases.create_case(intake(first_name="Åsa", last_name="Øberg-Nyström",
                                       rent_arrears=12_345_67)).case.id
    cases.add(HouseholdMember(case_id, MemberRole.PARTNER, "Jaakko Jääskeläinen", 1980))
    rows = [PlanRow(i.due, i.amount) for i in build_schedule(
        PlanTerms(12_345_67, date(2026, 12, 1), 31, months=120))]
    PlanService(session).save_revision(case_id, PlanDraft(
        {ArrearsComponent.RENT: 12_345_67}, date(2026, 12, 1), 31, rows, months=120,
        monthly_rent=780_00))
    bare = cases.create_case(intake(identity_text="", last_name="Ilman-Suunnitelmaa")).case.id
    session.lock()
    return location, case_id, bare


def make(location, case_id, language, out):
    result = run_unlocked(location.data_dir, "agreement", str(case_id), "--lang", language,
                          "--out", str(out), "--place", "Helsinki")
    assert result.returncode == 0, result.stderr
    return out


def test_a_sealed_agreement_is_valid_for_pdfsig_and_for_verify(store, tmp_path):
    location, case_id, _bare = store
    pdf = make(location, case_id, "fi", tmp_path / "agreement.pdf")
    report = poppler("pdfsig", str(pdf))
    assert "Signature is Valid" in report and "Total document signed" in report
    checked = run(location.data_dir, "verify", str(pdf), user=None)
    assert checked.returncode == 0, checked.stdout
    assert checked.stderr == ""  # no library's log lines or tracebacks
    assert "Signer: Asumisneuvonta Testi ry" in checked.stdout
    assert f"FI-{date.today().year}-{case_id:06d}-1" in checked.stdout  # the number
    assert pdf.stat().st_size <= 200 * 1024


def test_a_changed_byte_or_an_appended_update_fails_both_checks(store, tmp_path):
    location, case_id, _bare = store
    original = make(location, case_id, "en", tmp_path / "agreement.pdf").read_bytes()
    changed = bytearray(original)
    position = original.index(b"stream", original.index(b"/FlateDecode")) + 60  # page content
    changed[position] ^= 0x01
    (tmp_path / "changed.pdf").write_bytes(bytes(changed))
    appended = original + b"\n1 0 obj\n<< /Evil true >>\nendobj\n%%EOF\n"
    (tmp_path / "appended.pdf").write_bytes(appended)
    (tmp_path / "updated.pdf").write_bytes(incremental_update(original))
    for name in ("changed.pdf", "appended.pdf", "updated.pdf"):
        report = poppler("pdfsig", str(tmp_path / name))
        assert not ("Signature is Valid" in report and "Total document signed" in report)
        checked = run(location.data_dir, "verify", str(tmp_path / name), user=None)
        assert checked.returncode == 1
        assert "changed" in checked.stdout


def incremental_update(pdf: bytes) -> bytes:
    """A well-formed update appended after the seal, as an editing program would write it."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    writer.set_info(generic.DictionaryObject({
        generic.NameObject("/Title"): generic.TextStringObject("Changed afterwards")}))
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_stranger_seal_and_no_seal_are_refused(store, tmp_path):
    location, case_id, _bare = store
    pdf = make(location, case_id, "en", tmp_path / "agreement.pdf")
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(create_identity("Someone Else", "FI").certificate_pem)
    checked = run(None, "verify", str(pdf), "--certificate", str(stranger), user=None)
    assert checked.returncode == 1 and "not the organisation's" in checked.stdout
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    assert run(location.data_dir, "verify", str(plain), user=None).returncode == 1


def test_a_case_without_a_plan_gets_a_clear_error(store, tmp_path):
    location, _case_id, bare = store
    result = run_unlocked(location.data_dir, "agreement", str(bare), "--lang", "sv",
                          "--out", str(tmp_path / "x.pdf"))
    assert result.returncode == 2 and "no payment plan" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("language", ["fi", "sv", "da", "en"])
def test_each_language_reads_right_with_every_font_embedded(store, tmp_path, language):
    location, case_id, _bare = store
    pdf = make(location, case_id, language, tmp_path / f"{language}.pdf")
    text = poppler("pdftotext", "-layout", str(pdf), "-").replace("\u00a0", " ")
    assert "Åsa Øberg-Nyström" in text and "Jaakko Jääskeläinen" in text
    translate = translations_for(language).gettext
    for heading in ("Payment schedule", "Parties", "Conditions", "Total to repay"):
        assert translate(heading) in text
        assert language == "en" or translate(heading) != heading  # really translated
    total = format_money(12_345_67, "EUR", locale_for(language, "FI")).replace("\u00a0", " ")
    assert total in text  # 12 345,67 € in Finnish, 12.345,67 € in Danish
    fonts = poppler("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # the "emb" column


def test_a_long_plan_repeats_the_table_headings_on_every_page(store, tmp_path):
    location, case_id, _bare = store
    pdf = make(location, case_id, "en", tmp_path / "long.pdf")
    pages = poppler("pdftotext", "-layout", str(pdf), "-").split("\f")
    with_schedule = [page for page in pages if "/12/20" in page or "/01/20" in page]
    assert len(with_schedule) >= 3
    assert all("To pay that month" in page for page in with_schedule)


def test_the_agreement_is_kept_encrypted_in_the_store(store, tmp_path):
    location, case_id, _bare = store
    make(location, case_id, "da", tmp_path / "a.pdf")
    session = unlock(location, ADMIN, PASSPHRASE)
    from workbench.agreements.service import AgreementService

    service = AgreementService(session)
    documents = service.documents(case_id)
    assert [d.kind for d in documents] == ["agreement"] and documents[0].language == "da"
    assert service.check(documents[0].id).valid
    session.lock()
    blob = b"".join(p.read_bytes() for p in location.data_dir.iterdir() if p.is_file())
    assert b"%PDF" not in blob and "Øberg".encode() not in blob


def test_verify_answers_0_or_1_whatever_it_is_given(store, tmp_path):
    location, case_id, _bare = store
    pdf = make(location, case_id, "en", tmp_path / "a.pdf").read_bytes()
    broken_range = pdf.replace(b"/ByteRange [", b"/ByteRange [x", 1)
    cases = {"byterange.pdf": broken_range, "empty.pdf": b"", "text.pdf": b"hello"}
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
    not_a_cert = tmp_path / "cert.pem"
    not_a_cert.write_text("not a certificate")
    runs = [run(location.data_dir, "verify", str(tmp_path / name), user=None) for name in cases]
    runs.append(run(location.data_dir, "verify", str(tmp_path), user=None))  # a folder
    runs.append(run(None, "verify", str(tmp_path / "a.pdf"), "--certificate", str(not_a_cert),
                    user=None))
    runs.append(run(location.data_dir, "verify", str(tmp_path / "missing.pdf"), user=None))
    for result in runs:
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr and "unexpected" not in result.stderr


def test_markup_typed_as_the_place_is_printed_as_written(store, tmp_path):
    location, case_id, _bare = store
    result = run_unlocked(location.data_dir, "agreement", str(case_id), "--lang", "en",
                          "--out", str(tmp_path / "a.pdf"), "--place",
                          'Kylä <font size="0">salaa</font>')
    assert result.returncode == 0, result.stderr
    text = poppler("pdftotext", str(tmp_path / "a.pdf"), "-")
    assert '<font size="0">salaa</font>' in text.replace("\n", " ")


def test_every_agreement_gets_its_own_number(store):
    location, case_id, _bare = store
    session = unlock(location, ADMIN, PASSPHRASE)
    service = AgreementService(session)
    first, _pdf = service.make(case_id, "fi")
    second, _pdf = service.make(case_id, "sv")  # the same plan revision again
    third, pdf = service.make(case_id, "en")
    base = f"FI-{date.today().year}-{case_id:06d}"
    assert [first.number, second.number, third.number] == [f"{base}-{n}" for n in (1, 2, 3)]
    assert third.filename == f"{base}-3.pdf"
    assert service.check(third.id).document_number == f"{base}-3"
    assert service.content(third.id) == pdf
    session.lock()


def test_a_file_that_cannot_take_its_name_after_storing_is_reported_truthfully(store,
                                                                               tmp_path):
    location, case_id, _bare = store
    out = tmp_path / "agreement.pdf"
    out.mkdir()  # something in the way that only the final rename runs into
    (out / "keep").write_text("")
    session = unlock(location, ADMIN, PASSPHRASE)
    service = AgreementService(session)
    with pytest.raises(StoredButNotWritten) as raised:
        service.make(case_id, "fi", out=out)
    [document] = service.documents(case_id)
    message = raised.value.message()
    assert f"Agreement {document.number} was sealed and kept in case {case_id}" in message
    assert "Export a copy" in message and "nothing was written" not in message
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    session.lock()


def test_sealing_the_agreement_records_the_plan_made(store):
    """Found: the outcome "Payment plan made" had to be ticked by hand after sealing."""
    from workbench.cases.model import Outcome

    location, case_id, _bare = store
    session = unlock(location, ADMIN, PASSPHRASE)
    cases = CaseService(session)
    assert Outcome.PAYMENT_PLAN_MADE not in {o.outcome for o in
                                             cases.open_case(case_id).outcomes}
    service = AgreementService(session)
    service.make(case_id, "fi")
    service.make(case_id, "sv")  # once, however many agreements
    made = [o for o in cases.open_case(case_id).outcomes
            if o.outcome is Outcome.PAYMENT_PLAN_MADE]
    assert [o.recorded_on for o in made] == [date.today()]
    actions = [row[0] for row in session.db.all(
        "SELECT action FROM audit_log WHERE entity_id = ? ORDER BY id", (case_id,))]
    assert "outcomes.set" not in actions  # one action: the agreement and its outcome
    session.lock()
