"""Rendering and sealing an agreement, and the size of the file."""

from __future__ import annotations

import math
import time
from datetime import date

from tests.benchmarks.conftest import percentile, summary
from workbench.agreements.identity import create_identity
from workbench.agreements.render import AgreementData, render
from workbench.agreements.seal import seal
from workbench.agreements.service import load_clauses
from workbench.agreements.signatures import Signature, SignerRole
from workbench.cases.model import ArrearsComponent
from workbench.plans.model import PlanRow
from workbench.plans.schedule import PlanTerms, build_schedule


def signature(role: SignerRole, name: str) -> Signature:
    strokes = [[(0.05 + 0.9 * k / 150, 0.5 + 0.3 * math.sin(k / 7 + s), 0.3 + 0.4 * (k % 10) / 10)
                for k in range(150)] for s in range(4)]
    return Signature(role, name, "2026-11-21T10:00:00+00:00", strokes)


def data(months: int) -> AgreementData:
    rows = [PlanRow(i.due, i.amount) for i in
            build_schedule(PlanTerms(12_345_67, date(2026, 12, 1), 31, months=months))]
    clauses = [(c["title"], c["text"].format(organisation="Asumisneuvonta", advisor="anna",
                                             landlord="Vuokrakodit Oy", grace=5,
                                             broken_after=2))
               for c in load_clauses("FI", "fi")]
    return AgreementData(
        "FI-2026-000017-1", "fi", "FI", "EUR", "Asumisneuvonta Testi ry", "anna",
        ["Åsa Øberg-Nyström", "Jaakko Jääskeläinen"], "Kaupungin Vuokrakodit Oy", "KV-2231",
        "Koivukuja 3 B 12, 00100 Helsinki",
        {ArrearsComponent.RENT: 12_000_00, ArrearsComponent.COLLECTION_COSTS: 345_67}, rows,
        780_00, clauses, ["vuokranantaja", "sosiaalitoimi"], "Helsinki", date(2026, 11, 21),
        [signature(SignerRole.RESIDENT, "Åsa Øberg-Nyström"),
         signature(SignerRole.RESIDENT, "Jaakko Jääskeläinen"),
         signature(SignerRole.ADVISOR, "anna"), signature(SignerRole.LANDLORD, "Vuokrakodit")])


def test_render_and_seal(record):
    identity = create_identity("Asumisneuvonta Testi ry", "FI")
    render(data(12))  # fonts registered once, as in a running program
    for months in (24, 120):
        samples, size = [], 0
        for _ in range(20):
            started = time.perf_counter()
            pdf = seal(render(data(months)), identity, "Maksusopimus", "Helsinki")
            samples.append((time.perf_counter() - started) * 1000)
            size = len(pdf)
        print(f"\n{months} instalments, 4 signatures: {summary(samples)} ms, {size / 1024:.0f} KB")
        record(f"render and seal ({months} instalments) p95", percentile(samples, 95), "ms",
               "<= 500 ms", percentile(samples, 95) <= 500)
        record(f"agreement file size ({months} instalments)", size / 1024, "KB", "<= 200 KB",
               size <= 200 * 1024)
