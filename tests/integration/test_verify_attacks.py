"""Attacks on a sealed agreement, made as someone holding the organisation's own seal key
would make them. The seal is a certification with DocMDP "no changes": whatever is added
after it, signed with that key or not, and whatever is changed in the signature's unsigned
/Contents, must read "changed" (exit 1), never valid.

Also: agreements sealed with an earlier certificate still verify after a new one is made
or imported, and ``workbench verify FILE | head -1`` keeps verify's exit status.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter

from tests.conftest import ADMIN, PASSPHRASE, make_store
from tests.helpers import intake
from tests.integration.cli import run, run_unlocked
from tests.integration.test_agreements import poppler
from workbench.agreements.identity import (
    SigningIdentity,
    create_identity,
    load_identity,
    publish_certificate,
    published_certificate,
    published_certificates,
    save_identity,
)
from workbench.agreements.seal import FIELD_NAME
from workbench.agreements.service import AgreementService
from workbench.agreements.verify import SealStatus, verify
from workbench.cases.model import ArrearsComponent
from workbench.cases.service import CaseService
from workbench.plans.model import PlanDraft, PlanRow
from workbench.plans.schedule import PlanTerms, build_schedule
from workbench.plans.service import PlanService
from workbench.session import StoreLocation, unlock


def agreement_for_a_case(location: StoreLocation, out: Path) -> Path:
    """A real agreement for a case with a plan, made and sealed by ``workbench agreement``."""
    session = unlock(location, ADMIN, PASSPHRASE)
    cases = CaseService(session)
    case_id = cases.create_case(intake(rent_arrears=1_200_00)).case.id
    rows = [PlanRow(i.due, i.amount) for i in build_schedule(
        PlanTerms(1_200_00, date(2026, 12, 1), 31, months=12))]
    PlanService(session).save_revision(case_id, PlanDraft(
        {ArrearsComponent.RENT: 1_200_00}, date(2026, 12, 1), 31, rows, months=12,
        monthly_rent=780_00))
    session.lock()
    result = run_unlocked(location.data_dir, "agreement", str(case_id), "--lang", "en",
                          "--out", str(out), "--place", "Helsinki")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def sealed(location, tmp_path) -> tuple[StoreLocation, bytes]:
    make_store(location).lock()
    pdf = agreement_for_a_case(location, tmp_path / "agreement.pdf").read_bytes()
    assert verify(pdf, published_certificates(location.data_dir)).status is SealStatus.VALID
    return location, pdf


def the_organisations_key(location: StoreLocation) -> SigningIdentity:
    """What the attacker had: the seal key, read from the store as the program reads it."""
    session = unlock(location, ADMIN, PASSPHRASE)
    try:
        return load_identity(session)
    finally:
        session.lock()


def verify_command(location: StoreLocation, pdf: bytes, path: Path):
    path.write_bytes(pdf)
    return run(location.data_dir, "verify", str(path), user=None)


# --- the attacker's tools: pyHanko and the organisation's key ------------------------------

@pytest.fixture
def attacker(monkeypatch):
    # pyHanko itself refuses to sign a document certified with "no changes"; an attacker
    # simply skips that courtesy check.
    monkeypatch.setattr(signers.PdfSigner, "_enforce_certification_constraints",
                        lambda self, reader: None)


def annotate(writer: IncrementalPdfFileWriter, text: str) -> None:
    """A free-text annotation on the first page, as a PDF editor adds one."""
    page_ref, _resources = writer.find_page_for_modification(0)
    note = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/FreeText"),
        generic.NameObject("/Rect"): generic.ArrayObject(
            [generic.FloatObject(v) for v in (50, 700, 450, 740)]),
        generic.NameObject("/Contents"): generic.TextStringObject(text),
        generic.NameObject("/DA"): generic.pdf_string("/Helv 14 Tf 0 g"),
    }))
    page = page_ref.get_object()
    page[generic.NameObject("/Annots")] = generic.ArrayObject(
        [*page.get("/Annots", generic.ArrayObject()), note])
    writer.update_container(page)


def sign(writer: IncrementalPdfFileWriter, identity: SigningIdentity, field: str,
         certify: bool = False) -> bytes:
    certificates = list(load_certs_from_pemder_data(identity.certificate_pem))
    signer = signers.SimpleSigner(
        signing_cert=certificates[0],
        signing_key=load_private_key_from_pemder_data(identity.key_pem, passphrase=None),
        cert_registry=None)
    metadata = signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES,
        certify=certify, docmdp_permissions=MDPPerm.NO_CHANGES)
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


def written(writer: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def annotated_and_signed(pdf: bytes, identity: SigningIdentity) -> bytes:
    """The reported attack: a note added and signed again, in one incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    annotate(writer, "The debt is forgiven.")
    return sign(writer, identity, "Approval")


