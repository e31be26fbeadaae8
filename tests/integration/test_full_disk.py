"""A full disk during backup, export and set-up: a clear message, no partial file, and the
store as it was. Uses a tiny tmpfs, which needs root (as on CI and the build machines)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import make_store
from tests.helpers import snapshot
from tests.integration.cli import run, run_unlocked
from workbench.demo.seed import seed_demo


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
    subprocess.run(["umount", str(mount_point)], check=False)


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
    filler.write_bytes(os.urandom(60 * 1024))  # a nearly full disk
    result = run_unlocked(seeded.data_dir, "stats", "--quarter", "2026Q3", "--format", fmt,
                          "--lang", "fi", "--out", str(small_disk / f"q3.{fmt}"))
    if fmt != "csv" or result.returncode:
        assert_disk_full_message(result)
    assert sorted(p.name for p in small_disk.iterdir()) in (["filler"], ["filler", f"q3.{fmt}"])
    if (small_disk / f"q3.{fmt}").exists():  # a CSV small enough to fit is whole
        assert (small_disk / f"q3.{fmt}").read_bytes().startswith(b"table,row")


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
