"""The key file (``keyslots.json``): who may open the store, and with which keys.

It holds, readable to anyone with the folder but useful only with a secret:
- **slots**: per user, and one for the recovery key, that principal's private keys (X25519
  and Ed25519) sealed by Argon2id(passphrase) → AES-256-GCM, the slot's fields as associated
  data, together with the *anchor* (the hash of the first roster entry) the principal trusts;
- **roster**: the signed list of users, roles and public keys (see ``roster.py``);
- **envelopes**: each store key (``case``, ``facts``) and version, wrapped to the public key
  of every principal whose role needs it. Wrapping to public keys lets an administrator add
  users and rotate keys without knowing anybody's passphrase.

Format 1 (one AES-GCM slot per user over the single data key) is read by ``legacy.py``
only, to upgrade a store made by release 0.1.
"""

from __future__ import annotations

import binascii
import json
import os
import secrets
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from workbench.errors import StoreCorrupt, UnknownUser, WrongPassphrase, WrongRecoveryKey
from workbench.i18n import N_
from workbench.store.crypto import (
    KeyPairs,
    b64,
    canonical,
    fingerprint,
    open_sealed,
    seal_to,
    unb64,
)
from workbench.store.files import write_atomically

FORMAT = 2
STORE_KEY_BYTES = 32
RECOVERY = "@recovery"  # the recovery key's principal; user names cannot start with "@"
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no I/L/1, O/0, U/V confusion
RECOVERY_GROUPS, RECOVERY_GROUP_LEN = 6, 5
KEY_NAMES = ("case", "facts")
MAX_KEY_FILE_BYTES = 16 * 1024 * 1024


# What this program ever writes, with headroom: a damaged or hostile slot (also one in a
# crafted backup) must not make us allocate gigabytes or loop for minutes.
KDF_LIMITS = {"time_cost": (1, 12), "memory_kib": (8, 1024 * 1024), "parallelism": (1, 8)}


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. Stored in each slot so later tuning never locks anybody out."""

    # 192 MiB and 4 passes: about 0.3 s on a 2-core laptop, the middle of what an unlock
    # may take (0.2-0.5 s) while costing a guesser as much as we can afford.
    time_cost: int = 4
    memory_kib: int = 196608
    parallelism: int = 2

    def derive(self, secret: str, salt: bytes) -> bytes:
        return hash_secret_raw(secret.encode("utf-8"), salt, self.time_cost, self.memory_kib,
                               self.parallelism, 32, Type.ID)

    def check(self) -> None:
        for name, (low, high) in KDF_LIMITS.items():
            value = getattr(self, name)
            if type(value) is not int or not low <= value <= high:
                raise ValueError("key derivation parameters out of range")
        if self.memory_kib < 8 * self.parallelism:
            raise ValueError("key derivation parameters out of range")


DEFAULT_KDF = KdfParams()


@dataclass(frozen=True)
class Slot:
    """A principal's private keys, sealed by a passphrase or the recovery key."""

    slot_id: str
    principal: str
    kdf: KdfParams
    salt: bytes
    nonce: bytes
    sealed: bytes
    created_at: str

    def associated_data(self, store_id: str) -> bytes:
        return canonical({"format": FORMAT, "store_id": store_id, "slot_id": self.slot_id,
                          "principal": self.principal, "kdf": asdict(self.kdf),
                          "salt": b64(self.salt), "created_at": self.created_at})

    def to_json(self) -> dict:
        return {"slot_id": self.slot_id, "principal": self.principal, "kdf": asdict(self.kdf),
                "salt": b64(self.salt), "nonce": b64(self.nonce), "sealed": b64(self.sealed),
                "created_at": self.created_at}

    @classmethod
    def from_json(cls, data: dict) -> Slot:
        slot = cls(slot_id=data["slot_id"], principal=data["principal"],
                   kdf=KdfParams(**data["kdf"]), salt=unb64(data["salt"]),
                   nonce=unb64(data["nonce"]), sealed=unb64(data["sealed"]),
                   created_at=data["created_at"])
        slot.kdf.check()
        if (not isinstance(slot.slot_id, str) or not isinstance(slot.principal, str)
                or not 16 <= len(slot.salt) <= 64 or len(slot.nonce) != 12
                or not 64 < len(slot.sealed) < 1024 or not isinstance(slot.created_at, str)):
            raise ValueError("malformed key slot")
        return slot


@dataclass
class Unsealed:
    """What a slot gives: the principal's key pairs and the roster anchor it trusts."""

    principal: str
    keys: KeyPairs
    anchor: str


