"""Case commands: seed-demo, cases list, export-person, erase."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from workbench.cases.model import CaseRow
from workbench.cases.service import CaseService
from workbench.cli.context import CommandContext, add_store_arguments
from workbench.demo.seed import seed_demo
from workbench.i18n import _, format_date, format_money, locale_for
from workbench.store.files import atomic_output


def register(commands: argparse._SubParsersAction) -> None:
    seed = commands.add_parser(
        "seed-demo", help=_("add fictional demonstration cases"),
        description=_("Add realistic, fictional cases spread over the last eight quarters; "
                      "the same seed gives the same cases. Secrets: your passphrase."))
    add_store_arguments(seed)
    seed.add_argument("--cases", type=int, required=True, metavar="N")
    seed.add_argument("--seed", type=int, default=1, metavar="S")
    seed.set_defaults(handler=run_seed)

    cases = commands.add_parser("cases", help=_("list cases"))
    sub = cases.add_subparsers(dest="cases_command", metavar=_("COMMAND"), required=True)
    listing = sub.add_parser("list", help=_("list every case"), description=_(
        "List every case. Secrets: your passphrase."))
    add_store_arguments(listing)
    listing.add_argument("--json", action="store_true",
                         help=_("JSON rows; amounts in minor units (cents)"))
    listing.set_defaults(handler=run_list)

    export = commands.add_parser(
        "export-person", help=_("export all data about a person (access request)"),
        description=_("Write everything the store holds about person ID to a JSON file, "
                      "for a subject access request. Secrets: your passphrase."))
    add_store_arguments(export)
    export.add_argument("person_id", type=record_id, metavar="ID")
    export.add_argument("--out", type=Path, required=True, metavar=_("FILE"))
    export.set_defaults(handler=run_export)

    erase = commands.add_parser(
        "erase", help=_("erase a case's personal data"),
        description=_("Remove case CASE_ID and its records, and the person when no other "
                      "case is theirs; the audit log keeps a row without personal data. "
                      "Secrets: your passphrase."))
    add_store_arguments(erase)
    erase.add_argument("case_id", type=record_id, metavar="CASE_ID")
    erase.set_defaults(handler=run_erase)


def record_id(text: str) -> int:
    """A record number as typed: a whole number a store can hold."""
    number = int(text)
    if not 1 <= number < 2**63:
        raise ValueError(text)
    return number


def run_seed(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        added = seed_demo(session, args.cases, args.seed)
    print(_("Added {count} demonstration cases.").format(count=added))
    return 0


def case_json(row: CaseRow) -> dict:
    return {"id": row.id, "name": row.name, "status": row.status.value,
            "opened": row.opened_on.isoformat(), "arrears": row.arrears,
            "has_plan": row.has_plan, "landlord": row.landlord, "advisor": row.advisor,
            "next_followup": row.next_followup.isoformat() if row.next_followup else None}


def run_list(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        cases = CaseService(session)
        rows = cases.list_cases()
        cases.record_listing()
        currency, country = session.organisation.currency, session.organisation.country
    if args.json:
        print(json.dumps([case_json(row) for row in rows], ensure_ascii=False, indent=1))
    else:
        print_table(rows, currency, country)
    return 0


def print_table(rows: list[CaseRow], currency: str, country: str) -> None:
    locale = locale_for(country=country)
    for row in rows:
        print(f"{row.id:>7}  {row.name[:28]:<28}  {row.status.value:<9}  "
              f"{format_date(row.opened_on, locale, 'short'):>10}  "
              f"{format_money(row.arrears, currency, locale):>14}  {row.landlord[:30]}")


def run_export(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        data = CaseService(session).export_person(args.person_id)
    with atomic_output(args.out) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    print(_("Wrote the personal data of person {id} to {path}.").format(
        id=args.person_id, path=args.out))
    return 0


def run_erase(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        CaseService(session).erase_case(args.case_id)
    print(_("Erased case {id}.").format(id=args.case_id))
    return 0
