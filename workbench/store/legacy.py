"""Reading the key file of release 0.1 (format 1), only to upgrade such a store.

Format 1 kept one slot per user: Argon2id(passphrase) → AES-256-GCM over the single data
key, so every user's passphrase opened every case. ``upgrade.py`` turns such a store into
the per-user key pairs of format 2 and retires these slots.
"""

from __future__ import annotations

import binascii
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from workbench.errors import StoreCorrupt, UnknownUser, WrongPassphrase
from workbench.i18n import N_
from workbench.store.crypto import b64, canonical, unb64
from workbench.store.keyslots import KdfParams

FORMAT = 1


@dataclass(frozen=True)
class LegacySlot:
    slot_id: str
    kind: str
    user: str | None
    kdf: KdfParams
    salt: bytes
    nonce: bytes
    wrapped: bytes
    created_at: str

    def associated_data(self, store_id: str) -> bytes:
        return canonical({"format": FORMAT, "store_id": store_id, "slot_id": self.slot_id,
                          "kind": self.kind, "user": self.user, "kdf": asdict(self.kdf),
                          "salt": b64(self.salt), "created_at": self.created_at})


@dataclass
class LegacyKeyFile:
    store_id: str
    slots: list[LegacySlot]

    @classmethod
    def load(cls, path: Path) -> LegacyKeyFile:
        try:
            raw = Path(path).read_bytes()
            if len(raw) > 16 * 1024 * 1024:
                raise ValueError("key file too large")
            data = json.loads(raw.decode("utf-8"))
            if data.get("format") != FORMAT or not isinstance(data.get("store_id"), str):
                raise ValueError("not a format-1 key file")
            slots = []
            for raw in data["slots"]:
                slot = LegacySlot(raw["slot_id"], raw["kind"], raw["user"],
                                  KdfParams(**raw["kdf"]), unb64(raw["salt"]),
                                  unb64(raw["nonce"]), unb64(raw["wrapped"]), raw["created_at"])
                slot.kdf.check()
                if len(slot.nonce) != 12 or len(slot.wrapped) != 48 or len(slot.salt) < 16:
                    raise ValueError("malformed key slot")
                slots.append(slot)
            return cls(data["store_id"], slots)
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error,
                UnicodeDecodeError, RecursionError) as error:
            raise StoreCorrupt(detail=N_("the key-slot file is damaged")) from error

    def users(self) -> list[str]:
        return [slot.user for slot in self.slots if slot.kind == "user" and slot.user]

    def unlock_user(self, user: str, passphrase: str) -> bytearray:
        for slot in self.slots:
            if slot.kind == "user" and slot.user == user:
                kek = slot.kdf.derive(passphrase, slot.salt)
                try:
                    return bytearray(AESGCM(kek).decrypt(
                        slot.nonce, slot.wrapped, slot.associated_data(self.store_id)))
                except InvalidTag:
                    raise WrongPassphrase() from None
        raise UnknownUser(user=user)
