"""The store at 100,000 seeded cases: seeding, unlock, search, open, save, and the cost of
encryption against plain SQLite with the same schema and data."""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3

from tests.benchmarks.conftest import CASES, PASSPHRASE, QUERIES, USER, percentile, summary
from workbench.cases.model import ArrearsComponent, Channel, Contact
from workbench.cases.service import CaseService
from workbench.session import Session, unlock
from workbench.store.database import Database, apply_pragmas
from workbench.store.keyslots import DEFAULT_KDF


def timed(action, repeat: int) -> list[float]:
    samples = []
    for n in range(repeat):
        started = time.perf_counter()
        action(n)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def test_seed_100k(big_store, record):
    _, seconds = big_store
    print(f"\nseed-demo --cases {CASES}: {seconds:.1f} s")
    record(f"seed-demo --cases {CASES}", seconds, "s", "<= 120 s", seconds <= 120)


def test_unlock_takes_a_fifth_to_half_a_second(big_store, record):
    location, _ = big_store
    derive, whole = [], []
    for _ in range(5):
        started = time.perf_counter()
        location.keyslots().unseal(USER, PASSPHRASE).keys.wipe()
        derive.append(time.perf_counter() - started)
        started = time.perf_counter()
        session = unlock(location, USER, PASSPHRASE)  # slot, roster, envelopes, open, checks
        whole.append(time.perf_counter() - started)
        session.lock()
    print(f"\nArgon2id {DEFAULT_KDF}: {[round(s, 3) for s in derive]} s; whole unlock "
          f"{[round(s, 3) for s in whole]} s")
    record("unlock: Argon2id key derivation", min(derive) * 1000, "ms", "200-500 ms",
           0.2 <= min(derive) <= 0.5)
    record("unlock: whole (keys, roster, open, integrity)", statistics.median(whole) * 1000,
           "ms", "<= 500 ms", statistics.median(whole) <= 0.5)


def test_search_open_and_save(big_store, workload, record):
    location, _ = big_store
    session = unlock(location, USER, PASSPHRASE)
    service = CaseService(session)
    service.search("warm up")

    search_ms = timed(lambda n: service.search(workload[n]), QUERIES)
    hits = sum(1 for q in workload[:100] if service.search(q))
    print(f"\nsearch: {summary(search_ms)} ms; {hits}/100 of the first queries find a case")
    record("FTS search p95 (1,000 queries)", percentile(search_ms, 95), "ms", "<= 30 ms",
           percentile(search_ms, 95) <= 30)

    rng = random.Random(9)
    case_ids = [rng.randint(1, CASES) for _ in range(500)]
    open_ms = timed(lambda n: service.open_case(case_ids[n]), 500)
    print(f"open a whole case: {summary(open_ms)} ms")
    record("open a whole case (median)", percentile(open_ms, 50), "ms", "<= 20 ms",
           percentile(open_ms, 50) <= 20)
    record("open a whole case (p95)", percentile(open_ms, 95), "ms", "<= 20 ms",
           percentile(open_ms, 95) <= 20)

    def edit(n: int) -> None:
        case_id = case_ids[n % len(case_ids)]
        if n % 3 == 0:
            service.add(Contact(case_id, Channel.PHONE, datetime.now(UTC), 10, "Soitto",
                                "Sovittiin uusi tapaaminen"))
        elif n % 3 == 1:
            service.set_arrears(case_id, ArrearsComponent.FEES, 1000 + n)
        else:
            file = service.open_case(case_id)
            file.person.phone = f"+358 40 {n:07d}"
            service.update_person(case_id, file.person)

    save_ms = timed(edit, 300)
    print(f"save an edit: {summary(save_ms)} ms")
    record("save an edit p95 (contact, arrears, resident)", percentile(save_ms, 95), "ms",
           "<= 25 ms", percentile(save_ms, 95) <= 25)

    plain = plain_copy(session, location.data_dir.parent / "plain.db")
    plain_service = CaseService(plain)
    plain_service.search("warm up")
    plain_ms = timed(lambda n: plain_service.search(workload[n]), QUERIES)
    encrypted_ms = timed(lambda n: service.search(workload[n]), QUERIES)
    ratio = sum(encrypted_ms) / sum(plain_ms)
    print(f"same workload, plain SQLite: {summary(plain_ms)} ms; encrypted again: "
          f"{summary(encrypted_ms)} ms; ratio {ratio:.2f}")
    record("search workload encrypted / plain SQLite", ratio, "x", "<= 1.3", ratio <= 1.3)
    session.lock()
    plain.db.close()


def plain_copy(session: Session, path: Path) -> Session:
    """The same schema and data in an unencrypted file, read through the same services."""
    session.db.execute(f"ATTACH DATABASE '{path}' AS plain KEY ''")
    session.db.execute("SELECT sqlcipher_export('plain')")
    session.db.execute("DETACH DATABASE plain")
    connection = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    connection.row_factory = sqlcipher3.Row
    apply_pragmas(connection)
    plain = Database(connection, path)
    return Session(session.location, session.access, plain, plain)
