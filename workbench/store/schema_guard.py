"""Keeping a database's schema to what our migrations made.

Anyone holding a file's key can add objects to its schema. A trigger or view planted in the
facts store by a project lead would run inside every advisor's session, where the case
store is attached beside it. So, before a store is attached or written, every trigger and
view that our migrations did not make (or made differently) is removed, and what was found
is reported. Unexpected tables and indexes are reported, not dropped: they hold no code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlcipher3

from workbench.i18n import N_, _
from workbench.store import migrations
from workbench.store.database import Database

CODE_OBJECTS = ("trigger", "view")
UNEXPECTED = N_("the {store} held a {kind} “{name}” that this program did not make; it was "
                "removed")
CHANGED = N_("the {store}'s {kind} “{name}” had been changed; it was put back")
MISSING = N_("the {store}'s safeguard “{name}” that keeps the audit log append-only was "
             "removed; it was put back")
EXTRA = N_("the {store} holds a {kind} “{name}” that this program did not make")


@cache
def expected(directory: Path, version: int) -> dict[str, tuple[str, str]]:
    """name → (type, sql) of what migrations 1..version make, in a scratch database."""
    scratch = sqlcipher3.connect(":memory:")  # same SQLite (and FTS5) as the stores
    try:
        for migration in migrations.all_migrations(directory)[:version]:
            scratch.executescript(migration.sql)
        return {name: (kind, sql or "") for kind, name, sql in scratch.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
    finally:
        scratch.close()


def enforce(db: Database, directory: Path, store: str) -> list[str]:
    """Remove planted code objects, restore changed ones; returns translated findings.
    ``store`` is an N_-marked name of the store for the messages."""
    version = migrations.current_version(db.connection)
    wanted = expected(directory, version)
    found = {name: (kind, sql or "") for kind, name, sql in db.all(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
    findings = []
    with db.transaction():
        for name, (kind, sql) in sorted(found.items()):
            if name in wanted and wanted[name] == (kind, sql):
                continue
            quoted = '"' + name.replace('"', '""') + '"'
            if kind in CODE_OBJECTS:
                db.execute(f"DROP {kind.upper()} IF EXISTS {quoted}")
                if name in wanted and wanted[name][0] == kind:
                    db.execute(wanted[name][1])
                    findings.append(_(CHANGED).format(store=_(store), kind=kind, name=name))
                else:
                    findings.append(_(UNEXPECTED).format(store=_(store), kind=kind,
                                                         name=name))
            elif name not in wanted:
                findings.append(_(EXTRA).format(store=_(store), kind=kind, name=name))
        for name, (kind, sql) in wanted.items():
            if kind in CODE_OBJECTS and name not in found:
                db.execute(sql)  # a safeguard that was dropped (the audit log's triggers)
                findings.append(_(MISSING).format(store=_(store), name=name))
    return findings


FACTS_STORE = N_("statistics store")
CASE_STORE = N_("case store")
