"""Schema migrations: numbered SQL files applied in order, each in one exclusive transaction.

``PRAGMA user_version`` records the newest step applied. The first line of each file is a
``--`` comment saying what the step does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlcipher3

from workbench.errors import StoreTooNew

_DIR = Path(__file__).resolve().parent
CASE_DIR = _DIR
FACTS_DIR = _DIR / "facts"  # the statistics facts store has its own numbered steps
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str


@cache
def all_migrations(directory: Path = _DIR) -> tuple[Migration, ...]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            continue
        sql = path.read_text(encoding="utf-8")
        description = sql.splitlines()[0].removeprefix("--").strip()
        found.append(Migration(int(match.group(1)), description, sql))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration files are not numbered 1..n: {versions}")
    return tuple(found)


def latest_version(directory: Path = _DIR) -> int:
    return len(all_migrations(directory))


def current_version(connection: sqlcipher3.Connection) -> int:
    return connection.execute("PRAGMA user_version").fetchone()[0]


def refuse_newer(connection: sqlcipher3.Connection, directory: Path = _DIR) -> None:
    found = current_version(connection)
    if found > latest_version(directory):
        raise StoreTooNew(found=found, known=latest_version(directory))


def migrate(connection: sqlcipher3.Connection, directory: Path = _DIR) -> list[int]:
    """Apply every pending step; returns the versions applied."""
    refuse_newer(connection, directory)
    applied = []
    for migration in all_migrations(directory)[current_version(connection):]:
        # One script so BEGIN EXCLUSIVE ... COMMIT wraps the whole step; on an error the
        # script stops inside the transaction and we roll it back.
        script = (f"BEGIN EXCLUSIVE;\n{migration.sql}\n"
                  f"PRAGMA user_version = {migration.version};\nCOMMIT;")
        try:
            connection.executescript(script)
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied
