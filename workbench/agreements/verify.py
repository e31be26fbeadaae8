"""Checking a sealed agreement: is the seal intact, does it cover the whole file, and is
it the organisation's? Anything else (a changed byte, an appended update, a stranger's
certificate, no seal at all) is reported, never passed."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from enum import StrEnum

from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext

from workbench.i18n import N_

# pyHanko logs a failed trust path for every self-signed seal, with a traceback. We pin the
# organisation's certificate instead of building a path, so that log is noise to a user.
logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


class SealStatus(StrEnum):
    VALID = "valid"
    CHANGED = "changed"            # the file was altered after sealing
    UNKNOWN_SIGNER = "unknown_signer"
    NO_SEAL = "no_seal"
    UNREADABLE = "unreadable"


REASONS = {
    SealStatus.VALID: N_("The seal is valid and covers the whole document."),
    SealStatus.CHANGED: N_("The document was changed after it was sealed."),
    SealStatus.UNKNOWN_SIGNER: N_("The seal is not the organisation's."),
    SealStatus.NO_SEAL: N_("The document has no seal."),
    SealStatus.UNREADABLE: N_("The file is not a readable PDF."),
}


@dataclass(frozen=True)
class Verdict:
    status: SealStatus
    signer: str = ""
    signed_at: str = ""
    reason: str = ""
    document_number: str = ""

    @property
    def valid(self) -> bool:
        return self.status is SealStatus.VALID


def verify(pdf: bytes, organisation_certificate: bytes | None) -> Verdict:
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
        number = _document_number(reader)
    except Exception:  # a damaged file can fail in many ways inside the PDF library
        if pdf.startswith(b"%PDF") and b"/ByteRange" in pdf:
            # A sealed file that no longer parses was damaged or added to after sealing.
            return Verdict(SealStatus.CHANGED)
        return Verdict(SealStatus.UNREADABLE)
    if not signatures:
        return Verdict(SealStatus.NO_SEAL, document_number=number)
    seal = signatures[-1]
    try:
        # No trust store: the seal's integrity is checked here, and whose it is by pinning
        # the organisation's own (self-signed) certificate below.
        status = validate_pdf_signature(
            seal, ValidationContext(trust_roots=[], allow_fetching=False))
    except (SignatureValidationError, PdfError, ValueError) as error:
        return Verdict(SealStatus.CHANGED, reason=str(error), document_number=number)
    except Exception:  # e.g. a damaged /ByteRange the library trips over
        return Verdict(SealStatus.CHANGED, document_number=number)
    signer = _name(status.signing_cert)
    signed_at = status.signer_reported_dt.isoformat() if status.signer_reported_dt else ""
    reason = str(seal.sig_object.get("/Reason", ""))
    common = {"signer": signer, "signed_at": signed_at, "reason": reason,
              "document_number": number}
    whole = (status.intact and status.valid and status.coverage is not None
             and status.coverage.name == "ENTIRE_FILE")
    if not whole:
        return Verdict(SealStatus.CHANGED, **common)
    if not _is_organisations(status.signing_cert, organisation_certificate):
        return Verdict(SealStatus.UNKNOWN_SIGNER, **common)
    return Verdict(SealStatus.VALID, **common)


def _name(certificate) -> str:
    if certificate is None:
        return ""
    subject = certificate.subject.native
    return subject.get("organization_name") or subject.get("common_name") or \
        certificate.subject.human_friendly


def _is_organisations(signing_cert, organisation_certificate: bytes | None) -> bool:
    if signing_cert is None or not organisation_certificate:
        return False
    try:
        pinned = list(load_certs_from_pemder_data(organisation_certificate))
    except Exception:  # not a certificate at all: nobody's seal matches it
        return False
    return any(cert.dump() == signing_cert.dump() for cert in pinned)


def _document_number(reader: PdfFileReader) -> str:
    try:
        info = reader.trailer["/Info"]
        return str(info.get("/Keywords", ""))
    except (KeyError, AttributeError, PdfError):
        return ""
