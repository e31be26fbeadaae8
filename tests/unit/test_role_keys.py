"""Roles held by keys, tested as an attacker would: with every file in the data folder, a
passphrase of a lesser role and the program's own modules."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime

import pytest
import sqlcipher3

from tests.conftest import ADMIN, FAST_KDF, PASSPHRASE
from tests.helpers import intake
from workbench.cases.service import CaseService
from workbench.demo.seed import seed_demo
from workbench.errors import PermissionDenied, StoreError, UnknownUser
from workbench.session import Role, unlock
from workbench.stats.period import quarter_period
from workbench.stats.service import StatsService
from workbench.store import audit, maintenance
from workbench.store.access import open_access
from workbench.store.crypto import b64, canonical
from workbench.store.database import Database, connect_keyed
from workbench.store.keyslots import KeyFile
from workbench.store.lock import StoreInUse
from workbench.store.maintenance import check_store
from workbench.store.migrations import FACTS_DIR
from workbench.store.roster import Roster, entry_hash
from workbench.users import UserService

LEAD, ADVISOR, LEAVER = "lea", "bo", "gone"
LEAD_PASS, ADVISOR_PASS, LEAVER_PASS = ("leads own passphrase", "bos own passphrase",
                                        "leavers own passphrase")


@pytest.fixture
def team(session):
    users = UserService(session, kdf=FAST_KDF)
    users.add_user(LEAD, {Role.LEAD}, LEAD_PASS)
    users.add_user(ADVISOR, {Role.ADVISOR}, ADVISOR_PASS)
    users.add_user(LEAVER, {Role.ADVISOR}, LEAVER_PASS)
    seed_demo(session, 40)
    people = [CaseService(session).open_case(row.id) for row in CaseService(session).list_cases()]
    session.lock()
    return session.location, people


def needles(people) -> set[bytes]:
    found = set()
    for file in people:
        person = file.person
        found |= {person.last_name.encode(), person.first_name.encode()}
        if person.identity_number:
            found.add(person.identity_number.encode())
        if file.tenancy and file.tenancy.street:
            found.add(file.tenancy.street.encode())
    return {n for n in found if len(n) > 4}


def facts_as_lead(location):
    """The facts store opened as an attacker holding the lead's passphrase would."""
    access = open_access(location.slots_path, LEAD, LEAD_PASS)
    return access, Database.open(location.facts_path, access.key("facts"), migrate=False,
                                 schema=FACTS_DIR)


def every_table(db: Database) -> bytes:
    """Everything readable in a decrypted database, as an attacker would dump it."""
    out = []
    for (name,) in db.all("SELECT name FROM sqlite_master WHERE type = 'table'"):
        out += [repr(tuple(row)).encode() for row in db.all(f'SELECT * FROM "{name}"')]
    return b"\n".join(out)


# --- 1. a lead's passphrase opens no case data ---------------------------------------------

def test_a_leads_passphrase_opens_no_case_row_with_every_file_and_the_source(team):
    location, people = team
    access = open_access(location.slots_path, LEAD, LEAD_PASS)
    assert set(access.store_keys) == {"facts"}
    # Every envelope in the key file, tried with the lead's private key.
    keyfile = KeyFile.load(location.slots_path)
    opened = [key for name in ("case", "facts")
              for key in keyfile.unwrap_all(LEAD, access.keys, name).values()]
    for to in {e["to"] for e in keyfile.envelopes}:
        opened += [k for name in ("case", "facts")
                   for k in keyfile.unwrap_all(to, access.keys, name).values()]
    # Every key the lead can reach, tried on every database file there is.
    for path in location.data_dir.rglob("*.db"):
        for key in opened:
            if path.name == "facts.db":
                continue
            with pytest.raises(StoreError):
                Database.open(path, key, migrate=False)
    # What the lead can open: the facts. No name, identity number or street in them.
    facts_db = Database.open(location.facts_path, access.key("facts"), schema=FACTS_DIR)
    dump = every_table(facts_db)
    facts_db.close()
    assert dump and [n for n in needles(people) if n in dump] == []
    # Through the program: the session has no case store, the services refuse.
    lead = unlock(location, LEAD, LEAD_PASS)
    assert lead.db is None
    with pytest.raises(PermissionDenied):
        CaseService(lead).list_cases()
    lead.lock()


