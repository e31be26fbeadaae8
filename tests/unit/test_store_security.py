"""What the encryption promises: nothing readable on disk, slots that only open for the
right secret, and a wrong secret that changes nothing."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest

from tests.conftest import ADMIN, FAST_KDF, PASSPHRASE
from tests.helpers import intake, snapshot
from workbench.cases.service import CaseService
from workbench.demo.seed import seed_demo
from workbench.errors import (
    StoreExists,
    StoreNotFound,
    UnknownUser,
    WrongPassphrase,
    WrongRecoveryKey,
)
from workbench.session import Role, StoreLocation, create_store, unlock
from workbench.store.throttle import THROTTLE_FILENAME
from workbench.users import UserService, recover

SQLITE_HEADER = b"SQLite format 3\x00"


def test_no_file_starts_with_the_plain_sqlite_header_even_with_the_wal_open(session):
    seed_demo(session, 30)
    files = snapshot(session.location)
    assert "workbench.db-wal" in files  # the write-ahead log is there while the store is open
    assert all(not data.startswith(SQLITE_HEADER) for data in files.values())


def test_no_seeded_name_or_identity_number_appears_in_any_file(session):
    seed_demo(session, 40)
    service = CaseService(session)
    people = [service.open_case(row.id).person for row in service.list_cases()]
    needles = {p.last_name.encode() for p in people} | {p.first_name.encode() for p in people}
    needles |= {p.identity_number.encode() for p in people if p.identity_number}
    for state in ("open", "closed"):
        blob = b"".join(snapshot(session.location).values())
        # Six bytes or more: a four-letter name ("Aatu") turns up by chance in megabytes
        # of ciphertext about once in seven runs; six letters, once in millions.
        found = sorted(n.decode() for n in needles if len(n) >= 6 and n in blob)
        assert found == [], f"plain text in the store files while {state}"
        session.lock()


def test_plain_sqlite_cannot_read_the_store(session):
    session.lock()
    plain = sqlite3.connect(session.location.db_path)
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT * FROM sqlite_master").fetchall()
    plain.close()


def test_every_file_in_the_data_folder_is_private(session):
    seed_demo(session, 5)
    assert stat.S_IMODE(os.stat(session.location.data_dir).st_mode) == 0o700
    for path in session.location.data_dir.rglob("*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(os.stat(path).st_mode) == expected, path.name


def test_wrong_passphrase_is_refused_and_changes_no_byte(session):
    seed_demo(session, 5)
    session.lock()
    before = snapshot(session.location)
    with pytest.raises(WrongPassphrase) as raised:
        unlock(session.location, ADMIN, "not the passphrase")
    assert raised.value.exit_code == 3
    assert raised.value.message() == "The passphrase is wrong."
    after = snapshot(session.location)
    # The store's own files are untouched; only the count of failed tries is kept, so the
    # next try can be made to wait also after a restart.
    assert THROTTLE_FILENAME in after and THROTTLE_FILENAME not in before
    del after[THROTTLE_FILENAME]
    assert after == before


def test_unknown_user_is_named_in_the_message(session):
    session.lock()
    with pytest.raises(UnknownUser) as raised:
        unlock(session.location, "mallory", PASSPHRASE)
    assert "mallory" in raised.value.message()


def test_a_second_user_and_the_recovery_key_open_the_same_store(store_with_recovery):
    session, recovery_key = store_with_recovery
    UserService(session, kdf=FAST_KDF).add_user("ben", {Role.ADVISOR}, "bens own passphrase")
    case = CaseService(session).create_case(intake())
    session.lock()

    ben = unlock(session.location, "ben", "bens own passphrase")
    assert CaseService(ben).open_case(case.case.id).person.last_name == "Jääskeläinen"
    assert ben.user.roles == frozenset({Role.ADVISOR})
    ben.lock()

    # The recovery key as a person might type it: lower case, spaces for dashes.
    rescued = recover(session.location, "ben", recovery_key.lower().replace("-", " "),
                      "a brand new passphrase", kdf=FAST_KDF)
    assert CaseService(rescued).count_cases() == 1
    rescued.lock()
    assert unlock(session.location, "ben", "a brand new passphrase").user.name == "ben"
    with pytest.raises(WrongPassphrase):
        unlock(session.location, "ben", "bens own passphrase")


def test_a_wrong_recovery_key_is_refused(store_with_recovery):
    session, _key = store_with_recovery
    session.lock()
    with pytest.raises(WrongRecoveryKey):
        recover(session.location, ADMIN, "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF",
                "a brand new passphrase", kdf=FAST_KDF)


def test_changing_a_passphrase_leaves_the_database_file_unchanged(session):
    seed_demo(session, 10)
    session.lock()
    session = unlock(session.location, ADMIN, PASSPHRASE)
    db_before = session.location.db_path.read_bytes()
    keys_before = session.location.keyslots().unseal(ADMIN, PASSPHRASE).keys

    UserService(session, kdf=FAST_KDF).change_passphrase(ADMIN, "another fine passphrase")

    # Only the slot file was rewritten; the change's audit row waits in the write-ahead log.
    assert session.location.db_path.read_bytes() == db_before
    slots = session.location.keyslots()
    assert slots.unseal(ADMIN, "another fine passphrase").keys == keys_before
    with pytest.raises(WrongPassphrase):
        slots.unseal(ADMIN, PASSPHRASE)
    session.lock()
    assert unlock(session.location, ADMIN, "another fine passphrase").user.name == ADMIN


def test_a_slot_edited_to_another_user_name_does_not_open(session):
    session.lock()
    data = json.loads(session.location.slots_path.read_text())
    data["slots"][0]["principal"] = "mallory"
    session.location.slots_path.write_text(json.dumps(data))
    with pytest.raises(WrongPassphrase):
        unlock(session.location, "mallory", PASSPHRASE)


def test_init_refuses_an_existing_store_and_leaves_it_alone(session):
    session.lock()
    before = snapshot(session.location)
    with pytest.raises(StoreExists):
        create_store(session.location, "Other", "SE", "eve", "another passphrase!",
                     kdf=FAST_KDF)
    assert snapshot(session.location) == before


def test_opening_an_empty_folder_says_there_is_no_store(tmp_path):
    with pytest.raises(StoreNotFound) as raised:
        unlock(StoreLocation(tmp_path / "nothing"), ADMIN, PASSPHRASE)
    assert "workbench init" in raised.value.message()
