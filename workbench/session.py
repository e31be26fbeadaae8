"""An unlocked store and the user who unlocked it; creating and unlocking stores.

Services take a ``Session``; they never reach for a global. What a session can open is what
the user's passphrase unwrapped: advisors and administrators hold the case key (the case
store, with the statistics facts store attached), a project lead only the facts key (the
facts store alone). Roles come from the signed roster, never from the database. Locking
closes the connections, wipes the keys it can reach and releases the store.
"""

from __future__ import annotations

import contextlib
import dataclasses
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
    ValidationError,
)
from workbench.i18n import CURRENCY_BY_COUNTRY, LANGUAGES, N_, set_country
from workbench.passphrase import require_strong
from workbench.stats import facts
from workbench.store import audit, heads, throttle
from workbench.store.access import Access, open_access
from workbench.store.crypto import KeyPairs
from workbench.store.database import DB_FILENAME, Database, DatabaseError, raise_for_disk
from workbench.store.files import ensure_private_dir, os_errors_as_user_errors
from workbench.store.keyslots import (
    DEFAULT_KDF,
    RECOVERY,
    KdfParams,
    KeyFile,
    file_format,
    new_recovery_key,
    new_store_key,
)
from workbench.store.lock import StoreLock
from workbench.store.migrations import CASE_DIR, FACTS_DIR
from workbench.store.roster import Member, entry_hash, first_roster, sign_entry

SLOTS_FILENAME = "keyslots.json"
FACTS_FILENAME = "facts.db"
COUNTRIES = ("FI", "SE", "DK")
MIN_PASSPHRASE_LENGTH = 10


class Role(StrEnum):
    ADMIN = "admin"
    ADVISOR = "advisor"
    LEAD = "lead"


CASE_WORK = (Role.ADVISOR, Role.ADMIN)
# Actions that read or publish, and change no statistics fact.
READ_ONLY_ACTIONS = ("stats.", "case.open", "cases.list", "person.export", "denied",
                     "store.backup", "audit.")


