"""The team-sync server schema on a real PostgreSQL: privileges, row-level security, the
push/pull contract, enrolment, key epochs and revocation.

Most tests install the schema as a dedicated owner that is NOT a superuser (CREATEROLE and
pg_signal_backend only), as an organisation would: a superuser bypasses row-level security,
so only this way do the forced policies take part in every call. Devices log in over TCP
with SCRAM passwords (see tests/support/postgres.py for pg_hba.conf).
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg
import pytest
from psycopg import sql

from tests.support.postgres import LOCALHOST
from workbench.sync import server

TEAM = "asumisneuvonta-testi"
CLIENT = 3  # the client version these tests' devices report

PUSH = ("SELECT op_id, seq FROM workbench.push(%s::uuid[], %s::text[], %s::bytea[], %s::int[],"
        " %s::int[], %s::bytea[], %s::bytea[], %s::bytea[], %s)")


@dataclass
class Change:
    channel: str = "case"
    key_epoch: int = 1
    op_id: uuid.UUID = field(default_factory=uuid.uuid4)
    entity: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    nonce: bytes = field(default_factory=lambda: secrets.token_bytes(24))
    ciphertext: bytes = field(default_factory=lambda: secrets.token_bytes(64))
    signature: bytes = field(default_factory=lambda: secrets.token_bytes(64))
    schema_version: int = 1


def push(conn: psycopg.Connection, changes: list[Change], client_version: int = CLIENT):
    return conn.execute(PUSH, (
        [c.op_id for c in changes], [c.channel for c in changes], [c.entity for c in changes],
        [c.key_epoch for c in changes], [c.schema_version for c in changes],
        [c.nonce for c in changes], [c.ciphertext for c in changes],
        [c.signature for c in changes], client_version)).fetchall()


def pull(conn: psycopg.Connection, after: int = 0, max_rows: int = 1000):
    return conn.execute("SELECT seq, op_id, channel, device_id, ciphertext"
                        " FROM workbench.pull(%s, %s)", (after, max_rows)).fetchall()


def sqlstate_of(excinfo: pytest.ExceptionInfo) -> str | None:
    return excinfo.value.sqlstate


@dataclass
class Device:
    device_id: uuid.UUID
    name: str
    role: str
    db_role: str
    password: str
    box_public: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    sign_public: bytes = field(default_factory=lambda: secrets.token_bytes(32))


class Team:
    """A team server in a fresh database, installed by a non-superuser owner."""

    def __init__(self, database) -> None:
        self.db = database
        self.cluster = database.cluster
        self._connections: list[psycopg.Connection] = []
        self.su = self._track(psycopg.connect(database.owner_dsn, autocommit=True))
        self.owner_role = f"owner_{database.name}"
        ident = sql.Identifier(self.owner_role)
        self.su.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEROLE").format(ident))
        self.su.execute(sql.SQL("GRANT pg_signal_backend TO {}").format(ident))
        self.su.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO {}")
                        .format(sql.Identifier(database.name), ident))
        # The owner logs in over the Unix socket (trusted in the test cluster).
        self.owner = self._track(psycopg.connect(
            self.cluster.conninfo(database.name, user=self.owner_role), autocommit=True))
        assert server.install(self.owner, TEAM) == server.SCHEMA_VERSION
        self.admin = self._device("admin", "anna-admin")
        self.admin.db_role = server.register_first_device(
            self.owner, device_id=self.admin.device_id, name=self.admin.name,
            user_name="anna", role="admin", password=self.admin.password,
            box_public=self.admin.box_public, sign_public=self.admin.sign_public,
            certificate=b"self-signed", envelopes=[("case", 1, b"case-1"),
                                                   ("facts", 1, b"facts-1")])
        self.admin_conn = self.login(self.admin)

    def _track(self, conn: psycopg.Connection) -> psycopg.Connection:
        self._connections.append(conn)
        return conn

    def _device(self, role: str, name: str | None = None) -> Device:
        device_id = uuid.uuid4()
        return Device(device_id, name or f"{role}-{device_id.hex[:6]}", role,
                      server.role_name(device_id), secrets.token_urlsafe(24))

    def connect(self, user: str, password: str, **kwargs) -> psycopg.Connection:
        kwargs.setdefault("autocommit", True)
        return self._track(psycopg.connect(
            self.cluster.conninfo(self.db.name, user=user, password=password, host=LOCALHOST),
            **kwargs))

    def login(self, device: Device, **kwargs) -> psycopg.Connection:
        return self.connect(device.db_role, device.password, **kwargs)

    def invite(self, role: str = "advisor", name: str | None = None) -> Device:
        device = self._device(role, name)
        made = self.admin_conn.execute(
            "SELECT workbench.invite(%s, %s, %s, %s, %s)",
            (device.device_id, device.name, "user-" + device.name, role, device.password)
        ).fetchone()[0]
        assert made == device.db_role
        return device

    def enrol(self, device: Device) -> psycopg.Connection:
        conn = self.login(device)
        conn.execute("SELECT workbench.enrol(%s, %s, %s)",
                     (device.box_public, device.sign_public, CLIENT))
        return conn

    def approve(self, device: Device, epochs: dict[str, int] | None = None) -> None:
        epochs = epochs or {"case": 1, "facts": 1}
        if device.role == "lead":
            epochs = {k: v for k, v in epochs.items() if k == "facts"}
        self.admin_conn.execute(
            "SELECT workbench.approve(%s, %s, %s::text[], %s::int[], %s::bytea[])",
            (device.device_id, b"certificate of " + device.name.encode(), list(epochs),
             list(epochs.values()), [f"{k}-{v}".encode() for k, v in epochs.items()]))

    def member(self, role: str = "advisor", name: str | None = None) -> Device:
        """An active device, through the whole invite → enrol → approve flow."""
        device = self.invite(role, name)
        self.enrol(device).close()
        self.approve(device)
        return device

    def close(self) -> None:
        for conn in reversed(self._connections):
            conn.close()


@pytest.fixture
def team(pg_database) -> Iterator[Team]:
    team = Team(pg_database)
    try:
        yield team
    finally:
        team.close()


# -- installing ---------------------------------------------------------------------------


def catalog_snapshot(conn: psycopg.Connection):
    """Every object of the schema with its identity and row versions: a change shows."""
    objects = conn.execute(
        "SELECT 'f:' || p.oid::regprocedure::text || ':' || p.oid || ':' || p.xmin::text"
        " FROM pg_proc p WHERE p.pronamespace = 'workbench'::regnamespace"
        " UNION ALL SELECT 'r:' || c.relname || ':' || c.oid || ':' || c.xmin::text"
        " FROM pg_class c WHERE c.relnamespace = 'workbench'::regnamespace"
        " UNION ALL SELECT 'p:' || polname || ':' || oid FROM pg_policy"
        " ORDER BY 1").fetchall()
    settings = conn.execute(
        "SELECT key, value, xmin::text FROM workbench.settings ORDER BY key").fetchall()
    return objects, settings


def test_install_twice_changes_nothing_and_another_team_is_refused(pg_database):
    with psycopg.connect(pg_database.owner_dsn, autocommit=True) as conn:  # the superuser
        assert server.install(conn, TEAM) == 1
        first = catalog_snapshot(conn)
        settings = dict((k, v) for k, v, _ in first[1])
        assert settings["schema_version"] == "1"
        assert settings["team_id"] == TEAM
        assert settings["min_client_version"] == "0"
        assert len([o for o in first[0] if o[0].startswith("f:")]) >= 14

        assert server.install(conn, TEAM) == 1
        assert catalog_snapshot(conn) == first

        with pytest.raises(server.WrongTeam, match="belongs to team") as refused:
            server.install(conn, "another-team")
        assert isinstance(refused.value, server.ServerError)
        assert catalog_snapshot(conn) == first

        # A newer program's schema is refused, not downgraded.
        conn.execute("UPDATE workbench.settings SET value = '2' WHERE key = 'schema_version'")
        with pytest.raises(server.ServerTooNew):
            server.install(conn, TEAM)


def test_changed_functions_are_replaced_with_their_grants(team):
    advisor = team.member()
    before = team.owner.execute(
        "SELECT oid FROM pg_proc WHERE oid = 'workbench.push'::regproc").fetchone()
    # As if this program brought a new schema.sql: its digest differs from the one stored.
    team.owner.execute("UPDATE workbench.settings SET value = 'old' "
                       "WHERE key = 'functions_digest'")
    server.install(team.owner, TEAM)
    after = team.owner.execute(
        "SELECT oid FROM pg_proc WHERE oid = 'workbench.push'::regproc").fetchone()
    assert after != before  # made again
    conn = team.login(advisor)
    assert [seq for _, seq in push(conn, [Change()])] == [1]  # still callable by devices
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT workbench._make_role(gen_random_uuid(), 'x')")


def test_the_first_device_is_registered_once(pg_database):
    device = dict(device_id=uuid.uuid4(), name="anna-admin", user_name="anna", role="admin",
                  password="secret", box_public=b"b" * 32, sign_public=b"s" * 32,
                  certificate=b"self-signed", envelopes=[("case", 1, b"k")])
    with psycopg.connect(pg_database.owner_dsn, autocommit=True) as conn:
        with pytest.raises(server.NotInstalled):
            server.register_first_device(conn, **device)
        server.install(conn, TEAM)
        assert server.register_first_device(conn, **device) == server.role_name(
            device["device_id"])
        assert conn.execute("SELECT state, approved_by FROM workbench.devices").fetchall() == [
            ("active", device["device_id"])]
        assert conn.execute("SELECT channel, epoch FROM workbench.epochs ORDER BY 1"
                            ).fetchall() == [("case", 1), ("facts", 1)]
        with pytest.raises(server.ServerError, match="already registered"):
            server.register_first_device(conn, **device)
        with pytest.raises(server.ServerError, match="no key epoch 2"):
            server.register_first_device(conn, **{**device, "device_id": uuid.uuid4(),
                                                  "name": "other",
                                                  "envelopes": [("case", 2, b"k")]})
        assert conn.execute("SELECT count(*) FROM workbench.devices").fetchone()[0] == 1


def test_install_tells_which_privilege_the_owner_lacks(pg_database):
    with psycopg.connect(pg_database.owner_dsn, autocommit=True) as su:
        su.execute("CREATE ROLE weak_owner_" + pg_database.name + " LOGIN CREATEROLE")
        su.execute(f"GRANT CREATE ON DATABASE {pg_database.name} TO weak_owner_"
                   + pg_database.name)
    conninfo = pg_database.cluster.conninfo(pg_database.name, user="weak_owner_"
                                            + pg_database.name)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        with pytest.raises(server.MissingPrivilege, match="pg_signal_backend"):
            server.install(conn, TEAM)
        assert conn.execute("SELECT to_regnamespace('workbench')").fetchone()[0] is None


# -- privileges and row-level security ----------------------------------------------------


def test_a_device_can_only_call_the_functions(team):
    advisor = team.member()
    conn = team.login(advisor)
    for table in ("changes", "devices", "settings", "envelopes", "epochs"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"SELECT * FROM workbench.{table}")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO workbench.changes (op_id, channel, device_id, entity,"
                     " key_epoch, schema_version, nonce, ciphertext, signature)"
                     " VALUES (gen_random_uuid(), 'case', %s, '', 1, 1, '', '', '')",
                     (advisor.device_id,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
        conn.execute("LOCK TABLE workbench.push_gate IN EXCLUSIVE MODE")  # to stall others
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # internal helper
        conn.execute("SELECT workbench._caller('active')")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # an administrator's only
        conn.execute("SELECT workbench._put_envelopes('{}', '{}', '{}', '{}', NULL)")

    change = Change()
    [(op_id, seq)] = push(conn, [change])
    assert op_id == change.op_id
    assert pull(conn) == [(seq, change.op_id, "case", advisor.device_id, change.ciphertext)]

    forced = team.owner.execute(
        "SELECT bool_and(relrowsecurity AND relforcerowsecurity) FROM pg_class"
        " WHERE relnamespace = 'workbench'::regnamespace AND relkind = 'r'").fetchone()[0]
    assert forced is True


def test_row_security_holds_even_after_a_mistaken_grant(team):
    advisor = team.member()
    conn = team.login(advisor)
    push(conn, [Change(), Change(channel="facts")])
    for grantee in (advisor.db_role, "workbench_device"):
        team.owner.execute(sql.SQL("GRANT SELECT ON workbench.changes, workbench.devices TO {}")
                           .format(sql.Identifier(grantee)))
        team.owner.execute(sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA workbench TO {}")
                           .format(sql.Identifier(grantee)))
    # Even posing as an active administrator, as itself or as the group role, the device sees
    # no row: the device policies hold only while the owner's functions act for a device.
    for name, value in (("device_state", "active"), ("device_role", "admin"),
                        ("device_id", str(advisor.device_id))):
        conn.execute("SELECT set_config(%s, %s, false)", ("workbench." + name, value))
    for role in (advisor.db_role, "workbench_device"):
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        assert conn.execute("SELECT count(*) FROM workbench.changes").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM workbench.devices").fetchone()[0] == 0
    # The owner's own session sees everything.
    assert team.owner.execute("SELECT count(*) FROM workbench.changes").fetchone()[0] == 2


def test_row_security_limits_the_functions_themselves(team):
    """A careless function (no WHERE on the channel) still shows a lead only 'facts'."""
    advisor, lead = team.member("advisor"), team.member("lead")
    push(team.login(advisor), [Change("case"), Change("facts"), Change("audit")])
    for name, body in (("peek", "PERFORM workbench._caller('active');"),
                       ("peek_anonymously", "")):
        team.owner.execute(
            f"CREATE FUNCTION workbench.{name}() RETURNS SETOF text LANGUAGE plpgsql"
            " SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp AS $$"
            f" BEGIN {body} RETURN QUERY SELECT channel FROM workbench.changes ORDER BY seq;"
            " END $$")
        team.owner.execute(f"GRANT EXECUTE ON FUNCTION workbench.{name}() TO workbench_device")

    def peek(device: Device, name: str = "peek") -> list[str]:
        return [row[0] for row in team.login(device).execute(
            f"SELECT * FROM workbench.{name}()")]

    assert peek(advisor) == ["case", "facts", "audit"]
    assert peek(lead) == ["facts"]
    # Without the caller's settings (made by workbench._caller) a function sees nothing.
    assert peek(advisor, "peek_anonymously") == []


def test_a_case_workers_pull_leaves_out_the_leads_facts_and_a_leads_has_only_them(team):
    advisor, other, lead = team.member("advisor"), team.member("advisor"), team.member("lead")
    push(team.login(advisor), [Change("case"), Change("facts"), Change("audit"),
                               Change("facts"), Change("case")])
    assert [row[2] for row in pull(team.login(other))] == ["case", "audit", "case"]
    assert [row[2] for row in pull(team.login(other), max_rows=2)] == ["case", "audit"]
    assert [row[2] for row in pull(team.login(lead))] == ["facts", "facts"]


def test_what_is_waiting_is_what_a_pull_would_bring(team):
    advisor, other, lead = team.member("advisor"), team.member("advisor"), team.member("lead")
    push(team.login(advisor), [Change("case"), Change("facts"), Change("audit"),
                               Change("facts"), Change("case")])

    def waiting(conn, after: int = 0) -> int:
        return conn.execute("SELECT workbench.waiting(%s)", (after,)).fetchone()[0]

    first = pull(team.login(other))[0][0]
    assert waiting(team.login(other)) == len(pull(team.login(other))) == 3
    assert waiting(team.login(other), first) == len(pull(team.login(other), first)) == 2
    assert waiting(team.login(lead)) == len(pull(team.login(lead))) == 2
    with pytest.raises(psycopg.Error) as excinfo:
        waiting(team.login(other), -1)
    assert sqlstate_of(excinfo) == "WB005"


def test_a_login_that_is_no_device_is_unknown(team):
    with pytest.raises(psycopg.Error) as refused:  # the owner owns the functions
        team.owner.execute("SELECT * FROM workbench.my_device()")
    assert sqlstate_of(refused) == server.UNKNOWN_DEVICE
    assert server.classify(refused.value) == "unknown_device"


# -- push and pull ------------------------------------------------------------------------


def test_push_is_idempotent(team):
    alice, bob = team.member(), team.member()
    a = team.login(alice)
    first, second = Change(), Change()
    assert push(a, [first]) == [(first.op_id, 1)]
    # The acknowledgement was lost: the retry, with a new change, learns the old seq.
    assert push(a, [first, second]) == [(first.op_id, 1), (second.op_id, 2)]
    assert push(a, [second, second]) == [(second.op_id, 2), (second.op_id, 2)]
    assert [row[1] for row in pull(a)] == [first.op_id, second.op_id]
    assert team.owner.execute("SELECT count(*) FROM workbench.changes").fetchone()[0] == 2

    # Another device cannot claim (or learn about) an op_id that is not its own.
    with pytest.raises(psycopg.Error) as refused:
        push(team.login(bob), [first])
    assert sqlstate_of(refused) == server.BAD_INPUT


def test_the_cursor_never_skips_a_late_commit(team):
    """A reader whose cursor passed seq n must still get every seq below n.

    Reproduced without the gate (the `LOCK TABLE workbench.push_gate` line removed from
    push): A's open transaction took seq 1, B took seq 2 and committed at once, the puller
    read [seq 2] and moved its cursor to 2, A committed, and the pull after 2 returned
    nothing, so A's change was never delivered: the final assertion saw only B's op_id.
    With the gate B waits for A's commit (seen below as a lock wait), so seq order is commit
    order.
    """
    alice, bob = team.member(name="alice"), team.member(name="bob")
    a = team.login(alice, autocommit=False)
    b = team.login(bob)
    puller = team.admin_conn
    late, early = Change(), Change()

    push(a, [late])  # A has its seq but has not committed
    results: dict[str, object] = {}

    def push_b() -> None:
        try:
            results["b"] = push(b, [early])
        except BaseException as error:
            results["error"] = error

    thread = threading.Thread(target=push_b)
    thread.start()
    waits = []
    deadline = time.monotonic() + 10
    while thread.is_alive() and time.monotonic() < deadline:
        row = team.su.execute("SELECT wait_event_type, wait_event FROM pg_stat_activity"
                              " WHERE pid = %s", (b.info.backend_pid,)).fetchone()
        if row and row[0] == "Lock":
            waits.append(row)
            break
        time.sleep(0.01)

    seen = pull(puller)
    cursor = max((row[0] for row in seen), default=0)
    a.commit()
    thread.join(10)
    assert not thread.is_alive()
    assert "error" not in results, results
    seen += pull(puller, after=cursor)

    assert [row[1] for row in seen] == [late.op_id, early.op_id]
    assert [row[0] for row in seen] == sorted(row[0] for row in seen)
    assert waits == [("Lock", "relation")]  # B waited for the gate, not for a row

    # The same wait, shown with a lock timeout: B cannot push while A holds the gate.
    push(a, [Change()])
    b.execute("SET lock_timeout = '100ms'")
    with pytest.raises(psycopg.errors.LockNotAvailable):
        push(b, [Change()])
    a.rollback()
    assert len(push(b, [Change()])) == 1


def test_a_large_batch_and_paged_pulls(team):
    conn = team.login(team.member())
    changes = [Change(channel=("case", "facts", "audit")[i % 3]) for i in range(server.MAX_PUSH)]
    started = time.monotonic()
    acks = push(conn, changes)
    assert time.monotonic() - started < 5
    assert [op for op, _ in acks] == [c.op_id for c in changes]
    assert [seq for _, seq in acks] == list(range(1, server.MAX_PUSH + 1))  # in batch order

    seen, cursor = [], 0
    while page := pull(conn, cursor, 1800):
        seen += page
        cursor = page[-1][0]
    # A case worker's laptop is not sent the leads' facts records.
    assert [row[1] for row in seen] == [c.op_id for c in changes if c.channel != "facts"]
    more = [Change() for _ in range(server.MAX_PUSH)]
    push(conn, more)
    assert len(pull(conn, 0, 100_000)) == server.MAX_PULL  # capped

    too_many = [*more, Change()]
    for bad in (lambda: push(conn, too_many),
                lambda: conn.execute(PUSH, ([uuid.uuid4()], ["case", "case"], [b""], [1], [1],
                                            [b""], [b""], [b""], CLIENT)),
                lambda: conn.execute(PUSH, ([uuid.uuid4()], ["gossip"], [b""], [1], [1],
                                            [b""], [b""], [b""], CLIENT)),
                lambda: conn.execute(PUSH, ([uuid.uuid4()], ["case"], [None], [1], [1],
                                            [b""], [b""], [b""], CLIENT)),
                lambda: pull(conn, 0, 0)):
        with pytest.raises(psycopg.Error) as refused:
            bad()
        assert sqlstate_of(refused) == server.BAD_INPUT


# -- key epochs and client versions -------------------------------------------------------


def test_after_a_rotation_the_old_epoch_is_refused(team):
    advisor = team.member()
    conn = team.login(advisor)
    stored = Change()
    push(conn, [stored])

    team.admin_conn.execute("SELECT workbench.rotate('case', 2, %s::uuid[], %s::bytea[])",
                            ([team.admin.device_id, advisor.device_id], [b"a2", b"b2"]))
    assert dict(conn.execute("SELECT * FROM workbench.current_epochs()").fetchall()) == {
        "case": 2, "facts": 1}
    assert ("case", 2, b"b2") in [row[:3] for row in conn.execute(
        "SELECT * FROM workbench.my_envelopes()").fetchall()]

    for stale in (Change(channel="case", key_epoch=1), Change(channel="audit", key_epoch=1),
                  Change(channel="facts", key_epoch=2)):
        with pytest.raises(psycopg.Error) as refused:
            push(conn, [stale])
        assert sqlstate_of(refused) == server.STALE_EPOCH
        assert server.classify(refused.value) == "stale_epoch"
    accepted = push(conn, [Change(channel="case", key_epoch=2),
                           Change(channel="audit", key_epoch=2),
                           Change(channel="facts", key_epoch=1)])
    assert [seq for _, seq in accepted] == [2, 3, 4]
    # A retry of a change stored before the rotation still learns its seq.
    assert push(conn, [stored]) == [(stored.op_id, 1)]

    for wrong in (2, 4):  # only current+1
        with pytest.raises(psycopg.Error) as refused:
            team.admin_conn.execute("SELECT workbench.rotate('case', %s, %s::uuid[],"
                                    " %s::bytea[])", (wrong, [team.admin.device_id], [b"x"]))
        assert sqlstate_of(refused) == server.STALE_EPOCH
    with pytest.raises(psycopg.Error) as refused:  # only administrators rotate
        conn.execute("SELECT workbench.rotate('case', 3, %s::uuid[], %s::bytea[])",
                     ([advisor.device_id], [b"x"]))
    assert sqlstate_of(refused) == server.NOT_ALLOWED


def test_a_client_older_than_the_minimum_must_update(team):
    advisor = team.member()
    conn = team.login(advisor)
    with pytest.raises(psycopg.Error) as refused:
        conn.execute("SELECT workbench.set_min_client_version(5)")
    assert sqlstate_of(refused) == server.NOT_ALLOWED
    team.admin_conn.execute("SELECT workbench.set_min_client_version(5)")
    assert conn.execute("SELECT * FROM workbench.server_info()").fetchone() == (1, TEAM, 5)

    with pytest.raises(psycopg.Error) as refused:
        push(conn, [Change()], client_version=4)
    assert sqlstate_of(refused) == server.CLIENT_TOO_OLD
    assert "update this program" in refused.value.diag.message_primary
    assert len(push(conn, [Change()], client_version=5)) == 1


# -- roles --------------------------------------------------------------------------------


def test_a_lead_gets_only_facts_and_cannot_send_case_changes(team):
    advisor, lead = team.member("advisor"), team.member("lead")
    a, lead_conn = team.login(advisor), team.login(lead)
    case, facts, audit = Change("case"), Change("facts"), Change("audit")
    push(a, [case, facts, audit])

    assert [row[1:3] for row in pull(lead_conn)] == [(facts.op_id, "facts")]
    assert [row[2] for row in pull(a)] == ["case", "audit"]  # facts are for leads
    with pytest.raises(psycopg.Error) as refused:
        push(lead_conn, [Change("case")])
    assert sqlstate_of(refused) == server.NOT_ALLOWED
    mine = Change("facts")
    push(lead_conn, [mine])
    assert [row[1] for row in pull(lead_conn)] == [facts.op_id, mine.op_id]
    # A lead cannot learn of a case change by pushing its op_id either.
    with pytest.raises(psycopg.Error) as refused:
        push(lead_conn, [Change("facts", op_id=case.op_id)])
    assert sqlstate_of(refused) == server.BAD_INPUT


# -- enrolment ----------------------------------------------------------------------------


def test_invite_enrol_approve(team):
    device = team.invite("advisor", "berit-laptop")
    conn = team.login(device)  # the invitation's password
    assert conn.execute("SELECT name, role, state FROM workbench.my_device()").fetchone() == (
        "berit-laptop", "advisor", "invited")
    assert conn.execute("SELECT team_id FROM workbench.server_info()").fetchone() == (TEAM,)

    def refused(statement: str, params=()) -> str | None:
        with pytest.raises(psycopg.Error) as error:
            conn.execute(statement, params)
        return sqlstate_of(error)

    waiting = ("SELECT * FROM workbench.pull(0, 10)", "SELECT * FROM workbench.my_envelopes()",
               "SELECT * FROM workbench.devices()", "SELECT * FROM workbench.current_epochs()")
    for statement in waiting:
        assert refused(statement) == server.NOT_ALLOWED
    with pytest.raises(psycopg.Error) as error:
        push(conn, [Change()])
    assert sqlstate_of(error) == server.NOT_ALLOWED
    # Not approvable before it has enrolled its keys.
    with pytest.raises(psycopg.Error) as error:
        team.approve(device)
    assert sqlstate_of(error) == server.NOT_ALLOWED

    conn.execute("SELECT workbench.enrol(%s, %s, %s)",
                 (device.box_public, device.sign_public, CLIENT))
    assert conn.execute("SELECT state FROM workbench.my_device()").fetchone() == ("pending",)
    assert refused("SELECT workbench.enrol('\\x01', '\\x02', 3)") == server.NOT_ALLOWED
    for statement in waiting:
        assert refused(statement) == server.NOT_ALLOWED
    # The administrator sees the keys to compare fingerprints.
    roster = {row[0]: row for row in team.admin_conn.execute(
        "SELECT device_id, state, box_public, sign_public FROM workbench.devices()")}
    assert roster[device.device_id][1:] == ("pending", device.box_public, device.sign_public)
    # Only an administrator may invite or approve.
    assert refused("SELECT workbench.approve(%s, '\\x01', '{}', '{}', '{}')",
                   (device.device_id,)) == server.NOT_ALLOWED

    team.approve(device)
    assert conn.execute("SELECT state, certificate, approved_by FROM workbench.my_device()"
                        ).fetchone() == ("active", b"certificate of berit-laptop",
                                         team.admin.device_id)
    assert conn.execute("SELECT channel, epoch, sealed FROM workbench.my_envelopes()"
                        ).fetchall() == [("case", 1, b"case-1"), ("facts", 1, b"facts-1")]
    assert len(push(conn, [Change()])) == 1
    assert refused("SELECT workbench.invite(gen_random_uuid(), 'x', 'y', 'advisor', 'pw')"
                   ) == server.NOT_ALLOWED
    with pytest.raises(psycopg.Error) as error:  # approved once only
        team.approve(device)
    assert sqlstate_of(error) == server.NOT_ALLOWED

    # Duplicate names and bad roles are refused.
    for args in ((uuid.uuid4(), "berit-laptop", "b", "advisor", "pw"),
                 (device.device_id, "other", "b", "advisor", "pw"),
                 (uuid.uuid4(), "other", "b", "superhero", "pw")):
        with pytest.raises(psycopg.Error) as error:
            team.admin_conn.execute("SELECT workbench.invite(%s, %s, %s, %s, %s)", args)
        assert sqlstate_of(error) == server.BAD_INPUT

    # The laptop replaces the invitation's password with its own secret.
    secret = secrets.token_urlsafe(24)
    verifier = conn.pgconn.encrypt_password(secret.encode(), device.db_role.encode(),
                                            b"scram-sha-256").decode()
    conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
        sql.Identifier(device.db_role), sql.Literal(verifier)))
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        team.connect(device.db_role, device.password)
    assert team.connect(device.db_role, secret).execute(
        "SELECT state FROM workbench.my_device()").fetchone() == ("active",)


# -- revocation ---------------------------------------------------------------------------


def test_revoke_closes_connections_and_refuses_logins(team):
    advisor = team.member()
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        team.connect(advisor.db_role, "not the password")
    open_conn = team.login(advisor)
    push(open_conn, [Change()])
    pid = open_conn.info.backend_pid

    team.admin_conn.execute("SELECT workbench.revoke(%s)", (advisor.device_id,))

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and team.su.execute(
            "SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
        time.sleep(0.01)
    with pytest.raises(psycopg.OperationalError):
        open_conn.execute("SELECT * FROM workbench.my_device()")
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        team.login(advisor)
    state = team.admin_conn.execute(
        "SELECT state, revoked_at IS NOT NULL FROM workbench.devices() WHERE device_id = %s",
        (advisor.device_id,)).fetchone()
    assert state == ("revoked", True)

    # Were its login restored by mistake, every call would still be refused.
    team.su.execute(sql.SQL("ALTER ROLE {} LOGIN").format(sql.Identifier(advisor.db_role)))
    conn = team.login(advisor)
    for statement in ("SELECT * FROM workbench.my_device()", "SELECT * FROM workbench.pull(0, 9)",
                      "SELECT * FROM workbench.server_info()"):
        with pytest.raises(psycopg.Error) as refused:
            conn.execute(statement)
        assert sqlstate_of(refused) == server.NOT_ALLOWED
    with pytest.raises(psycopg.Error) as refused:
        push(conn, [Change()])
    assert sqlstate_of(refused) == server.NOT_ALLOWED
    # No new keys for it either.
    with pytest.raises(psycopg.Error) as refused:
        team.admin_conn.execute("SELECT workbench.rotate('case', 2, %s::uuid[], %s::bytea[])",
                                ([team.admin.device_id, advisor.device_id], [b"a", b"b"]))
    assert sqlstate_of(refused) == server.NOT_ALLOWED


def test_the_last_administrator_cannot_be_revoked(team):
    with pytest.raises(psycopg.Error) as refused:
        team.admin_conn.execute("SELECT workbench.revoke(%s)", (team.admin.device_id,))
    assert sqlstate_of(refused) == server.NOT_ALLOWED
    with pytest.raises(psycopg.Error) as refused:
        team.admin_conn.execute("SELECT workbench.revoke(%s)", (uuid.uuid4(),))
    assert sqlstate_of(refused) == server.UNKNOWN_DEVICE

    # With a second administrator, the first may leave (its own connection survives the
    # call; its next call is refused).
    second = team.member("admin")
    team.admin_conn.execute("SELECT workbench.revoke(%s)", (team.admin.device_id,))
    with pytest.raises(psycopg.Error) as refused:
        team.admin_conn.execute("SELECT * FROM workbench.devices()")
    assert sqlstate_of(refused) == server.NOT_ALLOWED
    with pytest.raises(psycopg.Error) as refused:
        team.login(second).execute("SELECT workbench.revoke(%s)", (second.device_id,))
    assert sqlstate_of(refused) == server.NOT_ALLOWED
