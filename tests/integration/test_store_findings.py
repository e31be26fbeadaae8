"""Findings from trying the store as an attacker and a careless disk would: a backup that
expands, an empty database file, a full data disk, weak passphrases at the command line,
and guessing that a restart does not reset."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile

import pytest

from tests.conftest import ADMIN, PASSPHRASE, make_store
from tests.helpers import snapshot
from tests.integration.cli import run, run_unlocked
from workbench.errors import StoreCorrupt
from workbench.session import StoreLocation, unlock
from workbench.store import maintenance, throttle


def test_a_small_backup_that_expands_is_refused_before_anything_is_written(session, tmp_path):
    archive = maintenance.backup(session, tmp_path / "real.whb")
    session.lock()
    with zipfile.ZipFile(archive) as source:
        manifest = json.loads(source.read("manifest.json"))
        members = {name: source.read(name) for name in source.namelist()}
    # A member of 1 GiB of zeros deflates to about 1 MB; its checksum in the manifest fits.
    bomb = tmp_path / "bomb.whb"
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as out:
        manifest["sha256"]["workbench.db"] = "0" * 64
        out.writestr("manifest.json", json.dumps(manifest))
        for name, data in members.items():
            if name not in ("manifest.json", "workbench.db"):
                out.writestr(name, data)
        with out.open("workbench.db", "w", force_zip64=True) as member:
            for _ in range(1024):
                member.write(zeros)
    assert bomb.stat().st_size < 2 << 20
    free_before = shutil.disk_usage(tmp_path).free
    with pytest.raises(maintenance.BadBackup):
        maintenance.restore(session.location, bomb, ADMIN, PASSPHRASE, force=True)
    assert shutil.disk_usage(tmp_path).free > free_before - (50 << 20)
    assert not list(session.location.data_dir.glob(".workbench-*"))


def test_a_backup_member_larger_than_it_declares_is_refused(session, tmp_path):
    archive = maintenance.backup(session, tmp_path / "real.whb")
    session.lock()
    raw = bytearray(archive.read_bytes())
    # Lower the declared size of the database member in the central directory.
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as source:
        info = source.getinfo("workbench.db")
    needle = info.file_size.to_bytes(4, "little")
    at = raw.rfind(needle)
    raw[at:at + 4] = (1024).to_bytes(4, "little")
    archive.write_bytes(bytes(raw))
    with pytest.raises(maintenance.BadBackup):
        maintenance.restore(session.location, archive, ADMIN, PASSPHRASE, force=True)


def test_an_empty_database_file_is_reported_as_damaged_not_rebuilt(session):
    session.lock()
    session.location.db_path.write_bytes(b"")
    with pytest.raises(StoreCorrupt) as raised:
        unlock(session.location, ADMIN, PASSPHRASE)
    assert "empty" in raised.value.message()
    assert session.location.db_path.read_bytes() == b""


def test_a_weak_passphrase_is_refused_at_the_command_line_too(tmp_path):
    result = run(tmp_path / "store", "init", "--org", "Org", "--country", "FI",
                 secrets=["password123"])
    assert result.returncode == 2 and "stronger passphrase" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "store" / "keyslots.json").exists()


def test_wrong_passphrases_make_the_next_try_wait_also_after_a_restart(location):
    make_store(location).lock()
    for _ in range(3):  # three separate runs of the program
        result = run(location.data_dir, "cases", "list", secrets=["wrong passphrase"])
        assert result.returncode == 3
    result = run_unlocked(location.data_dir, "cases", "list")
    assert result.returncode == 3 and "Wait" in result.stderr, result.stderr
    counted = json.loads((location.data_dir / throttle.THROTTLE_FILENAME).read_text())
    assert counted[ADMIN]["failures"] == 3  # the refused try was not even counted
    # Once the wait is over, the right passphrase opens and the count starts again.
    data = json.loads((location.data_dir / throttle.THROTTLE_FILENAME).read_text())
    data[ADMIN]["last"] -= 600
    (location.data_dir / throttle.THROTTLE_FILENAME).write_text(json.dumps(data))
    assert run_unlocked(location.data_dir, "cases", "list").returncode == 0
    assert throttle.wait_seconds(location.data_dir, ADMIN) == 0


def test_a_full_data_disk_is_not_called_a_wrong_key(tmp_path, location):
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs",
                              str(mount_point)], capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.fail("this test needs to mount a small tmpfs (run as root): " + mounted.stderr)
    try:
        store = StoreLocation(mount_point / "store")
        make_store(store).lock()
        before = snapshot(store)
        with open(mount_point / "filler", "ab", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
                    filler.flush()
            except OSError:
                pass
        result = run_unlocked(store.data_dir, "cases", "list")
        assert result.returncode == 2, result.stderr
        assert "disk is full" in result.stderr and "does not open" not in result.stderr
        after = snapshot(store)
        assert after["workbench.db"] == before["workbench.db"]
    finally:
        # Lazily if a file there is still open (pytest could not clear the folder).
        subprocess.run(["umount", "--lazy", str(mount_point)], check=False)


def test_deeply_nested_json_in_any_key_file_is_reported_as_damage(session):
    from workbench.store.heads import head_path

    session.lock()
    location = session.location
    head_path(location.data_dir, ADMIN).write_text("[" * 200_000)
    (location.data_dir / throttle.THROTTLE_FILENAME).write_text("[" * 200_000)
    unlock(location, ADMIN, PASSPHRASE).lock()  # a damaged head or counter stops nothing
    location.slots_path.write_text("[" * 200_000)
    with pytest.raises(StoreCorrupt):
        unlock(location, ADMIN, PASSPHRASE)
    with pytest.raises(StoreCorrupt):
        location.user_names()


def test_a_passphrase_reset_renews_the_keys_so_an_old_key_file_opens_nothing(session,
                                                                           tmp_path):
    import sqlcipher3

    from tests.conftest import FAST_KDF
    from workbench.session import Role
    from workbench.store.database import connect_keyed
    from workbench.store.keyslots import KeyFile
    from workbench.users import UserService

    users = UserService(session, kdf=FAST_KDF)
    users.add_user("ben", {Role.ADVISOR}, "bens own passphrase")
    shutil.copy(session.location.slots_path, tmp_path / "old.json")
    users.change_passphrase("ben", "bens brand new passphrase")
    session.lock()
    stale = KeyFile.load(tmp_path / "old.json")
    keys = stale.unseal("ben", "bens own passphrase").keys
    for name, path in (("case", session.location.db_path),
                       ("facts", session.location.facts_path)):
        for key in stale.unwrap_all("ben", keys, name).values():
            raw = connect_keyed(path, key)
            with pytest.raises(sqlcipher3.DatabaseError):
                raw.execute("SELECT count(*) FROM sqlite_master").fetchone()
            raw.close()
    assert unlock(session.location, "ben", "bens brand new passphrase").user.name == "ben"


def test_check_keeps_its_exit_status_when_the_reader_has_gone(session):
    """``workbench check | head -1`` must still say 1 when problems were found."""
    import os
    import sys

    session.db.execute("UPDATE users SET roles = 'admin,advisor,lead' WHERE name = ?",
                       (ADMIN,))
    session.lock()
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before a byte is written
    try:
        result = subprocess.run(
            [sys.executable, "-m", "workbench", "check", "--data-dir",
             str(session.location.data_dir), "--user", ADMIN, "--passphrase-stdin"],
            input=PASSPHRASE + "\n", stdout=write_end, stderr=subprocess.PIPE, text=True,
            check=False)
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
