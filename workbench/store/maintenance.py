"""Keeping a store healthy: the integrity check, backups and restore.

A backup is one file: a zip holding the encrypted database snapshot, the key-slot file and
a manifest with their SHA-256 sums. Nothing in it is readable without a passphrase or the
recovery key, the same as the store itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3

from workbench import __version__
from workbench.errors import StoreError, StoreExists
from workbench.i18n import N_
from workbench.session import FACTS_FILENAME, Role, Session, StoreLocation
from workbench.store import migrations
from workbench.store.database import DB_FILENAME, Database, connect_keyed, raise_for_disk
from workbench.store.files import (
    PRIVATE_FILE,
    atomic_output,
    ensure_private_dir,
    fsync_dir,
    os_errors_as_user_errors,
)
from workbench.store.heads import HEADS_DIRNAME
from workbench.store.keyslots import file_format
from workbench.store.lock import exclusively

BACKUP_FORMAT = 1  # the members are listed in the manifest; 0.1 backups read the same
MANIFEST = "manifest.json"
SLOTS_MEMBER = "keyslots.json"
FACTS_MEMBER = FACTS_FILENAME


class BadBackup(StoreError):
    # Translators: {path} is the backup file the user chose.
    template = N_("{path} is not a readable backup of a case store: {detail}")


class BackupInsideStore(StoreError):
    template = N_("A backup cannot be written into the store's own folder ({path}); choose "
                  "another place, ideally another disk.")


class RestoreNotAllowed(StoreError):
    exit_code = 4
    template = N_("Only an administrator of this store, who is one in the backup too, may "
                  "restore it; “{user}” is not.")


class RestoreNeedsForce(StoreError):
    template = N_("A case store already exists in {path}. Restoring replaces it: run again "
                  "with --force (the current store is kept aside).")


# --- check --------------------------------------------------------------------------------

def check_store(session: Session) -> list[str]:
    """Every problem found, one translated line each; empty when the store is healthy:
    SQLite's and SQLCipher's checks of each file, the signed roster, every audit row's
    signature and the continuity of the ids, the triggers, each user's signed head, the
    database's copy of the users, references and the statistics facts."""
    from workbench.store import integrity

    return integrity.full_check(session)


def check_snapshot(path: Path, key: bytes | bytearray,
                   schema: Path = migrations.CASE_DIR) -> list[str]:
    """Check a database file (such as a snapshot in a backup) without migrating it."""
    try:
        db = Database.open(path, key, migrate=False, schema=schema)
    except StoreError as error:
        return [error.message()]
    try:
        problems = []
        for pragma in ("quick_check", "cipher_integrity_check"):
            try:
                problems += [line for (line,) in db.all(f"PRAGMA {pragma}") if line != "ok"]
            except sqlcipher3.DatabaseError as error:
                problems.append(str(error))
        return problems
    finally:
        db.close()


# --- backup -------------------------------------------------------------------------------

def backup(session: Session, target: Path) -> Path:
    """Write a verified backup to ``target`` atomically; an old file there is replaced only
    once the new one has been written and checked."""
    session.require_case_work(N_("make backups"))
    target = Path(target).expanduser().resolve()
    data_dir = session.location.data_dir.resolve()
    if target == data_dir or data_dir in target.parents:
        raise BackupInsideStore(path=str(data_dir))
    with os_errors_as_user_errors(session.location.slots_path):
        slots_bytes = session.location.slots_path.read_bytes()
        head_files = {f"{HEADS_DIRNAME}/{path.name}": path.read_bytes() for path in
                      sorted((session.location.data_dir / HEADS_DIRNAME).glob("*.json"))}
    with _private_tempdir(target.parent) as work:
        case_copy, facts_copy = work / DB_FILENAME, work / FACTS_MEMBER
        _snapshot(session.db, "main", case_copy, session.store_key("case"))
        _snapshot(session.db, "facts", facts_copy, session.store_key("facts"))
        with atomic_output(target) as tmp:
            _write_archive(tmp, {DB_FILENAME: case_copy, FACTS_MEMBER: facts_copy},
                           {SLOTS_MEMBER: slots_bytes, **head_files}, session)
            _, unpacked = _verify_archive(tmp, work / "verify")
            for name, key, schema in ((DB_FILENAME, "case", migrations.CASE_DIR),
                                      (FACTS_MEMBER, "facts", migrations.FACTS_DIR)):
                problems = check_snapshot(unpacked / name, session.store_key(key), schema)
                if problems:
                    raise BadBackup(path=str(target), detail=problems[0])
    with session.action("store.backup", "store"):
        pass
    return target


