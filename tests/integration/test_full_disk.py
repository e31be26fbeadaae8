"""A full disk during backup, export and set-up: a clear message, no partial file, and the
store as it was. Uses a tiny tmpfs, which needs root (as on CI and the build machines)."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import ADMIN, PASSPHRASE, make_store
from tests.helpers import intake, snapshot
from tests.integration.cli import run, run_unlocked
from workbench.agreements.service import AgreementService
from workbench.cases.model import ArrearsComponent
from workbench.cases.service import CaseService
from workbench.demo.seed import seed_demo
from workbench.errors import DiskFull
from workbench.plans.model import PlanDraft, PlanRow
from workbench.plans.schedule import PlanTerms, build_schedule
from workbench.plans.service import PlanService
from workbench.session import unlock


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a 64 KiB filesystem, unmounted afterwards."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs",
                             str(mount_point)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail("these tests need to mount a small tmpfs (run as root): "
                    + result.stderr.strip())
    yield mount_point
    # Lazily if a file there is still open (pytest could not clear the folder).
    subprocess.run(["umount", "--lazy", str(mount_point)], check=False)


@pytest.fixture
def seeded(location):
    session = make_store(location)
    seed_demo(session, 120, seed=2)
    session.lock()
    return location


def assert_disk_full_message(result) -> None:
    assert result.returncode == 2, result.stderr
    assert "disk is full" in result.stderr and "Traceback" not in result.stderr


def test_a_backup_to_a_full_disk_leaves_no_file_and_the_store_as_it_was(seeded, small_disk):
    before = snapshot(seeded)
    result = run_unlocked(seeded.data_dir, "backup", str(small_disk / "store.whb"))
    assert_disk_full_message(result)
    assert list(small_disk.iterdir()) == []
    after = snapshot(seeded)
    assert after["workbench.db"] == before["workbench.db"]
    assert run_unlocked(seeded.data_dir, "check").returncode == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_an_export_to_a_full_disk_leaves_no_file(seeded, small_disk, fmt):
    filler = small_disk / "filler"
    taken = os.open(filler, os.O_WRONLY | os.O_CREAT)  # every byte of the disk taken
    try:
        while os.write(taken, b"\0" * 1024):
            pass
    except OSError:
        pass
    finally:
        os.close(taken)
    out = small_disk / f"q3.{fmt}"
    result = run_unlocked(seeded.data_dir, "stats", "--quarter", "2026Q3", "--format", fmt,
                          "--lang", "fi", "--out", str(out))
    assert_disk_full_message(result)
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]  # nothing half-written
    if fmt == "csv":  # with room again, the same export is written whole
        filler.unlink()
        again = run_unlocked(seeded.data_dir, "stats", "--quarter", "2026Q3", "--format",
                             fmt, "--lang", "fi", "--out", str(out))
        assert again.returncode == 0, again.stderr
        assert out.read_bytes().startswith(b"table,row")


def test_set_up_on_a_full_disk_says_so_and_can_be_retried(small_disk, tmp_path):
    data = small_disk / "store"
    result = run(data, "init", "--org", "Org", "--country", "FI",
                 secrets=["a good passphrase 1"])
    assert_disk_full_message(result)
    leftovers = sorted(p.name for p in data.iterdir()) if data.exists() else []
    assert leftovers == []  # nothing half-made that would block a second try
    retry = run(tmp_path / "elsewhere", "init", "--org", "Org", "--country", "FI",
                secrets=["a good passphrase 1"])
    assert retry.returncode == 0, retry.stderr


def test_the_documents_folder_on_a_full_disk(seeded, small_disk):
    out = Path(small_disk) / "person.json"
    (small_disk / "filler").write_bytes(os.urandom(63 * 1024))
    result = run_unlocked(seeded.data_dir, "export-person", "3", "--out", str(out))
    assert_disk_full_message(result)
    assert not out.exists()


@pytest.fixture
def planned(location):
    """A store with one case and its payment plan (an agreement is about 50 KB)."""
    session = make_store(location)
    case_id = CaseService(session).create_case(intake(rent_arrears=600_00)).case.id
    rows = [PlanRow(i.due, i.amount)
            for i in build_schedule(PlanTerms(600_00, date(2026, 12, 1), 15, months=3))]
    PlanService(session).save_revision(case_id, PlanDraft(
        {ArrearsComponent.RENT: 600_00}, date(2026, 12, 1), 15, rows, months=3))
    session.lock()
    return location, case_id


def agreements(location, case_id) -> list[str]:
    """The numbers of the case's stored documents, as the Documents tab lists them."""
    session = unlock(location, ADMIN, PASSPHRASE)
    try:
        return [d.number for d in AgreementService(session).documents(case_id)]
    finally:
        session.lock()


def test_an_agreement_to_a_full_disk_is_not_kept_and_trying_again_makes_it_once(planned,
                                                                                small_disk):
    location, case_id = planned
    filler = small_disk / "filler"
    filler.write_bytes(os.urandom(60 * 1024))
    out = small_disk / "agreement.pdf"
    session = unlock(location, ADMIN, PASSPHRASE)
    service = AgreementService(session)
    with pytest.raises(DiskFull) as raised:
        service.make(case_id, "fi", "Helsinki", out=out)
    assert "nothing was written" in raised.value.message()
    assert service.documents(case_id) == []  # true: the case has no agreement either
    assert [p.name for p in small_disk.iterdir()] == ["filler"]
    filler.unlink()  # space freed; the user tries again
    document, pdf = service.make(case_id, "fi", "Helsinki", out=out)
    assert out.read_bytes() == pdf == service.content(document.id)
    assert [d.number for d in service.documents(case_id)] == [document.number]
    assert service.check(document.id).valid
    session.lock()


def test_agreement_on_a_full_disk_then_again_never_repeats_a_number(planned, small_disk):
    location, case_id = planned
    filler = small_disk / "filler"
    filler.write_bytes(os.urandom(60 * 1024))
    out = small_disk / "agreement.pdf"
    command = ("agreement", str(case_id), "--lang", "fi", "--out", str(out))
    assert_disk_full_message(run_unlocked(location.data_dir, *command))
    assert not out.exists()
    filler.unlink()
    retry = run_unlocked(location.data_dir, *command)
    assert retry.returncode == 0, retry.stderr
    numbers = agreements(location, case_id)
    assert len(numbers) == len(set(numbers)) >= 1
    assert numbers[-1] in retry.stdout
    assert run(location.data_dir, "verify", str(out), user=None).returncode == 0


def test_agreement_on_a_full_disk_says_truthfully_whether_the_case_kept_it(planned,
                                                                           small_disk):
    location, case_id = planned
    (small_disk / "filler").write_bytes(os.urandom(60 * 1024))
    out = small_disk / "agreement.pdf"
    result = run_unlocked(location.data_dir, "agreement", str(case_id), "--lang", "fi",
                          "--out", str(out))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert agreements(location, case_id) == []
    assert "disk is full, so nothing was written" in result.stderr
