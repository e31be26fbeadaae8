"""Team sync at 100,000 cases on a PostgreSQL server on loopback: a new laptop's first
sync, a round of 100 edits, the outbox's cost on a save, and 20 laptops syncing at once."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.benchmarks.conftest import CASES, PASSPHRASE, ROOT, USER, percentile, summary
from tests.conftest import FAST_KDF
from tests.support.postgres import LOCALHOST
from workbench.cases.service import CaseService
from workbench.session import StoreLocation, unlock
from workbench.sync import capture, state, team
from workbench.sync.engine import sync

LAPTOPS, EDITS = 20, 50
SAVES = 1000  # saves on each store for the outbox's cost


@pytest.fixture
def server(pg_cluster):
    name = pg_cluster.create_database()
    yield pg_cluster.conninfo(name, host=LOCALHOST)
    pg_cluster.drop_database(name)


def _server_bytes(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT pg_total_relation_size('workbench.changes')").fetchone()[0]


def _saves(session, case_ids: list[int], tag: int = 0) -> list[float]:
    service = CaseService(session)
    samples = []
    for n, case_id in enumerate(case_ids):
        person = service.open_case(case_id).person
        person.phone = f"+358 5{tag} {n:07d}"
        started = time.perf_counter()
        service.update_person(case_id, person)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


@contextlib.contextmanager
def _timing_capture(samples: list[float]):
    """Time the end-of-action step that writes change records (the outbox's own work;
    the triggers that note changed rows run inside the statements and are in the saves'
    difference)."""
    original = capture.capture

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            samples.append((time.perf_counter() - started) * 1000)

    capture.capture = timed
    try:
        yield
    finally:
        capture.capture = original


def _outbox_cost(synced_dir: Path, plain_dir: Path, record) -> None:
    """Saves of the same cases on a syncing store and on a plain copy, in a fresh process
    (``outbox_probe``), taken in turns."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.outbox_probe", str(synced_dir),
         str(plain_dir), str(CASES), str(SAVES)],
        cwd=ROOT, capture_output=True, text=True, check=True)
    samples = json.loads(result.stdout.strip().splitlines()[-1])
    with_outbox, without, captured = samples["with"], samples["without"], samples["step"]
    extra = percentile(with_outbox, 95) - percentile(without, 95)
    print(f"save without sync {summary(without)} ms; with the outbox {summary(with_outbox)} "
          f"ms; the outbox step itself {summary(captured)} ms")
    record("outbox: extra cost on a save p95 (difference of p95s)", extra, "ms", "<= 2 ms",
           extra <= 2)
    record("outbox: its own step on a save p95", percentile(captured, 95), "ms", "<= 2 ms",
           percentile(captured, 95) <= 2)


def test_a_new_laptops_first_sync_of_a_100k_case_team(big_store, server, tmp_path, record):
    location, _ = big_store
    desk_dir = tmp_path / "desk"
    shutil.copytree(location.data_dir, desk_dir)
    shutil.copytree(location.data_dir, tmp_path / "plain")
    desk = unlock(StoreLocation(desk_dir), USER, PASSPHRASE)
    rng = random.Random(11)

    started = time.perf_counter()
    team.init_server(desk, server, "desk")
    snapshot = time.perf_counter() - started
    started = time.perf_counter()
    sent = sync(desk).sent
    pushed = time.perf_counter() - started
    print(f"\nsnapshot of {CASES} cases {snapshot:.1f} s; first push of {sent} records "
          f"{pushed:.1f} s; server {_server_bytes(server) / CASES:.0f} bytes per case")

    invitation = tmp_path / "visit.invitation"
    team.invite(desk, "visit", "ville", "advisor", invitation)
    visit, _key, fingerprint = team.join(StoreLocation(tmp_path / "visit"), invitation,
                                         "ville", PASSPHRASE, kdf=FAST_KDF)
    team.approve(desk, fingerprint)
    progress: list[tuple[str, int, float]] = []
    started = time.perf_counter()
    report = sync(visit, progress=lambda stage, done, _total: progress.append(
        (stage, done, round(time.perf_counter() - started, 1))))
    first = time.perf_counter() - started
    cases = visit.db.scalar("SELECT count(*) FROM cases")
    pulled = max(at for stage, _done, at in progress if stage == "pull")
    print(f"first sync: {report.received} records, {cases} cases in {first:.1f} s "
          f"(pulled and applied in {pulled:.1f} s, then search entries, plans and "
          f"statistics facts); progress {len(progress)} steps, last {progress[-1]}")
    assert cases == CASES
    record(f"first sync of a {CASES}-case team on a new laptop", first, "s", "<= 120 s",
           first <= 120)
    record("server size per case (change log)", _server_bytes(server) / CASES / 1000, "KB",
           "info", True)

    # The new laptop's log is copied back into its file by a thread of its own once the
    # sync is done; closing the store waits for that copy (and keeps it from weighing on
    # the saves measured next).
    started = time.perf_counter()
    visit.lock()
    settled = time.perf_counter() - started
    print(f"the new laptop's store closed (its log copied back) {settled:.1f} s after")
    record("first sync: closing the store after it (log copied back)", settled, "s", "info",
           True)

    desk.lock()
    _outbox_cost(desk_dir, tmp_path / "plain", record)
    desk = unlock(StoreLocation(desk_dir), USER, PASSPHRASE)

    visit = unlock(StoreLocation(tmp_path / "visit"), "ville", PASSPHRASE)
    sync(desk)
    sync(visit)
    ids = [rng.randint(1, CASES) for _ in range(100)]
    _saves(desk, ids)
    started = time.perf_counter()
    sync(desk)
    sync(visit)
    round_trip = time.perf_counter() - started
    assert state.waiting(desk.db) == 0
    print(f"push + pull of 100 edits: {round_trip:.2f} s")
    record("push + pull of 100 edits", round_trip, "s", "<= 1 s", round_trip <= 1)
    visit.lock()
    desk.lock()


def test_twenty_laptops_syncing_at_once(server, tmp_path, record):
    from tests.support.team import make_team

    others = tuple(f"laptop{n:02d}" for n in range(1, LAPTOPS))
    laptops = make_team(tmp_path, server, others)
    for session in laptops:
        sync(session)
    places = [(s.location.data_dir, s.user.name) for s in laptops]
    for session in laptops:
        session.lock()
    started = time.perf_counter()
    workers = [subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "sync_worker.py"), str(data_dir), user,
         "correct horse battery staple", str(EDITS)], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}) for data_dir, user in places]
    for worker in workers:
        assert worker.wait(600) == 0
    seconds = time.perf_counter() - started
    total = LAPTOPS * EDITS
    counts = []
    for data_dir, user in places:
        session = unlock(StoreLocation(data_dir), user, "correct horse battery staple")
        sync(session)
        counts.append((session.db.scalar("SELECT count(*) FROM cases"),
                       session.db.scalar("SELECT count(DISTINCT last_name) FROM persons")))
        session.lock()
    size = _server_bytes(server)
    print(f"\n{LAPTOPS} laptops x {EDITS} new cases, all syncing at once: {seconds:.1f} s; "
          f"every laptop then holds {set(counts)}; server {size / total:.0f} bytes per case")
    assert set(counts) == {(total, total)}  # every case once on every laptop
    record(f"{LAPTOPS} laptops x {EDITS} new cases syncing at once", seconds, "s", "info",
           True)