def _snapshot(db: Database, schema: str, path: Path, key: bytes | bytearray) -> None:
    with os_errors_as_user_errors(path):
        destination = connect_keyed(path, key)
        try:
            db.connection.backup(destination, name=schema)
        except sqlcipher3.OperationalError as error:
            raise_for_disk(error, path)
            raise
        finally:
            destination.close()


def _write_archive(path: Path, files: dict[str, Path], blobs: dict[str, bytes],
                   session: Session) -> None:
    sums = {name: _sha256_file(file) for name, file in files.items()}
    sums.update({name: hashlib.sha256(data).hexdigest() for name, data in blobs.items()})
    manifest = {
        "format": BACKUP_FORMAT,
        "program_version": __version__,
        "schema_version": migrations.current_version(session.db.connection),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "store_id": session.access.keyfile.store_id,
        "sha256": sums,
    }
    # Stored, not deflated: encrypted pages do not compress.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
        for name, data in blobs.items():
            archive.writestr(name, data)
        for name, file in files.items():
            archive.write(file, name)


def _verify_archive(path: Path, work: Path) -> tuple[dict, Path]:
    """Unpack and check a backup's members against its manifest; returns the manifest and
    the folder they were unpacked into. Sizes are checked before anything is written, and
    each member is copied with a running count, so a crafted file cannot fill the disk."""
    ensure_private_dir(work)
    try:
        with os_errors_as_user_errors(path), zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive, path)
            names = [name for name in manifest["sha256"]]
            infos = {info.filename: info for info in archive.infolist()}
            if any(name not in infos or not _safe_member(name) for name in names) \
                    or SLOTS_MEMBER not in names or DB_FILENAME not in names:
                raise BadBackup(path=str(path), detail=N_("the file is damaged or of another "
                                                          "kind"))
            declared = sum(infos[name].file_size for name in names)
            if declared > path.stat().st_size + 1024 * 1024 or any(
                    infos[name].compress_type != zipfile.ZIP_STORED for name in names):
                raise BadBackup(path=str(path), detail=N_("its contents do not match its "
                                                          "checksums"))
            for name in names:
                _extract(archive, infos[name], work / name)
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, NotImplementedError,
            RuntimeError, zlib.error, TypeError, AttributeError, RecursionError) as error:
        raise BadBackup(path=str(path), detail=N_("the file is damaged or of another kind")) \
            from error
    for name, digest in manifest["sha256"].items():
        if _sha256_file(work / name) != digest:
            raise BadBackup(path=str(path), detail=N_("its contents do not match its checksums"))
    return manifest, work


def _read_manifest(archive: zipfile.ZipFile, path: Path) -> dict:
    info = archive.getinfo(MANIFEST)
    if info.file_size > 64 * 1024:
        raise ValueError("manifest too large")
    manifest = json.loads(archive.read(MANIFEST))
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT \
            or not isinstance(manifest.get("sha256"), dict):
        raise BadBackup(path=str(path), detail=N_("unknown backup format"))
    return manifest


def _safe_member(name: str) -> bool:
    return name in (DB_FILENAME, FACTS_MEMBER, SLOTS_MEMBER) or (
        name.startswith(f"{HEADS_DIRNAME}/") and name.endswith(".json")
        and "/" not in name[len(HEADS_DIRNAME) + 1:] and ".." not in name)


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    left = info.file_size
    with archive.open(info) as source, open(target, "wb") as out:
        os.chmod(target, PRIVATE_FILE)
        while chunk := source.read(min(1 << 20, left + 1)):
            left -= len(chunk)
            if left < 0:
                raise ValueError("member larger than declared")
            out.write(chunk)


# --- restore ------------------------------------------------------------------------------

class RestoreOtherStore(StoreError):
    exit_code = 4
    template = N_("This backup is of another store. To replace this store with it, run "
                  "again with --other-store, as an administrator of both.")


