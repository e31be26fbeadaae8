"""The case list: filters, search and sorting, done in SQL so a list of 100,000 cases is
read a page at a time in the order the user asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from workbench.cases import queries, search
from workbench.cases.model import CaseRow, CaseStatus
from workbench.store.database import Database

SEARCH_LIMIT = 500


class SortKey(StrEnum):
    RELEVANCE = "relevance"  # search results only: best match first
    OPENED = "opened"
    NAME = "name"
    STATUS = "status"
    LANDLORD = "landlord"
    ARREARS = "arrears"
    NEXT_FOLLOWUP = "next_followup"
    ADVISOR = "advisor"


_ORDER_SQL = {
    SortKey.OPENED: "c.opened_on {dir}, c.id {dir}",
    SortKey.NAME: "p.last_name COLLATE NOCASE {dir}, p.first_name COLLATE NOCASE {dir}, c.id",
    SortKey.STATUS: "c.status {dir}, c.id DESC",
    SortKey.LANDLORD: "landlord COLLATE NOCASE {dir}, c.id DESC",
    SortKey.ARREARS: "arrears {dir}, c.id DESC",
    # Cases without a follow-up go last whichever way the column is sorted.
    SortKey.NEXT_FOLLOWUP: "next_followup IS NULL, next_followup {dir}, c.id DESC",
    SortKey.ADVISOR: "advisor COLLATE NOCASE {dir}, c.id DESC",
}


@dataclass(frozen=True)
class CaseQuery:
    """What the case list shows: every filter narrows it; ``text`` searches."""

    text: str = ""
    status: CaseStatus | None = None
    advisor_id: int | None = None
    followups_due_by: date | None = None
    sort: SortKey = SortKey.OPENED
    descending: bool = True


def _where(query: CaseQuery, matched: list[int] | None) -> tuple[str, list]:
    clauses, params = ["1"], []
    if matched is not None:
        clauses.append(f"c.id IN ({', '.join('?' for _ in matched)})" if matched else "0")
        params += matched
    if query.status is not None:
        clauses.append("c.status = ?")
        params.append(query.status.value)
    if query.advisor_id is not None:
        clauses.append("c.advisor_id = ?")
        params.append(query.advisor_id)
    if query.followups_due_by is not None:
        clauses.append("EXISTS (SELECT 1 FROM followups f WHERE f.case_id = c.id "
                       "AND f.done_on IS NULL AND f.due_on <= ?)")
        params.append(query.followups_due_by.isoformat())
    return " AND ".join(clauses), params


def _matched(db: Database, query: CaseQuery) -> list[int] | None:
    if not query.text.strip():
        return None
    return search.matching_ids(db, query.text, SEARCH_LIMIT)


def rows(db: Database, query: CaseQuery, limit: int | None = None,
         offset: int = 0) -> list[CaseRow]:
    matched = _matched(db, query)
    where, params = _where(query, matched)
    if query.sort is SortKey.RELEVANCE and matched is not None:
        found = queries.case_rows(db, where, tuple(params))
        rank = {case_id: n for n, case_id in enumerate(matched)}
        found.sort(key=lambda row: rank[row.id])
        return found[offset:None if limit is None else offset + limit]
    sort = SortKey.OPENED if query.sort is SortKey.RELEVANCE else query.sort
    order = _ORDER_SQL[sort].format(dir="DESC" if query.descending else "ASC")
    return queries.case_rows(db, where, tuple(params), order=order, limit=limit, offset=offset)


def count(db: Database, query: CaseQuery) -> int:
    matched = _matched(db, query)
    where, params = _where(query, matched)
    return db.scalar(f"SELECT count(*) FROM cases c WHERE {where}", tuple(params))
