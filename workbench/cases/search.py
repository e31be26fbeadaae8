"""The full-text index of cases (FTS5): what goes into it and how a typed search is read.

Kept in step inside the transaction of every change, so a search never finds a case that
was not saved or misses one that was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from workbench.identity import search_forms
from workbench.store.database import Database, DatabaseError

# Words as the unicode61 tokenizer sees them (letters and digits; "_" separates), so each
# quoted term below is exactly one token, as column-detail indexes require.
_WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 8


def document(names: Iterable[str], identity_numbers: Iterable[str], address: str,
             landlord: Iterable[str], notes: Iterable[str]) -> tuple[str, str, str, str, str]:
    """The five indexed columns for one case."""
    identities = [form for number in identity_numbers if number for form in search_forms(number)]
    return (" ".join(n for n in names if n), " ".join(identities), address,
            " ".join(part for part in landlord if part), "\n".join(n for n in notes if n))


def put(db: Database, case_id: int, doc: tuple[str, str, str, str, str]) -> None:
    db.execute("DELETE FROM case_search WHERE rowid = ?", (case_id,))
    db.execute("INSERT INTO case_search (rowid, names, identity, address, landlord, notes) "
               "VALUES (?, ?, ?, ?, ?, ?)", (case_id, *doc))


def remove(db: Database, case_id: int) -> None:
    db.execute("DELETE FROM case_search WHERE rowid = ?", (case_id,))


def match_expression(text: str) -> str | None:
    """Turn what a user typed into an FTS5 query: every word must match as a prefix.

    Each word is quoted, so characters FTS5 treats as syntax (``-``, ``:``, ``*``, quotes)
    are never interpreted; ``None`` when nothing searchable was typed.
    """
    words = _WORD.findall(text)[:MAX_TERMS]
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words)


def matching_ids(db: Database, text: str, limit: int) -> list[int]:
    expression = match_expression(text)
    if expression is None:
        return []
    try:
        rows = db.all("SELECT rowid FROM case_search WHERE case_search MATCH ? "
                      "ORDER BY rank LIMIT ?", (expression, limit))
    except DatabaseError:
        # Input the tokenizer splits differently from us (rare scripts, combining marks)
        # can make a term FTS5 refuses; a search that finds nothing is the honest answer.
        return []
    return [row[0] for row in rows]


def optimise(db: Database) -> None:
    """Merge the index's segments after a bulk load, so searches read fewer pages."""
    db.execute("INSERT INTO case_search (case_search) VALUES ('optimize')")
