"""The SQLCipher connection: opened with the raw data key, pragmas set, one writer.

Every user action runs in one ``transaction()``; nothing else writes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlcipher3

from workbench.errors import DiskFull, StoreCorrupt, StoreError, StoreNotFound
from workbench.i18n import N_
from workbench.store import migrations
from workbench.store.checkpoints import BACKSTOP_PAGES, Checkpointer
from workbench.store.files import create_private_file, os_errors_as_user_errors

DB_FILENAME = "workbench.db"
BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 16384

Row = sqlcipher3.Row
DatabaseError = sqlcipher3.DatabaseError


class Database:
    """One open, keyed connection to the case store."""

    def __init__(self, connection: sqlcipher3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        self._depth = 0  # transactions open on the thread holding _using
        # The window's thread and a Settings task's worker thread share this connection:
        # without this, one's BEGIN would meet the other's open transaction, or worse, join
        # it and commit or roll back with it. A transaction or snapshot holds it throughout.
        self._using = threading.RLock()
        self._closed = False
        # The file this connection reads. A restore or a key rotation puts another file
        # under the same name; a write must then go nowhere rather than into the old one.
        self._identity = _file_identity(path)
        self._checkpointer: Checkpointer | None = None
        self._after_commit: list[Callable[[], None]] = []

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, data_key: bytes | bytearray, *, create: bool = False,
             migrate: bool = True, schema: Path = migrations.CASE_DIR) -> Database:
        """Open (or with ``create`` make) the store at ``path`` with the raw ``data_key``.

        A store written by a newer program is refused before anything is written to it.
        """
        path = Path(path)
        if not path.exists():
            if not create:
                raise StoreNotFound(path=str(path.parent))
            with os_errors_as_user_errors(path):
                create_private_file(path)
        elif not create and path.stat().st_size == 0:
            # SQLite would treat an empty file as a new, empty database and build one.
            raise StoreCorrupt(detail=N_("the database file is empty"))
        connection = connect_keyed(path, data_key)
        try:
            prove_key(connection, path)
            migrations.refuse_newer(connection, schema)
            apply_pragmas(connection)
            database = cls(connection, path)
            if migrate:
                migrations.migrate(connection, schema)
            return database
        except BaseException as error:
            connection.close()
            if isinstance(error, sqlcipher3.OperationalError):
                raise_for_disk(error, path)
            raise

    @classmethod
    def open_any(cls, path: Path, keys: dict[int, bytearray], *, create: bool = False,
                 schema: Path = migrations.CASE_DIR) -> tuple[Database, int]:
        """Open with whichever of the key versions fits, newest first (a key rotation cut
        short leaves the file under the version before). Returns the version used."""
        last_error: StoreError | None = None
        for version, key in keys.items():
            try:
                return cls.open(path, key, create=create, schema=schema), version
            except StoreCorrupt as error:
                last_error = error
                create = False
        raise last_error or StoreCorrupt(
            detail=N_("the database does not open with this key, or is damaged"))

    def attach(self, path: Path, name: str, key: bytes | bytearray) -> None:
        """Attach another encrypted store so one transaction can write both."""
        self.connection.execute(f"ATTACH DATABASE ? AS {name} KEY \"x'{bytes(key).hex()}'\"",
                                (str(path),))
        for pragma in ("journal_mode = WAL", "synchronous = FULL"):
            self.connection.execute(f"PRAGMA {name}.{pragma}").fetchall()

    def checkpoint_in_background(self, data_key: bytes | bytearray,
                                 attached: dict[str, tuple[Path, bytes | bytearray]]) -> None:
        """Copy the write-ahead logs back into the files in a thread of its own (see
        ``checkpoints``), for a store a person works in; ``attached``: name -> (file, key)
        of each store attached to this connection."""
        if self._checkpointer is not None:
            return
        connection = connect_keyed(self.path, data_key)
        logs = {"main": Path(f"{self.path}-wal")}
        try:
            for name, (path, key) in attached.items():
                connection.execute(f"ATTACH DATABASE ? AS {name} KEY \"x'{bytes(key).hex()}'\"",
                                   (str(path),))
                logs[name] = Path(f"{path}-wal")
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}").fetchall()
        except sqlcipher3.Error:
            connection.close()
            return  # SQLite's own checkpoints go on as before
        self.connection.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}").fetchall()
        for schema in logs:
            self.connection.execute(f"PRAGMA {schema}.journal_size_limit = 0").fetchall()
        self._checkpointer = Checkpointer(connection, logs)

    def stop_checkpoints(self) -> None:
        """Stop the background copying (SQLite's own checkpoint goes on)."""
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None

    def close(self) -> None:
        """Close the connection; SQLCipher wipes its copy of the key from memory. A
        transaction another thread has open ends first (then that thread is told the store
        is gone, instead of writing into a closed connection)."""
        self.stop_checkpoints()
        with self._using:
            self._closed = True
        with contextlib.suppress(sqlcipher3.Error):
            self.connection.close()

    # --- statements ----------------------------------------------------------------------

    # One statement at a time per connection, too: a read from the window's thread while
    # a worker's transaction is open would otherwise see its uncommitted rows. (A cursor
    # from ``execute`` is stepped by its caller: read it on the thread that holds the
    # transaction, or use ``one``/``all``.)

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlcipher3.Cursor:
        with self._held():
            return self.connection.execute(sql, params)

    def executemany(self, sql: str, rows) -> sqlcipher3.Cursor:
        with self._held():
            return self.connection.executemany(sql, rows)

    def one(self, sql: str, params: tuple | dict = ()) -> sqlcipher3.Row | None:
        with self._held():
            return self.connection.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple | dict = ()) -> list[sqlcipher3.Row]:
        with self._held():
            return self.connection.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: tuple | dict = ()):
        with self._held():
            row = self.connection.execute(sql, params).fetchone()
        return None if row is None else row[0]

    @contextlib.contextmanager
    def larger_cache(self, kib: int) -> Iterator[None]:
        """A bigger page cache for a bulk job (a laptop's first sync of a whole team): the
        indexes it adds to all over stay in memory instead of being read and decrypted
        again for each row. Back to the usual size, and the pages let go, after."""
        schemas = ["main"]  # the attached facts store is written once, at the end
        for schema in schemas:
            self.connection.execute(f"PRAGMA {schema}.cache_size = -{kib}").fetchall()
        try:
            yield
        finally:
            for schema in schemas:
                with contextlib.suppress(sqlcipher3.Error):
                    self.connection.execute(
                        f"PRAGMA {schema}.cache_size = -{CACHE_KIB}").fetchall()
            with contextlib.suppress(sqlcipher3.Error):
                self.connection.execute("PRAGMA shrink_memory").fetchall()

    def after_commit(self, then: Callable[[], None]) -> None:
        """Call ``then`` once what was written is committed: now, outside a transaction;
        else when the outermost one commits (never, if it is rolled back)."""
        if not self._depth:
            then()
        else:
            self._after_commit.append(then)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Database]:
        """Reads that all see one state of the store (otherwise another connection, a sync
        beside the window, may commit between two of them): a read transaction, or the
        transaction already open. Nothing may be written inside."""
        with self._held():
            if self._depth or self.connection.in_transaction:
                yield self
                return
            self.connection.execute("BEGIN")
            try:
                yield self
            finally:
                with contextlib.suppress(sqlcipher3.Error):
                    self.connection.execute("COMMIT")

    @contextlib.contextmanager
    def _held(self) -> Iterator[None]:
        """This thread's turn on the connection (waits while another thread's transaction
        runs). A connection closed meanwhile (the keys were renewed and the store opened
        again on the new files) takes nothing more."""
        with self._using:
            if self._closed:
                raise StoreReplaced()
            yield

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """One atomic unit: committed on success, rolled back on any error.

        Nested use joins the outer transaction, so a service may call a helper that also
        asks for one without committing half of the action.
        """
        with self._held():
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            with self._outermost():
                yield self

    @contextlib.contextmanager
    def _outermost(self) -> Iterator[None]:
        try:
            with os_errors_as_user_errors(self.path):
                self.connection.execute("BEGIN IMMEDIATE")
        except sqlcipher3.OperationalError as error:
            raise_for_disk(error, self.path)
            raise
        self._depth = 1
        if _file_identity(self.path) != self._identity:
            self._depth = 0
            with contextlib.suppress(sqlcipher3.Error):
                self.connection.execute("ROLLBACK")
            raise StoreReplaced()
        try:
            yield
        except BaseException:
            self._depth = 0
            self._after_commit.clear()
            with contextlib.suppress(sqlcipher3.Error):
                self.connection.execute("ROLLBACK")
            raise
        self._depth = 0
        then, self._after_commit = self._after_commit, []
        try:
            self.connection.execute("COMMIT")
        except sqlcipher3.OperationalError as error:
            with contextlib.suppress(sqlcipher3.Error):
                self.connection.execute("ROLLBACK")
            raise_for_disk(error, self.path)
            raise
        if self._checkpointer is not None:
            self._checkpointer.nudge()
        for step in then:
            step()


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def connect_keyed(path: Path, data_key: bytes | bytearray) -> sqlcipher3.Connection:
    # isolation_level=None: transactions are begun and ended explicitly, never implicitly.
    connection = sqlcipher3.connect(str(path), isolation_level=None,
                                    check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.row_factory = sqlcipher3.Row
    # SQLCipher would otherwise print its own lines to stderr beside our one-line message.
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(f"PRAGMA key = \"x'{bytes(data_key).hex()}'\"")
    connection.execute("PRAGMA cipher_compatibility = 4")
    # A trigger or view planted in a file by someone holding only its key (a project lead
    # and the facts store) must not run functions with side effects — such as exporting
    # an attached database — inside another user's session.
    connection.execute("PRAGMA trusted_schema = OFF")
    return connection


def prove_key(connection: sqlcipher3.Connection, path: Path | None = None) -> None:
    """Read the schema, which fails unless the key decrypts the first page."""
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as error:
        # A full disk (no room for the write-ahead log) is not a wrong key.
        if "full" in str(error).lower() or (path is not None and _disk_full(path)):
            raise DiskFull() from error
        raise StoreCorrupt(
            detail=N_("the database does not open with this key, or is damaged")) from error


def apply_pragmas(connection: sqlcipher3.Connection) -> None:
    for pragma in ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON",
                   "temp_store = MEMORY", "secure_delete = ON",
                   f"cache_size = -{CACHE_KIB}", f"busy_timeout = {BUSY_TIMEOUT_MS}"):
        connection.execute(f"PRAGMA {pragma}").fetchall()


def _disk_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(Path(path).parent).free < 64 * 1024
    except OSError:
        return False


class StoreReplaced(StoreError):
    template = N_("The case store was replaced while it was open (restored from a backup, or "
                  "its keys were renewed). This window was locked; unlock it again. The last "
                  "change was not saved.")


class StoreBusy(StoreError):
    template = N_("The case store is busy in another window or program. Try again in a "
                  "moment; nothing was changed.")


def raise_for_disk(error: sqlcipher3.Error, path: Path) -> None:
    """SQLite reports a full disk or a busy store as an OperationalError; give the user
    the plain words. Other errors pass through unchanged."""
    text = str(error).lower()
    if "full" in text:
        raise DiskFull() from error
    if "locked" in text or "busy" in text:
        raise StoreBusy() from error
