"""The admin command line end to end, in subprocesses on real stores."""

from __future__ import annotations

import json
import re

from tests.conftest import ADMIN, PASSPHRASE, make_store
from tests.helpers import intake, snapshot
from tests.integration.cli import run, run_unlocked
from workbench.cases.service import CaseService
from workbench.session import unlock
from workbench.store.throttle import THROTTLE_FILENAME

RECOVERY_KEY = re.compile(r"\b[A-Z2-9]{5}(?:-[A-Z2-9]{5}){5}\b")


def assert_one_clean_line(result, code: int) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_init_creates_a_store_prints_the_recovery_key_once_and_refuses_twice(tmp_path):
    data = tmp_path / "store"
    created = run(data, "init", "--org", "Bostadsrådgivningen", "--country", "SE",
                  secrets=[PASSPHRASE])
    assert created.returncode == 0, created.stderr
    keys = RECOVERY_KEY.findall(created.stdout)
    assert len(keys) == 1
    assert sorted(p.name for p in data.iterdir() if p.is_file()) == [
        "facts.db", "keyslots.json", "organisation.pem", "workbench.db", "workbench.lock"]

    before = {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()}
    again = run(data, "init", "--org", "Other", "--country", "FI", secrets=[PASSPHRASE])
    assert "already exists" in assert_one_clean_line(again, 2)
    assert {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()} == before

    # The recovery key printed at set-up really opens the store.
    recovered = run(data, "users", "recover", ADMIN, user=None,
                    secrets=[keys[0], "a new passphrase for anna"])
    assert recovered.returncode == 0, recovered.stderr


def test_a_wrong_passphrase_exits_3_with_one_line_and_changes_nothing(seeded):
    before = snapshot(seeded)
    result = run(seeded.data_dir, "cases", "list", "--json", secrets=["wrong passphrase"])
    assert assert_one_clean_line(result, 3) == "workbench: The passphrase is wrong."
    after = snapshot(seeded)
    after.pop(THROTTLE_FILENAME)  # only the count of failed tries, so the next one waits
    assert after == before


def test_errors_speak_the_users_language(seeded):
    result = run(seeded.data_dir, "cases", "list", secrets=["wrong passphrase"],
                 language="fi_FI.UTF-8")
    line = assert_one_clean_line(result, 3)
    assert line != "workbench: The passphrase is wrong."
    assert "tunnuslause" in line.lower()


