"""Benchmarks run on demand (``make bench``), never in the default test run.

Each benchmark records its figures with ``record``; the session ends with one table of
every figure next to its goal, also written to ``build/benchmarks.json``.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESULTS: list[Result] = []


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
