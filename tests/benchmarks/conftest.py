"""Benchmarks run on demand (``make bench``), never in the default test run.

Each benchmark records its figures with ``record``; the session ends with one table of
every figure next to its goal, also written to ``build/benchmarks.json``.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from workbench.cases.service import CaseService
from workbench.session import StoreLocation, create_store, unlock

ROOT = Path(__file__).resolve().parents[2]
RESULTS: list[Result] = []
CASES = int(os.environ.get("BENCH_CASES", "100000"))
QUERIES = 1000
USER, PASSPHRASE = "anna", "benchmark passphrase"


@dataclass
class Result:
    name: str
    value: float
    unit: str
    goal: str
    met: bool


def pytest_collection_modifyitems(items):
    for item in items:
        if "benchmarks" in item.path.parts:
            item.add_marker(pytest.mark.benchmark)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(samples: list[float]) -> str:
    return (f"median {statistics.median(samples):.2f}, p95 {percentile(samples, 95):.2f}, "
            f"max {max(samples):.2f}")


@pytest.fixture
def record():
    def add(name: str, value: float, unit: str, goal: str, met: bool) -> None:
        RESULTS.append(Result(name, value, unit, goal, met))

    return add


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    write = terminalreporter.write_line
    write("")
    write(f"{'figure':<58} {'measured':>12}  {'goal':<12} met")
    for r in RESULTS:
        write(f"{r.name:<58} {r.value:>9.2f} {r.unit:<3} {r.goal:<12} {'yes' if r.met else 'NO'}")
    out = ROOT / "build" / "benchmarks.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps([asdict(r) for r in RESULTS], indent=2))


@pytest.fixture(scope="session")
def big_store(tmp_path_factory) -> tuple[StoreLocation, float]:
    location = StoreLocation(tmp_path_factory.mktemp("bench") / "store")
    session, _ = create_store(location, "Benchmark", "FI", USER, PASSPHRASE)
    session.lock()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "seed-demo", "--cases", str(CASES), "--seed", "1",
         "--data-dir", str(location.data_dir), "--user", USER, "--passphrase-stdin"],
        input=PASSPHRASE + "\n", text=True, capture_output=True, check=True)
    assert result.returncode == 0
    return location, time.perf_counter() - started


@pytest.fixture(scope="session")
def workload(big_store) -> list[str]:
    """Searches as advisors type them: surnames, full names, identity numbers, streets,
    landlords' references and words from notes, some only partly typed."""
    location, _ = big_store
    session = unlock(location, USER, PASSPHRASE)
    rng = random.Random(5)
    ids = rng.sample(range(1, CASES + 1), QUERIES)
    queries = []
    for n, case_id in enumerate(ids):
        file = CaseService(session).open_case(case_id)
        kind = n % 6
        if kind == 0:
            queries.append(file.person.last_name[: rng.randint(3, len(file.person.last_name))])
        elif kind == 1:
            queries.append(file.person.full_name)
        elif kind == 2 and file.person.identity_number:
            queries.append(file.person.identity_number[: rng.choice((6, 11))])
        elif kind == 3:
            queries.append(file.tenancy.street.split()[0][:6])
        elif kind == 4:
            queries.append(file.tenancy.landlord_reference)
        else:
            word = rng.choice(file.contacts).note.split()[0] if file.contacts else "vuokra"
            queries.append(f"{word} {file.person.last_name[:4]}")
    session.lock()
    return queries
