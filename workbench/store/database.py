"""The SQLCipher connection: opened with the raw data key, pragmas set, one writer.

Every user action runs in one ``transaction()``; nothing else writes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3

from workbench.errors import DiskFull, StoreCorrupt, StoreError, StoreNotFound
from workbench.i18n import N_
from workbench.store import migrations
from workbench.store.files import create_private_file, os_errors_as_user_errors

DB_FILENAME = "workbench.db"
BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 32768

Row = sqlcipher3.Row
DatabaseError = sqlcipher3.DatabaseError


class Database:
    """One open, keyed connection to the case store."""

    def __init__(self, connection: sqlcipher3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        self._depth = 0

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, data_key: bytes, *, create: bool = False,
             migrate: bool = True) -> Database:
        """Open (or with ``create`` make) the store at ``path`` with the raw ``data_key``.

        A store written by a newer program is refused before anything is written to it.
        """
        path = Path(path)
        if not path.exists():
            if not create:
                raise StoreNotFound(path=str(path.parent))
            with os_errors_as_user_errors(path):
                create_private_file(path)
        connection = connect_keyed(path, data_key)
        try:
            prove_key(connection)
            migrations.refuse_newer(connection)
            apply_pragmas(connection)
            database = cls(connection, path)
            if migrate:
                migrations.migrate(connection)
            return database
        except BaseException as error:
            connection.close()
            if isinstance(error, sqlcipher3.OperationalError):
                raise_for_disk(error, path)
            raise

    def close(self) -> None:
        """Close the connection; SQLCipher wipes its copy of the key from memory."""
        with contextlib.suppress(sqlcipher3.Error):
            self.connection.close()

    # --- statements ----------------------------------------------------------------------

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlcipher3.Cursor:
        return self.connection.execute(sql, params)

    def executemany(self, sql: str, rows) -> sqlcipher3.Cursor:
        return self.connection.executemany(sql, rows)

    def one(self, sql: str, params: tuple | dict = ()) -> sqlcipher3.Row | None:
        return self.connection.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple | dict = ()) -> list[sqlcipher3.Row]:
        return self.connection.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: tuple | dict = ()):
        row = self.connection.execute(sql, params).fetchone()
        return None if row is None else row[0]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """One atomic unit: committed on success, rolled back on any error.

        Nested use joins the outer transaction, so a service may call a helper that also
        asks for one without committing half of the action.
        """
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        try:
            with os_errors_as_user_errors(self.path):
                self.connection.execute("BEGIN IMMEDIATE")
        except sqlcipher3.OperationalError as error:
            raise_for_disk(error, self.path)
            raise
        self._depth = 1
        try:
            yield self
        except BaseException:
            self._depth = 0
            with contextlib.suppress(sqlcipher3.Error):
                self.connection.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            self.connection.execute("COMMIT")
        except sqlcipher3.OperationalError as error:
            with contextlib.suppress(sqlcipher3.Error):
                self.connection.execute("ROLLBACK")
            raise_for_disk(error, self.path)
            raise


def connect_keyed(path: Path, data_key: bytes) -> sqlcipher3.Connection:
    # isolation_level=None: transactions are begun and ended explicitly, never implicitly.
    connection = sqlcipher3.connect(str(path), isolation_level=None,
                                    check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.row_factory = sqlcipher3.Row
    # SQLCipher would otherwise print its own lines to stderr beside our one-line message.
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
    connection.execute("PRAGMA cipher_compatibility = 4")
    return connection


def prove_key(connection: sqlcipher3.Connection) -> None:
    """Read the schema, which fails unless the key decrypts the first page."""
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as error:
        raise StoreCorrupt(
            detail=N_("the database does not open with this key, or is damaged")) from error


def apply_pragmas(connection: sqlcipher3.Connection) -> None:
    for pragma in ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON",
                   "temp_store = MEMORY", "secure_delete = ON",
                   f"cache_size = -{CACHE_KIB}", f"busy_timeout = {BUSY_TIMEOUT_MS}"):
        connection.execute(f"PRAGMA {pragma}").fetchall()


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
