"""Two laptops and the organisation's PostgreSQL (a real server started by the tests)."""

from __future__ import annotations

import dataclasses
import gc
import re
import subprocess
from datetime import datetime

import psycopg
import pytest

from tests.conftest import ADMIN, FAST_KDF, PASSPHRASE, make_store
from tests.helpers import intake
from workbench.cases.model import Channel, Contact
from workbench.cases.service import CaseService
from workbench.session import StoreLocation
from workbench.sync import conflicts, state, team
from workbench.sync.client import Refused
from workbench.sync.engine import sync


@pytest.fixture
def laptops(tmp_path, pg_database):
    """The administrator's desk laptop, which set up the server, and an advisor's
    home-visit laptop, invited, joined and approved."""
    desk = make_store(StoreLocation(tmp_path / "desk"))
    team.init_server(desk, pg_database.owner_dsn, "desk")
    invitation = tmp_path / "visit.invitation"
    team.invite(desk, "visit", "ville", "advisor", invitation)
    visit, _recovery, fingerprint = team.join(StoreLocation(tmp_path / "visit"), invitation,
                                              "ville", PASSPHRASE, kdf=FAST_KDF)
    with pytest.raises(Refused) as waiting:
        sync(visit)
    assert waiting.value.code == "pending"
    team.approve(desk, fingerprint)
    yield desk, visit, pg_database
    for session in (desk, visit):
        if not session.locked:
            session.lock()


def _roundtrip(*sessions):
    for session in (*sessions, *sessions):
        sync(session)


def test_a_case_from_the_desk_reaches_the_home_visit_laptop_and_back(laptops):
    desk, visit, _db = laptops
    made = CaseService(desk).create_case(intake())
    _roundtrip(desk, visit)
    (visit_id,) = [row[0] for row in visit.db.all("SELECT id FROM cases")]
    there = CaseService(visit).open_case(visit_id)
    assert there.person.full_name == made.person.full_name
    person = dataclasses.replace(there.person, phone="+358 50 999 0000")
    CaseService(visit).update_person(visit_id, person)
    _roundtrip(visit, desk)
    assert CaseService(desk).open_case(made.case.id).person.phone == "+358 50 999 0000"
    assert state.waiting(desk.db) == 0 and state.waiting(visit.db) == 0
    assert gc.isenabled()  # rested only while pulling


def test_the_same_field_changed_on_both_is_a_conflict_on_both_until_settled(laptops):
    desk, visit, _db = laptops
    made = CaseService(desk).create_case(intake())
    _roundtrip(desk, visit)
    visit_id = visit.db.scalar("SELECT id FROM cases")
    for session, case_id, rent in ((desk, made.case.id, 80000), (visit, visit_id, 82000)):
        tenancy = CaseService(session).open_case(case_id).tenancy
        CaseService(session).set_tenancy(dataclasses.replace(tenancy, monthly_rent=rent))
    _roundtrip(desk, visit)
    for session in (desk, visit):
        (found,) = conflicts.list_conflicts(session.db)
        assert sorted(v.value for v in found.values) == [80000, 82000]
    (on_visit,) = conflicts.list_conflicts(visit.db)
    conflicts.resolve(visit, on_visit.id, "mine")
    _roundtrip(visit, desk)
    assert conflicts.list_conflicts(desk.db) == [] == conflicts.list_conflicts(visit.db)
    assert CaseService(desk).open_case(made.case.id).tenancy.monthly_rent == 82000


