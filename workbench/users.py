"""Managing the people who may open the store: add, list, change passphrase, remove, recover.

Every change is a new roster entry signed by an administrator (or, for recovery, the
recovery key), with envelopes that give each user exactly the keys their roles need.
Removing a user renews the store keys and re-encrypts the store files, so the removed
user's old key file — or any copy of it — opens nothing written before or after.
"""

from __future__ import annotations

from dataclasses import replace

from workbench.errors import UnknownUser, ValidationError
from workbench.i18n import N_
from workbench.session import (
    Role,
    Session,
    StoreLocation,
    User,
    check_passphrase,
    check_user_name,
    now_utc,
    open_session,
    user_roles_text,
)
from workbench.store import rotation
from workbench.store.access import Access, grant, open_access
from workbench.store.crypto import KeyPairs
from workbench.store.keyslots import DEFAULT_KDF, RECOVERY, KdfParams, new_store_key
from workbench.store.lock import exclusively
from workbench.store.roster import Member, verify_chain


class UserService:
    def __init__(self, session: Session, kdf: KdfParams = DEFAULT_KDF) -> None:
        self.session = session
        self.kdf = kdf

    def list_users(self) -> list[User]:
        """The users of the signed roster (the database's list is only a copy)."""
        ids = {}
        if self.session.db is not None:
            ids = dict(self.session.db.all("SELECT name, id FROM users"))
        return [User(ids.get(m.name, 0), m.name, frozenset(Role(r) for r in m.roles))
                for m in sorted(self.session.access.roster.members.values(),
                                key=lambda m: m.name)]

    def add_user(self, name: str, roles: set[Role], passphrase: str) -> User:
        self.session.require(Role.ADMIN, N_("add users"))
        name = check_user_name(name)
        check_passphrase(passphrase, (name, self.session.organisation.name))
        if not roles:
            raise ValidationError(N_("A user needs at least one role."))
        db = self.session.db
        access = self.session.access
        with self.session.action("user.add", "user") as act:
            # Read the key file inside the transaction: the store's write lock keeps a
            # second program changing users at the same moment from overwriting this.
            access.reload(self.session.location.slots_path)
            if name in access.roster.members or db.one("SELECT 1 FROM users WHERE name = ?",
                                                       (name,)):
                raise ValidationError(N_("The user name “{name}” is taken."), name=name)
            keys = KeyPairs.generate()
            member = Member(name, frozenset(r.value for r in roles), keys.box_public,
                            keys.sign_public, access.roster.version + 1)
            self._publish(replace_member(access, member), name, passphrase, keys)
            act.entity_id = db.execute(
                "INSERT INTO users (name, roles, created_at) VALUES (?, ?, ?)",
                (name, user_roles_text(member.roles), now_utc())).lastrowid
            access.keyfile.save(self.session.location.slots_path)
        keys.wipe()
        return User(act.entity_id, name, frozenset(roles))

    def change_passphrase(self, name: str, new_passphrase: str,
                          progress: rotation.Progress | None = None) -> None:
        """A user changes their own passphrase (their keys stay the same). An administrator
        setting somebody else's issues that user new keys and renews the store keys, as a
        removal does: the old passphrase — and any copy of the old key file — opens
        nothing from then on."""
        own = name == self.session.user.name
        if not own:
            self.session.require(Role.ADMIN, N_("change another user's passphrase"))
        check_passphrase(new_passphrase, (name, self.session.organisation.name))
        access = self.session.access
        member = self._member(name)
        if own:
            with self.session.action("user.passphrase", "user", self._user_id(name)):
                access.reload(self.session.location.slots_path)
                access.keyfile.set_slot(name, new_passphrase, access.keys, access.anchor,
                                        self.kdf)
                access.keyfile.save(self.session.location.slots_path)
            return
        keys = KeyPairs.generate()
        renewed = replace(member, box=keys.box_public, sign=keys.sign_public)

        def members(roster):
            return {**roster.members, name: replace(renewed, since=roster.version + 1)}

        try:
            self._renew("user.passphrase", name, members, progress,
                        slot=(name, new_passphrase, keys))
        finally:
            keys.wipe()

    def remove_user(self, name: str, progress: rotation.Progress | None = None) -> None:
        """Remove ``name`` and renew the store keys (the store files are re-encrypted)."""
        self.session.require(Role.ADMIN, N_("remove users"))
        if name == self.session.user.name:
            raise ValidationError(N_("You cannot remove yourself; ask another admin."))
        self._member(name)

        def members(roster):
            return {n: m for n, m in roster.members.items() if n != name}

        self._renew("user.remove", name, members, progress)

    def _renew(self, action: str, name: str, members, progress, slot=None) -> None:
        """One roster change (``members`` gives the new members from the current roster)
        with new store keys, the files re-encrypted under them (crash-safe, see
        rotation.py). Needs the store to itself."""
        session, access = self.session, self.session.access
        with exclusively(session.location.data_dir, session._lock):
            with session.action(action, "user", self._user_id(name)):
                access.reload(session.location.slots_path)
                if action == "user.remove":
                    session.db.execute("UPDATE users SET removed_at = ? WHERE name = ? AND "
                                       "removed_at IS NULL", (now_utc(), name))
                roster = access.roster
                versions = {key: roster.keys[key] + 1 for key in ("case", "facts")}
                for key, version in versions.items():
                    access.store_keys[key] = {version: new_store_key(),
                                              **access.store_keys[key]}
                access.publish(roster.next(members=members(roster), keys=versions))
                grant(access.keyfile, access.roster, access.store_keys)
                if slot is None:
                    access.keyfile.remove_slot(name)
                else:
                    access.keyfile.set_slot(slot[0], slot[1], slot[2], access.anchor,
                                            self.kdf)
                access.keyfile.save(session.location.slots_path)
            rotation.finish(session, progress)

    def set_policy(self, **changes: int) -> None:
        """Change the organisation's protective settings (threshold for small numbers,
        days of grace, missed instalments before a plan breaks): a signed roster entry, so
        nobody but an administrator can change them, also not by editing the database."""
        self.session.require(Role.ADMIN, N_("change the organisation's settings"))
        access = self.session.access
        with self.session.action("settings.policy", "store"):
            access.reload(self.session.location.slots_path)
            policy = {**access.roster.policy, **changes}
            access.publish(access.roster.next(policy=policy))
            access.keyfile.save(self.session.location.slots_path)
            if self.session.db is not None:
                from workbench.stats import facts
                facts.rebuild(self.session.db, self.session.facts_context())

    # --- helpers -------------------------------------------------------------------------

    def _publish(self, roster, name: str, passphrase: str, keys: KeyPairs) -> None:
        access = self.session.access
        access.publish(roster)
        grant(access.keyfile, access.roster, access.store_keys)
        access.keyfile.set_slot(name, passphrase, keys, access.anchor, self.kdf)

    def _member(self, name: str) -> Member:
        member = self.session.access.roster.members.get(name)
        if member is None:
            raise UnknownUser(user=name)
        return member

    def _user_id(self, name: str) -> int | None:
        if self.session.db is None:
            return None
        return self.session.db.scalar("SELECT id FROM users WHERE name = ?", (name,))


