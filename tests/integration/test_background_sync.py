"""The window's sync runs in a helper process of its own: what it brings is in the window's
store, what goes wrong reaches the window in the user's language, and a stop asked while
it cannot stop (a server that went silent) still ends it within moments."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest

from tests.helpers import intake
from tests.support.faultproxy import FaultProxy
from tests.support.postgres import LOCALHOST
from tests.support.team import close, make_team, route
from workbench.cases.service import CaseService
from workbench.i18n import set_language
from workbench.sync.background import BackgroundSync, SyncStopped
from workbench.sync.client import ServerUnreachable
from workbench.sync.engine import sync


@pytest.fixture
def two(tmp_path, pg_database):
    laptops = make_team(tmp_path, pg_database.owner_dsn)
    yield (*laptops, pg_database)
    close(laptops)


def _helpers() -> list[multiprocessing.Process]:
    return [p for p in multiprocessing.active_children() if p.name == "workbench sync"]


def test_a_case_made_on_another_laptop_arrives_through_the_helper(two):
    desk, visit, _db = two
    CaseService(desk).create_case(intake(last_name="Lindqvist"))
    runner = BackgroundSync(desk)
    try:
        assert runner.run().sent > 0
    finally:
        runner.close()
    stages: list[str] = []
    runner = BackgroundSync(visit)
    try:
        report = runner.run(lambda stage, done, total: stages.append(stage))
    finally:
        runner.close()
    assert _helpers() == []
    names = [row[0] for row in visit.db.all("SELECT p.last_name FROM cases c "
                                            "JOIN persons p ON p.id = c.person_id")]
    assert names == ["Lindqvist"]
    assert report.cases and "pull" in stages


def test_an_unreachable_server_is_said_in_the_users_language(two):
    _desk, visit, db = two
    CaseService(visit).create_case(intake())
    with FaultProxy(LOCALHOST, db.cluster.port) as proxy:
        route(visit, proxy.host, proxy.port)
        proxy.refuse()
        runner = BackgroundSync(visit)
        try:
            with pytest.raises(ServerUnreachable) as raised:
                runner.run()
        finally:
            runner.close()
    set_language("fi")
    try:
        said = raised.value.message()
    finally:
        set_language("en")
    assert "palvelimeen" in said.lower() and "cannot be reached" not in said
    assert visit.db.scalar("SELECT count(*) FROM cases") == 1  # nothing lost


def test_a_sync_that_cannot_stop_is_ended_when_the_store_locks(two):
    """A server gone silent: the helper waits on it and sees no stop between pages; the
    window, locking, gets its answer (stopped, not "unreachable" eight seconds later)."""
    _desk, visit, db = two
    CaseService(visit).create_case(intake(last_name="Kept"))
    outcome: list[BaseException] = []
    with FaultProxy(LOCALHOST, db.cluster.port) as proxy:
        route(visit, proxy.host, proxy.port)
        proxy.blackhole()
        runner = BackgroundSync(visit)

        def syncing() -> None:
            try:
                runner.run()
            except BaseException as error:  # handed to the test thread
                outcome.append(error)

        worker = threading.Thread(target=syncing)
        worker.start()
        time.sleep(1.5)  # the helper is up and waiting on the silent server
        runner.stop()
        worker.join(30)
        runner.close()
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], SyncStopped)
    assert _helpers() == []
    names = [row[0] for row in visit.db.all("SELECT p.last_name FROM cases c "
                                            "JOIN persons p ON p.id = c.person_id")]
    assert names == ["Kept"]


def test_a_helper_that_died_between_syncs_is_started_again(two):
    desk, visit, _db = two
    runner = BackgroundSync(visit)
    try:
        runner.run()
        (helper,) = _helpers()
        helper.kill()  # as the system's out-of-memory killer would
        helper.join()
        CaseService(desk).create_case(intake(last_name="Later"))
        sync(desk)
        assert runner.run().cases  # a new helper took it in
    finally:
        runner.close()
    assert _helpers() == []
    assert "Later" in [row[0] for row in visit.db.all("SELECT last_name FROM persons")]


def test_a_server_not_yet_told_of_the_progress_question_still_syncs(two):
    """A laptop updated before its administrator re-ran ``server init``: no total to show,
    nothing else different."""
    import psycopg

    desk, visit, db = two
    with psycopg.connect(db.owner_dsn, autocommit=True) as conn:
        conn.execute("DROP FUNCTION workbench.waiting(bigint)")
    CaseService(desk).create_case(intake(last_name="Anyway"))
    sync(desk)
    totals: list[int] = []
    runner = BackgroundSync(visit)
    try:
        runner.run(lambda stage, done, total: totals.append(total) if stage == "pull" else None)
    finally:
        runner.close()
    assert totals and set(totals) == {0}
    assert "Anyway" in [row[0] for row in visit.db.all("SELECT last_name FROM persons")]