def test_a_lead_and_an_advisor_export_the_same_numbers(team):
    location, _people = team
    figures = []
    for user, passphrase in ((LEAD, LEAD_PASS), (ADVISOR, ADVISOR_PASS)):
        session = unlock(location, user, passphrase)
        report = StatsService(session).report(quarter_period(2026, 3))
        figures.append([(t.key, t.grid.values, sorted(t.grid.hidden)) for t in report.tables])
        session.lock()
    assert figures[0] == figures[1]


# --- 2. roles are signed ---------------------------------------------------------------------

def test_an_advisor_who_edits_roles_in_the_database_gains_nothing_and_is_reported(team):
    location, _people = team
    bo = unlock(location, ADVISOR, ADVISOR_PASS)
    bo.db.execute("UPDATE users SET roles = 'admin,advisor,lead' WHERE name = ?", (ADVISOR,))
    bo.lock()
    bo = unlock(location, ADVISOR, ADVISOR_PASS)
    assert bo.user.roles == {Role.ADVISOR}
    assert any("signed list applies" in warning for warning in bo.warnings)
    with pytest.raises(PermissionDenied):
        UserService(bo, kdf=FAST_KDF).add_user("mallory", {Role.ADMIN}, "mallorys passphrase")
    with pytest.raises(PermissionDenied):
        StatsService(bo).set_threshold(3)
    # Lowering the threshold in the database changes nothing either: it is signed.
    bo.db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('stats_threshold', "
                  "'3')")
    assert StatsService(bo).threshold() == 5
    bo.lock()
    anna = unlock(location, ADMIN, PASSPHRASE)
    assert any("“bo”" in problem for problem in check_store(anna))
    anna.lock()


def test_a_roster_entry_signed_by_an_advisor_is_ignored_and_reported(team):
    location, _people = team
    access = open_access(location.slots_path, ADVISOR, ADVISOR_PASS)
    # The advisor writes the next roster entry making themselves an administrator, and
    # signs it with their own key, as the program's own code would.
    roster: Roster = access.roster
    promoted = roster.members[ADVISOR]
    members = {**roster.members, ADVISOR: type(promoted)(
        ADVISOR, frozenset({"admin", "advisor"}), promoted.box, promoted.sign, promoted.since)}
    forged = roster.next(members=members)
    body = forged.to_body()
    body["prev"] = access.chain.hashes[-1]
    entry = {"body": body, "signer": ADVISOR,
             "signature": b64(access.keys.sign(canonical({"body": body, "signer": ADVISOR})))}
    data = json.loads(location.slots_path.read_text())
    data["roster"].append(entry)
    location.slots_path.write_text(json.dumps(data))
    bo = unlock(location, ADVISOR, ADVISOR_PASS)
    assert bo.user.roles == {Role.ADVISOR}
    assert any("not an administrator" in warning for warning in bo.warnings)
    bo.lock()


# --- 3. removing a user renews the keys --------------------------------------------------------

def test_a_removed_users_old_key_file_opens_nothing_written_before_or_after(team, tmp_path):
    location, people = team
    old_keyfile = tmp_path / "keyslots-before-removal.json"
    shutil.copy(location.slots_path, old_keyfile)
    anna = unlock(location, ADMIN, PASSPHRASE)
    UserService(anna, kdf=FAST_KDF).remove_user(LEAVER)
    CaseService(anna).create_case(intake(last_name="Jälkeenpoiston"))
    anna.lock()
    # The removed user, with the old key file and their own passphrase.
    stale = KeyFile.load(old_keyfile)
    unsealed = stale.unseal(LEAVER, LEAVER_PASS)
    keys = [k for name in ("case", "facts")
            for k in stale.unwrap_all(LEAVER, unsealed.keys, name).values()]
    assert len(keys) == 2  # the old file did give the case and facts keys
    for path in (location.db_path, location.facts_path):
        for key in keys:
            raw = connect_keyed(path, key)
            with pytest.raises(sqlcipher3.DatabaseError):
                raw.execute("SELECT count(*) FROM sqlite_master").fetchone()
            raw.close()
    # ... and the current key file has nothing for them.
    with pytest.raises(UnknownUser):
        unlock(location, LEAVER, LEAVER_PASS)
    # The others still open everything, the case written after the removal included.
    for user, passphrase in ((ADMIN, PASSPHRASE), (ADVISOR, ADVISOR_PASS)):
        session = unlock(location, user, passphrase)
        assert CaseService(session).count_cases() == len(people) + 1
        assert check_store(session) == []
        session.lock()
    lead = unlock(location, LEAD, LEAD_PASS)
    assert lead.db is None and StatsService(lead).report(quarter_period(2026, 3)).tables
    lead.lock()


