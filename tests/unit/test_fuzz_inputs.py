"""Fuzzing every parser of outside input: whatever arrives, a clear message or a result,
never a crash. Amounts, dates, identity numbers, key-slot files, backups, PDFs to verify,
scans to attach, statistics periods."""

from __future__ import annotations

import io
import json
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.agreements.verify import SealStatus, verify
from workbench.dates import parse_date
from workbench.errors import WorkbenchError
from workbench.identity import check_identity
from workbench.money import parse_money
from workbench.stats.period import parse_quarter
from workbench.store import maintenance
from workbench.store.keyslots import KeyFile

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
typed = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@FUZZ
@given(typed)
def test_typed_text_as_amount_date_number_or_period(text):
    for parse in (parse_money, parse_date, parse_quarter):
        try:
            parse(text)
        except WorkbenchError as error:
            assert error.message()
    for country in ("FI", "SE", "DK"):
        assert check_identity(text, country).kind


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_as_a_pdf_to_verify(data):
    """Never an exception, and never a valid seal: no seal can be made without the key."""
    for pdf in (data, b"%PDF-1.7\n" + data):
        verdict = verify(pdf, None)
        assert verdict.status is not SealStatus.VALID
        assert verdict.status in (SealStatus.UNREADABLE, SealStatus.NO_SEAL,
                                  SealStatus.CHANGED)


@FUZZ
@given(st.one_of(st.binary(max_size=300), st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                               max_size=4), max_leaves=12)))
def test_any_key_slot_file_is_read_or_called_damaged(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("slots") / "keyslots.json"
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    try:
        KeyFile.load(path)
    except WorkbenchError as error:
        assert error.message()


def zip_with(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@FUZZ
@given(st.one_of(st.binary(max_size=300), st.dictionaries(
    st.sampled_from(["manifest.json", "keyslots.json", "workbench.db", "other"]),
    st.binary(max_size=120), max_size=4).map(zip_with)))
def test_any_file_offered_as_a_backup_is_refused_cleanly(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("restore")
    offered = folder / "offered.whb"
    offered.write_bytes(data)
    from workbench.session import StoreLocation

    try:
        maintenance.restore(StoreLocation(folder / "store"), offered, "anna", "x" * 12)
        raise AssertionError("a random file was restored")
    except WorkbenchError as error:
        assert error.message()
    assert not (folder / "store" / "workbench.db").exists()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_any_file_offered_as_a_scan_is_kept_or_refused(session, data):
    from tests.helpers import intake
    from workbench.agreements.service import AgreementService, NotAScan
    from workbench.cases.service import CaseService

    cases = CaseService(session)
    case_id = cases.list_cases()[0].id if cases.count_cases() else \
        cases.create_case(intake()).case.id
    try:
        document = AgreementService(session).attach_scan(case_id, "x", data)
        assert document.mime in ("application/pdf", "image/jpeg", "image/png")
    except NotAScan as error:
        assert error.message()
