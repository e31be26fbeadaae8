"""Managing the people who may open the store: add, list, change passphrase, remove, recover.

Each change writes the user's key slot (atomically) and a users row with its audit row in
one transaction; the database's own encryption is never redone.
"""

from __future__ import annotations

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
    user_from_row,
)
from workbench.store.keyslots import DEFAULT_KDF, KdfParams


class UserService:
    def __init__(self, session: Session, kdf: KdfParams = DEFAULT_KDF) -> None:
        self.session = session
        self.kdf = kdf

    def list_users(self) -> list[User]:
        rows = self.session.db.all("SELECT id, name, roles, created_at FROM users "
                                   "WHERE removed_at IS NULL ORDER BY name")
        return [user_from_row(row) for row in rows]

    def add_user(self, name: str, roles: set[Role], passphrase: str) -> User:
        self.session.require(Role.ADMIN, N_("add users"))
        name = check_user_name(name)
        check_passphrase(passphrase)
        if not roles:
            raise ValidationError(N_("A user needs at least one role."))
        db = self.session.db
        if db.one("SELECT 1 FROM users WHERE name = ?", (name,)):
            raise ValidationError(N_("The user name “{name}” is taken."), name=name)
        role_text = ",".join(sorted(role.value for role in roles))
        with self.session.action("user.add", "user") as act:
            # Read the slot file inside the transaction: the store's write lock keeps a
            # second program adding a user at the same moment from overwriting this one.
            slots = self.session.location.keyslots()
            act.entity_id = db.execute(
                "INSERT INTO users (name, roles, created_at) VALUES (?, ?, ?)",
                (name, role_text, now_utc())).lastrowid
            slots.set_user(name, passphrase, self.session.data_key, self.kdf)
            slots.save(self.session.location.slots_path)
        return User(act.entity_id, name, frozenset(roles))

    def change_passphrase(self, name: str, new_passphrase: str) -> None:
        """A user changes their own passphrase; an admin may set anybody's."""
        if name != self.session.user.name:
            self.session.require(Role.ADMIN, N_("change another user's passphrase"))
        check_passphrase(new_passphrase)
        user = self._active(name)
        with self.session.action("user.passphrase", "user", user.id):
            slots = self.session.location.keyslots()
            slots.set_user(name, new_passphrase, self.session.data_key, self.kdf)
            slots.save(self.session.location.slots_path)

    def remove_user(self, name: str) -> None:
        self.session.require(Role.ADMIN, N_("remove users"))
        if name == self.session.user.name:
            raise ValidationError(N_("You cannot remove yourself; ask another admin."))
        user = self._active(name)
        with self.session.action("user.remove", "user", user.id):
            slots = self.session.location.keyslots()
            self.session.db.execute("UPDATE users SET removed_at = ? WHERE id = ?",
                                    (now_utc(), user.id))
            slots.remove_user(name)
            slots.save(self.session.location.slots_path)

    def _active(self, name: str) -> User:
        row = self.session.db.one("SELECT id, name, roles, created_at FROM users "
                                  "WHERE name = ? AND removed_at IS NULL", (name,))
        if row is None:
            raise UnknownUser(user=name)
        return user_from_row(row)


def recover(location: StoreLocation, name: str, recovery_key: str, new_passphrase: str,
            kdf: KdfParams = DEFAULT_KDF) -> Session:
    """A forgotten passphrase: the recovery key opens the store and sets a new one."""
    check_passphrase(new_passphrase)
    slots = location.keyslots()
    data_key = slots.unlock_recovery(recovery_key)
    session = open_session(location, name, data_key)
    with session.action("user.recover", "user", session.user.id):
        slots.set_user(name, new_passphrase, data_key, kdf)
        slots.save(location.slots_path)
    return session