def annotated_then_signed(pdf: bytes, identity: SigningIdentity) -> bytes:
    """The note in one update, the new signature in a second one."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    annotate(writer, "The debt is forgiven.")
    again = IncrementalPdfFileWriter(io.BytesIO(written(writer)), strict=False)
    return sign(again, identity, "Approval")


def signed_again(pdf: bytes, identity: SigningIdentity) -> bytes:
    """Nothing visible changed, only a second signature added."""
    return sign(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), identity, "Approval")


def recertified(pdf: bytes, identity: SigningIdentity) -> bytes:
    """The seal taken out of the form, a note added and the document certified again under
    the seal's own field name: the latest revision shows a single, whole-file seal."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    root = writer.root
    form = root["/AcroForm"]
    seal_fields = [f for f in form["/Fields"] if f.get_object().get("/T") == FIELD_NAME]
    form[generic.NameObject("/Fields")] = generic.ArrayObject(
        [f for f in form["/Fields"] if f not in seal_fields])
    for widget in seal_fields:  # the seal's field is also its widget on a page
        page = widget.get_object()["/P"]
        page[generic.NameObject("/Annots")] = generic.ArrayObject(
            [a for a in page["/Annots"] if a not in seal_fields])
        writer.update_container(page)
    del root["/Perms"]
    writer.update_root()
    annotate(writer, "The debt is forgiven.")
    return sign(writer, identity, FIELD_NAME, certify=True)


ATTACKS = {"annotated and signed": annotated_and_signed,
           "annotated, then signed": annotated_then_signed,
           "signed again": signed_again,
           "seal removed and certified again": recertified}


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_update_signed_with_the_seal_key_is_changed(sealed, attacker, tmp_path, attack):
    location, pdf = sealed
    identity = the_organisations_key(location)
    attacked = ATTACKS[attack](pdf, identity)
    assert attacked.startswith(pdf)  # an incremental update: the sealed bytes are all there
    verdict = verify(attacked, identity.certificate_pem)
    assert verdict.status is SealStatus.CHANGED, verdict
    checked = verify_command(location, attacked, tmp_path / "attacked.pdf")
    assert checked.returncode == 1, checked.stdout
    assert checked.stdout.splitlines()[0] == "The document was changed after it was sealed."
    assert checked.stderr == ""
    # For context, what a PDF reader says: every signature is mathematically valid; only
    # the coverage of the first one (or, when the seal is taken out of the form, nothing at
    # all) tells that something was added.
    report = poppler("pdfsig", str(tmp_path / "attacked.pdf"))
    assert "Signature is Invalid" not in report
    if attack == "seal removed and certified again":
        assert report.count("Signature #") == 1 and "Total document signed" in report
    else:
        first, *later = report.split("Signature #2")
        assert "Not total document signed" in first
        assert later and "Total document signed" in later[0]


def test_an_update_signed_with_a_stranger_key_is_changed_too(sealed, attacker):
    location, pdf = sealed
    stranger = create_identity("Someone Else", "FI")
    for attack in ATTACKS.values():
        verdict = verify(attack(pdf, stranger), published_certificates(location.data_dir))
        assert verdict.status is SealStatus.CHANGED


