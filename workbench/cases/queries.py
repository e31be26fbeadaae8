"""Reading cases: the case list, a whole case, and the search document of a case."""

from __future__ import annotations

from datetime import date

from workbench.cases import rows, search
from workbench.cases.model import (
    ArrearsItem,
    AuthorityDecision,
    Benefit,
    Case,
    CaseFile,
    CaseRow,
    CaseStatus,
    Consent,
    Contact,
    Debt,
    FollowUp,
    HouseholdMember,
    Landlord,
    OutcomeRecord,
    Person,
    Referral,
    Tenancy,
)
from workbench.store.database import Database

CASE_ROW_SQL = """
SELECT c.id, p.first_name || ' ' || p.last_name AS name, c.status, c.opened_on,
       coalesce(l.name, '') AS landlord,
       (SELECT coalesce(sum(a.amount), 0) FROM arrears a WHERE a.case_id = c.id) AS arrears,
       (SELECT min(due) FROM (
            SELECT min(f.due_on) AS due FROM followups f
             WHERE f.case_id = c.id AND f.done_on IS NULL
            UNION ALL
            SELECT pp.next_unpaid_on FROM (SELECT next_unpaid_on FROM payment_plans
             WHERE case_id = c.id ORDER BY revision DESC LIMIT 1) pp)) AS next_followup,
       coalesce(u.name, '') AS advisor,
       EXISTS (SELECT 1 FROM payment_plans pp WHERE pp.case_id = c.id) AS has_plan
  FROM cases c
  JOIN persons p ON p.id = c.person_id
  LEFT JOIN tenancies t ON t.case_id = c.id
  LEFT JOIN landlords l ON l.id = t.landlord_id
  LEFT JOIN users u ON u.id = c.advisor_id
"""


def case_row(row) -> CaseRow:
    return CaseRow(id=row["id"], name=row["name"], status=CaseStatus(row["status"]),
                   opened_on=date.fromisoformat(row["opened_on"]), landlord=row["landlord"],
                   arrears=row["arrears"],
                   next_followup=date.fromisoformat(row["next_followup"])
                   if row["next_followup"] else None,
                   advisor=row["advisor"], has_plan=bool(row["has_plan"]))


def case_rows(db: Database, where: str = "1", params: tuple = (), order: str = "c.id",
              limit: int | None = None, offset: int = 0) -> list[CaseRow]:
    sql = f"{CASE_ROW_SQL} WHERE {where} ORDER BY {order}"
    if limit is not None:
        sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
    return [case_row(row) for row in db.execute(sql, params)]


def rows_by_ids(db: Database, ids: list[int]) -> list[CaseRow]:
    """Case rows in the order of ``ids`` (search rank)."""
    if not ids:
        return []
    found = {row.id: row for row in case_rows(
        db, f"c.id IN ({', '.join('?' for _ in ids)})", tuple(ids))}
    return [found[case_id] for case_id in ids if case_id in found]


def name_and_street(db: Database, case_ids: list[int]) -> list:
    """(case id, first name, last name, street) of the given cases."""
    if not case_ids:
        return []
    return db.all("SELECT c.id, p.first_name, p.last_name, coalesce(t.street, '') "
                  "FROM cases c JOIN persons p ON p.id = c.person_id "
                  "LEFT JOIN tenancies t ON t.case_id = c.id "
                  f"WHERE c.id IN ({', '.join('?' for _ in case_ids)})", tuple(case_ids))


