"""What the server holds of a change record: ciphertext the team key opens, a signature the
sending device made, and an entity tag the server cannot read back to a case.

- AES-256-GCM with the team key of the record's epoch; the record id, channel, sending
  device, entity tag, key epoch and record layout version are the associated data, so the
  server cannot move a ciphertext to another record, device or case without it failing.
- The plaintext (JSON, compressed) is padded to a multiple of 512 bytes: the server learns
  a size class, not the length of a name.
- Ed25519 over the associated data, nonce and ciphertext: a device can only speak for
  itself, and a record changed on the server is refused.
- The entity tag is an HMAC of the case's global id under a key derived from the team key,
  so the server sees which records touch the same case, never which case (a landlord's
  global id contains its name).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
import zlib
from dataclasses import dataclass

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from workbench.store.crypto import KeyPairs, canonical, verify_signature

PAD = 512
MAX_RECORD = 128 * 1024 * 1024  # a case with its scanned documents fits well inside
_TAG_INFO = b"workbench sync entity tag v1"


class SealProblem(Exception):
    """A record that does not open or whose signature does not hold."""


@dataclass(frozen=True)
class Sealed:
    op_id: str  # 32 hex digits
    channel: str
    device_id: str
    entity: bytes
    key_epoch: int
    schema_version: int
    nonce: bytes
    ciphertext: bytes
    signature: bytes


def entity_tag(team_key: bytes | bytearray, entity: str) -> bytes:
    key = hmac.new(bytes(team_key), _TAG_INFO, hashlib.sha256).digest()
    return hmac.new(key, entity.encode(), hashlib.sha256).digest()[:16]


def _associated(op_id: str, channel: str, device_id: str, entity: bytes, key_epoch: int,
                schema_version: int) -> bytes:
    return canonical({"op": op_id, "channel": channel, "device": device_id,
                      "entity": entity.hex(), "epoch": key_epoch, "v": schema_version})


def _pad(data: bytes) -> bytes:
    framed = struct.pack(">I", len(data)) + data
    return framed + b"\0" * (-len(framed) % PAD)


def _unpad(data: bytes) -> bytes:
    (length,) = struct.unpack(">I", data[:4])
    if length > len(data) - 4:
        raise SealProblem("padding")
    return data[4:4 + length]


def seal(record: dict, *, channel: str, entity: str, device_id: str, team_key: bytes,
         key_epoch: int, keys: KeyPairs) -> Sealed:
    return seal_text(orjson.dumps(record).decode(), op_id=record["id"],
                     schema_version=int(record.get("v", 1)), channel=channel, entity=entity,
                     device_id=device_id, team_key=team_key, key_epoch=key_epoch, keys=keys)


def seal_text(text: str, *, op_id: str, schema_version: int, channel: str, entity: str,
              device_id: str, team_key: bytes, key_epoch: int,
              keys: KeyPairs | Ed25519PrivateKey) -> Sealed:
    """Seal a record already written as JSON (the outbox keeps them so)."""
    tag = entity_tag(team_key, entity)
    associated = _associated(op_id, channel, device_id, tag, key_epoch, schema_version)
    nonce = os.urandom(12)
    plain = _pad(zlib.compress(text.encode(), 6))
    ciphertext = AESGCM(bytes(team_key)).encrypt(nonce, plain, associated)
    signature = keys.sign(associated + nonce + ciphertext)
    return Sealed(op_id, channel, device_id, tag, key_epoch, schema_version, nonce,
                  ciphertext, signature)


def open_record(sealed: Sealed, *, team_key: bytes, sign_public: bytes) -> dict:
    """The record inside, after checking the sender's signature and the ciphertext."""
    return read(sealed, unseal(sealed, team_key=team_key, sign_public=sign_public))


def unseal(sealed: Sealed, *, team_key: bytes, sign_public: bytes) -> bytes:
    """The record's text, after checking the sender's signature and the ciphertext."""
    associated = _associated(sealed.op_id, sealed.channel, sealed.device_id, sealed.entity,
                             sealed.key_epoch, sealed.schema_version)
    if not verify_signature(sign_public, sealed.signature,
                            associated + sealed.nonce + sealed.ciphertext):
        raise SealProblem("signature")
    try:
        plain = AESGCM(bytes(team_key)).decrypt(sealed.nonce, sealed.ciphertext, associated)
        # A bounded inflate: a small record cannot unpack into gigabytes.
        inflater = zlib.decompressobj()
        text = inflater.decompress(_unpad(plain), MAX_RECORD)
    except (InvalidTag, zlib.error, ValueError, struct.error) as error:
        raise SealProblem("ciphertext") from error
    if inflater.unconsumed_tail:
        raise SealProblem("too large")
    return text


def unseal_many(jobs: list[tuple[Sealed, bytes, bytes]]) -> list[bytes | SealProblem]:
    """``unseal`` of each ``(sealed, team_key, sign_public)``, or why it did not open (run
    in a helper process on a first sync; see ``opening``)."""
    out: list[bytes | SealProblem] = []
    for sealed, team_key, sign_public in jobs:
        try:
            out.append(unseal(sealed, team_key=team_key, sign_public=sign_public))
        except SealProblem as problem:
            out.append(problem)
    return out


def read(sealed: Sealed, text: bytes) -> dict:
    """The record from its unsealed text; it must name the change and device it came as."""
    try:
        record = orjson.loads(text)  # a fast reader: a first sync reads 100,000 records
    except ValueError as error:
        raise SealProblem("ciphertext") from error
    if not isinstance(record, dict) or record.get("id") != sealed.op_id \
            or record.get("dev") != sealed.device_id:
        raise SealProblem("mismatch")
    return record