@dataclass
class KeyFile:
    store_id: str
    slots: list[Slot] = field(default_factory=list)
    roster: list[dict] = field(default_factory=list)
    envelopes: list[dict] = field(default_factory=list)

    # --- reading and writing -------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            raw = Path(path).read_bytes()
            if len(raw) > MAX_KEY_FILE_BYTES:
                raise ValueError("key file too large")
            data = json.loads(raw.decode("utf-8"))
            return cls.from_json(data)
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error,
                UnicodeDecodeError, RecursionError) as error:
            raise StoreCorrupt(detail=N_("the key-slot file is damaged")) from error

    @classmethod
    def from_json(cls, data: dict) -> KeyFile:
        if not isinstance(data, dict) or data.get("format") != FORMAT \
                or not isinstance(data.get("store_id"), str):
            raise ValueError("unknown key-file format")
        envelopes = data["envelopes"]
        for envelope in envelopes:
            if (not isinstance(envelope, dict) or envelope.get("key") not in KEY_NAMES
                    or type(envelope.get("version")) is not int
                    or not isinstance(envelope.get("to"), str)):
                raise ValueError("malformed envelope")
        if not isinstance(data["roster"], list):
            raise ValueError("malformed roster")
        return cls(store_id=data["store_id"],
                   slots=[Slot.from_json(slot) for slot in data["slots"]],
                   roster=list(data["roster"]), envelopes=list(envelopes))

    def to_json(self) -> dict:
        return {"format": FORMAT, "store_id": self.store_id,
                "slots": [slot.to_json() for slot in self.slots],
                "roster": self.roster, "envelopes": self.envelopes}

    def save(self, path: Path) -> None:
        write_atomically(Path(path), (json.dumps(self.to_json(), indent=1) + "\n").encode())

    # --- slots ---------------------------------------------------------------------------

    def principals(self) -> list[str]:
        return [slot.principal for slot in self.slots if slot.principal != RECOVERY]

    def slot(self, principal: str) -> Slot:
        for slot in self.slots:
            if slot.principal == principal:
                return slot
        if principal == RECOVERY:
            raise StoreCorrupt(detail=N_("the key-slot file has no recovery slot"))
        raise UnknownUser(user=principal)

    def unseal(self, principal: str, secret: str) -> Unsealed:
        """The principal's private keys; a wrong secret raises, changing nothing."""
        slot = self.slot(principal)
        if principal == RECOVERY:
            secret = normalise_recovery_key(secret)
        kek = slot.kdf.derive(secret, slot.salt)
        try:
            payload = bytearray(AESGCM(kek).decrypt(slot.nonce, slot.sealed,
                                                    slot.associated_data(self.store_id)))
        except InvalidTag:
            raise (WrongRecoveryKey() if principal == RECOVERY else WrongPassphrase()) \
                from None
        try:
            data = json.loads(payload.decode("utf-8"))
            keys = KeyPairs(bytearray(unb64(data["box"])), bytearray(unb64(data["sign"])))
            anchor = data["anchor"]
        finally:
            for i in range(len(payload)):
                payload[i] = 0
        return Unsealed(principal, keys, anchor)

    def set_slot(self, principal: str, secret: str, keys: KeyPairs, anchor: str,
                 kdf: KdfParams = DEFAULT_KDF) -> None:
        """Seal ``keys`` under ``secret`` for ``principal`` (a new slot replaces an old)."""
        if principal == RECOVERY:
            secret = normalise_recovery_key(secret)
        slot = Slot(slot_id=uuid.uuid4().hex, principal=principal, kdf=kdf,
                    salt=os.urandom(16), nonce=os.urandom(12), sealed=b"",
                    created_at=datetime.now(UTC).isoformat(timespec="seconds"))
        payload = canonical({"box": b64(keys.box_private), "sign": b64(keys.sign_private),
                             "anchor": anchor})
        kek = kdf.derive(secret, slot.salt)
        sealed = AESGCM(kek).encrypt(slot.nonce, payload, slot.associated_data(self.store_id))
        self.slots = [s for s in self.slots if s.principal != principal]
        self.slots.append(replace(slot, sealed=sealed))

    def remove_slot(self, principal: str) -> None:
        self.slots = [s for s in self.slots if s.principal != principal]

    # --- envelopes -----------------------------------------------------------------------

    def _aad(self, to: str, box_public: bytes, key: str, version: int) -> bytes:
        return canonical({"store_id": self.store_id, "to": to,
                          "to_key": fingerprint(box_public), "key": key, "version": version})

    def wrap(self, to: str, box_public: bytes, key: str, version: int,
             secret: bytes | bytearray) -> None:
        envelope = seal_to(box_public, secret, self._aad(to, box_public, key, version))
        self.envelopes = [e for e in self.envelopes if not (
            e["to"] == to and e["key"] == key and e["version"] == version)]
        self.envelopes.append({"to": to, "key": key, "version": version, **envelope})

    def unwrap_all(self, principal: str, keys: KeyPairs, key: str) -> dict[int, bytearray]:
        """Every version of store key ``key`` wrapped to this principal, newest first."""
        found: dict[int, bytearray] = {}
        for envelope in self.envelopes:
            if envelope["to"] != principal or envelope["key"] != key:
                continue
            try:
                secret = open_sealed(keys, envelope, self._aad(
                    principal, keys.box_public, key, envelope["version"]))
            except (InvalidTag, ValueError, KeyError, binascii.Error):
                continue  # an envelope for an earlier key pair, or altered: it opens nothing
            if len(secret) == STORE_KEY_BYTES:
                found[envelope["version"]] = secret
        return dict(sorted(found.items(), reverse=True))

    def drop_envelopes(self, *, to: str | None = None, key: str | None = None,
                       older_than: int | None = None) -> None:
        def matches(e: dict) -> bool:
            return ((to is None or e["to"] == to) and (key is None or e["key"] == key)
                    and (older_than is None or e["version"] < older_than))
        self.envelopes = [e for e in self.envelopes if not matches(e)]


def new_store_key() -> bytearray:
    return bytearray(secrets.token_bytes(STORE_KEY_BYTES))


def new_recovery_key() -> str:
    chars = "".join(secrets.choice(RECOVERY_ALPHABET)
                    for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LEN))
    return "-".join(chars[i:i + RECOVERY_GROUP_LEN]
                    for i in range(0, len(chars), RECOVERY_GROUP_LEN))


def normalise_recovery_key(text: str) -> str:
    """Accept the key as printed, in lower case, or with spaces instead of dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def file_format(path: Path) -> int | None:
    """The format number of a key file, or None when it cannot be read as one."""
    try:
        data = json.loads(Path(path).read_bytes()[:MAX_KEY_FILE_BYTES].decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return None
    value = data.get("format") if isinstance(data, dict) else None
    return value if type(value) is int else None
