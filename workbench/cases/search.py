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
MIN_WORD = 2   # shorter words are ignored
FULL_WORD = 3  # shorter words are looked for outside the notes only
SHORT_WORD_COLUMNS = "names identity address landlord"


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


def put_many(db: Database, docs: dict[int, tuple[str, str, str, str, str]]) -> None:
    """``put`` for many cases at once (a laptop taking in a whole team's cases)."""
    ids = sorted(docs)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        db.execute(f"DELETE FROM case_search WHERE rowid IN ({', '.join('?' for _ in chunk)})",
                   chunk)
    db.executemany("INSERT INTO case_search (rowid, names, identity, address, landlord, "
                   "notes) VALUES (?, ?, ?, ?, ?, ?)",
                   [(case_id, *docs[case_id]) for case_id in ids])


def remove(db: Database, case_id: int) -> None:
    db.execute("DELETE FROM case_search WHERE rowid = ?", (case_id,))


def match_expression(text: str) -> str | None:
    """Turn what a user typed into an FTS5 query: every word must match as a prefix.

    Each word is quoted, so characters FTS5 treats as syntax (``-``, ``:``, ``*``, quotes)
    are never interpreted. A single letter narrows nothing among thousands of cases, so
    such words are ignored, and ``None`` (no search) comes back when nothing else was
    typed. A two-letter word is looked for in names, numbers and addresses only: in notes
    it would match nearly every case and make each keystroke slow.
    """
    words = [word for word in _WORD.findall(text) if len(word) >= MIN_WORD][:MAX_TERMS]
    if not words:
        return None
    return " ".join(f'{{{SHORT_WORD_COLUMNS}}} : "{word}"*' if len(word) < FULL_WORD
                    else f'"{word}"*' for word in words)


def matching_ids(db: Database, text: str, limit: int) -> list[int]:
    """Up to ``limit`` matching cases: best match first when there are that few, else the
    newest matching cases (ranking thousands of matches costs more than it tells)."""
    expression = match_expression(text)
    if expression is None:
        return []
    try:
        newest = [row[0] for row in db.all(
            "SELECT rowid FROM case_search WHERE case_search MATCH ? "
            "ORDER BY rowid DESC LIMIT ?", (expression, limit + 1))]
        if len(newest) > limit:
            return newest[:limit]
        return [row[0] for row in db.all(
            "SELECT rowid FROM case_search WHERE case_search MATCH ? ORDER BY rank LIMIT ?",
            (expression, limit))]
    except DatabaseError:
        # Input the tokenizer splits differently from us (rare scripts, combining marks)
        # can make a term FTS5 refuses; a search that finds nothing is the honest answer.
        return []


def optimise(db: Database) -> None:
    """Merge the index's segments after a bulk load, so searches read fewer pages."""
    db.execute("INSERT INTO case_search (case_search) VALUES ('optimize')")
