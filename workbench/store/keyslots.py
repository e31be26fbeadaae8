"""Key slots: each user's passphrase (and the recovery key) unlocks the one data key.

A slot is Argon2id(secret, salt, parameters) → key-encryption key → AES-256-GCM(data key),
with the slot's own fields as associated data, so editing a slot's user name, kind or
parameters in the file makes it fail to open rather than open for someone else.
Adding a user or changing a passphrase writes one slot; the database is not touched.
"""

from __future__ import annotations

import base64
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
from workbench.store.files import write_atomically

FORMAT = 1
DATA_KEY_BYTES = 32
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no I/L/1, O/0, U/V confusion
RECOVERY_GROUPS, RECOVERY_GROUP_LEN = 6, 5


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
        """Refuse parameters no slot of ours has: a damaged or hostile file must not make
        us allocate a terabyte or loop for hours."""
        for value, low, high in ((self.time_cost, 1, 64), (self.memory_kib, 8, 4 * 1024 * 1024),
                                 (self.parallelism, 1, 64)):
            if type(value) is not int or not low <= value <= high:
                raise ValueError("key derivation parameters out of range")


DEFAULT_KDF = KdfParams()


@dataclass(frozen=True)
class KeySlot:
    slot_id: str
    kind: str  # "user" or "recovery"
    user: str | None
    kdf: KdfParams
    salt: bytes
    nonce: bytes
    wrapped: bytes
    created_at: str

    def associated_data(self, store_id: str) -> bytes:
        fields = {"format": FORMAT, "store_id": store_id, "slot_id": self.slot_id,
                  "kind": self.kind, "user": self.user, "kdf": asdict(self.kdf),
                  "salt": _b64(self.salt), "created_at": self.created_at}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def to_json(self) -> dict:
        return {"slot_id": self.slot_id, "kind": self.kind, "user": self.user,
                "kdf": asdict(self.kdf), "salt": _b64(self.salt), "nonce": _b64(self.nonce),
                "wrapped": _b64(self.wrapped), "created_at": self.created_at}

    @classmethod
    def from_json(cls, data: dict) -> KeySlot:
        """A slot read from the file, every field checked for type and size."""
        slot = cls(slot_id=data["slot_id"], kind=data["kind"], user=data["user"],
                   kdf=KdfParams(**data["kdf"]), salt=_unb64(data["salt"]),
                   nonce=_unb64(data["nonce"]), wrapped=_unb64(data["wrapped"]),
                   created_at=data["created_at"])
        slot.kdf.check()
        if (not isinstance(slot.slot_id, str) or slot.kind not in ("user", "recovery")
                or not isinstance(slot.user, str | None) or len(slot.salt) < 16
                or len(slot.nonce) != 12 or len(slot.wrapped) != DATA_KEY_BYTES + 16
                or not isinstance(slot.created_at, str)):
            raise ValueError("malformed key slot")
        return slot


@dataclass
class KeySlotFile:
    store_id: str
    slots: list[KeySlot] = field(default_factory=list)

    # --- reading and writing -------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> KeySlotFile:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT \
                    or not isinstance(data.get("store_id"), str):
                raise ValueError("unknown key-slot format")
            return cls(store_id=data["store_id"],
                       slots=[KeySlot.from_json(slot) for slot in data["slots"]])
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error,
                UnicodeDecodeError) as error:
            raise StoreCorrupt(detail=N_("the key-slot file is damaged")) from error

    def save(self, path: Path) -> None:
        data = {"format": FORMAT, "store_id": self.store_id,
                "slots": [slot.to_json() for slot in self.slots]}
        write_atomically(Path(path), (json.dumps(data, indent=2) + "\n").encode("utf-8"))

    # --- slots ---------------------------------------------------------------------------

    def users(self) -> list[str]:
        return [slot.user for slot in self.slots if slot.kind == "user" and slot.user]

    def user_slot(self, user: str) -> KeySlot:
        for slot in self.slots:
            if slot.kind == "user" and slot.user == user:
                return slot
        raise UnknownUser(user=user)

    def recovery_slot(self) -> KeySlot:
        for slot in self.slots:
            if slot.kind == "recovery":
                return slot
        raise StoreCorrupt(detail=N_("the key-slot file has no recovery slot"))

    def unlock_user(self, user: str, passphrase: str) -> bytes:
        try:
            return self._unwrap(self.user_slot(user), passphrase)
        except InvalidTag:
            raise WrongPassphrase() from None

    def unlock_recovery(self, recovery_key: str) -> bytes:
        try:
            return self._unwrap(self.recovery_slot(), normalise_recovery_key(recovery_key))
        except InvalidTag:
            raise WrongRecoveryKey() from None

    def set_user(self, user: str, passphrase: str, data_key: bytes,
                 kdf: KdfParams = DEFAULT_KDF) -> None:
        """Add the user's slot, or replace it (a passphrase change)."""
        slot = self._wrap("user", user, passphrase, data_key, kdf)
        self.slots = [s for s in self.slots if not (s.kind == "user" and s.user == user)]
        self.slots.append(slot)

    def set_recovery(self, recovery_key: str, data_key: bytes,
                     kdf: KdfParams = DEFAULT_KDF) -> None:
        slot = self._wrap("recovery", None, normalise_recovery_key(recovery_key), data_key, kdf)
        self.slots = [s for s in self.slots if s.kind != "recovery"] + [slot]

    def remove_user(self, user: str) -> None:
        self.user_slot(user)  # raises for an unknown user
        self.slots = [s for s in self.slots if not (s.kind == "user" and s.user == user)]

    def _wrap(self, kind: str, user: str | None, secret: str, data_key: bytes,
              kdf: KdfParams) -> KeySlot:
        slot = KeySlot(slot_id=uuid.uuid4().hex, kind=kind, user=user, kdf=kdf,
                       salt=os.urandom(16), nonce=os.urandom(12), wrapped=b"",
                       created_at=datetime.now(UTC).isoformat(timespec="seconds"))
        kek = kdf.derive(secret, slot.salt)
        wrapped = AESGCM(kek).encrypt(slot.nonce, data_key, slot.associated_data(self.store_id))
        return replace(slot, wrapped=wrapped)

    def _unwrap(self, slot: KeySlot, secret: str) -> bytes:
        kek = slot.kdf.derive(secret, slot.salt)
        return AESGCM(kek).decrypt(slot.nonce, slot.wrapped, slot.associated_data(self.store_id))


def new_data_key() -> bytes:
    return secrets.token_bytes(DATA_KEY_BYTES)


def new_recovery_key() -> str:
    chars = "".join(secrets.choice(RECOVERY_ALPHABET)
                    for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LEN))
    return "-".join(chars[i:i + RECOVERY_GROUP_LEN]
                    for i in range(0, len(chars), RECOVERY_GROUP_LEN))


def normalise_recovery_key(text: str) -> str:
    """Accept the key as printed, in lower case, or with spaces instead of dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