def test_removal_needs_the_store_to_itself(team):
    location, _people = team
    anna = unlock(location, ADMIN, PASSPHRASE)
    bo = unlock(location, ADVISOR, ADVISOR_PASS)
    with pytest.raises(StoreInUse):
        UserService(anna, kdf=FAST_KDF).remove_user(LEAVER)
    bo.lock()
    UserService(anna, kdf=FAST_KDF).remove_user(LEAVER)
    assert LEAVER not in [u.name for u in UserService(anna).list_users()]
    anna.lock()


# --- 5. the audit cannot be cut or rewritten unnoticed ---------------------------------------

def test_dropped_triggers_and_cut_rows_are_noticed_at_the_next_unlock(team):
    location, _people = team
    anna = unlock(location, ADMIN, PASSPHRASE)
    for _ in range(3):
        CaseService(anna).create_case(intake())
    last = audit.head(anna.db)[0]
    anna.lock()
    # An advisor with the case key removes the safeguards and cuts the last rows.
    bo = unlock(location, ADVISOR, ADVISOR_PASS)
    bo.db.execute("DROP TRIGGER audit_log_no_delete")
    bo.db.execute("DROP TRIGGER audit_log_no_update")
    bo.db.execute("DELETE FROM audit_log WHERE id > ?", (last - 2,))
    bo.lock()
    anna = unlock(location, ADMIN, PASSPHRASE)
    assert any("cut or rewritten" in warning for warning in anna.warnings)
    assert any("append-only was removed" in warning and "audit_log_no_delete" in warning
               for warning in anna.warnings)
    # The safeguards are back, and what was found stays on record for every later check.
    with pytest.raises(sqlcipher3.IntegrityError):
        anna.db.execute("DELETE FROM audit_log")
    problems = check_store(anna)
    assert any("removed safeguard" in p and "repaired" in p for p in problems)
    assert any(f"row {last}" in p and "cut or rewritten" in p for p in problems)
    anna.lock()


def test_a_rewritten_actor_with_every_hash_recomputed_is_reported(team):
    location, _people = team
    anna = unlock(location, ADMIN, PASSPHRASE)
    CaseService(anna).create_case(intake())
    anna.lock()
    bo = unlock(location, ADVISOR, ADVISOR_PASS)
    db = bo.db
    db.execute("DROP TRIGGER audit_log_no_update")
    target = db.scalar("SELECT max(id) FROM audit_log WHERE actor = ?", (ADMIN,))
    db.execute("UPDATE audit_log SET actor = ? WHERE id = ?", (ADVISOR, target))
    # Recompute the whole chain as the program's own code does.
    prev = audit.GENESIS
    for row in db.all("SELECT * FROM audit_log ORDER BY id"):
        digest = audit._digest(prev, row["at"], row["actor"], row["action"], row["entity"],
                               row["entity_id"], row["key_id"])
        db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?",
                   (prev, digest, row["id"]))
        prev = digest
    db.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN "
               "SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    bo.lock()
    anna = unlock(location, ADMIN, PASSPHRASE)
    problems = check_store(anna)
    assert f"audit log: row {target} is not signed by bo" in problems
    anna.lock()


def test_reading_case_data_and_refused_attempts_are_audited(team):
    location, people = team
    bo = unlock(location, ADVISOR, ADVISOR_PASS)
    before = audit.head(bo.db)[0]
    CaseService(bo).open_case(people[0].case.id)
    CaseService(bo).open_case(people[0].case.id)  # once per case per session
    with pytest.raises(PermissionDenied):
        UserService(bo).remove_user(LEAD)
    actions = [row["action"] for row in bo.db.all(
        "SELECT action FROM audit_log WHERE id > ? ORDER BY id", (before,))]
    assert actions == ["case.open", "denied"]
    bo.lock()


# --- 7. restore is for this store --------------------------------------------------------------