@dataclass(frozen=True)
class StoreLocation:
    data_dir: Path

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILENAME

    @property
    def facts_path(self) -> Path:
        return self.data_dir / FACTS_FILENAME

    @property
    def slots_path(self) -> Path:
        return self.data_dir / SLOTS_FILENAME

    def exists(self) -> bool:
        return self.slots_path.exists() or self.db_path.exists()

    def keyslots(self) -> KeyFile:
        if not self.slots_path.exists():
            raise StoreNotFound(path=str(self.data_dir))
        return KeyFile.load(self.slots_path)

    def user_names(self) -> list[str]:
        """Who may sign in here (for the unlock dialog), from the key file."""
        if not self.slots_path.exists():
            raise StoreNotFound(path=str(self.data_dir))
        if file_format(self.slots_path) == 1:
            from workbench.store.legacy import LegacyKeyFile
            return LegacyKeyFile.load(self.slots_path).users()
        return self.keyslots().principals()


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
    """The open store(s), the signed-in user and the keys that user holds."""

    def __init__(self, location: StoreLocation, access: Access, db: Database | None,
                 facts_db: Database, store_lock: StoreLock | None = None) -> None:
        self.location = location
        self.access = access
        self.db = db  # the case store; None for a project lead
        self.facts_db = facts_db  # the same connection as ``db`` for case workers
        self._lock = store_lock
        self._opened_cases: set[int] = set()
        self._key_versions: dict[str, int] = {}  # versions the files opened with
        self._roster_noted: str | None = None
        self.facts_generation = 0  # moves on with every action that may change the facts
        self.warnings: list[str] = []  # integrity findings at unlock, translated
        self.new_recovery_key: str | None = None  # set once, by an upgrade: show it
        self.users_needing_passphrase: list[str] = []
        self.removed_again: list[str] = []  # by a restore: removed since the backup
        self.user = self._user()
        # This laptop's device id once the store takes part in team sync: every action
        # then writes its change record to the outbox too.
        self.sync_device: str | None = None
        if db is not None:
            from workbench.sync import capture
            self.sync_device = capture.device_id(db)
        self.organisation = load_organisation(db, facts_db)
        set_country(self.organisation.country)

    def _user(self) -> User:
        member = self.access.member
        user_id = 0
        if self.db is not None:
            user_id = self.db.scalar("SELECT id FROM users WHERE name = ?",
                                     (member.name,)) or 0
        return User(user_id, member.name, frozenset(Role(r) for r in member.roles))

    # --- keys ---------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self.facts_db is None

    @property
    def keys(self) -> KeyPairs:
        return self.access.keys

    @property
    def policy(self) -> dict[str, int]:
        """The organisation's protective settings, as an administrator signed them."""
        return self.access.roster.policy

    def store_key(self, name: str) -> bytearray:
        if self.locked:
            raise RuntimeError("the session is locked")
        return self.access.key(name)

    def signer(self) -> audit.Signer:
        return audit.Signer(self.user.name, self.access.key_id, self.access.keys)

    def facts_context(self) -> facts.FactsContext:
        return facts.FactsContext(facts.ensure_link_key(self.db), self.policy["grace_days"],
                                  self.policy["stats_threshold"])

    # --- permissions --------------------------------------------------------------------

    def require(self, role: Role, action: str) -> None:
        """Refuse ``action`` (an N_-marked phrase) unless the user has ``role``."""
        if not self.user.has(role):
            self._refused(action)

    def require_any(self, roles: tuple[Role, ...], action: str) -> None:
        if not any(self.user.has(role) for role in roles):
            self._refused(action)

    def require_case_work(self, action: str) -> None:
        """Case data is for advisors and administrators; a project lead sees statistics."""
        self.require_any(CASE_WORK, action)
        if self.db is None:  # a roster says so, but this session holds no case key
            self._refused(action)

    def _refused(self, action: str) -> None:
        """A refused attempt is an action too: audited (what was tried, never data)."""
        with contextlib.suppress(Exception):
            if not self.locked and self._chain_db()._depth == 0:
                with self.action("denied", "permission"):
                    pass
        raise PermissionDenied(user=self.user.name, action=action)

    # --- actions ------------------------------------------------------------------------

    def _chain_db(self) -> Database:
        return self.db if self.db is not None else self.facts_db

    @contextlib.contextmanager
    def action(self, name: str, entity: str,
               entity_id: int | None = None) -> Iterator[ActionRecord]:
        """One user action: one transaction with its signed audit row and, for a case,
        its statistics facts brought up to date.

        The entity id may be filled in inside the block (``act.entity_id = new_id``) when
        the action creates the record.
        """
        if self.locked:
            raise RuntimeError("the session is locked")
        db = self._chain_db()
        table = audit.CASE_CHAIN if self.db is not None else audit.FACTS_CHAIN
        with db.transaction():
            record = ActionRecord(entity_id)
            partners = (facts.partners_of(db, entity_id)
                        if self.db is not None and entity == "case" and entity_id else [])
            yield record
            if entity == "case" and record.entity_id:
                self._opened_cases.add(record.entity_id)  # whoever wrote it has it open
            if self.sync_device is not None:
                from workbench.sync import capture
                capture.capture(db, device=self.sync_device, user=self.user.name, action=name)
            new_head = audit.append(db, self.signer(), name, entity, record.entity_id, table)
            # Which roster entry the store has seen: a key file put back to an older entry
            # is refused at unlock; a newer one (a crash fell between the key file and the
            # database) is followed.
            self._note_roster_version()
            if self.db is not None:
                if entity == "case" and record.entity_id:
                    facts.refresh_case(db, self.facts_context(), record.entity_id, partners)
                facts.record_head(db, new_head)
        if not name.startswith(READ_ONLY_ACTIONS):
            self.facts_generation += 1
        # The signed note of the chain's head names only what is committed: inside a larger
        # transaction (a form saved in one), once that commits.
        db.after_commit(self._write_head)

    def _settings_table(self) -> str:
        return "settings" if self.db is not None else "fact_settings"

    def _note_roster_version(self) -> None:
        """Record the roster entry this action saw, never moving the record backwards (a
        window opened before an administrator's change may still be acting)."""
        version = self.access.roster.version
        if self._roster_noted == version or version < self.recorded_roster_version():
            return
        values = [("roster_version", str(version)), ("roster_hash", self.access.chain.hashes[-1])]
        # In both stores, so that a project lead's unlock (facts only) checks it too.
        tables = ["settings", "fact_settings"] if self.db is not None else ["fact_settings"]
        for table in tables:
            self._chain_db().executemany(
                f"INSERT OR REPLACE INTO {table} (key, value) VALUES (?, ?)", values)
        self._roster_noted = version

    def recorded_roster_version(self) -> int:
        value = self._chain_db().scalar(
            f"SELECT value FROM {self._settings_table()} WHERE key = 'roster_version'")
        return int(value) if value and value.isdigit() else 0

    def recorded_roster_hash(self) -> str | None:
        return self._chain_db().scalar(
            f"SELECT value FROM {self._settings_table()} WHERE key = 'roster_hash'")

    def case_opened(self, case_id: int) -> None:
        """Reading a case is audited once per case per session."""
        if case_id not in self._opened_cases:
            with self.action("case.open", "case_read", case_id):
                pass
            self._opened_cases.add(case_id)

    def _write_head(self) -> None:
        chains = {}
        if self.db is not None:
            row_id, digest = audit.head(self.db, audit.CASE_CHAIN)
            chains[audit.CASE_CHAIN] = (row_id, digest.hex())
        row_id, digest = audit.head(self.facts_db, audit.FACTS_CHAIN)
        chains[audit.FACTS_CHAIN] = (row_id, digest.hex())
        heads.write(self.location.data_dir, heads.Head(
            self.user.name, chains, self.access.roster.version, self.access.chain.hashes[-1]),
            self.access.keys)

    def lock(self) -> None:
        """Close the store and wipe the keys this session holds."""
        self.close()
        self.access.wipe()

    def close(self) -> None:
        """Close the store's connections and release its lock, keeping the keys;
        ``lock`` wipes them too."""
        for db in {id(d): d for d in (self.db, self.facts_db) if d is not None}.values():
            db.close()
        self.db = None
        self.facts_db = None
        if self._lock is not None:
            self._lock.release()

    def handover(self) -> Handover:
        """What another process needs to work as this user on connections of its own (a
        sync beside the window): the store's place and the keys this session holds."""
        if self.locked:
            raise RuntimeError("the session is locked")
        # Only the store keys the files are under now; the helper needs no other version.
        current = {name: {version: self.access.store_keys[name][version]}
                   for name, version in self._key_versions.items()}
        access = dataclasses.replace(self.access, store_keys=current)
        return Handover(self.location, access, dict(self._key_versions),
                        self.db is not None)

    @classmethod
    def taken_over(cls, handover: Handover) -> Session:
        """A session on connections of its own, from ``handover`` (in the helper process),
        holding the store's lock as a window does (no restore or key renewal under it, even
        should the window's program die first). ``lock`` wipes the keys it was given."""
        location, access = handover.location, handover.access
        keys = access.store_keys
        facts_key = keys["facts"][handover.key_versions["facts"]]
        store_lock = StoreLock(location.data_dir)
        store_lock.shared()
        db = None
        try:
            if handover.case_store:
                db = Database.open(location.db_path,
                                   keys["case"][handover.key_versions["case"]], migrate=False)
                db.attach(location.facts_path, "facts", facts_key)
                facts_db = db
            else:
                facts_db = Database.open(location.facts_path, facts_key, migrate=False,
                                         schema=FACTS_DIR)
        except BaseException:
            if db is not None:
                db.close()
            store_lock.release()
            raise
        other = cls(location, access, db, facts_db, store_lock)
        other._key_versions = dict(handover.key_versions)
        return other


