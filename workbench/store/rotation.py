"""Renewing the store keys: every database file re-encrypted under a new key, crash-safe.

The order makes every instant recoverable:
1. the key file gains envelopes for the new key version beside the old one (the removed
   user's envelopes and slot are gone from it), with a roster entry naming the new version;
2. each database is exported under the new key to ``<name>.rekey`` (``sqlcipher_export``),
   synced, and renamed over the old file — one atomic rename, after a full checkpoint so no
   write-ahead log of the old file is left to be replayed onto the new one;
3. the old key's envelopes are dropped.
Killed before a rename, the file is still under the old key, which every remaining user
still holds (step 1): it opens, and the next unlock of anyone who holds both keys finishes
the rotation. Killed after it, the file is under the new key. Nobody else may have the store
open meanwhile (an exclusive lock beside it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from workbench.errors import StoreError
from workbench.i18n import N_, _
from workbench.store import migrations
from workbench.store.database import Database, StoreBusy
from workbench.store.files import create_private_file, fsync_dir, os_errors_as_user_errors
from workbench.store.lock import StoreInUse, exclusively

Progress = Callable[[int, int], None]  # (step done, steps) for a progress bar


class RotationFailed(StoreError):
    template = N_("The store's keys could not be renewed ({detail}). Nothing was lost; the "
                  "store opens as before and the renewal is finished at the next unlock.")


def reencrypt(db: Database, schema: str, path: Path, new_key: bytes | bytearray,
              schema_dir: Path) -> None:
    """Write the database ``schema`` of ``db``'s connection (``main`` or an attached name)
    to ``path`` under ``new_key`` and put it in place atomically."""
    target = path.with_name(path.name + ".rekey")
    connection = db.connection
    with os_errors_as_user_errors(path):
        target.unlink(missing_ok=True)
        create_private_file(target)  # SQLite would make it under the umask
        busy, _log, _done = connection.execute(f"PRAGMA {schema}.wal_checkpoint(TRUNCATE)") \
            .fetchone()
        if busy:
            raise StoreBusy()
        version = connection.execute(f"PRAGMA {schema}.user_version").fetchone()[0]
        connection.execute(f"ATTACH DATABASE ? AS rekey KEY \"x'{bytes(new_key).hex()}'\"",
                           (str(target),))
        try:
            connection.execute("PRAGMA rekey.synchronous = FULL")
            connection.execute(f"SELECT sqlcipher_export('rekey', '{schema}')").fetchall()
            connection.execute(f"PRAGMA rekey.user_version = {int(version)}")
            connection.execute("PRAGMA rekey.journal_mode = WAL").fetchall()
        finally:
            connection.execute("DETACH DATABASE rekey")
        _fsync(target)
        _check_opens(target, new_key, schema_dir)
        os.replace(target, path)
        fsync_dir(path.parent)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_opens(path: Path, key: bytes | bytearray, schema_dir: Path) -> None:
    copy = Database.open(path, key, migrate=False, schema=schema_dir)
    try:
        if copy.scalar("PRAGMA quick_check") != "ok":
            raise RotationFailed(detail=N_("the re-encrypted copy did not check out"))
    finally:
        copy.close()


def finish(session, progress: Progress | None = None) -> bool:
    """Bring every database file to the roster's current key versions, then drop older
    envelopes. Returns whether anything was done. Needs the store to itself."""
    from workbench.session import open_session

    access = session.access
    roster = access.roster
    plan = []
    if session.db is not None and _version_of(session, "case") < roster.keys["case"]:
        plan.append(("case", "main", session.location.db_path, migrations.CASE_DIR))
    facts_schema = "facts" if session.db is not None else "main"
    if _version_of(session, "facts") < roster.keys["facts"]:
        plan.append(("facts", facts_schema, session.location.facts_path,
                     migrations.FACTS_DIR))
    if not plan and not _old_envelopes(session):
        return False
    with exclusively(session.location.data_dir, session._lock):
        if plan:
            # Its checkpoint would make the re-encryption's own one busy; the session is
            # opened again on the new files (with a new thread) once they are in place.
            session._chain_db().stop_checkpoints()
        for step, (name, schema, path, schema_dir) in enumerate(plan):
            reencrypt(session._chain_db(), schema, path, access.key(name), schema_dir)
            if progress:
                progress(step + 1, len(plan) + 1)
        _drop_old(session)
    if plan:
        # The connections still read the old files; open the new ones with the same keys.
        reopened = open_session_again(session, open_session)
        session.__dict__.update(reopened.__dict__)
    else:
        session._key_versions = dict(roster.keys)
    if progress:
        progress(len(plan) + 1, len(plan) + 1)
    return True


def open_session_again(session, open_session) -> object:
    access, location, store_lock = session.access, session.location, session._lock
    for db in {id(d): d for d in (session.db, session.facts_db) if d is not None}.values():
        db.close()
    session._lock = None
    store_lock.release()
    return open_session(location, access)


def _version_of(session, name: str) -> int:
    """The key version the open file is under (set when it was opened or made). Never
    guessed from the roster: the roster may already name a version the file is not in."""
    return session._key_versions[name]


def _old_envelopes(session) -> bool:
    keys = session.access.roster.keys
    return any(e["version"] < keys[e["key"]] for e in session.access.keyfile.envelopes)


def _drop_old(session) -> None:
    access = session.access
    keyfile = access.keyfile
    # Only the holder of the case key has re-encrypted the case store; a project lead
    # finishing the facts store leaves the case envelopes for an advisor to finish.
    for name in ("case", "facts"):
        if name == "case" and session.db is None:
            continue
        keyfile.drop_envelopes(key=name, older_than=access.roster.keys[name])
    keyfile.save(session.location.slots_path)


def resume(session, case_version: int | None, facts_version: int) -> list[str]:
    """At unlock: finish a rotation a crash cut short, if this session can and the store
    is not open elsewhere (otherwise the next unlock will). The store opens either way;
    what is left undone is said (the removed user's old key still opens the files)."""
    session._key_versions = {"facts": facts_version}
    if case_version is not None:
        session._key_versions["case"] = case_version
    try:
        finish(session)
    except (StoreInUse, StoreBusy):
        pass
    except StoreError as error:
        return [_("the store's keys could not be renewed yet ({detail}); until they are, a "
                  "removed user's old key file still opens the store").format(
                      detail=error.message())]
    return []