def restore(location: StoreLocation, archive: Path, user: str, passphrase: str,
            force: bool = False, other_store: bool = False) -> tuple[Session, Path | None]:
    """Replace the store with a backup of it.

    Needs an administrator of the current store (if there is one) who is also one in the
    backup, and the same store unless ``other_store``. Nobody may have the store open
    meanwhile. The current store is moved to a ``replaced-…`` folder, never deleted.
    Returns the new session and where the old store went.
    """
    from workbench.session import unlock
    from workbench.store.access import open_access
    from workbench.store.legacy import LegacyKeyFile

    archive = Path(archive).expanduser()
    if not archive.is_file():
        raise BadBackup(path=str(archive), detail=N_("there is no such file"))
    existing = location.exists()
    if existing and not force:
        raise RestoreNeedsForce(path=str(location.data_dir))
    current_id, current_members = None, None
    if existing:
        current = open_access(location.slots_path, user, passphrase)  # wrong one: refused
        try:
            if "admin" not in current.member.roles:
                raise RestoreNotAllowed(user=user)
            current_id = current.keyfile.store_id
            current_members = set(current.roster.members)
        finally:
            current.wipe()
    with os_errors_as_user_errors(location.data_dir):
        ensure_private_dir(location.data_dir)
    with _private_tempdir(location.data_dir) as work, exclusively(location.data_dir):
        _, unpacked = _verify_archive(archive, work / "unpacked")
        slots_file = unpacked / SLOTS_MEMBER
        if file_format(slots_file) == 1:
            legacy = LegacyKeyFile.load(slots_file)
            store_id, key = legacy.store_id, legacy.unlock_user(user, passphrase)
            keys = {"case": key, "facts": None}
            admin = _is_admin_in(unpacked / DB_FILENAME, key, user)
        else:
            access = open_access(slots_file, user, passphrase)
            store_id, admin = access.keyfile.store_id, "admin" in access.member.roles
            keys = {"case": access.store_keys.get("case", {}),
                    "facts": access.store_keys.get("facts", {})}
        if not admin:
            raise RestoreNotAllowed(user=user)
        if current_id is not None and store_id != current_id and not other_store:
            raise RestoreOtherStore()
        _check_members(archive, unpacked, keys)
        aside = _move_aside(location) if existing else None
        with os_errors_as_user_errors(location.data_dir):
            for name in [DB_FILENAME, FACTS_MEMBER, SLOTS_MEMBER]:
                if (unpacked / name).exists():
                    os.replace(unpacked / name, location.data_dir / name)
            if (unpacked / HEADS_DIRNAME).is_dir():
                os.replace(unpacked / HEADS_DIRNAME, location.data_dir / HEADS_DIRNAME)
            fsync_dir(location.data_dir)
    session = unlock(location, user, passphrase)
    with session.action("store.restore", "store"):
        pass
    _republish_certificate(session)
    if current_members is not None and store_id == current_id:
        # Users removed since the backup was made stay removed (their keys renewed away).
        from workbench.users import UserService

        for name in sorted(set(session.access.roster.members) - current_members - {user}):
            UserService(session).remove_user(name)
            session.removed_again.append(name)
    return session, aside


def _check_members(archive: Path, unpacked: Path, keys: dict) -> None:
    for name, key, schema in ((DB_FILENAME, keys["case"], migrations.CASE_DIR),
                              (FACTS_MEMBER, keys["facts"], migrations.FACTS_DIR)):
        if key is None or not (unpacked / name).exists():
            continue
        versions = key if isinstance(key, dict) else {0: key}
        problems: list[str] = []
        for candidate in versions.values():
            problems = check_snapshot(unpacked / name, candidate, schema)
            if not problems:
                break
        if problems:
            raise BadBackup(path=str(archive), detail=problems[0])


def _republish_certificate(session: Session) -> None:
    """The public seal certificate beside the store follows the restored store's."""
    from workbench.agreements import identity as identities  # agreements build on the store

    try:
        identities.publish_certificate(session.location.data_dir,
                                       identities.load_identity(session))
    except identities.NoIdentity:
        (session.location.data_dir / identities.CERT_FILENAME).unlink(missing_ok=True)


def _is_admin_in(db_file: Path, data_key: bytes | bytearray, user: str) -> bool:
    """Whether ``user`` is an active administrator in a release-0.1 backup."""
    db = Database.open(db_file, data_key, migrate=False)
    try:
        row = db.one("SELECT roles FROM users WHERE name = ? AND removed_at IS NULL", (user,))
    finally:
        db.close()
    return row is not None and Role.ADMIN.value in row["roles"].split(",")


def _move_aside(location: StoreLocation) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = location.data_dir / f"replaced-{stamp}"
    if aside.exists():
        raise StoreExists(path=str(aside))
    with os_errors_as_user_errors(aside):
        ensure_private_dir(aside)
        for name in (DB_FILENAME, f"{DB_FILENAME}-wal", f"{DB_FILENAME}-shm", FACTS_MEMBER,
                     f"{FACTS_MEMBER}-wal", f"{FACTS_MEMBER}-shm", location.slots_path.name,
                     "organisation.pem", HEADS_DIRNAME):
            source = location.data_dir / name
            if source.exists():
                os.replace(source, aside / name)
        fsync_dir(location.data_dir)
    return aside


# --- helpers ------------------------------------------------------------------------------

@contextlib.contextmanager
def _private_tempdir(parent: Path) -> Iterator[Path]:
    with os_errors_as_user_errors(parent):
        path = Path(tempfile.mkdtemp(prefix=".workbench-", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
