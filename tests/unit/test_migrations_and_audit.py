"""Schema steps applied in order, a newer store refused untouched, and the audit chain."""

from __future__ import annotations

import pytest
import sqlcipher3

from tests.conftest import ADMIN, PASSPHRASE
from tests.helpers import intake, now, snapshot
from workbench.cases.model import Channel, Contact
from workbench.cases.service import CaseService
from workbench.errors import StoreTooNew
from workbench.session import unlock
from workbench.store import audit, migrations
from workbench.store.database import Database, connect_keyed
from workbench.store.maintenance import check_store


def test_an_empty_database_migrates_to_the_newest_schema(tmp_path):
    key = bytes(range(32))
    db = Database.open(tmp_path / "fresh.db", key, create=True, migrate=False)
    assert migrations.current_version(db.connection) == 0
    applied = migrations.migrate(db.connection)
    assert applied == list(range(1, migrations.latest_version() + 1))
    assert migrations.current_version(db.connection) == migrations.latest_version()
    tables = {row[0] for row in db.all("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"cases", "persons", "contacts", "consents", "audit_log", "case_search"} <= tables
    assert migrations.migrate(db.connection) == []  # nothing left to do
    db.close()


def test_every_migration_says_what_it_does():
    assert all(m.description for m in migrations.all_migrations())


def test_a_failing_step_leaves_no_half_applied_schema(tmp_path, monkeypatch):
    key = bytes(range(32))
    db = Database.open(tmp_path / "fresh.db", key, create=True, migrate=False)
    broken = migrations.Migration(1, "broken", "CREATE TABLE a (x);\nCREATE TABLE a (x);")
    monkeypatch.setattr(migrations, "all_migrations", lambda directory=None: (broken,))
    with pytest.raises(sqlcipher3.OperationalError):
        migrations.migrate(db.connection)
    assert db.all("SELECT name FROM sqlite_master") == []
    assert migrations.current_version(db.connection) == 0
    db.close()


def test_a_store_from_a_newer_program_is_refused_and_left_untouched(session):
    key = bytes(session.store_key("case"))
    session.lock()
    raw = connect_keyed(session.location.db_path, key)
    raw.execute(f"PRAGMA user_version = {migrations.latest_version() + 1}")
    raw.close()
    before = snapshot(session.location)
    with pytest.raises(StoreTooNew) as raised:
        unlock(session.location, ADMIN, PASSPHRASE)
    assert "newer version" in raised.value.message()
    assert snapshot(session.location) == before


def test_each_action_writes_exactly_one_audit_row_without_personal_data(session):
    service = CaseService(session)
    before = len(audit.entries(session.db, 1000))
    file = service.create_case(intake())
    service.add(Contact(file.case.id, Channel.PHONE, now(), 10, "Rent", "Called Åsa"))
    rows = audit.entries(session.db, 1000)
    assert len(rows) == before + 2
    assert [r.action for r in rows[:2]] == ["contacts.add", "case.create"]
    text = repr(rows)
    assert "Åsa" not in text and "Jääskeläinen" not in text and "131052" not in text


def test_the_audit_log_refuses_update_and_delete(session):
    with pytest.raises(sqlcipher3.IntegrityError):
        session.db.execute("UPDATE audit_log SET actor = 'mallory'")
    with pytest.raises(sqlcipher3.IntegrityError):
        session.db.execute("DELETE FROM audit_log")


def test_an_audit_row_altered_with_the_raw_key_is_reported(session):
    CaseService(session).create_case(intake())
    assert check_store(session) == []
    # Someone with the raw key drops the trigger and rewrites who did it.
    session.db.execute("DROP TRIGGER audit_log_no_update")
    session.db.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 2")
    problems = check_store(session)
    assert problems == [
        "audit log: the safeguard audit_log_no_update that keeps it append-only was removed",
        "audit log: row 2 does not match the chain"]


def test_a_removed_audit_row_breaks_the_chain(session):
    service = CaseService(session)
    for _ in range(3):
        service.create_case(intake())
    session.db.execute("DROP TRIGGER audit_log_no_delete")
    session.db.execute("DELETE FROM audit_log WHERE id = 2")
    problems = check_store(session)
    assert "audit log: row 2 is missing" in problems
    assert "audit log: row 3 does not match the chain" in problems
