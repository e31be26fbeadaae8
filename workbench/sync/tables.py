"""Which tables travel between the team's laptops, and how their rows are named everywhere.

A row is known across laptops by its global id (``gid``); local integer ids stay for the
window's use. Rows that the program saves by delete-and-reinsert (arrears, outcomes, budget
lines, instalments) and rows with a natural key get a gid *derived* from that key, so a
reinserted row is the same row and two laptops that make "the rent arrears of case X" make
the same record. Columns that only say when a laptop last touched a row (``updated_at``) or
that the program derives again (``next_unpaid_on``) do not travel: they would make every
edit of a case clash with every other one.

The trigger SQL in migration 0006 is generated from this module (``trigger_sql``); a test
keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DELETED = "_deleted"  # the pseudo field of a row's existence: 1 deleted, 0 restored


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]  # every column as in the schema (for the triggers)
    local: tuple[str, ...] = ()  # columns that never travel
    refs: dict[str, str] = field(default_factory=dict)  # column -> referenced table
    parent: str | None = None  # the column whose row owns this one (case, plan, budget)
    natural: tuple[str, ...] = ()  # the columns of a natural key within the parent
    blobs: tuple[str, ...] = ()
    key: str = "id"  # the column that is the rowid (tenancies: case_id)
    only: str = ""  # an SQL condition on the row (as ROW.column) for rows that travel
    # Rows may share their natural key within the parent (two adults' earnings in one
    # budget): the second and later are numbered in the order of their local ids.
    numbered: bool = False


_CASE = {"case_id": "cases"}

# The organisation's seal travels to every case worker's laptop (it signs agreements);
# the rest of the settings (this store's id, roster version, …) belong to the laptop.
SHARED_SETTINGS = ("signing_certificate", "signing_key", "seal_certificate_history")

# Parents before children: a row's references are applied before the row.
TABLES: tuple[Table, ...] = (
    Table("settings", ("key", "value"), natural=("key",), key="rowid",
          only="ROW.key IN ({})".format(", ".join(f"'{k}'" for k in SHARED_SETTINGS))),
    Table("persons", ("id", "first_name", "last_name", "identity_number", "identity_kind",
                      "identity_unverified", "birth_year", "phone", "email", "language",
                      "created_at", "updated_at"), local=("updated_at",)),
    Table("landlords", ("id", "name", "kind", "phone", "email", "contact_person", "address",
                        "iban", "bankgiro", "payment_reference"), natural=("name",)),
    Table("user_profiles", ("user_name", "full_name", "title", "phone", "email", "address",
                            "updated_at"), local=("updated_at",), natural=("user_name",),
          key="rowid"),
    Table("cases", ("id", "person_id", "status", "opened_on", "closed_on", "referral_source",
                    "reasons", "advisor_id", "intake_arrears", "note", "created_at",
                    "updated_at"), local=("updated_at",),
          refs={"person_id": "persons", "advisor_id": "users"}),
    Table("household_members", ("id", "case_id", "role", "name", "birth_year"),
          refs=_CASE, parent="case_id"),
    Table("tenancies", ("case_id", "landlord_id", "street", "postcode", "city", "monthly_rent",
                        "start_date", "landlord_reference"),
          refs={**_CASE, "landlord_id": "landlords"}, parent="case_id", natural=(),
          key="case_id"),
    Table("arrears", ("id", "case_id", "component", "amount", "as_of"), refs=_CASE,
          parent="case_id", natural=("component",)),
    Table("debts", ("id", "case_id", "creditor", "kind", "amount", "in_enforcement"),
          refs=_CASE, parent="case_id"),
    Table("benefits", ("id", "case_id", "kind", "status", "decided_on", "note"), refs=_CASE,
          parent="case_id"),
    Table("authority_decisions", ("id", "case_id", "kind", "event_date", "note"), refs=_CASE,
          parent="case_id"),
    Table("consents", ("id", "case_id", "party", "scope", "method", "given_on",
                       "withdrawn_on"), refs=_CASE, parent="case_id"),
    Table("contacts", ("id", "case_id", "channel", "at", "minutes", "topic", "note",
                       "advisor_id"), refs={**_CASE, "advisor_id": "users"}, parent="case_id"),
    Table("referrals", ("id", "case_id", "partner", "referred_on", "result"), refs=_CASE,
          parent="case_id"),
    Table("followups", ("id", "case_id", "due_on", "task", "done_on", "advisor_id"),
          refs={**_CASE, "advisor_id": "users"}, parent="case_id"),
    Table("outcomes", ("id", "case_id", "outcome", "recorded_on"), refs=_CASE,
          parent="case_id", natural=("outcome",)),
    Table("budgets", ("id", "case_id", "taken_on", "adults", "children", "created_at"),
          refs=_CASE, parent="case_id", natural=("taken_on",)),
    Table("budget_lines", ("id", "budget_id", "category", "kind", "amount", "frequency", "note",
                           "explanation"), refs={"budget_id": "budgets"}, parent="budget_id",
          natural=("category", "kind"), numbered=True),
    # Two laptops saving "revision 3" of one plan make one revision whose differing fields
    # are shown as conflicts, so a revision number is never printed for two plans.
    Table("payment_plans", ("id", "case_id", "revision", "total", "created_at", "components",
                            "start_on", "due_day", "instalment", "months", "pause_months",
                            "monthly_rent", "budget_id", "capacity", "capacity_reason",
                            "note", "next_unpaid_on"), local=("next_unpaid_on",),
          refs={**_CASE, "budget_id": "budgets"}, parent="case_id", natural=("revision",)),
    Table("plan_instalments", ("id", "plan_id", "seq", "due_on", "amount", "note"),
          refs={"plan_id": "payment_plans"}, parent="plan_id", natural=("seq",)),
    Table("payments", ("id", "case_id", "plan_id", "paid_on", "amount", "payer", "note"),
          refs={**_CASE, "plan_id": "payment_plans"}, parent="case_id"),
    Table("documents", ("id", "case_id", "kind", "number", "language", "plan_id", "signers",
                        "filename", "mime", "content", "created_at", "replaces"),
          refs={**_CASE, "plan_id": "payment_plans", "replaces": "documents"},
          parent="case_id", blobs=("content",)),
)

BY_NAME = {table.name: table for table in TABLES}
ORDER = {table.name: index for index, table in enumerate(TABLES)}


def fields(table: Table) -> tuple[str, ...]:
    """The columns that travel, in schema order (references included, the rowid not)."""
    found = _FIELDS.get(table.name)
    if found is None:
        found = _FIELDS[table.name] = tuple(
            c for c in table.columns
            if c not in table.local and (c != table.key or c in table.refs))
    return found


_FIELDS: dict[str, tuple[str, ...]] = {}


def natural_gid(table: Table, parent_gid: str | None, values: dict,
                occurrence: int = 1) -> str | None:
    """The derived gid of a row with a natural key, or None for a random one.
    ``occurrence``: of a numbered table's rows with this key, which one (1, 2, …)."""
    if table.name == "tenancies":
        return f"{parent_gid}.tenancy"
    if not table.natural:
        return None
    key = ".".join(str(values[c]).casefold() if c == "name" else str(values[c])
                   for c in table.natural)
    if occurrence > 1:
        key = f"{key}#{occurrence}"
    prefix = parent_gid if parent_gid else table.name
    return f"{prefix}.{table.name}.{key}"