@dataclass
class Handover:
    """A session's place and keys, handed to a helper process (see ``Session.handover``)."""

    location: StoreLocation
    access: Access
    key_versions: dict[str, int]
    case_store: bool


@dataclass
class ActionRecord:
    """What the audit row of an action will name; filled in while the action runs."""

    entity_id: int | None


def load_organisation(db: Database | None, facts_db: Database) -> Organisation:
    if db is not None:
        settings = dict(db.all("SELECT key, value FROM settings"))
    else:
        settings = dict(facts_db.all("SELECT key, value FROM fact_settings"))
    return Organisation(name=settings.get("org_name", ""), country=settings.get("country", "FI"),
                        language=settings.get("language", "en"))


def check_passphrase(passphrase: str, user_inputs: tuple[str, ...] = ()) -> None:
    """Refuse a passphrase that is too short or easy to guess (set-up, users, CLI)."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(
            N_("A passphrase needs at least {count} characters; a few words make a good one."),
            count=MIN_PASSPHRASE_LENGTH)
    require_strong(passphrase, user_inputs)


def check_user_name(name: str) -> str:
    name = name.strip()
    if (not name or len(name) > 64 or any(ch.isspace() for ch in name)
            or name.startswith("@")):
        raise ValidationError(N_("A user name is one word of 1 to 64 characters."))
    return name


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- creating a store ---------------------------------------------------------------------

FIRST_USER_ROLES = frozenset({"admin", "advisor"})


def create_store(location: StoreLocation, org_name: str, country: str, admin: str,
                 passphrase: str, language: str = "en",
                 kdf: KdfParams = DEFAULT_KDF,
                 roles: frozenset[str] = FIRST_USER_ROLES) -> tuple[Session, str]:
    """Make a new store with its first user (admin and advisor); returns the recovery key.

    A project lead's laptop that joins a team starts with a lead (``roles``): the case
    key is then wrapped to the recovery key only, and the session returned opens the
    facts store alone. Refuses a directory that already holds a store, touching nothing.
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
    check_passphrase(passphrase, (admin, org_name))

    with os_errors_as_user_errors(location.data_dir):
        ensure_private_dir(location.data_dir)
    recovery_key = new_recovery_key()
    keyfile, access = _new_keys(uuid.uuid4().hex, admin, passphrase, recovery_key, kdf, roles)
    made = [location.db_path, location.facts_path]
    db: Database | None = None
    store_lock = StoreLock(location.data_dir)
    try:
        store_lock.shared()
        facts_db = Database.open(location.facts_path, access.key("facts"), create=True,
                                 schema=FACTS_DIR)
        with facts_db.transaction():
            facts.write_organisation(facts_db, org_name.strip(), country, language)
        facts_db.close()
        db = Database.open(location.db_path, access.key("case"), create=True)
        db.attach(location.facts_path, "facts", access.key("facts"))
        with db.transaction():
            db.executemany("INSERT INTO settings (key, value) VALUES (?, ?)", [
                ("org_name", org_name.strip()), ("country", country), ("language", language),
                ("store_id", keyfile.store_id), ("created_at", now_utc())])
            db.execute("INSERT INTO users (name, roles, created_at) VALUES (?, ?, ?)",
                       (admin, user_roles_text(roles), now_utc()))
            facts.ensure_link_key(db)
            signer = audit.Signer(admin, access.key_id, access.keys)
            facts.record_head(db, audit.append(db, signer, "store.create", "store", None))
            # The key file last: a store without it cannot be opened, so a failure before
            # this line leaves nothing half-made that looks usable.
            keyfile.save(location.slots_path)
    except BaseException as error:
        if db is not None:
            db.close()
        store_lock.release()
        for leftover in [*location.data_dir.glob(f"{DB_FILENAME}*"),
                         *location.data_dir.glob(f"{FACTS_FILENAME}*"), location.slots_path,
                         store_lock.path]:
            leftover.unlink(missing_ok=True)
        if isinstance(error, DatabaseError):
            raise_for_disk(error, made[0])
        raise
    if not access.member.case_worker:
        # Written with both keys (the store must be made whole); opened as what it is.
        db.close()
        store_lock.release()
        access.store_keys.pop("case")
        return open_session(location, access), recovery_key
    db.checkpoint_in_background(access.key("case"),
                                {"facts": (location.facts_path, access.key("facts"))})
    session = Session(location, access, db, db, store_lock)
    session._key_versions = {"case": 1, "facts": 1}
    session._write_head()
    return session, recovery_key


