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
from workbench.i18n import N_, _
from workbench.session import Role, Session, StoreLocation, open_session
from workbench.store import audit, migrations
from workbench.store.database import DB_FILENAME, Database, connect_keyed, raise_for_disk
from workbench.store.files import (
    PRIVATE_FILE,
    atomic_output,
    ensure_private_dir,
    fsync_dir,
    os_errors_as_user_errors,
)
from workbench.store.keyslots import KeySlotFile

BACKUP_FORMAT = 1
MANIFEST = "manifest.json"
SLOTS_MEMBER = "keyslots.json"


class BadBackup(StoreError):
    # Translators: {path} is the backup file the user chose.
    template = N_("{path} is not a readable backup of a case store: {detail}")


class BackupInsideStore(StoreError):
    template = N_("A backup cannot be written into the store's own folder ({path}); choose "
                  "another place, ideally another disk.")


class RestoreNotAllowed(StoreError):
    exit_code = 4
    template = N_("Only an administrator of the backed-up store may restore it; “{user}” "
                  "is not one.")


class RestoreNeedsForce(StoreError):
    template = N_("A case store already exists in {path}. Restoring replaces it: run again "
                  "with --force (the current store is kept aside).")


# --- check --------------------------------------------------------------------------------

def check_database(db: Database) -> list[str]:
    """Every problem found, one translated line each; empty when the store is healthy."""
    problems: list[str] = []
    for pragma, label in (("quick_check", N_("database structure")),
                          ("cipher_integrity_check", N_("page authentication"))):
        try:
            found = [row[0] for row in db.all(f"PRAGMA {pragma}")]
        except sqlcipher3.DatabaseError as error:
            problems.append(_("{check}: cannot be read ({detail})").format(
                check=_(label), detail=error))
            continue
        problems += [_("{check}: {detail}").format(check=_(label), detail=line)
                     for line in found if line != "ok"]
    try:
        problems += [_("audit log: row {id} does not match the chain").format(id=row_id)
                     for row_id in audit.verify(db)]
        db.execute("INSERT INTO case_search (case_search) VALUES ('integrity-check')")
        problems += [_("references: {table} row {id} points to a missing {parent}").format(
                         table=row[0], id=row[1], parent=row[2])
                     for row in db.all("PRAGMA foreign_key_check")]
    except sqlcipher3.DatabaseError as error:
        problems.append(_("the store cannot be read: {detail}").format(detail=error))
    return problems


def check_snapshot(path: Path, data_key: bytes) -> list[str]:
    """Check a database file (such as the snapshot in a backup) without migrating it."""
    try:
        db = Database.open(path, data_key, migrate=False)
    except StoreError as error:
        return [error.message()]
    try:
        return check_database(db)
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
    slots_bytes = session.location.slots_path.read_bytes()
    with _private_tempdir(target.parent) as work:
        snapshot = work / DB_FILENAME
        _snapshot(session.db, snapshot, session.data_key)
        with atomic_output(target) as tmp:
            _write_archive(tmp, snapshot, slots_bytes, session)
            _verify_archive(tmp, work / "verify", session.data_key)
    with session.action("store.backup", "store"):
        pass
    return target


def _snapshot(db: Database, path: Path, data_key: bytes) -> None:
    with os_errors_as_user_errors(path):
        destination = connect_keyed(path, data_key)
        try:
            db.connection.backup(destination)
        except sqlcipher3.OperationalError as error:
            raise_for_disk(error, path)
            raise
        finally:
            destination.close()


def _write_archive(path: Path, snapshot: Path, slots_bytes: bytes, session: Session) -> None:
    manifest = {
        "format": BACKUP_FORMAT,
        "program_version": __version__,
        "schema_version": migrations.current_version(session.db.connection),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "store_id": session.db.scalar("SELECT value FROM settings WHERE key = 'store_id'"),
        "sha256": {DB_FILENAME: _sha256_file(snapshot),
                   SLOTS_MEMBER: hashlib.sha256(slots_bytes).hexdigest()},
    }
    # Stored, not deflated: encrypted pages do not compress.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
        archive.writestr(SLOTS_MEMBER, slots_bytes)
        archive.write(snapshot, DB_FILENAME)