# --- the signature's unsigned /Contents -----------------------------------------------------

def contents_span(pdf: bytes) -> tuple[int, int]:
    """Where the hex digits of the seal's /Contents are: the gap in its /ByteRange."""
    found = re.search(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+\d+\s*\]", pdf)
    start, end = int(found.group(1)), int(found.group(2))
    assert pdf[start:start + 1] == b"<" and pdf[end - 1:end] == b">"
    return start + 1, end - 1


def test_a_changed_digit_in_the_zero_padding_is_changed(sealed, tmp_path):
    location, pdf = sealed
    certificates = published_certificates(location.data_dir)
    start, end = contents_span(pdf)
    blob = bytes.fromhex(pdf[start:end].decode())
    der = len(cms.ContentInfo.load(blob).dump())  # what pyHanko reads; the rest is padding
    assert der + 64 < len(blob) and not blob[der:].strip(b"\x00")
    first_zero = start + 2 * der
    for position in (first_zero, first_zero + 1, first_zero + 101, end - 1):
        for digit in (b"1", b"F", b"a"):
            changed = pdf[:position] + digit + pdf[position + 1:]
            assert verify(changed, certificates).status is SealStatus.CHANGED, (position, digit)
    changed = pdf[:end - 1] + b"7" + pdf[end:]
    checked = verify_command(location, changed, tmp_path / "padding.pdf")
    assert checked.returncode == 1 and "changed" in checked.stdout.splitlines()[0]


def test_a_hex_digit_written_in_the_other_case_is_changed(sealed):
    """The same bytes written differently are still a different file than was sealed."""
    location, pdf = sealed
    start, end = contents_span(pdf)
    letter = next(i for i in range(start, end) if pdf[i:i + 1] in b"ABCDEFabcdef")
    flipped = pdf[:letter] + pdf[letter:letter + 1].swapcase() + pdf[letter + 1:]
    assert verify(flipped, published_certificates(location.data_dir)).status is \
        SealStatus.CHANGED


def test_a_damaged_length_of_the_signature_blob_is_changed_not_a_crash(sealed):
    location, pdf = sealed
    start, _end = contents_span(pdf)
    certificates = published_certificates(location.data_dir)
    assert pdf[start:start + 2] == b"30"  # a DER SEQUENCE
    for header in (b"3080", b"3084FFFFFFFF", b"30FF", b"31", b"00", b"3081"):
        damaged = pdf[:start] + header + pdf[start + len(header):]
        assert verify(damaged, certificates).status is SealStatus.CHANGED, header


# --- the organisation's earlier certificates -----------------------------------------------

def pkcs12_file(identity: SigningIdentity, path: Path, password: bytes) -> Path:
    key = serialization.load_pem_private_key(identity.key_pem, None)
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"org", key, identity.certificate, None,
        serialization.BestAvailableEncryption(password)))
    return path


def certificates_in(pem: bytes) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(pem)