def _new_keys(store_id: str, admin: str, passphrase: str, recovery_key: str,
              kdf: KdfParams, roles: frozenset[str] = FIRST_USER_ROLES,
              ) -> tuple[KeyFile, Access]:
    """A key file with the first user, the recovery key and fresh store keys."""
    from workbench.store.access import grant
    from workbench.store.roster import verify_chain

    admin_keys, recovery_keys = KeyPairs.generate(), KeyPairs.generate()
    members = {admin: Member(admin, frozenset(roles), admin_keys.box_public,
                             admin_keys.sign_public)}
    recovery = Member(RECOVERY, frozenset({"admin"}), recovery_keys.box_public,
                      recovery_keys.sign_public)
    roster = first_roster(store_id, members, recovery)
    # Only an administrator (or the recovery key) may sign the list of users.
    entry = (sign_entry(roster, admin, admin_keys, "") if "admin" in roles
             else sign_entry(roster, RECOVERY, recovery_keys, ""))
    anchor = entry_hash(entry)
    keyfile = KeyFile(store_id, roster=[entry])
    store_keys = {"case": {1: new_store_key()}, "facts": {1: new_store_key()}}
    grant(keyfile, roster, store_keys)
    keyfile.set_slot(admin, passphrase, admin_keys, anchor, kdf)
    keyfile.set_slot(RECOVERY, recovery_key, recovery_keys, anchor, kdf)
    recovery_keys.wipe()
    chain = verify_chain(keyfile.roster, store_id, anchor)
    return keyfile, Access(admin, admin_keys, anchor, keyfile, chain, store_keys)


