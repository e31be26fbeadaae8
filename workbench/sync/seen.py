"""Which versions a form was filled from, so that a save typed over them says so.

A form being typed in keeps the advisor's text when another laptop's change to the same
case arrives; the window then saves only the fields the advisor changed, over the case as
it now is. Where the advisor changed the very field the other laptop changed, neither value
may silently win: the save names the versions the form showed (not those that arrived
meanwhile), so this laptop, and every laptop the change reaches, keeps both values as a
conflict for a person to settle, exactly as when two laptops edit the field offline.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from workbench.store.database import Database
from workbench.sync import rows as rowinfo

# gid -> (the change that made the row, the changes each field stands on)
Seen = dict[str, tuple[str, dict[str, list[str]]]]

_typed_over: ContextVar[Seen | None] = ContextVar("typed_over", default=None)


def versions_seen(db: Database, case_id: int) -> Seen | None:
    """The versions of the rows a case's forms show (the case, its resident, tenancy and
    landlord, arrears and outcomes) as they are now; None when the store does not sync."""
    from workbench.sync.capture import enabled
    if not enabled(db):
        return None
    shown = [("cases", case_id), ("tenancies", case_id)]
    person = db.scalar("SELECT person_id FROM cases WHERE id = ?", (case_id,))
    landlord = db.scalar("SELECT landlord_id FROM tenancies WHERE case_id = ?", (case_id,))
    shown += [("persons", person)] if person else []
    shown += [("landlords", landlord)] if landlord else []
    for table in ("arrears", "outcomes"):
        shown += [(table, row_id) for (row_id,) in db.all(
            f"SELECT id FROM {table} WHERE case_id = ?", (case_id,))]
    seen: Seen = {}
    for table, row_id in shown:
        info = rowinfo.by_local(db, table, row_id)
        if info is not None:
            seen[info.gid] = (info.created_op,
                              {name: list(ops) for name, ops in info.versions.items()})
    return seen


@contextlib.contextmanager
def typed_over(seen: Seen | None) -> Iterator[None]:
    """Saves made inside stand on the versions in ``seen`` (see ``base``)."""
    token = _typed_over.set(seen)
    try:
        yield
    finally:
        _typed_over.reset(token)


def base(gid: str, name: str) -> list[str] | None:
    """The changes field ``name`` of row ``gid`` stood on when the form was filled, while
    saving inside ``typed_over``; None otherwise (the save stands on what the store has)."""
    seen = _typed_over.get()
    if seen is None or gid not in seen:
        return None
    created, versions = seen[gid]
    return versions.get(name) or [created]
