"""The team-sync server side: a schema in the organisation's PostgreSQL, no program of ours.

``install`` puts into one database: the schema ``workbench`` (settings, devices, key epochs,
key envelopes, the append-only change log), the NOLOGIN group role ``workbench_device``, and
the ``SECURITY DEFINER`` functions devices call (``schema.sql``). Devices get USAGE on the
schema and EXECUTE on those functions only, no table privileges; row-level security is
forced on the tables so that even the functions (which run as the owner) see only what the
calling device may see. The server stores ciphertext only.

The installing connection logs in as the owner: a role with CREATEROLE (device logins are
made by ``invite``) and membership in ``pg_signal_backend`` (``revoke`` closes a removed
device's connections), or a superuser. A session of the owner sees all rows; the functions
acting for a device see that device's share. Tables change through numbered steps
(``steps/NNNN_name.sql``, the first line a ``--`` comment saying what the step does);
``schema.sql`` is applied again whenever its text changes.

Functions report our errors with SQLSTATEs of class ``WB`` (see ``CODES``, ``classify``).
Device roles are ``wb_`` + the device id's hex digits (``role_name``). A device may later
change its own password (``ALTER ROLE … PASSWORD``), preferably to a SCRAM verifier made on
the laptop (``conn.pgconn.encrypt_password``) so the secret never reaches the server.

Never imports Qt: this runs in the command line (``workbench server init``) and in tests.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import psycopg

SCHEMA_VERSION = 1
SCHEMA = "workbench"
DEVICE_GROUP = "workbench_device"
ROLES = ("admin", "advisor", "lead")
CHANNELS = ("case", "facts", "audit")
KEY_CHANNELS = ("case", "facts")  # channels with their own team keys; 'audit' uses 'case'
MAX_PUSH = 5000  # changes per push call
MAX_PULL = 5000  # changes per pull call

# Our SQLSTATEs and the short codes ``classify`` gives them.
STALE_EPOCH = "WB001"     # the change used an old team key: fetch envelopes, re-encrypt
CLIENT_TOO_OLD = "WB002"  # the team requires a newer program: update this program
NOT_ALLOWED = "WB003"     # the device's role or state does not allow this
UNKNOWN_DEVICE = "WB004"  # the login is no device of the team, or the device is unknown
BAD_INPUT = "WB005"       # malformed arguments (lengths, empty fields, duplicates)
CODES = {
    STALE_EPOCH: "stale_epoch",
    CLIENT_TOO_OLD: "client_too_old",
    NOT_ALLOWED: "not_allowed",
    UNKNOWN_DEVICE: "unknown_device",
    BAD_INPUT: "bad_input",
}

_HERE = Path(__file__).resolve().parent
_STEPS = _HERE / "steps"
_FUNCTIONS = _HERE / "schema.sql"
_STEP_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Two-key advisory lock serialising installs (only the owner installs).
_INSTALL_LOCK = (574201, 0)
_SETTINGS_READ = "SELECT key, value FROM workbench.settings"


class ServerError(Exception):
    """The team server cannot be installed or used as asked."""


class WrongTeam(ServerError):
    """The database already holds another team's data."""

    def __init__(self, expected: str, found: str) -> None:
        self.expected, self.found = expected, found
        super().__init__(f"this database belongs to team {found!r}, not {expected!r}; "
                         "use an empty database for a new team")


class ServerTooNew(ServerError):
    """The database was set up by a newer program."""

    def __init__(self, found: int) -> None:
        self.found = found
        super().__init__(f"the team server has schema version {found}, this program knows "
                         f"up to {SCHEMA_VERSION}: update this program")


class NotInstalled(ServerError):
    """The database has no (current) team-sync schema."""


class MissingPrivilege(ServerError):
    """The installing role lacks a privilege the functions need."""


def classify(error: psycopg.Error) -> str | None:
    """The short code of one of our SQLSTATEs (``CODES``), or None for any other error."""
    return CODES.get(getattr(error, "sqlstate", None) or "")


def role_name(device_id: uuid.UUID) -> str:
    """The PostgreSQL login role of a device (as ``invite`` makes it)."""
    return "wb_" + uuid.UUID(str(device_id)).hex