def test_a_backup_of_another_store_is_not_restored_over_this_one(team, tmp_path):
    from tests.conftest import make_store
    from workbench.session import StoreLocation

    location, _people = team
    other = make_store(StoreLocation(tmp_path / "other"))
    archive = maintenance.backup(other, tmp_path / "other.whb")
    other.lock()
    with pytest.raises(maintenance.RestoreOtherStore):
        maintenance.restore(location, archive, ADMIN, PASSPHRASE, force=True)
    with pytest.raises(maintenance.RestoreNotAllowed):  # an advisor is no administrator
        maintenance.restore(location, archive, ADVISOR, ADVISOR_PASS, force=True)
    session, aside = maintenance.restore(location, archive, ADMIN, PASSPHRASE, force=True,
                                         other_store=True)
    assert aside is not None and session.organisation.name
    session.lock()


def test_a_restore_waits_for_other_windows_and_an_old_session_cannot_write(team, tmp_path):
    from workbench.store.database import StoreReplaced

    location, _people = team
    anna = unlock(location, ADMIN, PASSPHRASE)
    archive = maintenance.backup(anna, tmp_path / "mine.whb")
    with pytest.raises(StoreInUse):
        maintenance.restore(location, archive, ADMIN, PASSPHRASE, force=True)
    old_db = anna.db
    anna.lock()
    restored, aside = maintenance.restore(location, archive, ADMIN, PASSPHRASE, force=True)
    # Refused with the sentence a user is shown, not an error from inside SQLite.
    with pytest.raises(StoreReplaced):
        old_db.execute("INSERT INTO settings (key, value) VALUES ('x', 'y')")
    assert (aside / "workbench.db").exists()
    restored.lock()


def test_a_write_through_a_connection_to_a_replaced_file_goes_nowhere(team):
    from workbench.store.database import StoreReplaced

    location, _people = team
    anna = unlock(location, ADMIN, PASSPHRASE)
    # A program that ignores the lock file moves the store aside under anna's feet.
    moved = location.data_dir / "moved.db"
    location.db_path.rename(moved)
    shutil.copy(moved, location.db_path)
    with pytest.raises(StoreReplaced):
        CaseService(anna).create_case(intake())
    anna.lock()


def test_the_signed_audit_rows_say_who_did_what_and_nothing_personal(team):
    location, _people = team
    anna = unlock(location, ADMIN, PASSPHRASE)
    CaseService(anna).create_case(intake())
    row = anna.db.one("SELECT * FROM audit_log ORDER BY id DESC")
    assert row["actor"] == ADMIN and row["signature"] and row["key_id"]
    assert "Jääskeläinen" not in repr(tuple(row))
    assert datetime.fromisoformat(row["at"]) <= datetime.now(UTC)
    anna.lock()


def test_anchors_bind_the_roster_to_the_first_entry(team):
    location, _people = team
    data = json.loads(location.slots_path.read_text())
    first = data["roster"][0]
    assert entry_hash(first) == hashlib.sha256(canonical(first)).hexdigest()


def test_locking_overwrites_the_keys_the_session_held(team):
    location, _people = team
    anna = unlock(location, ADMIN, PASSPHRASE)
    held = [anna.access.keys.box_private, anna.access.keys.sign_private,
            *[key for versions in anna.access.store_keys.values() for key in versions.values()]]
    assert all(any(buffer) for buffer in held)
    anna.lock()
    assert all(not any(buffer) for buffer in held)  # every byte overwritten with zero
    assert anna.access.store_keys == {} and anna.db is None and anna.facts_db is None


def test_removing_a_user_in_the_session_that_made_the_store_re_encrypts_it(location):
    from workbench.session import create_store

    anna, _recovery = create_store(location, "Org", "FI", ADMIN, PASSPHRASE, kdf=FAST_KDF)
    UserService(anna, kdf=FAST_KDF).add_user("typo", {Role.ADVISOR}, "a typo users passphrase")
    CaseService(anna).create_case(intake())
    UserService(anna, kdf=FAST_KDF).remove_user("typo")
    assert CaseService(anna).count_cases() == 1
    anna.lock()
    again = unlock(location, ADMIN, PASSPHRASE)
    assert CaseService(again).count_cases() == 1 and check_store(again) == []
    again.lock()