def load_case(db: Database, case_id: int) -> CaseFile | None:
    case_list = rows.select(db, Case, "id = ?", (case_id,))
    if not case_list:
        return None
    case = case_list[0]
    person = rows.select(db, Person, "id = ?", (case.person_id,))[0]
    tenancy_list = rows.select(db, Tenancy, "case_id = ?", (case_id,), order="case_id")
    tenancy = tenancy_list[0] if tenancy_list else None
    landlord = None
    if tenancy and tenancy.landlord_id is not None:
        landlord = rows.select(db, Landlord, "id = ?", (tenancy.landlord_id,))[0]
    by_case = (case_id,)
    return CaseFile(
        case=case, person=person, tenancy=tenancy, landlord=landlord,
        members=rows.select(db, HouseholdMember, "case_id = ?", by_case),
        arrears=rows.select(db, ArrearsItem, "case_id = ?", by_case),
        debts=rows.select(db, Debt, "case_id = ?", by_case),
        benefits=rows.select(db, Benefit, "case_id = ?", by_case),
        decisions=rows.select(db, AuthorityDecision, "case_id = ?", by_case, "event_date, id"),
        consents=rows.select(db, Consent, "case_id = ?", by_case, "given_on, id"),
        contacts=rows.select(db, Contact, "case_id = ?", by_case, "at DESC, id DESC"),
        referrals=rows.select(db, Referral, "case_id = ?", by_case, "referred_on, id"),
        followups=rows.select(db, FollowUp, "case_id = ?", by_case, "due_on, id"),
        outcomes=rows.select(db, OutcomeRecord, "case_id = ?", by_case, "recorded_on, id"),
        plan_revisions=db.scalar("SELECT count(*) FROM payment_plans WHERE case_id = ?", by_case),
    )


def search_document(file: CaseFile) -> tuple[str, str, str, str, str]:
    notes = [file.case.note]
    notes += [f"{c.topic} {c.note}" for c in file.contacts]
    notes += [f.task for f in file.followups]
    notes += [d.note for d in file.decisions]
    notes += [f"{r.partner} {r.result}" for r in file.referrals]
    return search.document(
        names=[file.person.full_name, *(m.name for m in file.members)],
        identity_numbers=[file.person.identity_number or ""],
        address=file.tenancy.address if file.tenancy else "",
        landlord=[file.landlord.name if file.landlord else "",
                  file.tenancy.landlord_reference if file.tenancy else ""],
        notes=notes)


def reindex(db: Database, case_id: int) -> None:
    file = load_case(db, case_id)
    if file is None:
        search.remove(db, case_id)
    else:
        search.put(db, case_id, search_document(file))


def search_documents(db: Database, case_ids: list[int]) -> dict[int, tuple]:
    """The search entries of many cases at once, with a few set-based queries (the same
    entries ``search_document`` makes one case at a time; a test holds them equal)."""
    docs: dict[int, tuple] = {}
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        names: dict[int, list[str]] = {}
        notes: dict[int, list[str]] = {}
        base = {}
        for row in db.all(
                "SELECT c.id, p.first_name, p.last_name, p.identity_number, c.note, "
                "t.street, t.postcode, t.city, t.landlord_reference, l.name "
                "FROM cases c JOIN persons p ON p.id = c.person_id "
                "LEFT JOIN tenancies t ON t.case_id = c.id "
                "LEFT JOIN landlords l ON l.id = t.landlord_id "
                f"WHERE c.id IN ({marks})", chunk):
            base[row[0]] = row
            names[row[0]] = [f"{row[1]} {row[2]}".strip()]
            notes[row[0]] = [row[4]]
        for case_id, name in db.all(f"SELECT case_id, name FROM household_members WHERE "
                                    f"case_id IN ({marks}) ORDER BY id", chunk):
            names[case_id].append(name)
        for sql in (f"SELECT case_id, topic || ' ' || note FROM contacts WHERE case_id IN "
                    f"({marks}) ORDER BY case_id, at DESC, id DESC",
                    f"SELECT case_id, task FROM followups WHERE case_id IN ({marks}) "
                    "ORDER BY case_id, due_on, id",
                    f"SELECT case_id, note FROM authority_decisions WHERE case_id IN "
                    f"({marks}) ORDER BY case_id, event_date, id",
                    f"SELECT case_id, partner || ' ' || result FROM referrals WHERE case_id "
                    f"IN ({marks}) ORDER BY case_id, referred_on, id"):
            for case_id, text in db.all(sql, chunk):
                notes[case_id].append(text)
        for case_id, row in base.items():
            street, postcode, city = row[5], row[6], row[7]
            address = ", ".join(part for part in (street, f"{postcode} {city}".strip())
                                if part) if street is not None else ""
            docs[case_id] = search.document(
                names=names[case_id], identity_numbers=[row[3] or ""], address=address,
                landlord=[row[9] or "", row[8] or ""], notes=notes[case_id])
    return docs