def test_cases_list_json_has_the_promised_fields(seeded):
    result = run_unlocked(seeded.data_dir, "cases", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 25
    for row in rows:
        assert {"id", "name", "status", "opened", "arrears", "has_plan"} <= row.keys()
        assert isinstance(row["arrears"], int) and row["arrears"] > 0
        assert row["status"] in {"outreach", "open", "on_hold", "closed"}


def test_seed_demo_is_deterministic_for_a_seed(tmp_path):
    listings = []
    for name in ("a", "b"):
        location = tmp_path / name
        from workbench.session import StoreLocation

        make_store(StoreLocation(location)).lock()
        assert run_unlocked(location, "seed-demo", "--cases", "15", "--seed", "3").returncode == 0
        listings.append(json.loads(run_unlocked(location, "cases", "list", "--json").stdout))
    assert [(r["name"], r["arrears"]) for r in listings[0]] == \
           [(r["name"], r["arrears"]) for r in listings[1]]


def test_users_are_added_listed_changed_and_removed(seeded):
    data = seeded.data_dir
    added = run(data, "users", "add", "ben", "--role", "advisor",
                secrets=[PASSPHRASE, "bens passphrase!"])
    assert added.returncode == 0, added.stderr
    listed = run_unlocked(data, "users", "list")
    assert "ben\tadvisor" in listed.stdout and "anna\tadmin,advisor" in listed.stdout
    changed = run(data, "users", "passwd", "ben", user="ben",
                  secrets=["bens passphrase!", "bens second passphrase"])
    assert changed.returncode == 0, changed.stderr
    # An advisor may not add users: exit 4 and one line.
    refused = run(data, "users", "add", "eve", "--role", "admin", user="ben",
                  secrets=["bens second passphrase", "eves passphrase!"])
    assert "may not" in assert_one_clean_line(refused, 4)
    removed = run_unlocked(data, "users", "remove", "ben")
    assert removed.returncode == 0, removed.stderr
    gone = run(data, "cases", "list", user="ben", secrets=["bens second passphrase"])
    assert "ben" in assert_one_clean_line(gone, 3)


def test_backup_and_restore_round_trip_and_keep_the_replaced_store(seeded, tmp_path):
    data = seeded.data_dir
    backup_file = tmp_path / "backups" / "store.whb"
    backup_file.parent.mkdir()
    made = run_unlocked(data, "backup", str(backup_file))
    assert made.returncode == 0, made.stderr
    assert not backup_file.read_bytes().count(b"SQLite format 3")
    assert [p.name for p in backup_file.parent.iterdir()] == ["store.whb"]  # no leftovers

    session = unlock(seeded, ADMIN, PASSPHRASE)
    CaseService(session).create_case(intake(last_name="Made-After-Backup"))
    session.lock()

    refused = run_unlocked(data, "restore", str(backup_file))
    assert "--force" in assert_one_clean_line(refused, 2)
    restored = run_unlocked(data, "restore", str(backup_file), "--force")
    assert restored.returncode == 0, restored.stderr

    session = unlock(seeded, ADMIN, PASSPHRASE)
    service = CaseService(session)
    assert service.count_cases() == 25
    assert service.search("Made-After-Backup") == []
    session.lock()
    aside = [p for p in data.iterdir() if p.name.startswith("replaced-")]
    assert len(aside) == 1 and (aside[0] / "workbench.db").exists()
    assert run_unlocked(data, "check").returncode == 0


def test_a_damaged_backup_is_refused_and_the_store_is_kept(seeded, tmp_path):
    data = seeded.data_dir
    backup_file = tmp_path / "store.whb"
    assert run_unlocked(data, "backup", str(backup_file)).returncode == 0
    damaged = bytearray(backup_file.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    backup_file.write_bytes(bytes(damaged))
    not_a_backup = tmp_path / "holiday.jpg"
    not_a_backup.write_bytes(b"\xff\xd8\xff\xe0 not a zip at all")
    before = snapshot(seeded)
    for candidate in (backup_file, not_a_backup, tmp_path / "missing.whb"):
        result = run_unlocked(data, "restore", str(candidate), "--force")
        assert "not a readable backup" in assert_one_clean_line(result, 2)
    assert snapshot(seeded) == before


def test_check_reports_flipped_bytes_cleanly(seeded):
    data = seeded.data_dir
    assert run_unlocked(data, "check").stdout.strip() == "The store is healthy."
    db_file = seeded.db_path
    content = bytearray(db_file.read_bytes())
    middle = len(content) // 2
    content[middle:middle + 8] = bytes(b ^ 0x5A for b in content[middle:middle + 8])
    db_file.write_bytes(bytes(content))
    result = run_unlocked(data, "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "unexpected" not in result.stderr  # exit 1 from findings, not from a crash
    assert result.stdout.strip()


def test_check_reports_a_damaged_first_page(seeded):
    content = bytearray(seeded.db_path.read_bytes())
    content[100:140] = bytes(40)
    seeded.db_path.write_bytes(bytes(content))
    result = run_unlocked(seeded.data_dir, "check")
    assert result.returncode == 1
    assert "cannot be read" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_check_reports_an_altered_audit_row(seeded):
    session = unlock(seeded, ADMIN, PASSPHRASE)
    session.db.execute("DROP TRIGGER audit_log_no_update")
    session.db.execute("UPDATE audit_log SET action = 'nothing.happened' WHERE id = 1")
    session.lock()
    result = run_unlocked(seeded.data_dir, "check")
    assert result.returncode == 1
    assert "audit log: row 1 does not match the chain" in result.stdout


def test_export_person_and_erase(seeded, tmp_path):
    data = seeded.data_dir
    out = tmp_path / "person.json"
    exported = run_unlocked(data, "export-person", "3", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    person = json.loads(out.read_text(encoding="utf-8"))
    name = person["person"]["last_name"]
    assert person["cases"] and person["cases"][0]["contacts"]
    erased = run_unlocked(data, "erase", "3")
    assert erased.returncode == 0, erased.stderr
    rows = json.loads(run_unlocked(data, "cases", "list", "--json").stdout)
    assert 3 not in [r["id"] for r in rows]
    again = run_unlocked(data, "erase", "3")
    assert "no case number 3" in assert_one_clean_line(again, 2)
    assert name  # the export held the person's data before erasure


def test_helpful_messages_without_a_store_or_a_user(tmp_path):
    result = run(tmp_path / "nowhere", "cases", "list", secrets=[PASSPHRASE])
    assert "workbench init" in assert_one_clean_line(result, 2)
    result = run(tmp_path / "nowhere", "cases", "list", user=None, secrets=[PASSPHRASE])
    assert "--user" in assert_one_clean_line(result, 2)