def test_code_a_lead_plants_in_the_facts_store_never_runs_in_an_advisors_session(team):
    """A trigger in facts.db that would copy the attached case store into it."""
    location, people = team
    access, facts_db = facts_as_lead(location)
    facts_db.execute("CREATE TRIGGER steal BEFORE DELETE ON f_partners BEGIN "
                     "SELECT sqlcipher_export('facts', 'main'); END")
    facts_db.execute("CREATE TRIGGER steal_too AFTER INSERT ON f_contacts BEGIN "
                     "SELECT sqlcipher_export('facts', 'main'); END")
    facts_db.execute("INSERT INTO f_partners VALUES ('x', 'x')")
    facts_db.execute("UPDATE fact_settings SET value = '0:00' WHERE key = 'case_audit_head'")
    facts_db.close()
    anna = unlock(location, ADMIN, PASSPHRASE)  # a plain unlock (it rebuilds the facts)
    assert any("steal" in warning and "removed" in warning for warning in anna.warnings)
    CaseService(anna).create_case(intake())
    anna.lock()
    facts_db = Database.open(location.facts_path, access.key("facts"), migrate=False,
                             schema=FACTS_DIR)  # the same key: the lead's view afterwards
    tables = {row[0] for row in facts_db.all("SELECT name FROM sqlite_master")}
    dump = every_table(facts_db)
    facts_db.close()
    access.wipe()
    assert "persons" not in tables and "settings" not in tables
    assert [n for n in needles(people) if n in dump] == []


def test_a_removed_user_who_puts_the_old_roster_back_gets_nothing(team, tmp_path):
    """The removed user still writes to the folder: they put the roster from before their
    removal back into the current key file and delete every head."""
    from workbench.store.access import StoreTampered

    location, _people = team
    old = json.loads(location.slots_path.read_text())
    anna = unlock(location, ADMIN, PASSPHRASE)
    UserService(anna, kdf=FAST_KDF).remove_user(LEAVER)
    anna.lock()
    current = json.loads(location.slots_path.read_text())
    current["roster"] = old["roster"]
    location.slots_path.write_text(json.dumps(current))
    for head in (location.data_dir / "heads").glob("*.json"):
        head.unlink()
    with pytest.raises(StoreTampered):
        unlock(location, ADMIN, PASSPHRASE)  # nothing opens, so nothing is wrapped to them
    with pytest.raises(StoreTampered):
        unlock(location, LEAD, LEAD_PASS)


def test_an_advisor_cannot_undo_a_threshold_by_cutting_the_roster(team):
    from workbench.store.access import StoreTampered

    location, _people = team
    anna = unlock(location, ADMIN, PASSPHRASE)
    StatsService(anna).set_threshold(10)
    anna.lock()
    data = json.loads(location.slots_path.read_text())
    data["roster"].pop()
    location.slots_path.write_text(json.dumps(data))
    with pytest.raises(StoreTampered):
        unlock(location, ADVISOR, ADVISOR_PASS)


def test_restoring_a_backup_from_before_a_removal_keeps_the_user_removed(team, tmp_path):
    location, _people = team
    anna = unlock(location, ADMIN, PASSPHRASE)
    archive = maintenance.backup(anna, tmp_path / "before.whb")
    UserService(anna, kdf=FAST_KDF).remove_user(LEAVER)
    anna.lock()
    restored, _aside = maintenance.restore(location, archive, ADMIN, PASSPHRASE, force=True)
    assert restored.removed_again == [LEAVER]
    assert LEAVER not in restored.access.roster.members
    restored.lock()
    with pytest.raises(UnknownUser):
        unlock(location, LEAVER, LEAVER_PASS)


def test_facts_a_lead_inflates_are_found_by_check_and_derived_again(team):
    location, _people = team
    access, facts_db = facts_as_lead(location)
    facts_db.executemany("INSERT INTO f_cases VALUES (?, 8104, NULL, 'self', '', 0, 1980, "
                         "NULL, 0)", [(f"fake{n}",) for n in range(500)])
    facts_db.close()
    access.wipe()
    anna = unlock(location, ADMIN, PASSPHRASE)
    assert any("differ from what the cases give" in p for p in check_store(anna))
    anna.lock()
    anna = unlock(location, ADMIN, PASSPHRASE)  # derives them again
    assert anna.facts_db.scalar("SELECT count(*) FROM f_cases WHERE fid LIKE 'fake%'") == 0
    assert check_store(anna) == []
    anna.lock()
