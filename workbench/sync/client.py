"""Talking to the organisation's PostgreSQL: only the locked-down functions that
``workbench server init`` installs; this device's own login; short timeouts so a
vanishing network is noticed, not waited on."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql

from workbench.errors import WorkbenchError
from workbench.i18n import N_
from workbench.sync.sealing import Sealed
from workbench.sync.unreachable import ServerUnreachable

CLIENT_VERSION = 1  # the sync protocol this program speaks (the server may require more)
CONNECT_TIMEOUT_S = 8
STATEMENT_TIMEOUT_MS = 60_000
PAGE = 500
# A laptop far behind (a first sync) takes larger pages, as each page is applied in one
# transaction and each transaction costs a write of the log to disk.
BULK_PAGE = 2000


_REASONS = {
    "login": N_("The team server refused this laptop's login; the laptop may have been "
                "removed from the team. Ask an administrator."),
    "too_old": N_("The team needs a newer version of this program. Update the program, then "
                  "sync again; nothing here was lost."),
    "not_allowed": N_("The team server does not allow this laptop to do that."),
    "pending": N_("This laptop is waiting for an administrator to approve it."),
    "revoked": N_("This laptop was removed from the team; its work stays here but can no "
                  "longer be sent."),
    "unknown": N_("The team server does not know this laptop."),
    "stale_epoch": N_("The team's keys changed while sending; sync again."),
    "no_key": N_("This laptop holds no team key yet; sync again once it is approved."),
    "untrusted_key": N_("The server offers a team key that no administrator of the team "
                        "signed, so nothing was sent. Tell an administrator; the changes "
                        "stay here."),
    "used": N_("This invitation was already used or withdrawn; ask an administrator for a "
               "new one."),
}


class Refused(WorkbenchError):
    """The server answered no: ``code`` says why (login, too_old, not_allowed, …)."""

    exit_code = 2
    template = N_("The team server could not do this: {detail}")

    def __init__(self, code: str, detail: str = "") -> None:
        reason = _REASONS.get(code)
        if reason is not None:
            super().__init__(reason)
        else:
            super().__init__(detail=detail or code)
        self.code = code
        self.detail = detail


_CODES = {"WB001": "stale_epoch", "WB002": "too_old", "WB003": "not_allowed",
          "WB004": "unknown", "WB005": "bad_input"}


def _uuid(hex_id: str) -> uuid.UUID:
    return uuid.UUID(hex=hex_id)


def _hex(value: Any) -> str:
    return value.hex if isinstance(value, uuid.UUID) else uuid.UUID(str(value)).hex


class Server:
    """One connection, used for one sync (or one administrator's command)."""

    page = PAGE  # records per pull and per push
    bulk_page = BULK_PAGE  # records per pull while far behind

    def __init__(self, conninfo: str, password: str | None = None) -> None:
        self.conninfo = conninfo
        self.password = password
        self._conn: psycopg.Connection | None = None

    def __enter__(self) -> Server:
        try:
            self._conn = psycopg.connect(
                self.conninfo, password=self.password, autocommit=True,
                connect_timeout=CONNECT_TIMEOUT_S, application_name="workbench",
                options=f"-c statement_timeout={STATEMENT_TIMEOUT_MS}")
        except psycopg.OperationalError as error:
            raise _classify_connect(error) from error
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # --- calls ---------------------------------------------------------------------------

    def _call(self, query: str, params: tuple = ()) -> list[tuple]:
        assert self._conn is not None
        try:
            with self._conn.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall() if cursor.description else []
        except psycopg.Error as error:
            raise _classify(error) from error

    def server_info(self) -> dict:
        (row,) = self._call("SELECT * FROM workbench.server_info()")
        return {"schema_version": row[0], "team_id": row[1], "min_client_version": row[2]}

    def my_device(self) -> dict | None:
        rows = self._call("SELECT device_id, name, user_name, role, state, certificate, "
                          "approved_by FROM workbench.my_device()")
        if not rows:
            return None
        r = rows[0]
        return {"device_id": _hex(r[0]), "name": r[1], "user": r[2], "role": r[3],
                "state": r[4], "certificate": bytes(r[5]) if r[5] else None,
                "approved_by": _hex(r[6]) if r[6] else None}

    def my_envelopes(self) -> list[tuple[str, int, bytes]]:
        return [(r[0], r[1], bytes(r[2])) for r in self._call(
            "SELECT channel, epoch, sealed FROM workbench.my_envelopes()")]

    def devices(self) -> list[dict]:
        rows = self._call("SELECT device_id, name, user_name, role, state, box_public, "
                          "sign_public, certificate, approved_by, created_at, approved_at, "
                          "revoked_at, last_seen FROM workbench.devices()")
        return [{"device_id": _hex(r[0]), "name": r[1], "user": r[2], "role": r[3],
                 "state": r[4], "box_public": bytes(r[5]) if r[5] else None,
                 "sign_public": bytes(r[6]) if r[6] else None,
                 "certificate": bytes(r[7]) if r[7] else None,
                 "approved_by": _hex(r[8]) if r[8] else None,
                 "created_at": r[9], "approved_at": r[10], "revoked_at": r[11],
                 "last_seen": r[12]} for r in rows]

    def current_epochs(self) -> dict[str, int]:
        return dict(self._call("SELECT channel, epoch FROM workbench.current_epochs()"))

    def push(self, records: list[Sealed]) -> dict[str, int]:
        """Send records; returns the server's number for each (also for ones it already
        had: a retry never makes a second copy)."""
        rows = self._call(
            "SELECT op_id, seq FROM workbench.push(%s::uuid[], %s::text[], %s::bytea[], "
            "%s::int[], %s::int[], %s::bytea[], %s::bytea[], %s::bytea[], %s)",
            ([_uuid(r.op_id) for r in records], [r.channel for r in records],
             [r.entity for r in records], [r.key_epoch for r in records],
             [r.schema_version for r in records], [r.nonce for r in records],
             [r.ciphertext for r in records], [r.signature for r in records],
             CLIENT_VERSION))
        return {_hex(op): seq for op, seq in rows}

    def pull(self, after: int, limit: int | None = None) -> list[tuple[int, Sealed]]:
        rows = self._call(
            "SELECT seq, op_id, channel, device_id, entity, key_epoch, schema_version, nonce, "
            "ciphertext, signature FROM workbench.pull(%s, %s)", (after, limit or self.page))
        return [(r[0], Sealed(_hex(r[1]), r[2], _hex(r[3]), bytes(r[4]), r[5], r[6],
                              bytes(r[7]), bytes(r[8]), bytes(r[9]))) for r in rows]

    def waiting(self, after: int) -> int | None:
        """How many records a pull after ``after`` brings; None from a server whose
        functions predate the question (its administrator has not run ``server init``
        with this version yet)."""
        assert self._conn is not None
        try:
            with self._conn.cursor() as cursor:
                ((count,),) = cursor.execute("SELECT workbench.waiting(%s)", (after,)).fetchall()
                return count
        except psycopg.errors.UndefinedFunction:
            return None
        except psycopg.Error as error:
            raise _classify(error) from error

    def pull_pages(self, after: int) -> Iterator[list[tuple[int, Sealed]]]:
        limit = self.page
        while True:
            page = self.pull(after, limit)
            if not page:
                return
            yield page
            after = page[-1][0]
            if len(page) < limit:
                return
            limit = max(limit, min(limit * 2, self.bulk_page))

    def invite(self, device_id: str, name: str, user: str, role: str, password: str) -> str:
        ((role_name,),) = self._call("SELECT workbench.invite(%s, %s, %s, %s, %s)",
                                     (_uuid(device_id), name, user, role, password))
        return role_name

    def enrol(self, box_public: bytes, sign_public: bytes) -> None:
        self._call("SELECT workbench.enrol(%s, %s, %s)", (box_public, sign_public,
                                                        CLIENT_VERSION))

    def change_password(self, password: str) -> None:
        """A new login secret, sent as a SCRAM verifier made here: the server never sees
        the secret itself (nor does its statement log)."""
        assert self._conn is not None
        verifier = self._conn.pgconn.encrypt_password(
            password.encode(), self._conn.info.user.encode(), b"scram-sha-256").decode()
        self._call(sql.SQL("ALTER ROLE CURRENT_USER WITH PASSWORD {}").format(
            sql.Literal(verifier)).as_string(self._conn))

    def approve(self, device_id: str, certificate: bytes,
                envelopes: list[tuple[str, int, bytes]]) -> None:
        self._call("SELECT workbench.approve(%s, %s, %s::text[], %s::int[], %s::bytea[])",
                   (_uuid(device_id), certificate, [e[0] for e in envelopes],
                    [e[1] for e in envelopes], [e[2] for e in envelopes]))

    def rotate(self, channel: str, epoch: int, sealed: dict[str, bytes]) -> None:
        self._call("SELECT workbench.rotate(%s, %s, %s::uuid[], %s::bytea[])",
                   (channel, epoch, [_uuid(d) for d in sealed], list(sealed.values())))

    def add_envelopes(self, envelopes: list[tuple[str, str, int, bytes]]) -> None:
        self._call("SELECT workbench.add_envelopes(%s::uuid[], %s::text[], %s::int[], "
                   "%s::bytea[])", ([_uuid(e[0]) for e in envelopes],
                                    [e[1] for e in envelopes], [e[2] for e in envelopes],
                                    [e[3] for e in envelopes]))

    def revoke(self, device_id: str) -> int:
        """Disable the device's login; returns the number of its last change."""
        ((last,),) = self._call("SELECT workbench.revoke(%s)", (_uuid(device_id),))
        return int(last or 0)

    def set_min_client_version(self, version: int) -> None:
        self._call("SELECT workbench.set_min_client_version(%s)", (version,))


def _classify_connect(error: psycopg.OperationalError) -> Exception:
    # The server's answer names the reason (28P01 wrong password, 28000 not allowed to log
    # in); libpq does not always keep the SQLSTATE of a failed connection, so the text too.
    state = getattr(error, "sqlstate", None) or ""
    text = str(error).lower()
    if state.startswith("28") or any(phrase in text for phrase in (
            "password authentication failed", "not permitted to log in",
            "no pg_hba.conf entry", "does not exist")):
        return Refused("login", str(error))
    return ServerUnreachable(str(error))


def _classify(error: psycopg.Error) -> Exception:
    state = getattr(error, "sqlstate", None) or ""
    if state in _CODES:
        return Refused(_CODES[state], getattr(error.diag, "message_primary", "") or "")
    if state == "55P03":  # another laptop holds the server's gate: busy, try again later
        return ServerUnreachable(str(error))
    if state.startswith("28") or state == "42501":  # authorisation; insufficient privilege
        return Refused("not_allowed", str(error))
    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError) or \
            state.startswith(("08", "57")):  # connection exception; operator intervention
        return ServerUnreachable(str(error))
    return Refused("server_error", str(error))
