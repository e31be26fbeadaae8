"""``workbench plan preview``: the calculator advisors use on the phone. No store needed."""

from __future__ import annotations

import argparse
import json

from workbench.dates import parse_date
from workbench.errors import ValidationError
from workbench.i18n import N_, _, format_amount, format_date, locale_for, ngettext
from workbench.money import parse_money
from workbench.plans.schedule import PlanTerms, build_schedule


class NotAWholeNumber(ValidationError):
    # Translators: {option} is a command-line option such as --months, {text} what was typed.
    template = N_("{option} must be a whole number, not “{text}”.")


def register(commands: argparse._SubParsersAction) -> None:
    plan = commands.add_parser("plan", help=_("payment plan tools"))
    sub = plan.add_subparsers(dest="plan_command", metavar=_("COMMAND"), required=True)
    preview = sub.add_parser(
        "preview", help=_("show the instalments of a plan without saving anything"),
        description=_("Show the instalments for repaying AMOUNT: whole currency units, the "
                      "remainder in the last instalment, each on the due day (or the last day "
                      "of a shorter month). Amounts are typed as in your language, e.g. "
                      "1 234,50 or 1234.50."))
    preview.add_argument("--total", required=True, metavar=_("AMOUNT"),
                         help=_("the arrears to repay"))
    how = preview.add_mutually_exclusive_group(required=True)
    how.add_argument("--instalment", metavar=_("AMOUNT"), help=_("a fixed monthly instalment"))
    how.add_argument("--months", metavar="N", help=_("the number of monthly instalments"))
    preview.add_argument("--start", required=True, metavar=_("DATE"),
                         help=_("the first instalment is due on or after this date"))
    preview.add_argument("--due-day", required=True, metavar="N",
                         help=_("the day of the month instalments are due (1-31)"))
    preview.add_argument("--json", action="store_true",
                         help=_("JSON with amounts in minor units (cents)"))
    preview.set_defaults(handler=run_preview, needs_store=False)


def _whole(option: str, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise NotAWholeNumber(option=option, text=text) from None


def run_preview(context, args: argparse.Namespace) -> int:
    locale = locale_for()
    terms = PlanTerms(
        total=parse_money(args.total, locale),
        start=parse_date(args.start, locale),
        due_day=_whole("--due-day", args.due_day),
        instalment=parse_money(args.instalment, locale) if args.instalment is not None
        else None,
        months=_whole("--months", args.months) if args.months is not None else None)
    schedule = build_schedule(terms)
    if args.json:
        print(json.dumps({"total": terms.total,
                          "instalments": [{"due": item.due.isoformat(), "amount": item.amount}
                                          for item in schedule]}))
        return 0
    for number, item in enumerate(schedule, 1):
        print(f"{number:>4}  {format_date(item.due, locale, 'short'):>12}  "
              f"{format_amount(item.amount, locale):>14}")
    print(ngettext("{count} instalment, {total} in all.", "{count} instalments, {total} in all.",
                   len(schedule)).format(count=len(schedule),
                                         total=format_amount(terms.total, locale)))
    return 0
