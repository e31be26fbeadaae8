"""The write-ahead log is copied back into the store file by a thread of its own while an
advisor works, so no save waits for that copy, and the log stays short."""

from __future__ import annotations

import dataclasses
import threading
import time

from tests.conftest import ADMIN, PASSPHRASE, make_store
from workbench.cases.service import CaseService
from workbench.demo.seed import seed_demo
from workbench.session import unlock
from workbench.store.checkpoints import BACKSTOP_PAGES, LOG_PAGES

FRAME = 4096 + 24


def _log_pages(location) -> int:
    log = location.db_path.with_name(location.db_path.name + "-wal")
    return log.stat().st_size // FRAME if log.exists() else 0


def _save_phones(session, saves: int) -> None:
    service = CaseService(session)
    for n in range(saves):
        case_id = 1 + n % 5
        person = service.open_case(case_id).person
        service.update_person(case_id, dataclasses.replace(person, phone=f"+358 40 {n:07d}"))


def test_the_log_is_copied_back_during_work_and_stays_short(session, location):
    seed_demo(session, 5)
    _save_phones(session, 300)  # some 15 pages each: several logs' worth, under the backstop
    deadline = time.monotonic() + 10
    while _log_pages(location) >= LOG_PAGES and time.monotonic() < deadline:
        _save_phones(session, 1)  # the log starts again from its beginning at a write
        time.sleep(0.05)
    assert _log_pages(location) < LOG_PAGES < BACKSTOP_PAGES
    last = CaseService(session).open_case(5).person.phone
    session.lock()
    again = unlock(location, ADMIN, PASSPHRASE)
    try:
        assert CaseService(again).open_case(5).person.phone == last
    finally:
        again.lock()


def _checkpoint_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "store checkpoints"}


def test_locking_the_store_stops_the_thread_and_its_connection(location):
    before = _checkpoint_threads()  # (of stores other tests left open)
    session = make_store(location)
    mine = _checkpoint_threads() - before
    assert len(mine) == 1
    session.lock()
    assert not any(thread.is_alive() for thread in mine)


def test_two_threads_on_one_store_never_share_a_transaction(session):
    """Settings works on the window's connection from a worker thread (listing the team's
    laptops, renewing keys) while the window saves: each action is its own transaction.
    The worker's action fails and is rolled back; the window's save, made meanwhile, stays."""
    seed_demo(session, 2)
    db = session.db
    inside, go_on = threading.Event(), threading.Event()
    outcome: dict[str, BaseException] = {}

    def worker() -> None:
        try:
            with db.transaction():
                db.execute("UPDATE persons SET phone = '+358 40 111' WHERE id = 1")
                inside.set()
                go_on.wait(5)
                raise RuntimeError("the worker's action fails")
        except BaseException as error:  # kept for the assertion below
            outcome["worker"] = error

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(5)
    saver = threading.Thread(target=lambda: _save_phones(session, 1))  # the window's save
    saver.start()
    time.sleep(0.2)  # the save, had it joined the worker's transaction, is done by now
    go_on.set()
    thread.join(10)
    saver.join(10)
    assert isinstance(outcome["worker"], RuntimeError)  # not "within a transaction"
    service = CaseService(session)
    assert service.open_case(1).person.phone == "+358 40 0000000"  # the save is kept
    assert db.scalar("SELECT phone FROM persons WHERE id = 1") != "+358 40 111"
