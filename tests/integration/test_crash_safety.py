"""A writer killed with SIGKILL in the middle of saving loses no committed record."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ADMIN, PASSPHRASE, make_store
from workbench.session import unlock
from workbench.store.maintenance import check_store

WRITER = Path(__file__).with_name("crash_writer.py")
KILLS = 50


def test_sigkill_during_saves_loses_no_committed_case_and_check_passes(location):
    make_store(location).lock()
    rng = random.Random(2026)
    committed_cases: set[int] = set()
    committed_contacts: set[int] = set()
    for _ in range(KILLS):
        writer = subprocess.Popen([sys.executable, str(WRITER), str(location.data_dir), ADMIN,
                                   PASSPHRASE], stdout=subprocess.PIPE, text=True)
        # Wait for the first commit, then let it write for a random while before the kill.
        first = writer.stdout.readline()
        assert first, "the writer did not start"
        lines = [first]
        time.sleep(rng.uniform(0.0, 0.15))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        lines += writer.stdout.read().splitlines()
        for line in lines:
            kind, _, number = line.strip().partition(" ")
            if kind == "case":
                committed_cases.add(int(number))
            elif kind == "contact":
                committed_contacts.add(int(number))

        session = unlock(location, ADMIN, PASSPHRASE)
        try:
            assert check_store(session) == []
            stored_cases = {r[0] for r in session.db.all("SELECT id FROM cases")}
            stored_contacts = {r[0] for r in session.db.all("SELECT id FROM contacts")}
            assert committed_cases <= stored_cases
            assert committed_contacts <= stored_contacts
            # Every stored case is whole: a case without its search entry was half-saved.
            indexed = {r[0] for r in session.db.all("SELECT rowid FROM case_search")}
            assert stored_cases == indexed
        finally:
            session.lock()
    assert len(committed_cases) > KILLS
