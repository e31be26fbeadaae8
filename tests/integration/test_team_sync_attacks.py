"""Team sync attacked as an attacker would: a superuser on the server, a trusted laptop
sending malformed or forbidden records, a removed laptop's keys, a reordering server."""

from __future__ import annotations

import dataclasses
import uuid

import psycopg
import pytest

from tests.conftest import ADMIN, FAST_KDF, PASSPHRASE, make_store
from tests.helpers import intake
from tests.support.team import close, make_team, roundtrip
from workbench.cases.service import CaseService
from workbench.errors import ValidationError
from workbench.session import StoreLocation, unlock
from workbench.sync import conflicts, keys, state, team
from workbench.sync.client import Refused, Server
from workbench.sync.engine import sync
from workbench.sync.rows import new_op_id
from workbench.sync.sealing import seal


def _send(session, record: dict, entity: str = "x") -> None:
    """Seal and push any record as this (trusted) laptop, outside the program's checks."""
    config = state.config(session.db)
    epoch, key = keys.current(session.db, "case")
    sealed = seal(record, channel="case", entity=entity, device_id=config["device_id"],
                  team_key=key, key_epoch=epoch, keys=state.device_keys(session.db))
    with Server(config["conninfo"], config["password"]) as server:
        server.push([sealed])


def _record(session, rows: list, **extra) -> dict:
    return {"v": 1, "id": new_op_id(), "dev": state.config(session.db)["device_id"],
            "who": "x", "at": "", "rows": rows, **extra}


def _insert_as_superuser(dsn: str, session, record: dict, epoch: int, entity: str) -> None:
    config = state.config(session.db)
    sealed = seal(record, channel="case", entity=entity, device_id=config["device_id"],
                  team_key=keys.get(session.db, "case", epoch), key_epoch=epoch,
                  keys=state.device_keys(session.db))
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO workbench.changes (op_id, channel, device_id, entity, "
                     "key_epoch, schema_version, nonce, ciphertext, signature) VALUES "
                     "(%s, 'case', %s, %s, %s, 1, %s, %s, %s)",
                     (uuid.UUID(hex=sealed.op_id), uuid.UUID(hex=config["device_id"]),
                      sealed.entity, epoch, sealed.nonce, sealed.ciphertext, sealed.signature))


@pytest.fixture
def two(tmp_path, pg_database):
    laptops = make_team(tmp_path, pg_database.owner_dsn)
    yield (*laptops, pg_database)
    close(laptops)


def test_an_advisors_laptop_cannot_change_the_seal_or_any_local_setting(two):
    desk, visit, _db = two
    roundtrip(desk, visit)
    seal_before = desk.db.scalar("SELECT value FROM settings WHERE key = 'signing_key'")
    for key, value in (("roster_version", "999999"), ("signing_key", "ATTACKER")):
        _send(visit, _record(visit, [{"t": "settings", "g": f"settings.settings.{key}",
                                      "e": "settings", "n": 1,
                                      "w": {"key": [key, []], "value": [value, []]}}]))
    report = sync(desk)
    assert len(report.refused) == 2
    assert desk.db.scalar("SELECT value FROM settings WHERE key = 'signing_key'") == seal_before
    location = desk.location
    desk.lock()
    unlock(location, ADMIN, PASSPHRASE).lock()  # the store still opens


def test_a_record_that_names_a_row_under_another_table_changes_nothing(two):
    """A record labelled as a resident's but naming the seal's row (or a case's row as a
    contact) would otherwise delete the seal or write into the wrong table."""
    desk, visit, _db = two
    CaseService(desk).create_case(intake())
    roundtrip(desk, visit)
    seal_before = desk.db.scalar("SELECT value FROM settings WHERE key = 'signing_key'")
    seal_gid = "settings.settings.signing_key"
    heads = sorted({op for (op,) in visit.db.all("SELECT op_id FROM sync_seen")})
    case_gid, entity = visit.db.one("SELECT gid, entity FROM sync_rows WHERE tbl = 'cases'")
    for bad in (_record(visit, [{"t": "persons", "g": seal_gid, "e": "x",
                                 "w": {"_deleted": [1, heads]}}]),
                _record(visit, [{"t": "contacts", "g": case_gid, "e": entity,
                                 "w": {"note": ["into the case row", heads]}}])):
        _send(visit, bad)
    report = sync(desk)
    assert len(report.refused) == 2
    assert desk.db.scalar("SELECT value FROM settings WHERE key = 'signing_key'") == seal_before
    assert desk.db.scalar("SELECT count(*) FROM cases") == 1
    assert "into the case row" not in str(desk.db.all("SELECT * FROM contacts"))


def test_malformed_records_are_put_aside_and_sync_goes_on(two):
    desk, visit, _db = two
    CaseService(desk).create_case(intake())
    roundtrip(desk, visit)
    gid = visit.db.scalar("SELECT gid FROM sync_rows WHERE tbl = 'persons'")
    entity = visit.db.scalar("SELECT entity FROM sync_rows WHERE tbl = 'persons'")
    for bad in (_record(visit, [{"t": "persons", "g": gid, "e": entity,
                                 "w": {"phone": [{"a": 1}, []]}}]),
                _record(visit, [{"t": "persons", "g": "g", "e": "e", "w": ["not a dict"]}]),
                _record(visit, [], v="2"),
                _record(visit, [{"t": "cases; DROP TABLE cases", "g": "g", "e": "e",
                                 "w": {}}]),
                _record(visit, [{"t": "persons", "g": gid, "e": entity,
                                 "w": {"phone = 'x' --": ["y", []]}}]),
                # A value outside the column's rules: refused by the store itself.
                _record(visit, [{"t": "cases", "g": "new-case", "e": "new-case", "n": 1,
                                 "w": {"status": ["nonsense", []]}}])):
        _send(visit, bad)
    CaseService(visit).create_case(intake(last_name="Later", identity_text=""))
    sync(visit)
    report = sync(desk)
    assert len(report.refused) == 6
    assert {r[0] for r in desk.db.all("SELECT last_name FROM persons")} == {
        "Jääskeläinen", "Later"}
    assert sync(desk).refused == []  # put aside once, not tried again


