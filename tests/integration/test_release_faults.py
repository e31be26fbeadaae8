"""Release safety: killed mid-save, mid-backup and mid-plan revision (150 kills here with
THOROUGH=1, 70 in the everyday run; more in test_crash_safety), the store stays whole and
keeps every committed record."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ADMIN, PASSPHRASE, make_store
from tests.helpers import intake, kill_runs
from workbench.cases.service import CaseService
from workbench.plans.service import PlanService
from workbench.session import unlock
from workbench.store.maintenance import _verify_archive, check_store

WORKER = Path(__file__).with_name("fault_writer.py")


def kill_during(location, mode: str, extra: list[str], rng: random.Random) -> list[str]:
    worker = subprocess.Popen([sys.executable, str(WORKER), str(location.data_dir), ADMIN,
                               PASSPHRASE, mode, *extra], stdout=subprocess.PIPE, text=True)
    lines = [worker.stdout.readline()]
    time.sleep(rng.uniform(0.0, 0.12))
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    return [line.strip() for line in lines + worker.stdout.read().splitlines() if line.strip()]


KILLS = kill_runs(thorough=75, everyday=35)


@pytest.mark.parametrize(("mode", "kills"), [("backup", KILLS), ("plan", KILLS)])
def test_killed_mid_action_loses_nothing_committed(location, tmp_path, mode, kills):
    session = make_store(location)
    case_id = CaseService(session).create_case(intake()).case.id
    session.lock()
    target = tmp_path / "backups" / "store.whb"
    target.parent.mkdir()
    extra = [str(target)] if mode == "backup" else [str(case_id)]
    rng = random.Random(7)
    committed = 0
    for _ in range(kills):
        lines = kill_during(location, mode, extra, rng)
        committed = max(committed, sum(1 for line in lines if line.startswith("revision")))
        session = unlock(location, ADMIN, PASSPHRASE)
        try:
            assert check_store(session) == []
            if mode == "plan":
                revisions = PlanService(session).history(case_id).revisions
                # Every revision the worker saw committed is there, whole and in order.
                assert len(revisions) >= committed
                assert [r.revision for r in revisions] == list(range(1, len(revisions) + 1))
                assert all(sum(row.amount for row in r.rows) == r.total for r in revisions)
            elif target.exists():
                # The backup under its real name is always a complete, verified one.
                _verify_archive(target, tmp_path / "check")
        finally:
            session.lock()
    leftovers = [p.name for p in target.parent.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) <= 1  # at most the one the last kill interrupted
