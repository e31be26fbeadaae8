"""Statistics actions: make a report for a period and export it; every export is audited
(who, when, period, format — never a figure)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from workbench.errors import ValidationError
from workbench.i18n import LANGUAGES, N_
from workbench.session import Role, Session
from workbench.stats import export
from workbench.stats.period import Period
from workbench.stats.report import Report, hidden_alone, protect
from workbench.stats.suppression import DEFAULT_THRESHOLD, MIN_THRESHOLD
from workbench.stats.tables import build_tables
from workbench.store.files import os_errors_as_user_errors, write_atomically

FORMATS = ("csv", "xlsx", "pdf")
MAX_THRESHOLD = 1000
WRITERS = {"csv": export.to_csv, "xlsx": export.to_xlsx, "pdf": export.to_pdf}


class ThresholdTooLow(ValidationError):
    template = N_("The threshold for small numbers must be at least {min}.")


class ThresholdTooHigh(ValidationError):
    template = N_("The threshold for small numbers can be at most {max}.")


class StatsService:
    def __init__(self, session: Session) -> None:
        self.session = session
        session.require_any((Role.LEAD, Role.ADVISOR, Role.ADMIN), N_("see statistics"))

    def threshold(self) -> int:
        """The organisation's k, from the signed roster (no database edit can lower it)."""
        value = self.session.policy.get("stats_threshold", DEFAULT_THRESHOLD)
        return max(MIN_THRESHOLD, int(value))

    def set_threshold(self, k: int) -> None:
        from workbench.users import UserService

        self.session.require(Role.ADMIN, N_("change the organisation's settings"))
        if k < MIN_THRESHOLD:
            raise ThresholdTooLow(min=MIN_THRESHOLD)
        if k > MAX_THRESHOLD:
            raise ThresholdTooHigh(max=MAX_THRESHOLD)
        UserService(self.session).set_policy(stats_threshold=k)

    def report(self, period: Period, threshold: int | None = None,
               today: date | None = None) -> Report:
        """The protected tables for the period (suppression applied before anything else)."""
        k = self.threshold() if threshold is None else threshold
        if k < MIN_THRESHOLD:
            raise ThresholdTooLow(min=MIN_THRESHOLD)
        if k > MAX_THRESHOLD:
            raise ThresholdTooHigh(max=MAX_THRESHOLD)
        if k < self.threshold():  # showing smaller numbers than the organisation allows
            self.session.require(Role.ADMIN, N_("lower the threshold for small numbers"))
        organisation = self.session.organisation
        quarters = period.quarters()  # refuses anything but whole quarters
        forced = None
        if len(quarters) > 1:
            forced = hidden_alone([protect(build_tables(self.session, quarter, k), k)
                                   for quarter in quarters])
        return Report(organisation.name, organisation.currency, period, today or date.today(),
                      k, protect(build_tables(self.session, period, k), k, forced))

    def export(self, report: Report, fmt: str, language: str, target: Path) -> Path:
        if fmt not in FORMATS or language not in LANGUAGES:
            raise ValidationError(N_("Choose CSV, XLSX or PDF and one of the four languages."))
        content = WRITERS[fmt](report, language)
        with (self.session.action(f"stats.export.{fmt}",
                                  f"stats:{report.period.name}:k{report.threshold}"),
              os_errors_as_user_errors(target)):
            write_atomically(Path(target), content)
        return Path(target)
