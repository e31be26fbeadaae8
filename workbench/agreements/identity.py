"""The organisation's signing identity: a key and certificate that seal agreements.

Created at set-up (self-signed, non-repudiation, five years) or imported from the
organisation's PKCS#12. Kept inside the encrypted store; the public certificate is also
written beside the store (``organisation.pem``) so anyone can check a sealed agreement
without a passphrase, and exported for landlords and courts.

A new certificate does not orphan the agreements sealed with the one before it: every
earlier certificate is kept in the store (newest first), and ``organisation.pem`` is a
bundle of the current certificate followed by all the earlier ones, so a seal made with
any of them still verifies.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from workbench.errors import ValidationError
from workbench.i18n import N_
from workbench.session import Role, Session
from workbench.store.files import write_atomically

VALID_YEARS = 5
CERT_FILENAME = "organisation.pem"
HISTORY_KEY = "seal_certificate_history"  # settings: earlier certificates, PEM, newest first
_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


class NoIdentity(ValidationError):
    template = N_("The organisation has no signing certificate yet; create or import one "
                  "in Settings.")


class BadPkcs12(ValidationError):
    template = N_("The file could not be opened as a PKCS#12 certificate with that password.")


@dataclass(frozen=True)
class SigningIdentity:
    certificate_pem: bytes
    key_pem: bytes
    earlier_certificates_pem: bytes = b""  # the organisation's earlier ones, newest first

    @property
    def certificates_pem(self) -> bytes:
        """The current certificate, then every earlier one: what checks any of our seals."""
        return self.certificate_pem + self.earlier_certificates_pem

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem)

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()


def create_identity(org_name: str, country: str,
                    now: dt.datetime | None = None) -> SigningIdentity:
    """A new self-signed certificate for sealing (ECDSA P-256, five years)."""
    now = now or dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, org_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org_name),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, country)])
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * VALID_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256()))
    return SigningIdentity(certificate.public_bytes(serialization.Encoding.PEM),
                           _key_pem(key))


def import_pkcs12(data: bytes, password: str) -> SigningIdentity:
    try:
        key, certificate, _extra = pkcs12.load_key_and_certificates(
            data, password.encode("utf-8") if password else None)
    except (ValueError, TypeError) as error:
        raise BadPkcs12() from error
    if key is None or certificate is None or not isinstance(
            key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise BadPkcs12()
    return SigningIdentity(certificate.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


# --- kept in the store --------------------------------------------------------------------

def save_identity(session: Session, identity: SigningIdentity) -> None:
    """Store the identity (an administrator's action) and publish its certificate; the
    certificate it replaces joins the earlier ones, so its seals still verify."""
    session.require(Role.ADMIN, N_("change the organisation's settings"))
    with session.action("identity.set", "store"):
        rows = _settings(session)
        kept = rows.get("signing_certificate", "") + rows.get(HISTORY_KEY, "")
        current = identity.certificate.public_bytes(serialization.Encoding.DER)
        earlier = b"".join(_pem(c) for c in _unique(split_certificates(kept.encode()))
                           if c.public_bytes(serialization.Encoding.DER) != current)
        session.db.executemany("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                               [("signing_certificate", identity.certificate_pem.decode()),
                                ("signing_key", identity.key_pem.decode()),
                                (HISTORY_KEY, earlier.decode())])
        publish_certificate(session.location.data_dir,
                            replace(identity, earlier_certificates_pem=earlier))


def load_identity(session: Session) -> SigningIdentity:
    rows = _settings(session)
    if "signing_certificate" not in rows or "signing_key" not in rows:
        raise NoIdentity()
    return SigningIdentity(rows["signing_certificate"].encode(), rows["signing_key"].encode(),
                           rows.get(HISTORY_KEY, "").encode())


def _settings(session: Session) -> dict[str, str]:
    return dict(session.db.all("SELECT key, value FROM settings WHERE key IN "
                               "('signing_certificate', 'signing_key', ?)", (HISTORY_KEY,)))


def publish_certificate(data_dir: Path, identity: SigningIdentity) -> Path:
    """Write ``organisation.pem``: the current certificate first, then the earlier ones."""
    path = Path(data_dir) / CERT_FILENAME
    write_atomically(path, identity.certificates_pem)
    return path


def published_certificates(data_dir: Path) -> bytes | None:
    """Every certificate published beside the store (PEM), the current one first."""
    path = Path(data_dir) / CERT_FILENAME
    return path.read_bytes() if path.exists() else None


def published_certificate(data_dir: Path) -> bytes | None:
    """The organisation's current certificate, as published beside the store."""
    bundle = published_certificates(data_dir)
    if bundle is None:
        return None
    certificates = split_certificates(bundle)
    return _pem(certificates[0]) if certificates else bundle


def split_certificates(pem: bytes) -> list[x509.Certificate]:
    """The certificates in a PEM bundle, in order; a block that does not parse is skipped."""
    certificates = []
    for block in _PEM_BLOCK.findall(pem):
        try:
            certificates.append(x509.load_pem_x509_certificate(block))
        except ValueError:
            continue
    return certificates


def _unique(certificates: list[x509.Certificate]) -> list[x509.Certificate]:
    seen: set[bytes] = set()
    unique = []
    for certificate in certificates:
        der = certificate.public_bytes(serialization.Encoding.DER)
        if der not in seen:
            seen.add(der)
            unique.append(certificate)
    return unique


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)