def occurrence_sql(table: Table) -> str:
    """How many rows of a numbered table come before a row with the same natural key
    under the same parent (parameters: the parent, the key's values, the row's id)."""
    same = " AND ".join(f"{column} = ?" for column in (table.parent, *table.natural))
    return f"SELECT count(*) FROM {table.name} WHERE {same} AND rowid < ?"


# --- the capture triggers (migration 0006) ------------------------------------------------

def _old_json(table: Table) -> str:
    parts = []
    for column in table.columns:
        value = f"hex(OLD.{column})" if column in table.blobs else f"OLD.{column}"
        parts.append(f"'{column}', {value}")
    return f"json_object({', '.join(parts)})"


def trigger_sql() -> str:
    """The three triggers per table that note each changed row for the end of the action."""
    when = "WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'"
    out = []
    for table in TABLES:
        name = table.name
        conditions = {"i": table.only.replace("ROW.", "NEW."),
                      "u": table.only.replace("ROW.", "OLD."),
                      "d": table.only.replace("ROW.", "OLD.")}
        insert = (f"INSERT INTO sync_dirty (tbl, row_id, op, old) "
                  f"VALUES ('{name}', NEW.rowid, 'i', NULL)")
        update = (f"INSERT INTO sync_dirty (tbl, row_id, op, old) "
                  f"VALUES ('{name}', OLD.rowid, 'u', {_old_json(table)})")
        delete = (f"INSERT INTO sync_dirty (tbl, row_id, op, old) "
                  f"VALUES ('{name}', OLD.rowid, 'd', {_old_json(table)})")
        for suffix, event, body in (("i", "INSERT", insert), ("u", "UPDATE", update),
                                    ("d", "DELETE", delete)):
            condition = f"{when} AND {conditions[suffix]}" if table.only else when
            out.append(f"CREATE TRIGGER sync_{name}_{suffix} AFTER {event} ON {name} "
                       f"{condition}\n"
                       f"BEGIN\n    {body};\nEND;\n")
    return "\n".join(out)
