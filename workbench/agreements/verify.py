"""Checking a sealed agreement: is the seal intact, does it cover the whole file, and is
it the organisation's? Anything else (a changed byte, an appended update, a stranger's
certificate, no seal at all) is reported, never passed.

The seal is a certification signature with DocMDP "no changes", so nothing may follow it:
every signature in the file is validated by pyHanko (integrity, coverage and its analysis
of later modifications), the certification must be the first signature and cover the whole
file, and any update after it, signed or not, even with the organisation's own key, reads
"changed". The unsigned /Contents of each signature must hold exactly its DER-encoded CMS
followed by zeros, so no byte of the file can change unnoticed.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from asn1crypto import parser
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm, enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature, read_certification_data
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from workbench.agreements.seal_status import SealStatus

# pyHanko logs a failed trust path for every self-signed seal, with a traceback. We pin the
# organisation's certificate instead of building a path, so that log is noise to a user.
logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


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


def verify(pdf: bytes, organisation_certificates: bytes | None) -> Verdict:
    """The verdict on ``pdf``; ``organisation_certificates`` is PEM (or DER), one or more
    certificates: a seal made with any of them is the organisation's. Never raises."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
        number = _document_number(reader)
    except Exception:  # a damaged file can fail in many ways inside the PDF library
        if pdf.startswith(b"%PDF") and b"/ByteRange" in pdf:
            # A sealed file that no longer parses was damaged or added to after sealing.
            return Verdict(SealStatus.CHANGED)
        return Verdict(SealStatus.UNREADABLE)
    try:
        filled = len(list(enumerate_sig_fields(reader, filled_status=True)))
    except Exception:
        return Verdict(SealStatus.CHANGED, document_number=number)
    if not signatures and not filled:
        return Verdict(SealStatus.NO_SEAL, document_number=number)
    try:
        return _verdict(pdf, reader, signatures, filled, organisation_certificates, number)
    except (SignatureValidationError, PdfError, ValueError) as error:
        return Verdict(SealStatus.CHANGED, reason=str(error), document_number=number)
    except Exception:  # e.g. a damaged /ByteRange the library trips over
        return Verdict(SealStatus.CHANGED, document_number=number)


def _verdict(pdf: bytes, reader: PdfFileReader, signatures: list[EmbeddedPdfSignature],
             filled: int, organisation_certificates: bytes | None, number: str) -> Verdict:
    # pyHanko leaves out signatures of a kind it does not know; such a one is not valid.
    if len(signatures) != filled:
        return Verdict(SealStatus.CHANGED, document_number=number)
    # No trust store: each signature's integrity is checked here, and whose it is by
    # pinning the organisation's own (self-signed) certificates below.
    statuses = [validate_pdf_signature(
        signature, ValidationContext(trust_roots=[], allow_fetching=False))
        for signature in signatures]
    seal, status = signatures[0], statuses[0]  # in the order of the revisions they sign
    signed_at = status.signer_reported_dt.isoformat() if status.signer_reported_dt else ""
    common = {"signer": _name(status.signing_cert), "signed_at": signed_at,
              "reason": str(seal.sig_object.get("/Reason", "")), "document_number": number}
    if not all(_intact(each) for each in statuses):
        return Verdict(SealStatus.CHANGED, **common)
    # The certification covers every byte: nothing, signed or not, was added after it.
    if (not _certifies_without_changes(reader, seal)
            or status.coverage is not SignatureCoverageLevel.ENTIRE_FILE
            or status.modification_level is not ModificationLevel.NONE):
        return Verdict(SealStatus.CHANGED, **common)
    if not all(_contents_exact(pdf, signature) for signature in signatures):
        return Verdict(SealStatus.CHANGED, **common)
    if not all(_is_organisations(each.signing_cert, organisation_certificates)
               for each in statuses):
        return Verdict(SealStatus.UNKNOWN_SIGNER, **common)
    return Verdict(SealStatus.VALID, **common)


def _intact(status: PdfSignatureStatus) -> bool:
    """pyHanko's own judgment of one signature: the digest and signature are right, and
    what was modified after it (its diff analysis) is within its DocMDP permissions."""
    return bool(status.intact and status.valid and status.docmdp_ok is True
                and status.seed_value_ok)


def _certifies_without_changes(reader: PdfFileReader, seal: EmbeddedPdfSignature) -> bool:
    """Is ``seal`` the document's certification, with DocMDP "no changes", and the first
    signature ever made on it? (An earlier one taken out of the form would still be in an
    earlier revision.)"""
    if seal.docmdp_level is not MDPPerm.NO_CHANGES:
        return False
    certification = read_certification_data(reader)
    if certification is None or certification.permission is not MDPPerm.NO_CHANGES:
        return False
    if seal.sig_field.raw_get("/V").reference != \
            reader.root["/Perms"].raw_get("/DocMDP").reference:
        return False
    return not any(any(True for _ in enumerate_sig_fields(
        reader.get_historical_resolver(revision), filled_status=True))
        for revision in range(seal.signed_revision))


def _contents_exact(pdf: bytes, signature: EmbeddedPdfSignature) -> bool:
    """The unsigned gap of the /ByteRange is exactly the /Contents hex string, written in
    one case, and holds the DER-encoded CMS followed by nothing but zeros. (Whether the
    ranges reach the end of the file is pyHanko's coverage check.)"""
    contents = signature.pkcs7_content
    byte_range = list(signature.byte_range)
    if len(byte_range) != 4 or not all(isinstance(v, int) for v in byte_range):
        return False
    first_start, first_length, second_start, _second_length = byte_range
    gap = pdf[first_length:second_start]
    if (first_start != 0 or not 0 < first_length < second_start
            or gap not in (b"<" + contents.hex().encode() + b">",
                           b"<" + contents.hex().upper().encode() + b">")):
        return False
    try:
        _class, _method, _tag, header, body, trailer = parser.parse(contents)
    except (ValueError, TypeError):
        return False
    if header[:1] != b"\x30" or trailer:  # a SEQUENCE of definite length, as DER has
        return False
    return not contents[len(header) + len(body):].strip(b"\x00")


def _name(certificate) -> str:
    if certificate is None:
        return ""
    subject = certificate.subject.native
    return subject.get("organization_name") or subject.get("common_name") or \
        certificate.subject.human_friendly


def _is_organisations(signing_cert, organisation_certificates: bytes | None) -> bool:
    if signing_cert is None or not organisation_certificates:
        return False
    try:
        pinned = list(load_certs_from_pemder_data(organisation_certificates))
    except Exception:  # not a certificate at all: nobody's seal matches it
        return False
    return any(cert.dump() == signing_cert.dump() for cert in pinned)


def _document_number(reader: PdfFileReader) -> str:
    try:
        info = reader.trailer["/Info"]
        return str(info.get("/Keywords", ""))
    except (KeyError, AttributeError, PdfError):
        return ""
