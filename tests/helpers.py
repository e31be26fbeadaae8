"""Small builders shared by tests."""

from __future__ import annotations

from datetime import UTC, datetime

from workbench.cases.model import Intake
from workbench.session import StoreLocation


def intake(**changes) -> Intake:
    values = dict(first_name="Åsa", last_name="Jääskeläinen", identity_text="131052-308T",
                  phone="+358 40 123 4567", street="Koivukuja 3 B 12", postcode="00100",
                  city="Helsinki", monthly_rent=78000, landlord_reference="KV-2231",
                  rent_arrears=123450)
    values.update(changes)
    return Intake(**values)


def snapshot(location: StoreLocation) -> dict[str, bytes]:
    """Every file of the data folder, by name, with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(location.data_dir.iterdir()) if p.is_file()}


def now() -> datetime:
    return datetime.now(UTC)


def kill_runs(thorough: int, everyday: int) -> int:
    """How many random instants a kill-and-recover test tries: ``thorough`` with
    ``THOROUGH=1`` (``make test-thorough``, before a release), else ``everyday`` (the
    default run, kept near ten minutes: the first instants of the same random sequence)."""
    import os

    return thorough if os.environ.get("THOROUGH") == "1" else everyday
