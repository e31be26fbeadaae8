"""What a passphrase (or the recovery key) opens: the principal's key pairs, the verified
roster, and the store keys wrapped to that principal — nothing its role does not need.

A project lead's envelopes hold only the facts key; advisors and administrators also get
the case key. Changing who holds what is done by writing new envelopes to public keys and a
new roster entry signed by an administrator; nobody's passphrase is needed for that.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from workbench.errors import StoreError, UnknownUser
from workbench.i18n import N_
from workbench.store.crypto import KeyPairs, fingerprint, wipe
from workbench.store.keyslots import RECOVERY, KeyFile
from workbench.store.roster import Member, Roster, Verified, entry_hash, sign_entry, verify_chain


class StoreTampered(StoreError):
    template = N_("The store's list of users or its keys were altered ({detail}). Nothing "
                  "was opened; ask an administrator to restore the store from a backup.")


class NeedsNewPassphrase(StoreError):
    exit_code = 3
    template = N_("This store was upgraded to personal keys. An administrator must set a new "
                  "passphrase for “{user}” (Settings → Users, or “workbench users passwd”).")


@dataclass
class Access:
    principal: str
    keys: KeyPairs
    anchor: str
    keyfile: KeyFile
    chain: Verified
    store_keys: dict[str, dict[int, bytearray]] = field(default_factory=dict)

    @property
    def roster(self) -> Roster:
        return self.chain.current

    @property
    def member(self) -> Member:
        if self.principal == RECOVERY:
            return self.roster.recovery
        return self.roster.members[self.principal]

    @property
    def key_id(self) -> str:
        return fingerprint(self.keys.sign_public)

    def key(self, name: str) -> bytearray:
        """The current version of store key ``name``."""
        return self.store_keys[name][self.roster.keys[name]]

    def reload(self, path: Path) -> None:
        """Read the key file again (another program may have changed it) and re-verify."""
        keyfile = KeyFile.load(path)
        chain = verify_chain(keyfile.roster, keyfile.store_id, self.anchor)
        if not chain.rosters:
            raise StoreTampered(detail=N_("the list of users does not verify"))
        self.keyfile, self.chain = keyfile, chain
        self._unwrap()

    def _unwrap(self) -> None:
        member = self.member
        names = ["facts"] + (["case"] if member.case_worker or self.principal == RECOVERY
                             else [])
        for name in names:
            for version, secret in self.keyfile.unwrap_all(self.principal, self.keys,
                                                           name).items():
                self.store_keys.setdefault(name, {})[version] = secret
            self.store_keys[name] = dict(sorted(self.store_keys.get(name, {}).items(),
                                                reverse=True))

    def publish(self, roster: Roster) -> None:
        """Append ``roster`` to the chain, signed by this principal (an administrator or
        the recovery key). The caller saves the key file."""
        entry = sign_entry(roster, self.principal, self.keys, self.chain.hashes[-1])
        self.keyfile.roster.append(entry)
        self.chain.rosters.append(_with_prev(roster, self.chain.hashes[-1]))
        self.chain.hashes.append(entry_hash(entry))

    def wipe(self) -> None:
        self.keys.wipe()
        for versions in self.store_keys.values():
            for secret in versions.values():
                wipe(secret)
        self.store_keys.clear()


def _with_prev(roster: Roster, prev: str) -> Roster:
    return replace(roster, prev=prev)


def open_access(path: Path, principal: str, secret: str) -> Access:
    """Unseal the principal's slot, verify the roster and unwrap its store keys."""
    keyfile = KeyFile.load(path)
    try:
        unsealed = keyfile.unseal(principal, secret)
    except UnknownUser:
        if _listed_without_keys(keyfile, principal):
            raise NeedsNewPassphrase(user=principal) from None
        raise
    chain = verify_chain(keyfile.roster, keyfile.store_id, unsealed.anchor)
    if not chain.rosters:
        unsealed.keys.wipe()
        raise StoreTampered(detail=N_("the list of users does not verify"))
    access = Access(principal, unsealed.keys, unsealed.anchor, keyfile, chain)
    if principal != RECOVERY:
        member = chain.current.members.get(principal)
        if member is None:
            access.wipe()
            raise UnknownUser(user=principal)
        if not member.has_keys:
            access.wipe()
            raise NeedsNewPassphrase(user=principal)
        if member.box != unsealed.keys.box_public or member.sign != unsealed.keys.sign_public:
            access.wipe()
            raise StoreTampered(detail=N_("this user's slot does not match the list of users"))
    access._unwrap()
    return access


def _listed_without_keys(keyfile: KeyFile, principal: str) -> bool:
    """Whether the newest roster entry lists the user without keys (carried over by an
    upgrade). Unverified, so it only chooses which message to show."""
    try:
        members = keyfile.roster[-1]["body"]["members"]
        return any(m["name"] == principal and m["box"] is None for m in members)
    except (IndexError, KeyError, TypeError):
        return False


def entitled(roster: Roster, principal: str, key: str) -> bool:
    if principal == RECOVERY:
        return True
    member = roster.members.get(principal)
    if member is None or not member.has_keys:
        return False
    return key == "facts" or member.case_worker


def grant(keyfile: KeyFile, roster: Roster, store_keys: dict[str, dict[int, bytearray]],
          versions: tuple[int, ...] | None = None) -> None:
    """Make the envelopes match the roster: each principal gets the keys its role needs
    (the current version, and older ones still in ``store_keys`` while a rotation is under
    way), and every envelope of a principal no longer entitled is dropped."""
    keyfile.envelopes = [e for e in keyfile.envelopes
                         if entitled(roster, e["to"], e["key"])
                         and _box_matches(roster, e)]
    principals = [(RECOVERY, roster.recovery), *roster.members.items()]
    for name, member in principals:
        if not member.has_keys:
            continue
        for key, secrets in store_keys.items():
            if not entitled(roster, name, key):
                continue
            for version, secret in secrets.items():
                if versions is not None and version not in versions and \
                        version != roster.keys[key]:
                    continue
                if not any(e["to"] == name and e["key"] == key and e["version"] == version
                           and e.get("to_box") == fingerprint(member.box)
                           for e in keyfile.envelopes):
                    keyfile.wrap(name, member.box, key, version, secret)
                    keyfile.envelopes[-1]["to_box"] = fingerprint(member.box)


def _box_matches(roster: Roster, envelope: dict) -> bool:
    member = roster.recovery if envelope["to"] == RECOVERY else roster.members.get(
        envelope["to"])
    return member is not None and member.has_keys and \
        envelope.get("to_box") == fingerprint(member.box)
