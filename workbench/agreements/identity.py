"""The organisation's signing identity: a key and certificate that seal agreements.

Created at set-up (self-signed, non-repudiation, five years) or imported from the
organisation's PKCS#12. Kept inside the encrypted store; the public certificate is also
written beside the store (``organisation.pem``) so anyone can check a sealed agreement
without a passphrase, and exported for landlords and courts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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


class NoIdentity(ValidationError):
    template = N_("The organisation has no signing certificate yet; create or import one "
                  "in Settings.")


class BadPkcs12(ValidationError):
    template = N_("The file could not be opened as a PKCS#12 certificate with that password.")


@dataclass(frozen=True)
class SigningIdentity:
    certificate_pem: bytes
    key_pem: bytes

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
    """Store the identity (an administrator's action) and publish its certificate."""
    session.require(Role.ADMIN, N_("change the organisation's settings"))
    with session.action("identity.set", "store"):
        session.db.executemany("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                               [("signing_certificate", identity.certificate_pem.decode()),
                                ("signing_key", identity.key_pem.decode())])
        publish_certificate(session.location.data_dir, identity)


def load_identity(session: Session) -> SigningIdentity:
    rows = dict(session.db.all("SELECT key, value FROM settings WHERE key IN "
                               "('signing_certificate', 'signing_key')"))
    if len(rows) != 2:
        raise NoIdentity()
    return SigningIdentity(rows["signing_certificate"].encode(), rows["signing_key"].encode())


def publish_certificate(data_dir: Path, identity: SigningIdentity) -> Path:
    path = Path(data_dir) / CERT_FILENAME
    write_atomically(path, identity.certificate_pem)
    return path


def published_certificate(data_dir: Path) -> bytes | None:
    path = Path(data_dir) / CERT_FILENAME
    return path.read_bytes() if path.exists() else None
