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