def test_a_dump_of_the_server_holds_no_name_number_or_street(laptops):
    desk, visit, db = laptops
    CaseService(desk).create_case(intake())
    CaseService(desk).create_case(intake(first_name="Birgitta", last_name="Öhman",
                                         identity_text="010170-123F",
                                         street="Sibeliuksenkatu 12"))
    _roundtrip(desk, visit)
    bindir = db.cluster.bindir
    dump = subprocess.run([str(bindir / "pg_dump"), "--data-only", db.owner_dsn],
                          capture_output=True, check=True).stdout
    assert b"workbench" in dump  # the dump is of the right database
    # Byte columns are dumped as hex: a plaintext there would show as the hex of its bytes;
    # everywhere else as itself. (Short numbers turn up by chance inside random hex.)
    blobs = b"".join(re.findall(rb"\\x([0-9a-f]+)", dump))
    text = re.sub(rb"\\x[0-9a-f]+", b"", dump)
    assert len(blobs) > 10_000  # the records are there
    for secret in ("Jääskeläinen", "Öhman", "Birgitta", "131052-308T", "010170-123F",
                   "Koivukuja", "Sibeliuksenkatu", "Helsinki", "KV-2231", "78000", "123450"):
        assert secret.encode() not in text, secret
        assert secret.encode().hex().encode() not in blobs, secret
    assert ADMIN.encode() in dump  # user names are in the clear, as README says


def test_a_removed_laptop_cannot_log_in_and_the_others_get_a_new_key(laptops):
    desk, visit, db = laptops
    before = state.team_keys(desk.db, "case")
    team.remove(desk, "visit")
    after = state.team_keys(desk.db, "case")
    assert max(after) == max(before) + 1
    CaseService(desk).create_case(intake())
    sync(desk)
    with pytest.raises(Refused) as refused:
        sync(visit)
    assert refused.value.code == "login"
    with psycopg.connect(db.owner_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM workbench.changes WHERE key_epoch = %s",
                            (max(after),)).fetchone()[0] >= 1


def test_a_joined_laptop_seals_with_the_organisations_seal_and_numbers_never_clash(laptops):
    from tests.integration.test_agreement_contents import PROFILE, a_case
    from workbench.agreements.service import AgreementService
    from workbench.agreements.verify import verify

    desk, visit, _db = laptops
    on_desk = a_case(desk, "FI")
    _roundtrip(desk, visit)
    on_visit = a_case(visit, "FI", profile=dataclasses.replace(PROFILE, user_name="ville"))
    desk_document, _ = AgreementService(desk).make(on_desk, "fi")
    visit_document, pdf = AgreementService(visit).make(on_visit, "fi")
    _roundtrip(desk, visit)
    assert desk_document.number.startswith("FI-") and "-DESK-" in desk_document.number
    assert "-VISIT-" in visit_document.number
    numbers = [row[0] for row in desk.db.all(
        "SELECT number FROM documents WHERE kind = 'agreement'")]
    assert sorted(numbers) == sorted({desk_document.number, visit_document.number})
    # The visit laptop's seal is the organisation's: the desk (and verify) accept it.
    assert (visit.location.data_dir / "organisation.pem").exists()
    verdict = verify(pdf, (desk.location.data_dir / "organisation.pem").read_bytes())
    assert verdict.valid, verdict


