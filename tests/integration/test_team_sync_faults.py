"""Team sync when the network and the server fail at the worst moments: nothing lost,
nothing doubled."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PASSPHRASE
from tests.helpers import intake
from tests.integration.cli import run_unlocked
from tests.support.faultproxy import FaultProxy
from tests.support.postgres import LOCALHOST
from tests.support.team import close, make_team, roundtrip, route
from workbench.cases.service import CaseService
from workbench.session import StoreLocation, unlock
from workbench.sync import keys, state
from workbench.sync.client import Refused, Server, ServerUnreachable
from workbench.sync.engine import Team, push, sync
from workbench.sync.sealing import SealProblem, open_record

READY = b"Z\x00\x00\x00\x05I"  # PostgreSQL's ReadyForQuery: the statement was committed


@pytest.fixture
def two(tmp_path, pg_database):
    laptops = make_team(tmp_path, pg_database.owner_dsn)
    yield (*laptops, pg_database)
    close(laptops)


def _server_changes(db, device: str | None = None) -> int:
    with psycopg.connect(db.owner_dsn) as conn:
        if device is None:
            return conn.execute("SELECT count(*) FROM workbench.changes").fetchone()[0]
        return conn.execute("SELECT count(*) FROM workbench.changes WHERE device_id = %s",
                            (device,)).fetchone()[0]


def _names(session) -> list[str]:
    return sorted(r[0] for r in session.db.all(
        "SELECT p.last_name FROM cases c JOIN persons p ON p.id = c.person_id"))


def test_a_push_the_server_committed_but_whose_answer_was_lost_is_not_doubled(two):
    desk, visit, db = two
    for n in range(12):
        CaseService(visit).create_case(intake(last_name=f"Resident{n:02d}", identity_text=""))
    device = state.config(visit.db)["device_id"]
    with FaultProxy(LOCALHOST, db.cluster.port) as proxy:
        route(visit, proxy.host, proxy.port)
        config = state.config(visit.db)
        with Server(config["conninfo"], config["password"]) as server:
            team = Team(visit, server)
            team.refresh()
            proxy.cut_on(READY)  # the next statement (the push) commits, its answer is cut
            with pytest.raises(ServerUnreachable):
                push(team)
        assert proxy.wait_for_cut(5)
        on_server = _server_changes(db, device)
        assert on_server >= 12  # every case (with its resident), facts and audit rows …
        assert state.waiting(visit.db) == on_server  # … but the laptop never heard so
        sync(visit)  # sent again: the server hands back the numbers it gave
    assert _server_changes(db, device) == on_server
    assert state.waiting(visit.db) == 0
    sync(desk)
    assert _names(desk) == [f"Resident{n:02d}" for n in range(12)]


def test_the_server_restarted_in_the_middle_of_a_pull(two, monkeypatch):
    desk, visit, db = two
    for n in range(30):
        CaseService(desk).create_case(intake(last_name=f"Resident{n:02d}", identity_text=""))
    sync(desk)
    monkeypatch.setattr(Server, "page", 10)
    restarted = []

    def restart_once(stage, done, total):
        if stage == "pull" and not restarted:
            restarted.append(done)
            db.cluster.restart("immediate")

    with pytest.raises(ServerUnreachable):
        sync(visit, progress=restart_once)
    assert state.cursor(visit.db) > 0  # the first page stayed in, with its cursor
    sync(visit)
    assert _names(visit) == [f"Resident{n:02d}" for n in range(30)]
    ops = [r[0] for r in visit.db.all("SELECT op_id FROM sync_seen")]
    assert len(ops) == len(set(ops))


def test_a_laptop_killed_while_taking_in_changes_finishes_at_the_next_sync(two, tmp_path):
    desk, visit, _db = two
    for n in range(40):
        CaseService(desk).create_case(intake(last_name=f"Resident{n:02d}", identity_text=""))
    sync(desk)
    visit_dir = visit.location.data_dir
    visit_user = visit.user.name
    visit.lock()
    victim = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "sync_victim.py"), str(visit_dir),
         visit_user, PASSPHRASE], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    pages = 0
    for line in victim.stdout:
        if line.startswith("pull"):
            pages += 1
            if pages == 3:
                os.kill(victim.pid, signal.SIGKILL)
                break
    victim.wait(30)
    assert victim.returncode == -signal.SIGKILL
    again = unlock(StoreLocation(visit_dir), visit_user, PASSPHRASE)
    try:
        assert state.cursor(again.db) > 0
        sync(again)
        assert _names(again) == [f"Resident{n:02d}" for n in range(40)]
        assert again.db.scalar("SELECT count(*) FROM sync_seen") == again.db.scalar(
            "SELECT count(DISTINCT op_id) FROM sync_seen")
    finally:
        again.lock()


def test_rotation_reaches_a_laptop_that_was_offline_and_shuts_out_the_removed_one(
        tmp_path, pg_database):
    desk, visit, tablet = make_team(tmp_path, pg_database.owner_dsn, ("visit", "tablet"))
    try:
        made = CaseService(desk).create_case(intake())
        roundtrip(desk, visit, tablet)
        tablet_case = tablet.db.scalar("SELECT id FROM cases")
        old_key = keys.current(visit.db, "case")
        # The tablet works offline while the desk removes the visit laptop.
        person = CaseService(tablet).open_case(tablet_case).person
        CaseService(tablet).update_person(tablet_case, dataclasses.replace(
            person, email="offline@example.fi"))
        from workbench.sync import team
        team.remove(desk, "visit")
        sync(tablet)  # sent under the old key: refused, re-sealed under the new one
        assert keys.current(tablet.db, "case")[0] == old_key[0] + 1
        sync(desk)
        assert CaseService(desk).open_case(made.case.id).person.email == "offline@example.fi"
        with pytest.raises(Refused) as refused:
            sync(visit)
        assert refused.value.code == "login"
        # What the removed laptop still holds opens nothing written since.
        config = state.config(desk.db)
        with Server(config["conninfo"], config["password"]) as server:
            newest = [s for _seq, s in server.pull(0, 5000) if s.key_epoch > old_key[0]]
            cards = Team(desk, server)
            cards.load_devices()
            assert newest
            for sealed in newest:
                with pytest.raises(SealProblem):
                    open_record(sealed, team_key=old_key[1],
                                sign_public=cards.card(sealed.device_id).sign_public)
    finally:
        close([desk, visit, tablet])


def test_the_command_says_unreachable_with_5_and_refused_with_2(two):
    desk, visit, db = two
    CaseService(visit).create_case(intake())
    visit_dir, visit_user = visit.location.data_dir, visit.user.name
    with FaultProxy(LOCALHOST, db.cluster.port) as proxy:
        route(visit, proxy.host, proxy.port)
        visit.lock()
        proxy.refuse()
        result = run_unlocked(visit_dir, "sync", user=visit_user)
        assert result.returncode == 5, result.stderr
        assert "cannot be reached" in result.stderr and "nothing was lost" in result.stderr
        assert "Traceback" not in result.stderr
        proxy.pass_through()
        result = run_unlocked(visit_dir, "sync", "--json", user=visit_user)
        assert result.returncode == 0, result.stderr
        assert '"sent": ' in result.stdout
        from workbench.sync import team
        team.remove(desk, "visit")
        result = run_unlocked(visit_dir, "sync", user=visit_user)
    assert result.returncode == 2, result.stderr
    assert "refused this laptop's login" in result.stderr
