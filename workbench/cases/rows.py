"""Mapping the case dataclasses to and from store rows, by their type hints.

The field names are the column names, so a record type is declared once (in ``model``)
and this module is the only place that turns values into SQL parameters and back.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import UTC, date, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from workbench.store.database import Database

T = TypeVar("T")


def to_db(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return ",".join(sorted(to_db(item) for item in value))
    return value


@cache
def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _from_db(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _from_db(inner[0], value)
    if origin is frozenset:
        (item,) = typing.get_args(hint)
        return frozenset(item(part) for part in value.split(",") if part)
    if hint is bool:
        return bool(value)
    if hint is datetime:
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if hint is date:
        return date.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    return value


def from_row(cls: type[T], row: Any) -> T:
    types_ = _field_types(cls)
    keys = row.keys()
    return cls(**{name: _from_db(hint, row[name]) for name, hint in types_.items()
                  if name in keys})


def columns(cls: type, *, with_id: bool = False) -> list[str]:
    return [name for name in _field_types(cls) if with_id or name != "id"]


def values(record: Any, names: list[str]) -> list[Any]:
    return [to_db(getattr(record, name)) for name in names]


# --- generic statements for any record type with a TABLE and an ``id`` --------------------

def insert(db: Database, record: Any) -> int:
    names = columns(type(record))
    sql = (f"INSERT INTO {record.TABLE} ({', '.join(names)}) "
           f"VALUES ({', '.join('?' for _ in names)})")
    return db.execute(sql, values(record, names)).lastrowid


def update(db: Database, record: Any, key: str = "id") -> int:
    names = [name for name in columns(type(record)) if name != key]
    sql = (f"UPDATE {record.TABLE} SET {', '.join(f'{n} = ?' for n in names)} "
           f"WHERE {key} = ?")
    return db.execute(sql, [*values(record, names), to_db(getattr(record, key))]).rowcount


def select(db: Database, cls: type[T], where: str, params: tuple = (),
           order: str = "id") -> list[T]:
    sql = (f"SELECT {', '.join(columns(cls, with_id=True))} FROM {cls.TABLE} "  # type: ignore[attr-defined]
           f"WHERE {where} ORDER BY {order}")
    return [from_row(cls, row) for row in db.execute(sql, params)]
