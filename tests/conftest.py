"""Shared fixtures: real encrypted stores in temporary folders.

Tests create their stores with cheap Argon2 parameters. The parameters are stored in each
slot, so every unlock of such a store (also by the CLI in a subprocess) is fast, while the
code path is the one users run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.agreements.identity import create_identity, save_identity
from workbench.i18n import set_language
from workbench.session import Session, StoreLocation, create_store
from workbench.store.keyslots import KdfParams

pytest_plugins = ["tests.support.pg_fixtures"]

FAST_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
PASSPHRASE = "correct horse battery staple"
ADMIN = "anna"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def location(tmp_path: Path) -> StoreLocation:
    return StoreLocation(tmp_path / "store")


def make_store(location: StoreLocation, country: str = "FI") -> Session:
    session, _key = create_store(location, "Asumisneuvonta Testi ry", country, ADMIN,
                                 PASSPHRASE, language="fi", kdf=FAST_KDF)
    save_identity(session, create_identity("Asumisneuvonta Testi ry", country))
    return session


@pytest.fixture
def session(location: StoreLocation) -> Iterator[Session]:
    session = make_store(location)
    yield session
    if not session.locked:
        session.lock()


@pytest.fixture
def store_with_recovery(location: StoreLocation) -> Iterator[tuple[Session, str]]:
    session, recovery_key = create_store(location, "Asumisneuvonta Testi ry", "FI", ADMIN,
                                         PASSPHRASE, kdf=FAST_KDF)
    yield session, recovery_key
    if not session.locked:
        session.lock()


def pytest_collection_modifyitems(items) -> None:
    # The bundle's test last: by then its build, started at collection, is done.
    items.sort(key=lambda item: item.path.name == "test_bundle.py")


def pytest_collection_finish(session) -> None:
    # The bundle builds beside the other tests (see tests/support/bundle.py).
    if not session.config.option.collectonly and any(
            item.path.name == "test_bundle.py" and "bundle_builds" in item.name
            for item in session.items):
        from tests.support import bundle

        bundle.start()


def pytest_sessionfinish(session) -> None:
    from tests.support import bundle

    bundle.stop()
