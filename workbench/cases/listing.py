"""The case list: filters, search and sorting, done in SQL so a list of 100,000 cases is
read a page at a time in the order the user asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from workbench.cases import queries, search
from workbench.cases.model import CaseRow, CaseStatus
from workbench.store.database import Database, DatabaseError

RANKED_LIMIT = 200  # a search shows at most this many cases: enough to find anyone


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
    with_conflicts: bool = False  # changed on two laptops at once, waiting for a person
    sort: SortKey = SortKey.OPENED
    descending: bool = True


def _where(query: CaseQuery, matched: list[int] | None = None) -> tuple[str, list]:
    """The WHERE clause. A search narrows by the full-text index as a subquery, so the
    list and its count hold every match; ``matched`` (ranked ids) is used instead when
    the list is shown best match first."""
    clauses, params = ["1"], []
    if matched is not None:
        clauses.append(f"c.id IN ({', '.join('?' for _ in matched)})" if matched else "0")
        params += matched
    elif _searching(query):
        clauses.append("c.id IN (SELECT rowid FROM case_search WHERE case_search MATCH ?)")
        params.append(search.match_expression(query.text))
    if query.status is not None:
        clauses.append("c.status = ?")
        params.append(query.status.value)
    if query.advisor_id is not None:
        clauses.append("c.advisor_id = ?")
        params.append(query.advisor_id)
    if query.followups_due_by is not None:
        # An open task, or an instalment of the plan in force that payments do not cover.
        clauses.append("(EXISTS (SELECT 1 FROM followups f WHERE f.case_id = c.id "
                       "AND f.done_on IS NULL AND f.due_on <= ?) OR "
                       "(SELECT pp.next_unpaid_on FROM payment_plans pp WHERE pp.case_id = c.id "
                       "ORDER BY pp.revision DESC LIMIT 1) <= ?)")
        params += [query.followups_due_by.isoformat()] * 2
    if query.with_conflicts:
        # (A store outside a team has the bookkeeping tables too, empty.)
        from workbench.sync.conflicts import CASES_WITH_CONFLICTS
        clauses.append(f"c.id IN ({CASES_WITH_CONFLICTS})")
    return " AND ".join(clauses), params


def _searching(query: CaseQuery) -> bool:
    return search.match_expression(query.text) is not None


def _ranked(query: CaseQuery) -> bool:
    return query.sort is SortKey.RELEVANCE and _searching(query)


def rows(db: Database, query: CaseQuery, limit: int | None = None,
         offset: int = 0) -> list[CaseRow]:
    if _ranked(query):
        # Best match first: the index ranks, and only its best matches are worth showing.
        matched = search.matching_ids(db, query.text, RANKED_LIMIT)
        where, params = _where(query, matched)
        found = queries.case_rows(db, where, tuple(params))
        rank = {case_id: n for n, case_id in enumerate(matched)}
        found.sort(key=lambda row: rank[row.id])
        return found[offset:None if limit is None else offset + limit]
    sort = SortKey.OPENED if query.sort is SortKey.RELEVANCE else query.sort
    order = _ORDER_SQL[sort].format(dir="DESC" if query.descending else "ASC")
    where, params = _where(query)
    try:
        return queries.case_rows(db, where, tuple(params), order=order, limit=limit,
                                 offset=offset)
    except DatabaseError:  # a term the index refuses: nothing matches it
        return []


def count(db: Database, query: CaseQuery) -> int:
    """How many cases the list holds (a ranked search shows at most its best matches)."""
    where, params = _where(query)
    try:
        total = db.scalar(f"SELECT count(*) FROM cases c WHERE {where}", tuple(params))
    except DatabaseError:
        return 0
    return min(total, RANKED_LIMIT) if _ranked(query) else total