def test_a_server_that_changes_a_waiting_laptops_role_gets_no_approval(tmp_path, pg_database):
    desk = make_store(StoreLocation(tmp_path / "desk"))
    team.init_server(desk, pg_database.owner_dsn, "desk")
    invitation = tmp_path / "lead.invitation"
    team.invite(desk, "lead-laptop", "leena", "lead", invitation)
    lead, _key, fingerprint = team.join(StoreLocation(tmp_path / "lead"), invitation, "leena",
                                        PASSPHRASE, kdf=FAST_KDF)
    try:
        with psycopg.connect(pg_database.owner_dsn, autocommit=True) as conn:
            conn.execute("UPDATE workbench.devices SET role = 'admin' "
                         "WHERE name = 'lead-laptop'")
        with pytest.raises(ValidationError):
            team.approve(desk, fingerprint)
    finally:
        close([desk, lead])


def test_a_removed_admins_keys_with_a_superuser_slip_in_no_team_key(tmp_path, pg_database):
    desk, office, visit = make_team(tmp_path, pg_database.owner_dsn, ("office", "visit"),
                                    role="admin")
    try:
        roundtrip(desk, office, visit)
        team.remove(desk, "office")
        sync(desk)
        sync(visit)
        config, office_keys = state.config(office.db), state.device_keys(office.db)
        evil = b"E" * 32
        with psycopg.connect(pg_database.owner_dsn, autocommit=True) as conn:
            epoch = conn.execute("SELECT max(epoch) FROM workbench.epochs "
                                 "WHERE channel = 'case'").fetchone()[0] + 1
            conn.execute("INSERT INTO workbench.epochs (channel, epoch) VALUES ('case', %s)",
                         (epoch,))
            for device, box in conn.execute("SELECT device_id, box_public FROM "
                                            "workbench.devices WHERE state = 'active'"):
                conn.execute(
                    "INSERT INTO workbench.envelopes (device_id, channel, epoch, sealed) "
                    "VALUES (%s, 'case', %s, %s)", (device, epoch, keys.wrap(
                        team=config["team_id"], channel="case", epoch=epoch, key=evil,
                        recipient_id=device.hex, recipient_box=bytes(box),
                        signer_id=config["device_id"], signer_keys=office_keys)))
        CaseService(desk).create_case(intake(first_name="Secretname"))
        with pytest.raises(Refused) as refused:
            sync(desk)
        assert refused.value.code == "untrusted_key" and "removed" in refused.value.detail
        assert keys.current(desk.db, "case")[1] != evil
        assert state.waiting(desk.db) > 0  # kept, not sent under the server's key
    finally:
        close([desk, office, visit])


def test_a_removed_laptops_keys_with_a_superuser_inject_no_change(two):
    desk, visit, db = two
    CaseService(desk).create_case(intake())
    roundtrip(desk, visit)
    team.remove(desk, "visit")
    sync(desk)
    gid = visit.db.scalar("SELECT gid FROM sync_rows WHERE tbl = 'persons'")
    entity = visit.db.scalar("SELECT entity FROM sync_rows WHERE tbl = 'persons'")
    forged = _record(visit, [{"t": "persons", "g": gid, "e": entity,
                              "w": {"phone": ["+1 EVIL", []]}}])
    _insert_as_superuser(db.owner_dsn, visit, forged, 1, entity)
    report = sync(desk)
    assert report.refused and desk.db.scalar("SELECT phone FROM persons") != "+1 EVIL"


def test_a_server_that_reorders_two_edits_is_noticed_and_nothing_diverges(tmp_path,
                                                                          pg_database):
    desk, visit, office = make_team(tmp_path, pg_database.owner_dsn, ("visit", "office"))
    try:
        made = CaseService(desk).create_case(intake())
        roundtrip(desk, visit, office)
        visit_case = visit.db.scalar("SELECT id FROM cases")
        person = CaseService(visit).open_case(visit_case).person
        CaseService(visit).update_person(visit_case, dataclasses.replace(person, phone="+358 1"))
        sync(visit)
        sync(desk)
        person = CaseService(desk).open_case(made.case.id).person
        CaseService(desk).update_person(made.case.id, dataclasses.replace(person,
                                                                          phone="+358 2"))
        sync(desk)
        with psycopg.connect(pg_database.owner_dsn, autocommit=True) as conn:
            a, b = [r[0] for r in conn.execute(
                "SELECT seq FROM workbench.changes WHERE channel = 'case' "
                "ORDER BY seq DESC LIMIT 2")][::-1]
            conn.execute("CREATE TEMP TABLE t AS SELECT * FROM workbench.changes "
                         "WHERE seq IN (%s, %s)", (a, b))
            conn.execute("DELETE FROM workbench.changes WHERE seq IN (%s, %s)", (a, b))
            conn.execute("UPDATE t SET seq = CASE WHEN seq = %s THEN %s ELSE %s END",
                         (a, b, a))
            conn.execute("INSERT INTO workbench.changes OVERRIDING SYSTEM VALUE "
                         "SELECT * FROM t")
        sync(office)
        sync(desk)
        sync(visit)
        phones = {s.db.scalar("SELECT phone FROM persons") for s in (desk, office)}
        assert phones == {"+358 2"}  # the office waited for the edit it stood on
        assert conflicts.list_conflicts(office.db) == []
    finally:
        close([desk, visit, office])
