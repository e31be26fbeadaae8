"""The organisation's seal certificate: created, imported from PKCS#12, used and pinned."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from workbench.agreements.identity import (
    BadPkcs12,
    NoIdentity,
    create_identity,
    import_pkcs12,
    load_identity,
    published_certificate,
    save_identity,
)
from workbench.agreements.render import AgreementData, render
from workbench.agreements.seal import seal
from workbench.agreements.verify import SealStatus, verify
from workbench.cases.model import ArrearsComponent
from workbench.plans.model import PlanRow


def agreement() -> bytes:
    return render(AgreementData(
        "FI-2026-000001-1", "en", "FI", "EUR", "Org", "anna", ["Åsa Øberg"], "Landlord Oy",
        "", "Street 1", {ArrearsComponent.RENT: 100_00}, [PlanRow(date(2026, 12, 1), 100_00)],
        0, [("Payments", "Pay on time.")], [], "Helsinki", date(2026, 11, 21)))


def test_a_created_certificate_is_for_sealing_and_lasts_five_years():
    identity = create_identity("Asumisneuvonta Testi ry", "FI")
    certificate = identity.certificate
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.content_commitment and usage.digital_signature  # non-repudiation
    years = (certificate.not_valid_after_utc - certificate.not_valid_before_utc).days / 365
    assert 4.99 < years < 5.01
    assert "Asumisneuvonta Testi ry" in identity.subject and "C=FI" in identity.subject


def test_an_imported_pkcs12_seals_and_a_wrong_password_is_refused():
    made = create_identity("Bostadsrådgivningen", "SE")
    key = serialization.load_pem_private_key(made.key_pem, None)
    bundle = pkcs12.serialize_key_and_certificates(
        b"org", key, made.certificate, None,
        serialization.BestAvailableEncryption(b"secret password"))
    imported = import_pkcs12(bundle, "secret password")
    assert imported.fingerprint == made.fingerprint
    sealed = seal(agreement(), imported, "Agreement", "Malmö")
    assert verify(sealed, made.certificate_pem).status is SealStatus.VALID
    with pytest.raises(BadPkcs12):
        import_pkcs12(bundle, "wrong")
    with pytest.raises(BadPkcs12):
        import_pkcs12(b"not a certificate", "")


def test_the_store_keeps_the_identity_and_publishes_its_certificate(session):
    identity = load_identity(session)  # made with the test store
    assert published_certificate(session.location.data_dir) == identity.certificate_pem
    replacement = create_identity("Other", "FI", now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    save_identity(session, replacement)
    assert load_identity(session).fingerprint == replacement.fingerprint
    assert published_certificate(session.location.data_dir) == replacement.certificate_pem


def test_without_an_identity_sealing_says_what_to_do(location):
    from tests.conftest import ADMIN, FAST_KDF, PASSPHRASE
    from workbench.session import create_store

    bare, _key = create_store(location, "Org", "FI", ADMIN, PASSPHRASE, kdf=FAST_KDF)
    with pytest.raises(NoIdentity) as raised:
        load_identity(bare)
    assert "Settings" in raised.value.message()
    bare.lock()


def test_a_scanned_copy_is_kept_and_other_files_are_refused(session):
    from tests.helpers import intake
    from workbench.agreements.service import AgreementService, NotAScan
    from workbench.cases.service import CaseService

    case_id = CaseService(session).create_case(intake()).case.id
    service = AgreementService(session)
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    document = service.attach_scan(case_id, "signed.png", png)
    assert (document.kind, document.mime) == ("scan", "image/png")
    assert service.content(document.id) == png
    for bad in (b"MZ\x90\x00 a program", b"", b"%PDF" + bytes(26 * 1024 * 1024)):
        with pytest.raises(NotAScan):
            service.attach_scan(case_id, "x.bin", bad)
    assert [d.kind for d in service.documents(case_id)] == ["scan"]