# --- unlocking ----------------------------------------------------------------------------

def unlock(location: StoreLocation, user_name: str, passphrase: str) -> Session:
    """Open the store as ``user_name``. A wrong passphrase changes no byte of the store;
    repeated failures make the next try wait (also across restarts)."""
    if not location.slots_path.exists():
        raise StoreNotFound(path=str(location.data_dir))
    throttle.check(location.data_dir, user_name)
    try:
        if file_format(location.slots_path) == 1:
            from workbench.store.upgrade import upgrade_legacy
            session = upgrade_legacy(location, user_name, passphrase)
        else:
            access = open_access(location.slots_path, user_name, passphrase)
            session = open_session(location, access)
    except throttle.COUNTED_FAILURES:
        throttle.failed(location.data_dir, user_name)
        raise
    throttle.succeeded(location.data_dir, user_name)
    return session


def open_session(location: StoreLocation, access: Access) -> Session:
    """Open what ``access`` may open, finish anything a crash cut short, and check the
    store's integrity as far as this user can vouch for it."""
    from workbench.store import integrity, rotation, schema_guard

    store_lock = StoreLock(location.data_dir)
    store_lock.shared()
    db = facts_db = None
    repaired: list[str] = []
    try:
        facts_db, facts_version = Database.open_any(location.facts_path,
                                                    access.store_keys["facts"],
                                                    schema=FACTS_DIR)
        # Whoever holds only the facts key could plant code there: remove it before the
        # facts store is attached to a connection that holds the case store.
        repaired += schema_guard.enforce(facts_db, FACTS_DIR, schema_guard.FACTS_STORE)
        if access.member.case_worker and "case" in access.store_keys:
            facts_db.close()
            db, case_version = Database.open_any(location.db_path, access.store_keys["case"])
            repaired += schema_guard.enforce(db, CASE_DIR, schema_guard.CASE_STORE)
            db.attach(location.facts_path, "facts", access.store_keys["facts"][facts_version])
            db.checkpoint_in_background(access.store_keys["case"][case_version], {
                "facts": (location.facts_path, access.store_keys["facts"][facts_version])})
            facts_db = db
        else:
            case_version = None
    except BaseException:
        for opened in (db, facts_db):
            if opened is not None:
                opened.close()
        store_lock.release()
        access.wipe()
        raise
    session = Session(location, access, db, facts_db, store_lock)
    try:
        unfinished = rotation.resume(session, case_version, facts_version)
        session.warnings = unfinished + integrity.at_unlock(session, repaired)
    except BaseException:
        session.lock()
        raise
    return session


def user_roles_text(roles: frozenset[str] | set[str]) -> str:
    return ",".join(sorted(roles))