def test_agreements_sealed_before_an_import_or_a_new_certificate_still_verify(location,
                                                                             tmp_path):
    make_store(location).lock()
    first = agreement_for_a_case(location, tmp_path / "first.pdf")
    original = the_organisations_key(location)

    imported = create_identity("Asumisneuvonta Testi ry (imported)", "FI")
    p12 = pkcs12_file(imported, tmp_path / "organisation.p12", b"p12 password")
    result = run(location.data_dir, "identity", "import", str(p12),
                 secrets=[PASSPHRASE, "p12 password"])
    assert result.returncode == 0, result.stderr
    second = agreement_for_a_case(location, tmp_path / "second.pdf")

    session = unlock(location, ADMIN, PASSPHRASE)  # Settings → Create a new certificate
    save_identity(session, create_identity("Asumisneuvonta Testi ry", "FI"))
    current = load_identity(session)
    session.lock()
    third = agreement_for_a_case(location, tmp_path / "third.pdf")

    bundle = published_certificates(location.data_dir)
    assert certificates_in(bundle) == [current.certificate, imported.certificate,
                                       original.certificate]  # the current one first
    assert published_certificate(location.data_dir) == current.certificate_pem
    assert current.certificates_pem == bundle
    for pdf in (first, second, third):
        checked = run(location.data_dir, "verify", str(pdf), user=None)
        assert checked.returncode == 0, (pdf.name, checked.stdout)
        assert checked.stdout.startswith("The seal is valid")
        exported = tmp_path / "bundle.pem"  # as a landlord or a court would be given it
        exported.write_bytes(bundle)
        given = run(None, "verify", str(pdf), "--certificate", str(exported), user=None)
        assert given.returncode == 0, given.stdout
    # The Documents section checks stored agreements the same way: all three are valid.
    session = unlock(location, ADMIN, PASSPHRASE)
    documents = AgreementService(session)
    stored = [d for row in CaseService(session).list_cases() for d in documents.documents(row.id)]
    assert len(stored) == 3 and all(documents.check(d.id).valid for d in stored)
    session.lock()
    only_current = tmp_path / "current.pem"
    only_current.write_bytes(current.certificate_pem)
    assert run(None, "verify", str(first), "--certificate", str(only_current),
               user=None).returncode == 1


def test_making_the_same_certificate_current_again_keeps_one_copy(session):
    original = load_identity(session)
    replacement = create_identity("Other", "FI")
    save_identity(session, replacement)
    save_identity(session, original)  # the old PKCS#12 imported again
    save_identity(session, original)
    kept = certificates_in(load_identity(session).certificates_pem)
    assert [c.serial_number for c in kept] == [original.certificate.serial_number,
                                               replacement.certificate.serial_number]
    # what a restore publishes again from the store: the same bundle
    (session.location.data_dir / "organisation.pem").unlink()
    publish_certificate(session.location.data_dir, load_identity(session))
    assert published_certificates(session.location.data_dir) == \
        load_identity(session).certificates_pem


# --- verify in a pipeline --------------------------------------------------------------------

def workbench_command(*args: str) -> str:
    return " ".join(shlex.quote(a) for a in (sys.executable, "-m", "workbench", *args))


def test_the_first_line_is_the_verdict_and_head_keeps_the_exit_status(sealed, tmp_path):
    location, pdf = sealed
    (tmp_path / "valid.pdf").write_bytes(pdf)
    (tmp_path / "changed.pdf").write_bytes(pdf[:-40] + b"%" + pdf[-39:])
    for name, status, verdict in (("changed.pdf", 1, "changed"), ("valid.pdf", 0, "valid")):
        command = workbench_command("verify", str(tmp_path / name),
                                    "--data-dir", str(location.data_dir))
        result = subprocess.run(["bash", "-o", "pipefail", "-c", f"{command} | head -1"],
                                capture_output=True, text=True, check=False)
        assert result.returncode == status, result
        assert result.stdout.count("\n") == 1 and verdict in result.stdout
        assert result.stderr == ""


def test_a_reader_gone_before_anything_is_written_keeps_the_exit_status(sealed, tmp_path):
    """The pipe is closed before verify writes a byte: every write fails with EPIPE."""
    location, pdf = sealed
    (tmp_path / "valid.pdf").write_bytes(pdf)
    (tmp_path / "changed.pdf").write_bytes(pdf + b"\n% added\n")
    for name, status in (("changed.pdf", 1), ("valid.pdf", 0)):
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            result = subprocess.run(
                [sys.executable, "-m", "workbench", "verify", str(tmp_path / name),
                 "--data-dir", str(location.data_dir)],
                stdout=write_end, stderr=subprocess.PIPE, text=True, check=False)
        finally:
            os.close(write_end)
        assert result.returncode == status, result.stderr
        assert result.stderr == ""  # no traceback, no "Exception ignored"
