"""Sealing an agreement: a PAdES B-B signature with the organisation's certificate and
DocMDP "no changes", made with pyHanko, entirely offline."""

from __future__ import annotations

import io

from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko_certvalidator.registry import SimpleCertificateStore

from workbench.agreements.identity import SigningIdentity

FIELD_NAME = "OrganisationSeal"


def seal(pdf: bytes, identity: SigningIdentity, reason: str, location: str) -> bytes:
    """The PDF with the organisation's seal; any later change breaks it."""
    certificates = list(load_certs_from_pemder_data(identity.certificate_pem))
    signer = signers.SimpleSigner(
        signing_cert=certificates[0],
        signing_key=load_private_key_from_pemder_data(identity.key_pem, passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs(certificates))
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, reason=reason, location=location, md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES, certify=True, docmdp_permissions=MDPPerm.NO_CHANGES)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()
