"""A store made by release 0.1.0 (tests/fixtures/store-0.1.0) opens and upgrades in place:
keys, facts and audit, without losing a case, a contact or an agreement."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from workbench.agreements.service import AgreementService
from workbench.agreements.verify import verify
from workbench.cases.service import CaseService
from workbench.errors import WrongPassphrase
from workbench.session import Role, StoreLocation, unlock
from workbench.stats.period import quarter_period
from workbench.stats.service import StatsService
from workbench.store import audit
from workbench.store.access import NeedsNewPassphrase
from workbench.store.keyslots import file_format
from workbench.store.maintenance import check_store
from workbench.store.upgrade import NeedsAdminUpgrade
from workbench.users import UserService

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "store-0.1.0"
MANIFEST = json.loads((FIXTURE / "manifest.json").read_text(encoding="utf-8"))
PASSPHRASE = MANIFEST["passphrase"]


@pytest.fixture
def old_store(tmp_path) -> StoreLocation:
    target = tmp_path / "store"
    shutil.copytree(FIXTURE, target)
    return StoreLocation(target)


def test_an_advisor_is_asked_to_wait_for_an_administrator(old_store):
    before = old_store.db_path.read_bytes()
    with pytest.raises(NeedsAdminUpgrade):
        unlock(old_store, "bo", PASSPHRASE)
    assert file_format(old_store.slots_path) == 1
    assert old_store.db_path.read_bytes() == before


def test_an_administrator_upgrades_it_and_nothing_is_lost(old_store, tmp_path):
    old_keyfile = tmp_path / "old-keyslots.json"
    shutil.copy(old_store.slots_path, old_keyfile)
    session = unlock(old_store, "anna", PASSPHRASE)
    assert file_format(old_store.slots_path) == 2
    assert session.new_recovery_key and session.users_needing_passphrase == ["bo", "lea"]
    cases = CaseService(session)
    assert cases.count_cases() == MANIFEST["cases"]
    names = sorted(f"{row.name}" for row in cases.list_cases())
    assert len(names) == len(MANIFEST["names"])
    assert session.db.scalar("SELECT count(*) FROM contacts") == MANIFEST["contacts"]
    # The agreements sealed by release 0.1 still verify against the organisation's seal.
    documents = [d for row in cases.list_cases()
                 for d in AgreementService(session).documents(row.id) if d.kind == "agreement"]
    assert len(documents) == MANIFEST["agreements"]
    certificate = (old_store.data_dir / "organisation.pem").read_bytes()
    for document in documents:
        assert verify(AgreementService(session).content(document.id), certificate).valid
    # The old audit rows keep their chain; everything after the upgrade is signed.
    assert check_store(session) == []
    first_signed = session.access.roster.audit_from
    assert first_signed == MANIFEST["audit_rows"] + 1
    assert session.db.scalar("SELECT count(*) FROM audit_log WHERE key_id IS NULL") == \
        MANIFEST["audit_rows"]
    # The statistics now come from the facts store, for every case.
    report = StatsService(session).report(quarter_period(2026, 3))
    assert report.tables
    assert session.facts_db.scalar("SELECT count(*) FROM f_cases") == MANIFEST["cases"]
    # The administrator gives the others their new passphrases.
    users = UserService(session)
    users.change_passphrase("bo", "bos new passphrase here")
    users.change_passphrase("lea", "leas new passphrase here")
    session.lock()

    with pytest.raises(WrongPassphrase):
        unlock(old_store, "bo", PASSPHRASE)
    bo = unlock(old_store, "bo", "bos new passphrase here")
    assert bo.user.roles == {Role.ADVISOR} and CaseService(bo).count_cases() == MANIFEST["cases"]
    bo.lock()
    lea = unlock(old_store, "lea", "leas new passphrase here")
    assert lea.db is None and lea.user.roles == {Role.LEAD}
    lea.lock()
    # The old key file (a copy taken before the upgrade) opens nothing any more: the case
    # store was re-encrypted under a new key.
    from workbench.store.database import Database
    from workbench.store.legacy import LegacyKeyFile

    old_key = LegacyKeyFile.load(old_keyfile).unlock_user("lea", PASSPHRASE)
    with pytest.raises(Exception):  # noqa: B017 - any refusal; what matters is no rows
        Database.open(old_store.db_path, old_key, migrate=False)


def test_a_user_carried_over_is_told_to_ask_for_a_new_passphrase(old_store):
    unlock(old_store, "anna", PASSPHRASE).lock()
    with pytest.raises(NeedsNewPassphrase) as raised:
        unlock(old_store, "bo", PASSPHRASE)
    assert "new passphrase" in raised.value.message()


def test_the_removed_user_of_release_0_1_is_gone(old_store):
    session = unlock(old_store, "anna", PASSPHRASE)
    assert "gone" not in session.access.roster.members
    assert audit.head(session.db)[0] > MANIFEST["audit_rows"]
    session.lock()