def _verify_archive(path: Path, work: Path, data_key: bytes | None) -> tuple[dict, Path, Path]:
    """Unpack and check a backup; returns its manifest and the unpacked files."""
    ensure_private_dir(work)
    try:
        with os_errors_as_user_errors(path), zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
            if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT \
                    or not isinstance(manifest.get("sha256"), dict):
                raise BadBackup(path=str(path), detail=N_("unknown backup format"))
            for name in (DB_FILENAME, SLOTS_MEMBER):
                archive.extract(name, work)
                os.chmod(work / name, PRIVATE_FILE)
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, NotImplementedError,
            RuntimeError, zlib.error) as error:
        raise BadBackup(path=str(path), detail=N_("the file is damaged or of another kind")) \
            from error
    db_file, slots_file = work / DB_FILENAME, work / SLOTS_MEMBER
    for name, file in ((DB_FILENAME, db_file), (SLOTS_MEMBER, slots_file)):
        if _sha256_file(file) != manifest.get("sha256", {}).get(name):
            raise BadBackup(path=str(path), detail=N_("its contents do not match its checksums"))
    if data_key is not None:
        problems = check_snapshot(db_file, data_key)
        if problems:
            raise BadBackup(path=str(path), detail=problems[0])
    return manifest, db_file, slots_file


# --- restore ------------------------------------------------------------------------------

def restore(location: StoreLocation, archive: Path, user: str, passphrase: str,
            force: bool = False) -> tuple[Session, Path | None]:
    """Replace the store with a backup, unlocked with a passphrase valid in the backup.

    The current store, if any, is moved to a ``replaced-…`` folder inside the data
    directory, never deleted. Returns the new session and where the old store went.
    """
    archive = Path(archive).expanduser()
    if not archive.is_file():
        raise BadBackup(path=str(archive), detail=N_("there is no such file"))
    if location.exists() and not force:
        raise RestoreNeedsForce(path=str(location.data_dir))
    with os_errors_as_user_errors(location.data_dir):
        ensure_private_dir(location.data_dir)
    with _private_tempdir(location.data_dir) as work:
        _, db_file, slots_file = _verify_archive(archive, work / "unpacked", None)
        data_key = KeySlotFile.load(slots_file).unlock_user(user, passphrase)
        problems = check_snapshot(db_file, data_key)
        if problems:
            raise BadBackup(path=str(archive), detail=problems[0])
        if not _is_admin_in(db_file, data_key, user):
            raise RestoreNotAllowed(user=user)
        aside = _move_aside(location) if location.exists() else None
        with os_errors_as_user_errors(location.data_dir):
            os.replace(db_file, location.db_path)
            os.replace(slots_file, location.slots_path)
            fsync_dir(location.data_dir)
    session = open_session(location, user, data_key)
    with session.action("store.restore", "store"):
        pass
    _republish_certificate(session)
    return session, aside


def _republish_certificate(session: Session) -> None:
    """The public seal certificate beside the store follows the restored store's."""
    from workbench.agreements import identity as identities  # agreements build on the store

    try:
        identities.publish_certificate(session.location.data_dir,
                                       identities.load_identity(session))
    except identities.NoIdentity:
        (session.location.data_dir / identities.CERT_FILENAME).unlink(missing_ok=True)


def _is_admin_in(db_file: Path, data_key: bytes, user: str) -> bool:
    """Whether ``user`` is an active administrator in the backed-up store."""
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
        for name in (DB_FILENAME, f"{DB_FILENAME}-wal", f"{DB_FILENAME}-shm",
                     location.slots_path.name, "organisation.pem"):
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
