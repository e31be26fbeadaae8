"""Fixtures shared by the command-line tests."""

from __future__ import annotations

import pytest

from tests.conftest import make_store
from workbench.demo.seed import seed_demo


@pytest.fixture
def seeded(location):
    """A store with 25 demonstration cases, locked."""
    session = make_store(location)
    seed_demo(session, 25, seed=7)
    session.lock()
    return location
