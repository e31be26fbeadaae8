"""The few public-key operations the store needs, on top of ``cryptography``.

- A user (and the recovery key) has two key pairs: X25519 to receive wrapped store keys,
  Ed25519 to sign the roster, audit rows and audit heads.
- A store key is wrapped to a public key as an envelope: an ephemeral X25519 exchange,
  HKDF-SHA256 to an AES-256-GCM key, the envelope's own fields as associated data.
- Secret keys are held in ``bytearray`` so they can be overwritten when the store locks.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

RAW = serialization.Encoding.Raw
PUBLIC_RAW = serialization.PublicFormat.Raw
PRIVATE_RAW = serialization.PrivateFormat.Raw
NO_ENCRYPTION = serialization.NoEncryption()
ENVELOPE_INFO = b"housing-advice-workbench envelope v1"


def b64(data: bytes) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")


def unb64(text: str) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def canonical(value: object) -> bytes:
    """The one byte string signed or bound for a JSON-able value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def fingerprint(public: bytes) -> str:
    """A short, stable name for a public key (hex of its SHA-256, first 16 bytes)."""
    return hashlib.sha256(bytes(public)).hexdigest()[:32]


def wipe(buffer: bytearray | None) -> None:
    """Overwrite a secret held in a bytearray. Copies made by libraries cannot be reached."""
    if buffer is not None:
        for i in range(len(buffer)):
            buffer[i] = 0


@dataclass
class KeyPairs:
    """A principal's private keys (32 bytes each), kept in wipeable buffers."""

    box_private: bytearray
    sign_private: bytearray

    @classmethod
    def generate(cls) -> KeyPairs:
        box = X25519PrivateKey.generate().private_bytes(RAW, PRIVATE_RAW, NO_ENCRYPTION)
        sign = Ed25519PrivateKey.generate().private_bytes(RAW, PRIVATE_RAW, NO_ENCRYPTION)
        return cls(bytearray(box), bytearray(sign))

    @property
    def box_public(self) -> bytes:
        return X25519PrivateKey.from_private_bytes(bytes(self.box_private)).public_key() \
            .public_bytes(RAW, PUBLIC_RAW)

    @property
    def sign_public(self) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(bytes(self.sign_private)).public_key() \
            .public_bytes(RAW, PUBLIC_RAW)

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(bytes(self.sign_private)).sign(message)

    def signer(self) -> Ed25519PrivateKey:
        """The signing key as an object, for many signatures in a row (a sync's push);
        the caller drops it when done."""
        return Ed25519PrivateKey.from_private_bytes(bytes(self.sign_private))

    def wipe(self) -> None:
        wipe(self.box_private)
        wipe(self.sign_private)


def verify_signature(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes(public)).verify(bytes(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _envelope_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(SHA256(), 32, salt=ephemeral + recipient, info=ENVELOPE_INFO).derive(shared)


def seal_to(recipient_public: bytes, secret: bytes | bytearray, aad: bytes) -> dict:
    """Wrap ``secret`` so only the holder of the X25519 private key can open it."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(RAW, PUBLIC_RAW)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(bytes(recipient_public)))
    nonce = os.urandom(12)
    key = _envelope_key(shared, ephemeral_public, bytes(recipient_public))
    wrapped = AESGCM(key).encrypt(nonce, bytes(secret), aad)
    return {"epk": b64(ephemeral_public), "nonce": b64(nonce), "ct": b64(wrapped)}


def open_sealed(keys: KeyPairs, envelope: dict, aad: bytes) -> bytearray:
    """The secret in an envelope; ``InvalidTag`` when it is not for these keys or altered."""
    private = X25519PrivateKey.from_private_bytes(bytes(keys.box_private))
    ephemeral_public = unb64(envelope["epk"])
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    key = _envelope_key(shared, ephemeral_public, keys.box_public)
    return bytearray(AESGCM(key).decrypt(unb64(envelope["nonce"]), unb64(envelope["ct"]), aad))


__all__ = ["InvalidTag", "KeyPairs", "b64", "canonical", "fingerprint", "open_sealed",
           "seal_to", "unb64", "verify_signature", "wipe"]