def test_a_leads_laptop_gets_the_whole_teams_figures_and_no_case(laptops, tmp_path):
    from datetime import date

    from workbench.stats.period import quarter_period
    from workbench.stats.service import StatsService

    desk, visit, _db = laptops
    invitation = tmp_path / "lead.invitation"
    team.invite(desk, "lead-laptop", "leena", "lead", invitation)
    lead, _key, fingerprint = team.join(StoreLocation(tmp_path / "lead"), invitation, "leena",
                                        PASSPHRASE, kdf=FAST_KDF)
    try:
        assert lead.db is None  # the lead's passphrase opens the facts store only
        team.approve(desk, fingerprint)
        for n in range(4):
            CaseService(desk).create_case(intake(last_name=f"Desk{n}", identity_text=""))
            CaseService(visit).create_case(intake(last_name=f"Visit{n}", identity_text=""))
        _roundtrip(desk, visit)
        sync(lead)
        assert lead.facts_db.scalar("SELECT count(*) FROM f_cases") == 8
        quarter = quarter_period(date.today().year, (date.today().month - 1) // 3 + 1)
        after = date(quarter.end.year + 1, 1, 1)

        def figures(session):
            report = StatsService(session).report(quarter, today=after)
            return [(t.key, t.grid.values, sorted(t.grid.hidden)) for t in report.tables]

        assert figures(lead) == figures(desk) == figures(visit)
        # An erased case leaves the lead's figures at the next sync.
        CaseService(desk).erase_case(desk.db.scalar("SELECT min(id) FROM cases"))
        _roundtrip(desk, visit)
        sync(lead)
        assert lead.facts_db.scalar("SELECT count(*) FROM f_cases") == 7
        assert figures(lead) == figures(desk)
        # The same case changed on both laptops before they synced: the lead's figures
        # are those of the merged case; a laptop sends again only the facts of cases it
        # changed itself (the others' laptops send theirs).
        shared_gid, visit_id = visit.db.one(
            "SELECT s.gid, c.id FROM cases c JOIN sync_rows s ON s.tbl = 'cases' AND "
            "s.row_id = c.id JOIN persons p ON p.id = c.person_id WHERE p.last_name = 'Desk2'")
        desk_id = desk.db.scalar("SELECT row_id FROM sync_rows WHERE gid = ?", (shared_gid,))
        CaseService(desk).add(Contact(desk_id, Channel.PHONE, datetime.now(), note="desk"))
        CaseService(visit).add(Contact(visit_id, Channel.HOME_VISIT, datetime.now(),
                                       note="visit"))
        _roundtrip(desk, visit)
        sync(lead)
        assert figures(lead) == figures(desk) == figures(visit)
        from workbench.sync import team_facts
        names = team_facts._context(visit)
        sent = {fid for (fid,) in visit.db.all("SELECT fid FROM sync_facts_sent")}
        visits = {names.fid_of_gid(gid) for (gid,) in visit.db.all(
            "SELECT s.gid FROM cases c JOIN sync_rows s ON s.tbl = 'cases' AND s.row_id = "
            "c.id JOIN persons p ON p.id = c.person_id WHERE p.last_name LIKE 'Visit%'")}
        assert sent == visits | {names.fid_of_gid(shared_gid), team_facts.PARTNERS}
        # Nothing on the lead's laptop names a case: no case store key, no case record.
        files = b"".join(p.read_bytes() for p in (tmp_path / "lead").rglob("*") if p.is_file())
        for name in ("Desk0", "Visit1", "Jääskeläinen", "131052-308T"):
            assert name.encode() not in files
    finally:
        lead.lock()


def test_records_from_a_newer_program_are_kept_until_this_one_is_updated(laptops, monkeypatch):
    from workbench.sync import merge, rows

    desk, visit, _db = laptops
    first = CaseService(desk).create_case(intake(last_name="Before", identity_text=""))
    _roundtrip(desk, visit)
    # The desk runs a newer program: its next records have a layout this one cannot read.
    monkeypatch.setattr(rows, "RECORD_VERSION", rows.RECORD_VERSION + 1)
    import workbench.sync.capture as capture_module
    monkeypatch.setattr(capture_module, "RECORD_VERSION", rows.RECORD_VERSION)
    person = CaseService(desk).open_case(first.case.id).person
    CaseService(desk).update_person(first.case.id, dataclasses.replace(person, phone="+358 1"))
    monkeypatch.undo()
    CaseService(desk).create_case(intake(last_name="After", identity_text=""))
    sync(desk)
    report = sync(visit)
    assert report.held >= 2  # the newer record and everything after it wait
    names = {r[0] for r in visit.db.all("SELECT last_name FROM persons")}
    assert names == {"Before"}
    # Updated, the laptop applies them in order.
    monkeypatch.setattr(merge, "RECORD_VERSION", rows.RECORD_VERSION + 1)
    report = sync(visit)
    assert {r[0] for r in visit.db.all("SELECT last_name FROM persons")} == {"Before", "After"}
    assert visit.db.scalar("SELECT phone FROM persons WHERE last_name = 'Before'") == "+358 1"
    assert visit.db.scalar("SELECT count(*) FROM sync_held") == 0


def test_a_server_that_requires_a_newer_program_says_update(laptops):
    from tests.integration.cli import run_unlocked

    desk, visit, db = laptops
    team.init_server(desk, db.owner_dsn, "desk", min_client_version=99)
    CaseService(visit).create_case(intake())
    with pytest.raises(Refused) as refused:
        sync(visit)
    assert refused.value.code == "too_old"
    visit_dir, user = visit.location.data_dir, visit.user.name
    visit.lock()
    result = run_unlocked(visit_dir, "sync", user=user)
    assert result.returncode == 2
    assert "newer version of this program" in result.stderr


def test_check_verifies_every_laptops_audit_chain_and_finds_a_withheld_part(laptops):
    from workbench.store.integrity import full_check

    desk, visit, db = laptops
    case = CaseService(visit).create_case(intake())
    _roundtrip(visit, desk)
    assert full_check(desk) == []
    visit_device = state.config(visit.db)["device_id"]
    assert desk.db.scalar("SELECT count(*) FROM sync_audit WHERE device_id = ?",
                          (visit_device,)) >= 3
    # The server drops one batch of the visit laptop's audit rows; a later batch arrives.
    CaseService(visit).open_case(case.case.id)
    CaseService(visit).update_case(CaseService(visit).open_case(case.case.id).case)
    sync(visit)
    with psycopg.connect(db.owner_dsn, autocommit=True) as conn:
        conn.execute("DELETE FROM workbench.changes WHERE seq = (SELECT max(seq) FROM "
                     "workbench.changes WHERE channel = 'audit')")
    CaseService(visit).add(Contact(case.case.id, Channel.PHONE, datetime(2026, 11, 20, 10)))
    sync(visit)
    sync(desk)
    problems = full_check(desk)
    assert any("audit log of device visit" in p and "missing" in p for p in problems), problems


def test_a_store_of_the_last_release_becomes_a_teams_first_laptop_without_loss(
        tmp_path, pg_database):
    import shutil

    from tests.integration.test_upgrade_from_0_1 import FIXTURE, MANIFEST
    from workbench.session import unlock

    shutil.copytree(FIXTURE, tmp_path / "old")
    old = unlock(StoreLocation(tmp_path / "old"), "anna", MANIFEST["passphrase"])
    visit = None
    try:
        team.init_server(old, pg_database.owner_dsn, "office")
        invitation = tmp_path / "visit.invitation"
        team.invite(old, "visit", "ville", "advisor", invitation)
        visit, _key, fingerprint = team.join(StoreLocation(tmp_path / "visit"), invitation,
                                             "ville", PASSPHRASE, kdf=FAST_KDF)
        team.approve(old, fingerprint)
        _roundtrip(old, visit)
        for table, expected in (("cases", MANIFEST["cases"]), ("contacts", MANIFEST["contacts"]),
                                ("documents", MANIFEST["agreements"])):
            assert visit.db.scalar(f"SELECT count(*) FROM {table}") == expected, table
        names = sorted(r[0] + " " + r[1] for r in visit.db.all(
            "SELECT first_name, last_name FROM persons"))
        assert names == sorted(MANIFEST["names"])
        pdfs = sorted(bytes(r[0]) for r in visit.db.all("SELECT content FROM documents"))
        assert pdfs == sorted(bytes(r[0]) for r in old.db.all("SELECT content FROM documents"))
        assert CaseService(visit).search(MANIFEST["names"][0].split()[-1])
    finally:
        for session in (old, visit):
            if session is not None and not session.locked:
                session.lock()
