"""Removing a user renews the keys and re-encrypts the store; a SIGKILL at any instant of
that leaves a store every remaining user opens (with the old or the new key), with every
committed case, and a check that passes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ADMIN, FAST_KDF, PASSPHRASE, make_store
from tests.helpers import kill_runs
from workbench.cases.service import CaseService
from workbench.demo.seed import seed_demo
from workbench.errors import UnknownUser
from workbench.session import Role, unlock
from workbench.store.maintenance import check_store
from workbench.users import UserService

VICTIM = Path(__file__).with_name("rotation_victim.py")
KILLS = kill_runs(thorough=55, everyday=25)
ADVISOR, ADVISOR_PASS = "bo", "bos own passphrase"
LEAD, LEAD_PASS = "lea", "leas own passphrase"


def start_victim(location, user: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    victim = subprocess.Popen([sys.executable, str(VICTIM), str(location.data_dir), ADMIN,
                               PASSPHRASE, user], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env)
    assert victim.stdout.readline().strip() == "ready"
    return victim


@pytest.mark.slow
def test_sigkill_at_any_instant_of_a_key_rotation_loses_nothing(location):
    session = make_store(location)
    users = UserService(session, kdf=FAST_KDF)
    users.add_user(ADVISOR, {Role.ADVISOR}, ADVISOR_PASS)
    users.add_user(LEAD, {Role.LEAD}, LEAD_PASS)
    leavers = [f"leaver{n}" for n in range(KILLS + 1)]
    for name in leavers:
        users.add_user(name, {Role.ADVISOR}, f"{name} passphrase here")
    seed_demo(session, 300)
    cases = CaseService(session).count_cases()
    session.lock()

    # One removal run to the end, to know how long a rotation takes on this machine.
    victim = start_victim(location, leavers[0])
    started = time.monotonic()
    victim.stdin.write("go\n")
    victim.stdin.flush()
    assert victim.stdout.readline().strip() == "removed"
    duration = time.monotonic() - started
    victim.wait()

    rng = random.Random(2611)
    outcomes = {"before": 0, "after": 0}
    for name in leavers[1:]:
        victim = start_victim(location, name)
        victim.stdin.write("go\n")
        victim.stdin.flush()
        time.sleep(rng.uniform(0, duration * 1.1))
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        # Every remaining user opens the store; a rotation cut short is finished by the
        # first unlock of someone who holds both keys.
        for user, passphrase in ((ADVISOR, ADVISOR_PASS), (ADMIN, PASSPHRASE)):
            opened = unlock(location, user, passphrase)
            try:
                assert CaseService(opened).count_cases() == cases
                assert check_store(opened) == []
                removed = name not in opened.access.roster.members
            finally:
                opened.lock()
        lead = unlock(location, LEAD, LEAD_PASS)
        assert lead.facts_db.scalar("SELECT count(*) FROM f_cases") == cases
        lead.lock()
        if removed:
            outcomes["after"] += 1
            with pytest.raises(UnknownUser):
                unlock(location, name, f"{name} passphrase here")
        else:
            outcomes["before"] += 1
    # The kills landed on both sides of the point of no return.
    assert outcomes["before"] and outcomes["after"], outcomes
    assert not list(location.data_dir.glob("*.rekey"))