def replace_member(access: Access, member: Member):
    members = dict(access.roster.members)
    members[member.name] = member
    return access.roster.next(members=members)


def recover(location: StoreLocation, name: str, recovery_key: str, new_passphrase: str,
            kdf: KdfParams = DEFAULT_KDF) -> Session:
    """A forgotten passphrase: the recovery key issues ``name`` new keys and passphrase."""
    check_passphrase(new_passphrase, (name,))
    rescuer = open_access(location.slots_path, RECOVERY, recovery_key)
    try:
        member = rescuer.roster.members.get(name)
        if member is None:
            raise UnknownUser(user=name)
        keys = KeyPairs.generate()
        renewed = replace(member, box=keys.box_public, sign=keys.sign_public,
                          since=rescuer.roster.version + 1)
        rescuer.publish(replace_member(rescuer, renewed))
        grant(rescuer.keyfile, rescuer.roster, rescuer.store_keys)
        rescuer.keyfile.set_slot(name, new_passphrase, keys, rescuer.anchor, kdf)
        rescuer.keyfile.save(location.slots_path)
        keyfile, anchor = rescuer.keyfile, rescuer.anchor
    finally:
        rescuer.wipe()
    access = Access(name, keys, anchor, keyfile,
                    verify_chain(keyfile.roster, keyfile.store_id, anchor))
    access._unwrap()
    session = open_session(location, access)
    with session.action("user.recover", "user", session.user.id or None):
        pass
    return session
