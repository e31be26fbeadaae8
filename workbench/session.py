"""An unlocked store and the user who unlocked it; creating and unlocking stores.

Services take a ``Session``; they never reach for a global. Locking closes the
connection and drops the key.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from workbench.errors import (
    PermissionDenied,
    StoreExists,
    StoreNotFound,
    UnknownUser,
    ValidationError,
)
from workbench.i18n import CURRENCY_BY_COUNTRY, LANGUAGES, N_
from workbench.store import audit
from workbench.store.database import DB_FILENAME, Database, DatabaseError, raise_for_disk
from workbench.store.files import ensure_private_dir, os_errors_as_user_errors
from workbench.store.keyslots import (
    DEFAULT_KDF,
    KdfParams,
    KeySlotFile,
    new_data_key,
    new_recovery_key,
)

SLOTS_FILENAME = "keyslots.json"
COUNTRIES = ("FI", "SE", "DK")
MIN_PASSPHRASE_LENGTH = 10


class Role(StrEnum):
    ADMIN = "admin"
    ADVISOR = "advisor"
    LEAD = "lead"


CASE_WORK = (Role.ADVISOR, Role.ADMIN)


@dataclass(frozen=True)
class StoreLocation:
    data_dir: Path

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILENAME

    @property
    def slots_path(self) -> Path:
        return self.data_dir / SLOTS_FILENAME

    def exists(self) -> bool:
        return self.slots_path.exists() or self.db_path.exists()

    def keyslots(self) -> KeySlotFile:
        if not self.slots_path.exists():
            raise StoreNotFound(path=str(self.data_dir))
        return KeySlotFile.load(self.slots_path)


@dataclass(frozen=True)
class User:
    id: int
    name: str
    roles: frozenset[Role]
    created_at: str = ""

    def has(self, role: Role) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class Organisation:
    name: str
    country: str
    language: str

    @property
    def currency(self) -> str:
        return CURRENCY_BY_COUNTRY[self.country]


class Session:
    """The open store, the signed-in user and the data key (for adding users, backups)."""

    def __init__(self, location: StoreLocation, db: Database, user: User,
                 data_key: bytes) -> None:
        self.location = location
        self.db = db
        self.user = user
        self._data_key: bytes | None = data_key
        self.organisation = load_organisation(db)

    @property
    def data_key(self) -> bytes:
        if self._data_key is None:
            raise RuntimeError("the session is locked")
        return self._data_key

    @property
    def locked(self) -> bool:
        return self._data_key is None

    def require(self, role: Role, action: str) -> None:
        """Refuse ``action`` (an N_-marked phrase) unless the user has ``role``."""
        if not self.user.has(role):
            raise PermissionDenied(user=self.user.name, action=action)

    def require_any(self, roles: tuple[Role, ...], action: str) -> None:
        if not any(self.user.has(role) for role in roles):
            raise PermissionDenied(user=self.user.name, action=action)

    def require_case_work(self, action: str) -> None:
        """Case data is for advisors and administrators; a project lead sees statistics."""
        self.require_any(CASE_WORK, action)

    @contextlib.contextmanager
    def action(self, name: str, entity: str,
               entity_id: int | None = None) -> Iterator[ActionRecord]:
        """One user action: one transaction with its audit row.

        The entity id may be filled in inside the block (``act.entity_id = new_id``) when
        the action creates the record.
        """
        with self.db.transaction():
            record = ActionRecord(entity_id)
            yield record
            audit.append(self.db, self.user.name, name, entity, record.entity_id)

    def lock(self) -> None:
        self.db.close()
        self._data_key = None


@dataclass
class ActionRecord:
    """What the audit row of an action will name; filled in while the action runs."""

    entity_id: int | None


def load_organisation(db: Database) -> Organisation:
    settings = dict(db.all("SELECT key, value FROM settings"))
    return Organisation(name=settings.get("org_name", ""), country=settings.get("country", "FI"),
                        language=settings.get("language", "en"))


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(
            N_("A passphrase needs at least {count} characters; a few words make a good one."),
            count=MIN_PASSPHRASE_LENGTH)


def check_user_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise ValidationError(N_("A user name is one word of 1 to 64 characters."))
    return name


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def create_store(location: StoreLocation, org_name: str, country: str, admin: str,
                 passphrase: str, language: str = "en",
                 kdf: KdfParams = DEFAULT_KDF) -> tuple[Session, str]:
    """Make a new store with its first user (admin and advisor); returns the recovery key.

    Refuses a directory that already holds a store, touching nothing in it.
    """
    if location.exists():
        raise StoreExists(path=str(location.data_dir))
    if country not in COUNTRIES:
        raise ValidationError(N_("The country must be FI, SE or DK."))
    if language not in LANGUAGES:
        language = "en"
    if not org_name.strip():
        raise ValidationError(N_("The organisation needs a name."))
    admin = check_user_name(admin)
    check_passphrase(passphrase)

    with os_errors_as_user_errors(location.data_dir):
        ensure_private_dir(location.data_dir)
    data_key = new_data_key()
    recovery_key = new_recovery_key()
    slots = KeySlotFile(store_id=uuid.uuid4().hex)
    slots.set_user(admin, passphrase, data_key, kdf)
    slots.set_recovery(recovery_key, data_key, kdf)
    db: Database | None = None
    try:
        db = Database.open(location.db_path, data_key, create=True)
        with db.transaction():
            db.executemany("INSERT INTO settings (key, value) VALUES (?, ?)", [
                ("org_name", org_name.strip()), ("country", country), ("language", language),
                ("store_id", slots.store_id), ("created_at", now_utc())])
            user_id = db.execute(
                "INSERT INTO users (name, roles, created_at) VALUES (?, ?, ?)",
                (admin, "admin,advisor", now_utc())).lastrowid
            audit.append(db, admin, "store.create", "store", None)
            # The slot file last: a store without it cannot be opened, so a failure before
            # this line leaves nothing half-made that looks usable.
            slots.save(location.slots_path)
    except BaseException as error:
        if db is not None:
            db.close()
        for leftover in [*location.data_dir.glob(f"{DB_FILENAME}*"), location.slots_path]:
            leftover.unlink(missing_ok=True)
        if isinstance(error, DatabaseError):
            raise_for_disk(error, location.db_path)
        raise
    user = User(user_id, admin, frozenset({Role.ADMIN, Role.ADVISOR}))
    return Session(location, db, user, data_key), recovery_key


def unlock(location: StoreLocation, user_name: str, passphrase: str) -> Session:
    """Open the store as ``user_name``. A wrong passphrase changes no byte on disk."""
    data_key = location.keyslots().unlock_user(user_name, passphrase)
    return open_session(location, user_name, data_key)


def open_session(location: StoreLocation, user_name: str, data_key: bytes) -> Session:
    db = Database.open(location.db_path, data_key)
    row = db.one("SELECT id, name, roles, created_at FROM users "
                 "WHERE name = ? AND removed_at IS NULL", (user_name,))
    if row is None:
        db.close()
        raise UnknownUser(user=user_name)
    return Session(location, db, user_from_row(row), data_key)


def user_from_row(row) -> User:
    roles = frozenset(Role(part) for part in row["roles"].split(",") if part)
    return User(row["id"], row["name"], roles, row["created_at"])
