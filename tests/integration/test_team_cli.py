"""The team commands as an administrator and an advisor type them."""

from __future__ import annotations

import json

from tests.conftest import ADMIN, PASSPHRASE, make_store
from tests.helpers import intake
from tests.integration.cli import run, run_unlocked
from workbench.cases.service import CaseService
from workbench.session import StoreLocation, unlock


def test_set_up_invite_join_approve_sync_and_settle_from_the_command_line(tmp_path,
                                                                        pg_database):
    desk_dir, visit_dir = tmp_path / "desk", tmp_path / "visit"
    desk = make_store(StoreLocation(desk_dir))
    case_id = CaseService(desk).create_case(intake()).case.id
    desk.lock()

    result = run_unlocked(desk_dir, "server", "init", "--dsn", pg_database.owner_dsn,
                          "--device-name", "desk")
    assert result.returncode == 0, result.stderr
    assert "“desk”" in result.stdout
    again = run_unlocked(desk_dir, "server", "init", "--dsn", pg_database.owner_dsn)
    assert again.returncode == 0, again.stderr  # an upgrade run changes nothing

    invitation = tmp_path / "visit.invitation"
    result = run_unlocked(desk_dir, "devices", "invite", "visit", "--for-user", "ville",
                          "--out", str(invitation))
    assert result.returncode == 0, result.stderr
    assert invitation.stat().st_mode & 0o077 == 0  # it holds a login: private

    result = run(visit_dir, "join", str(invitation), user="ville",
                 secrets=["a long passphrase for the visit laptop"])
    assert result.returncode == 0, result.stderr
    fingerprint = result.stdout.split("fingerprint: ")[1].split()[0]
    assert "Recovery key" in result.stderr

    listed = json.loads(run_unlocked(desk_dir, "devices", "list", "--json").stdout)
    waiting = [d for d in listed if d["name"] == "visit"]
    assert waiting[0]["state"] == "pending" and waiting[0]["fingerprint"] == fingerprint

    wrong = run_unlocked(desk_dir, "devices", "approve", "0000-0000-0000-0000-0000")
    assert wrong.returncode != 0 and "No laptop waiting" in wrong.stderr
    result = run_unlocked(desk_dir, "devices", "approve", fingerprint.lower())
    assert result.returncode == 0, result.stderr

    visit_secret = ["a long passphrase for the visit laptop"]
    assert run_unlocked(desk_dir, "sync").returncode == 0
    result = run(visit_dir, "sync", "--json", user="ville", secrets=visit_secret)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["received"] >= 2
    listed = run(visit_dir, "cases", "list", user="ville", secrets=visit_secret)
    assert "Jääskeläinen" in listed.stdout, listed.stderr

    # Both change the same note offline, then sync: a conflict on both, settled on one.
    desk = unlock(StoreLocation(desk_dir), ADMIN, PASSPHRASE)
    case = CaseService(desk).open_case(case_id).case
    case.note = "written at the desk"
    CaseService(desk).update_case(case)
    desk.lock()
    visit = unlock(StoreLocation(visit_dir), "ville", visit_secret[0])
    visit_case = CaseService(visit).open_case(visit.db.scalar("SELECT id FROM cases")).case
    visit_case.note = "written on the visit"
    CaseService(visit).update_case(visit_case)
    visit.lock()
    for data_dir, user, secret in ((desk_dir, ADMIN, [PASSPHRASE]),
                                   (visit_dir, "ville", visit_secret),
                                   (desk_dir, ADMIN, [PASSPHRASE])):
        assert run(data_dir, "sync", user=user, secrets=secret).returncode == 0
    listed = json.loads(run_unlocked(desk_dir, "conflicts", "list", "--json").stdout)
    assert [(c["table"], c["field"]) for c in listed] == [("cases", "note")]
    values = {v["value"]: v for v in listed[0]["values"]}
    assert values["written at the desk"]["mine"] and not values["written on the visit"]["mine"]
    result = run_unlocked(desk_dir, "conflicts", "resolve", listed[0]["id"], "--keep", "theirs")
    assert result.returncode == 0, result.stderr
    assert run_unlocked(desk_dir, "sync").returncode == 0
    assert run(visit_dir, "sync", user="ville", secrets=visit_secret).returncode == 0
    shown = run(visit_dir, "conflicts", "list", user="ville", secrets=visit_secret)
    assert "No conflicts." in shown.stdout
