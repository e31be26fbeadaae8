"""The signed roster: users, their roles and public keys, the store-key versions and the
organisation's protective settings.

Each entry is signed by an administrator (or the recovery key) of the entry before it and
names that entry's hash, so the entries form a chain. Every slot carries the hash of the
first entry (its *anchor*): a roster written by anyone who is not an administrator — for
instance an advisor who edits the file or the database to make themselves one — does not
verify, and grants nothing. What the database's ``users`` table says is only a copy for
display, compared with the roster by ``check``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from workbench.i18n import N_
from workbench.store.crypto import (
    KeyPairs,
    b64,
    canonical,
    fingerprint,
    unb64,
    verify_signature,
)
from workbench.store.keyslots import RECOVERY

ADMIN = "admin"
CASE_ROLES = frozenset({"admin", "advisor"})
ROLES = frozenset({"admin", "advisor", "lead"})
DEFAULT_POLICY = {"stats_threshold": 5, "grace_days": 5, "broken_after": 2}


@dataclass(frozen=True)
class Member:
    name: str
    roles: frozenset[str]
    box: bytes | None  # None: issued no keys yet (a user carried over by an upgrade)
    sign: bytes | None
    since: int = 1  # the roster version that issued these keys

    @property
    def has_keys(self) -> bool:
        return self.box is not None and self.sign is not None

    @property
    def key_id(self) -> str:
        return fingerprint(self.sign) if self.sign else ""

    @property
    def case_worker(self) -> bool:
        return bool(self.roles & CASE_ROLES)

    def to_json(self) -> dict:
        return {"name": self.name, "roles": sorted(self.roles),
                "box": b64(self.box) if self.box else None,
                "sign": b64(self.sign) if self.sign else None, "since": self.since}

    @classmethod
    def from_json(cls, data: dict) -> Member:
        roles = frozenset(data["roles"])
        if not isinstance(data["name"], str) or not roles <= ROLES or not roles:
            raise ValueError("malformed member")
        box = unb64(data["box"]) if data["box"] is not None else None
        sign = unb64(data["sign"]) if data["sign"] is not None else None
        if (box is not None and len(box) != 32) or (sign is not None and len(sign) != 32):
            raise ValueError("malformed member key")
        return cls(data["name"], roles, box, sign, int(data["since"]))


@dataclass(frozen=True)
class Roster:
    version: int
    prev: str
    store_id: str
    at: str
    members: dict[str, Member]
    recovery: Member
    keys: dict[str, int]
    policy: dict[str, int]
    audit_from: int = 1  # the first audit row that must carry a signature

    def to_body(self) -> dict:
        return {"version": self.version, "prev": self.prev, "store_id": self.store_id,
                "at": self.at, "members": [m.to_json() for m in self.members.values()],
                "recovery": self.recovery.to_json(), "keys": dict(self.keys),
                "policy": dict(self.policy), "audit_from": self.audit_from}

    @classmethod
    def from_body(cls, body: dict) -> Roster:
        members = {m.name: m for m in (Member.from_json(raw) for raw in body["members"])}
        recovery = Member.from_json(body["recovery"])
        keys = {name: int(body["keys"][name]) for name in ("case", "facts")}
        policy = {name: int(body["policy"][name]) for name in DEFAULT_POLICY}
        return cls(int(body["version"]), str(body["prev"]), str(body["store_id"]),
                   str(body["at"]), members, recovery, keys, policy, int(body["audit_from"]))

    def signer(self, name: str) -> Member | None:
        """Who may sign the next entry: an administrator with keys, or the recovery key."""
        if name == RECOVERY:
            return self.recovery
        member = self.members.get(name)
        return member if member and ADMIN in member.roles and member.has_keys else None

    def next(self, **changes) -> Roster:
        """A copy with the version advanced; ``prev`` is set when it is signed."""
        values = {"version": self.version + 1, "prev": "", "store_id": self.store_id,
                  "at": _now(), "members": dict(self.members), "recovery": self.recovery,
                  "keys": dict(self.keys), "policy": dict(self.policy),
                  "audit_from": self.audit_from}
        values.update(changes)
        return Roster(**values)


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def sign_entry(roster: Roster, signer: str, keys: KeyPairs, prev_hash: str) -> dict:
    body = roster.to_body()
    body["prev"] = prev_hash
    return {"body": body, "signer": signer,
            "signature": b64(keys.sign(canonical({"body": body, "signer": signer})))}


@dataclass
class Verified:
    """The valid part of the chain and what is wrong with the rest."""

    rosters: list[Roster] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # N_-marked

    @property
    def current(self) -> Roster:
        return self.rosters[-1]

    def signing_keys(self) -> dict[str, tuple[str, bytes]]:
        """Every signing key any valid entry ever listed: key id → (name, public key)."""
        found: dict[str, tuple[str, bytes]] = {}
        for roster in self.rosters:
            for member in [*roster.members.values(), roster.recovery]:
                if member.sign:
                    found[member.key_id] = (member.name, member.sign)
        return found


def verify_chain(entries: list[dict], store_id: str, anchor: str) -> Verified:
    result = Verified()
    for n, entry in enumerate(entries):
        try:
            roster = Roster.from_body(entry["body"])
            signature = unb64(entry["signature"])
            signer_name = entry["signer"]
        except (KeyError, TypeError, ValueError):
            result.problems.append(N_("the list of users has an unreadable entry"))
            break
        authority = roster if n == 0 else result.current
        signer = authority.signer(signer_name)
        message = canonical({"body": entry["body"], "signer": signer_name})
        ok = (signer is not None and roster.store_id == store_id and roster.version == n + 1
              and verify_signature(signer.sign, signature, message))
        if n == 0:
            ok = ok and entry_hash(entry) == anchor and roster.prev == ""
        else:
            ok = ok and roster.prev == result.hashes[-1]
        if not ok:
            result.problems.append(N_("the list of users was changed by someone who is not an "
                                      "administrator; the change is ignored"))
            break
        result.rosters.append(roster)
        result.hashes.append(entry_hash(entry))
    return result


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def first_roster(store_id: str, members: dict[str, Member], recovery: Member,
                 policy: dict[str, int] | None = None, audit_from: int = 1) -> Roster:
    return Roster(1, "", store_id, _now(), members, recovery, {"case": 1, "facts": 1},
                  dict(policy or DEFAULT_POLICY), audit_from)