@dataclass(frozen=True)
class Step:
    version: int
    description: str
    sql: str


@cache
def steps() -> tuple[Step, ...]:
    """The numbered schema steps, 1..n."""
    found = []
    for path in sorted(_STEPS.glob("*.sql")):
        match = _STEP_NAME.match(path.name)
        if not match:
            continue
        text = path.read_text(encoding="utf-8")
        found.append(Step(int(match.group(1)), text.splitlines()[0].removeprefix("--").strip(),
                          text))
    if [step.version for step in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"server steps are not numbered 1..n: {[s.version for s in found]}")
    if len(found) != SCHEMA_VERSION:
        raise RuntimeError(f"SCHEMA_VERSION is {SCHEMA_VERSION} but there are {len(found)} steps")
    return tuple(found)


@cache
def functions_sql() -> str:
    return _FUNCTIONS.read_text(encoding="utf-8")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- installing -----------------------------------------------------------------------------


def install(conn: psycopg.Connection, team_id: str) -> int:
    """Install or upgrade the team-sync schema; returns the schema version now installed.

    Idempotent: a second call finds everything in place and changes nothing. Refuses a
    database that belongs to another team (``WrongTeam``) or was set up by a newer program
    (``ServerTooNew``). Runs in one transaction (a savepoint if the caller has one open).
    """
    if not isinstance(team_id, str) or not team_id.strip():
        raise ValueError("team_id must be a non-empty string")
    with conn.transaction():
        conn.execute("SET LOCAL search_path = pg_catalog, pg_temp")
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", _INSTALL_LOCK)
        _check_privileges(conn)
        settings = _settings(conn)
        version = 0
        if settings is not None:
            found_team = settings.get("team_id", "")
            if found_team != team_id:
                raise WrongTeam(team_id, found_team)
            version = int(settings.get("schema_version", "0"))
            if version > SCHEMA_VERSION:
                raise ServerTooNew(version)
        for step in steps()[version:]:
            conn.execute(step.sql)
        functions = functions_sql()
        digest = _digest(functions)
        if settings is None or version < SCHEMA_VERSION \
                or settings.get("functions_digest") != digest:
            conn.execute(functions)
        wanted = {"schema_version": str(SCHEMA_VERSION), "team_id": team_id,
                  "functions_digest": digest,
                  "min_client_version": (settings or {}).get("min_client_version", "0")}
        for key, value in wanted.items():
            if (settings or {}).get(key) != value:
                conn.execute("INSERT INTO workbench.settings (key, value) VALUES (%s, %s) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                             (key, value))
    return SCHEMA_VERSION


def _check_privileges(conn: psycopg.Connection) -> None:
    row = conn.execute(
        "SELECT r.rolname, r.rolsuper, r.rolcreaterole,"
        " pg_has_role(current_user, 'pg_signal_backend', 'MEMBER'),"
        " current_setting('server_version_num')::int,"
        " coalesce((SELECT pg_has_role(current_user, g.oid, 'MEMBER WITH ADMIN OPTION')"
        "           FROM pg_roles g WHERE g.rolname = %s), true)"
        " FROM pg_roles r WHERE r.rolname = current_user", (DEVICE_GROUP,)).fetchone()
    name, superuser, createrole, can_signal, server_version, group_admin = row
    if superuser:
        return
    if not createrole:
        raise MissingPrivilege(f"role {name!r} needs CREATEROLE to make device logins "
                               f"(ALTER ROLE {name} CREATEROLE)")
    if not can_signal:
        raise MissingPrivilege(f"role {name!r} needs pg_signal_backend to disconnect removed "
                               f"devices (GRANT pg_signal_backend TO {name})")
    if server_version >= 160000 and not group_admin:  # PostgreSQL 16: CREATEROLE is not enough
        raise MissingPrivilege(f"role {name!r} needs ADMIN OPTION on {DEVICE_GROUP} "
                               f"(GRANT {DEVICE_GROUP} TO {name} WITH ADMIN OPTION)")


def _settings(conn: psycopg.Connection) -> dict[str, str] | None:
    """The installed settings, None on a database without the schema."""
    table, schema_objects = conn.execute(
        "SELECT to_regclass('workbench.settings') IS NOT NULL,"
        " (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        "  WHERE n.nspname = %s) + (SELECT count(*) FROM pg_proc p"
        "  JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s)",
        (SCHEMA, SCHEMA)).fetchone()
    if not table:
        if schema_objects:
            raise ServerError(f"the database has a schema {SCHEMA!r} that this program did "
                              "not make; use another database")
        return None
    owner = conn.execute(
        "SELECT pg_has_role(session_user, c.relowner, 'MEMBER'),"
        " pg_has_role(current_user, c.relowner, 'MEMBER'), c.relowner::regrole::text"
        " FROM pg_class c WHERE c.oid = 'workbench.settings'::regclass").fetchone()
    if not (owner[0] and owner[1]):
        raise ServerError(f"log in as the role that owns the team-sync schema ({owner[2]})")
    return dict(conn.execute(_SETTINGS_READ).fetchall())


# -- the first device -------------------------------------------------------------------


def register_first_device(conn: psycopg.Connection, *, device_id: uuid.UUID, name: str,
                          user_name: str, role: str, password: str, box_public: bytes,
                          sign_public: bytes, certificate: bytes,
                          envelopes: Iterable[tuple[str, int, bytes]]) -> str:
    """Add an active device directly, as the owner (normally the team's first administrator).

    Makes the device's LOGIN role (returned) with ``password``, makes epoch 1 of channels
    'case' and 'facts' if missing, and stores the device's ``envelopes`` as (channel, epoch,
    sealed key). The device counts as approved by itself. Also usable later by the owner to
    add an administrator when none is left.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    envelopes = list(envelopes)
    device_id = uuid.UUID(str(device_id))
    with conn.transaction():
        conn.execute("SET LOCAL search_path = pg_catalog, pg_temp")
        settings = _settings(conn)
        if settings is None:
            raise NotInstalled("the team-sync schema is not installed in this database")
        version = int(settings.get("schema_version", "0"))
        if version > SCHEMA_VERSION:
            raise ServerTooNew(version)
        if version < SCHEMA_VERSION:
            raise NotInstalled(f"the team-sync schema is at version {version}: install "
                               f"version {SCHEMA_VERSION} first")
        conn.execute("LOCK TABLE workbench.admin_gate IN EXCLUSIVE MODE")
        taken = conn.execute("SELECT device_id = %s FROM workbench.devices "
                             "WHERE device_id = %s OR name = %s LIMIT 1",
                             (device_id, device_id, name)).fetchone()
        if taken is not None:
            what = f"device {device_id}" if taken[0] else f"a device named {name!r}"
            raise ServerError(f"{what} is already registered")
        try:
            db_role = conn.execute("SELECT workbench._make_role(%s, %s)",
                                   (device_id, password)).fetchone()[0]
            conn.execute(
                "INSERT INTO workbench.devices (device_id, name, user_name, role, db_role,"
                " box_public, sign_public, certificate, approved_by, state, enrolled_at,"
                " approved_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'active', now(), now())",
                (device_id, name, user_name, role, db_role, box_public, sign_public,
                 certificate, device_id))
            conn.execute("INSERT INTO workbench.epochs (channel, epoch, created_by)"
                         " SELECT ch, 1, %s FROM unnest(%s::text[]) AS ch"
                         " ON CONFLICT DO NOTHING", (device_id, list(KEY_CHANNELS)))
            conn.execute(
                "SELECT workbench._put_envelopes(%s::uuid[], %s::text[], %s::int[],"
                " %s::bytea[], %s)",
                ([device_id] * len(envelopes), [e[0] for e in envelopes],
                 [e[1] for e in envelopes], [e[2] for e in envelopes], device_id))
        except psycopg.Error as error:
            if classify(error) is None and not isinstance(error, psycopg.errors.IntegrityError):
                raise
            message = error.diag.message_primary or str(error)
            raise ServerError(f"cannot register device {device_id}: {message}") from error
    return db_role
