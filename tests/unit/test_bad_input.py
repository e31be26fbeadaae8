"""Damaged files and odd input get a clear message, never a crash, and change nothing."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tests.conftest import ADMIN, FAST_KDF, PASSPHRASE
from tests.helpers import intake, snapshot
from workbench.cases.listing import CaseQuery, SortKey
from workbench.cases.service import CaseService
from workbench.dates import DateError, parse_date
from workbench.demo.seed import seed_demo
from workbench.errors import StoreCorrupt
from workbench.identity import check_identity
from workbench.money import AmountError, parse_money
from workbench.session import Role, unlock
from workbench.store import maintenance
from workbench.store.database import StoreBusy, connect_keyed
from workbench.users import UserService


@pytest.mark.parametrize("damage", [
    lambda d: [],
    lambda d: {**d, "format": 3},
    lambda d: {**d, "roster": "x"},
    lambda d: {**d, "envelopes": [{"to": 5}]},
    lambda d: {**d, "slots": [{**d["slots"][0], "salt": 5}]},
    lambda d: {**d, "slots": [{**d["slots"][0], "salt": "c2hvcnQ="}]},
    lambda d: {**d, "slots": [{**d["slots"][0], "nonce": ""}]},
    lambda d: {**d, "slots": [{**d["slots"][0], "kdf": {**d["slots"][0]["kdf"],
                                                       "memory_kib": 2**31}}]},
    lambda d: {**d, "slots": [{**d["slots"][0], "kdf": {**d["slots"][0]["kdf"],
                                                       "time_cost": "4"}}]},
    lambda d: {**d, "slots": [{**d["slots"][0], "kdf": {**d["slots"][0]["kdf"],
                                                       "parallelism": 0}}]},
    lambda d: {**d, "slots": [{**d["slots"][0], "sealed": "!!not base64!!"}]},
    # Costs no slot of ours has: a crafted file must not make an unlock take gigabytes.
    lambda d: {**d, "slots": [{**d["slots"][0], "kdf": {**d["slots"][0]["kdf"],
                                                       "memory_kib": 4 * 1024 * 1024}}]},
    lambda d: {**d, "slots": [{**d["slots"][0], "kdf": {**d["slots"][0]["kdf"],
                                                       "time_cost": 64}}]},
    lambda d: {**d, "slots": [{**d["slots"][0], "kdf": {**d["slots"][0]["kdf"],
                                                       "parallelism": 64}}]},
])
def test_a_damaged_key_slot_file_is_reported_as_damaged(session, damage):
    session.lock()
    path = session.location.slots_path
    path.write_text(json.dumps(damage(json.loads(path.read_text()))))
    with pytest.raises(StoreCorrupt) as raised:
        unlock(session.location, ADMIN, PASSPHRASE)
    assert "key-slot file is damaged" in raised.value.message()


def test_a_backup_is_never_written_into_the_store_itself(session):
    for target in (session.location.db_path, session.location.slots_path,
                   session.location.data_dir / "copy.whb"):
        with pytest.raises(maintenance.BackupInsideStore):
            maintenance.backup(session, target)
    session.lock()
    assert set(snapshot(session.location)) == {"keyslots.json", "workbench.db", "facts.db",
                                                "organisation.pem", "workbench.lock"}
    assert unlock(session.location, ADMIN, PASSPHRASE).user.name == ADMIN


def test_only_an_admin_of_the_backup_may_restore_it_and_restored_files_are_private(
        session, tmp_path):
    UserService(session, kdf=FAST_KDF).add_user("ben", {Role.ADVISOR}, "bens passphrase!")
    archive = maintenance.backup(session, tmp_path / "store.whb")
    session.lock()
    with pytest.raises(maintenance.RestoreNotAllowed):
        maintenance.restore(session.location, archive, "ben", "bens passphrase!", force=True)
    restored, _aside = maintenance.restore(session.location, archive, ADMIN, PASSPHRASE,
                                           force=True)
    restored.lock()
    for path in session.location.data_dir.iterdir():
        if path.is_file():
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path.name


def test_an_erased_persons_name_is_gone_from_every_file(session):
    """Read as an attacker with every file and the keys would: each page of both stores and
    their logs decrypted by hand (free pages too), and every other file as it is."""
    from tests.support.sqlcipher_pages import looks_decrypted, plaintext_pages

    service = CaseService(session)
    file = service.create_case(intake(last_name="Poistettavainen", identity_text="131052-308T"))
    seed_demo(session, 10)
    kept = service.open_case(1 if file.case.id != 1 else 2).person.last_name
    service.erase_case(file.case.id)
    session.lock()
    reopened = unlock(session.location, ADMIN, PASSPHRASE)
    keys = {session.location.db_path: bytes(reopened.store_key("case")),
            session.location.facts_path: bytes(reopened.store_key("facts"))}
    reopened.lock()
    for path, key in keys.items():
        pages = plaintext_pages(path, key)
        assert looks_decrypted(pages), path.name
        text = b"".join(pages).lower()
        assert b"poistettavainen" not in text and b"131052" not in text, path.name
        if path == session.location.db_path:  # the reading works: a kept name is there
            assert kept.lower().encode() in text
    stores = {p.name for p in keys} | {p.name + "-wal" for p in keys} | \
        {p.name + "-shm" for p in keys}
    for name, data in snapshot(session.location).items():
        if name not in stores:
            assert b"Poistettavainen" not in data and b"131052" not in data, name


def test_a_busy_store_says_so(session, monkeypatch):
    other = connect_keyed(session.location.db_path, session.store_key("case"))
    other.execute("PRAGMA busy_timeout = 0")
    other.execute("BEGIN IMMEDIATE")
    session.db.execute("PRAGMA busy_timeout = 100")
    try:
        with pytest.raises(StoreBusy) as raised:
            CaseService(session).create_case(intake())
        assert "busy" in raised.value.message()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert CaseService(session).count_cases() == 0


@pytest.mark.parametrize("typed", ["NaN", "sNaN", "Infinity", "inf", "-inf", "1E400",
                                   "1e3", "9" * 30])
def test_amounts_that_are_not_money(typed):
    with pytest.raises(AmountError):
        parse_money(typed)


@pytest.mark.parametrize(("typed", "country"), [
    ("8112¹⁸-9876", "SE"), ("20811218-9876", "SE"), ("٠١٠١٩٠-١٢٣٤", "DK"),
    ("010199A123Y", "FI"), ("010180A900Y", "FI"), ("①②③", "FI"), ("-" * 40, "SE"),
])
def test_identity_numbers_that_cannot_be_real_are_invalid_not_crashes(typed, country):
    assert not check_identity(typed, country).valid


@pytest.mark.parametrize("typed", ["21.11.202", "0021-01-01", "21.11.20266", "1.1.1850",
                                   "9999-12-31"])
def test_dates_outside_any_case_work_are_refused(typed):
    with pytest.raises(DateError):
        parse_date(typed)


def test_a_search_lists_and_counts_every_match_when_sorted_by_a_column(session):
    seed_demo(session, 60)
    service = CaseService(session)
    everyone = service.list_cases()
    oy = {row.id for row in everyone if "oy" in row.landlord.lower().split()}
    query = CaseQuery(text="oy", sort=SortKey.OPENED)
    assert service.count_cases(query) >= len(oy) > 0
    assert oy <= {row.id for row in service.list_cases(query)}
