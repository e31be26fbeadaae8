"""``workbench stats``: a quarter's (or any period's) anonymised figures as CSV, XLSX or PDF."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli.context import CommandContext, add_store_arguments
from workbench.dates import parse_date
from workbench.errors import ValidationError
from workbench.i18n import LANGUAGES, N_, _
from workbench.stats.period import Period, parse_quarter
from workbench.stats.service import FORMATS, MAX_THRESHOLD, StatsService
from workbench.stats.suppression import MIN_THRESHOLD


class NoPeriod(ValidationError):
    template = N_("Give the period with --quarter, or with both --from and --to.")


class BadThreshold(ValidationError):
    template = N_("The threshold for small numbers must be a whole number from {min} to "
                  "{max}.")


def parse_threshold(text: str | None) -> int | None:
    """``--threshold``: a whole number the tables can use, else one clear line (exit 2)."""
    if text is None:
        return None
    digits = text.strip().lstrip("0") or "0"
    # Length first: int() of thousands of digits is itself an error in Python.
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(MAX_THRESHOLD)) \
            or not MIN_THRESHOLD <= int(digits) <= MAX_THRESHOLD:
        raise BadThreshold(min=MIN_THRESHOLD, max=MAX_THRESHOLD)
    return int(digits)


def register(commands: argparse._SubParsersAction) -> None:
    stats = commands.add_parser(
        "stats", help=_("export anonymised statistics"),
        description=_("Write the statistics tables for a quarter or a range of days. Small "
                      "numbers are hidden, and enough others that none can be worked out. "
                      "Secrets: your passphrase."))
    add_store_arguments(stats)
    stats.add_argument("--quarter", metavar="2026Q3")
    stats.add_argument("--from", dest="start", metavar=_("DATE"))
    stats.add_argument("--to", dest="end", metavar=_("DATE"))
    stats.add_argument("--format", choices=FORMATS, required=True)
    stats.add_argument("--lang", choices=LANGUAGES, required=True)
    stats.add_argument("--out", type=Path, required=True, metavar=_("FILE"))
    stats.add_argument("--threshold", default=None, metavar="K",
                       help=_("hide counts from 1 to K-1 (default: the organisation's, 5)"))
    stats.set_defaults(handler=run_stats)


def run_stats(context: CommandContext, args: argparse.Namespace) -> int:
    threshold = parse_threshold(args.threshold)
    if args.quarter:
        period = parse_quarter(args.quarter)
    elif args.start and args.end:
        period = Period(parse_date(args.start), parse_date(args.end))
    else:
        raise NoPeriod()
    with context.session() as session:
        service = StatsService(session)
        report = service.report(period, threshold)
        service.export(report, args.format, args.lang, args.out)
    print(_("Wrote the statistics for {period} to {path}.").format(period=period.name,
                                                                    path=args.out))
    return 0
