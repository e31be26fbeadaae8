"""Starting a team on the organisation's server, inviting, joining, approving and removing
devices. The command line and the window call these; nothing here prints."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from workbench.errors import ValidationError
from workbench.i18n import N_
from workbench.session import FIRST_USER_ROLES, Role, StoreLocation, create_store
from workbench.store.crypto import KeyPairs, b64, unb64
from workbench.store.files import create_private_file
from workbench.store.keyslots import DEFAULT_KDF, KdfParams
from workbench.sync import keys, server, state, trust
from workbench.sync.client import Refused, Server, ServerUnreachable
from workbench.sync.engine import Team

INVITATION_KIND = "workbench-team-invitation"


@dataclass(frozen=True)
class DeviceRow:
    device_id: str
    name: str
    user: str
    role: str
    state: str
    fingerprint: str
    verified: bool
    last_seen: str
    this_device: bool

    def as_json(self) -> dict:
        return {"device": self.device_id, "name": self.name, "user": self.user,
                "role": self.role, "state": self.state, "fingerprint": self.fingerprint,
                "verified": self.verified, "last_seen": self.last_seen,
                "this_device": self.this_device}


_DEVICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,15}$")


def check_device_name(name: str) -> str:
    """A laptop's name: letters, digits and hyphens, at most 16 (it is printed in the
    numbers of the agreements made on that laptop)."""
    name = name.strip()
    if not _DEVICE_NAME.match(name):
        raise ValidationError(N_("A laptop's name is 1 to 16 letters, digits or hyphens, "
                                 "such as desk-2 or visit."))
    return name


def _device_conninfo(owner_dsn: str, role: str) -> str:
    params = conninfo_to_dict(owner_dsn)
    params.pop("password", None)
    params["user"] = role
    return make_conninfo(**params)


def _new_password() -> str:
    return secrets.token_urlsafe(32)


def _save_device(db, *, team_id: str, device_id: str, name: str, conninfo: str,
                 password: str, root: bytes, device: KeyPairs) -> None:
    state.save_config(db, team_id=team_id, device_id=device_id, device_name=name,
                      conninfo=conninfo, password=password, root_sign=b64(root),
                      box_private=bytes(device.box_private).hex(),
                      sign_private=bytes(device.sign_private).hex())


# --- the first device ---------------------------------------------------------------------

def init_server(session, owner_dsn: str, device_name: str,
                min_client_version: int | None = None) -> str:
    """Install (or upgrade) the schema; on the first run, make this laptop the team's first
    device, holding the first team keys. ``min_client_version`` makes the server refuse
    older programs (after an update that changes what records mean). Returns the team id."""
    session.require(Role.ADMIN, N_("set up the team server"))
    device_name = check_device_name(device_name)
    db = session.db
    try:
        conn = psycopg.connect(owner_dsn, connect_timeout=8, autocommit=True)
    except psycopg.OperationalError as error:
        raise ServerUnreachable(str(error)) from error
    with conn:
        if state.in_team(db):
            team_id = state.config(db)["team_id"]
            server.install(conn, team_id)
            if min_client_version is not None:
                conn.execute("UPDATE workbench.settings SET value = %s "
                             "WHERE key = 'min_client_version'", (str(min_client_version),))
            return team_id
        team_id = uuid.uuid4().hex
        server.install(conn, team_id)
        device_id = uuid.uuid4().hex
        device = KeyPairs.generate()
        password = _new_password()
        team_keys = {channel: keys.new_key() for channel in keys.CHANNELS}
        envelopes = [(channel, 1, keys.wrap(
            team=team_id, channel=channel, epoch=1, key=key, recipient_id=device_id,
            recipient_box=device.box_public, signer_id=device_id, signer_keys=device))
            for channel, key in team_keys.items()]
        certificate = trust.certify(team=team_id, device_id=device_id, name=device_name,
                                    user=session.user.name, role="admin",
                                    box_public=device.box_public,
                                    sign_public=device.sign_public, approver_id=device_id,
                                    approver_keys=device)
        role = server.register_first_device(
            conn, device_id=uuid.UUID(hex=device_id), name=device_name,
            user_name=session.user.name, role="admin", password=password,
            box_public=device.box_public, sign_public=device.sign_public,
            certificate=certificate, envelopes=envelopes)
    with db.transaction():
        _save_device(db, team_id=team_id, device_id=device_id, name=device_name,
                     conninfo=_device_conninfo(owner_dsn, role), password=password,
                     root=device.sign_public, device=device)
        for channel, key in team_keys.items():
            keys.store(db, channel, 1, key)
    state.enable(session, device_id)
    return team_id


# --- invitations --------------------------------------------------------------------------

def _admin_team(session, server_conn: Server) -> Team:
    session.require(Role.ADMIN, N_("manage the team's devices"))
    team = Team(session, server_conn)
    me = team.refresh()
    if me["role"] != "admin":
        raise Refused("not_allowed")
    return team


def invite(session, name: str, user: str, role: str, out: Path) -> dict:
    """Register a new device's login and write the invitation file it joins with."""
    if role not in trust.ROLES:
        raise ValidationError(N_("The role must be admin, advisor or lead."))
    name, user = check_device_name(name), user.strip()
    if not user:
        raise ValidationError(N_("The laptop needs a user."))
    config = state.config(session.db)
    device_id = uuid.uuid4().hex
    password = _new_password()
    with Server(config["conninfo"], config.get("password")) as conn:
        team = _admin_team(session, conn)
        if any(d["name"].casefold() == name.casefold() for d in team.load_devices()):
            raise ValidationError(N_("The team already has a laptop called {name}."),
                                  name=name)
        db_role = conn.invite(device_id, name, user, role, password)
    params = conninfo_to_dict(config["conninfo"])
    params["user"] = db_role
    invitation = {
        "kind": INVITATION_KIND, "v": 1, "team": config["team_id"], "device": device_id,
        "name": name, "user": user, "role": role, "conninfo": make_conninfo(**params),
        "password": password, "root": config["root_sign"],
        "organisation": {"name": session.organisation.name,
                         "country": session.organisation.country,
                         "language": session.organisation.language}}
    out = Path(out)
    if out.exists():
        out.unlink()
    create_private_file(out)
    out.write_text(json.dumps(invitation, indent=2), encoding="utf-8")
    return invitation


def read_invitation(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ValidationError(N_("{path} is not an invitation file."), path=str(path)) \
            from error
    needed = ("team", "device", "name", "user", "role", "conninfo", "password", "root",
              "organisation")
    if not isinstance(data, dict) or data.get("kind") != INVITATION_KIND or any(
            key not in data for key in needed):
        raise ValidationError(N_("{path} is not an invitation file."), path=str(path))
    return data


def join(location: StoreLocation, invitation_path: Path, user: str, passphrase: str,
         kdf: KdfParams = DEFAULT_KDF):
    """Make this laptop's store from an invitation: new keys, enrolled on the server,
    waiting for an administrator to compare the fingerprint. Returns (session, recovery
    key, fingerprint)."""
    invitation = read_invitation(invitation_path)
    if user.strip() != invitation["user"]:
        raise ValidationError(N_("This invitation is for {user}."), user=invitation["user"])
    organisation = invitation["organisation"]
    device = KeyPairs.generate()
    password = _new_password()
    with Server(invitation["conninfo"], invitation["password"]) as conn:
        me = conn.my_device()
        if me is None or me["state"] != "invited":
            raise Refused("used")
        # The new secret first: once the keys are enrolled, the invitation's password
        # no longer opens anything.
        conn.change_password(password)
        conn.enrol(device.box_public, device.sign_public)
    lead = invitation["role"] == "lead"
    session, recovery_key = create_store(
        location, organisation["name"], organisation["country"], user, passphrase,
        language=organisation["language"], kdf=kdf,
        roles=frozenset({"lead"}) if lead else FIRST_USER_ROLES)
    # A lead's laptop keeps its place in the team in the facts store (all it can open).
    db = session.facts_db if lead else session.db
    with db.transaction():
        _save_device(db, team_id=invitation["team"], device_id=invitation["device"],
                     name=invitation["name"], conninfo=invitation["conninfo"],
                     password=password, root=unb64(invitation["root"]), device=device)
    if not lead:
        state.enable(session, invitation["device"])
    return session, recovery_key, trust.fingerprint(
        device.sign_public, device.box_public, invitation["device"], invitation["name"],
        invitation["user"], invitation["role"])


def my_state(session) -> str:
    """This laptop's state on the server: ``pending`` (waiting for an administrator's
    approval), ``active``, ``revoked``; raises ServerUnreachable."""
    db = session.db if session.db is not None else session.facts_db
    config = state.config(db)
    with Server(config["conninfo"], config.get("password")) as conn:
        me = conn.my_device()
    return me["state"] if me is not None else "revoked"


def approve(session, fingerprint: str) -> DeviceRow:
    """Let in the waiting device with this fingerprint: certify it and wrap the team keys
    its role may hold."""
    wanted = trust.normalise_fingerprint(fingerprint)
    config = state.config(session.db)
    with Server(config["conninfo"], config.get("password")) as conn:
        team = _admin_team(session, conn)
        devices = team.load_devices()
        matches = [d for d in devices if d["state"] == "pending" and d["sign_public"]
                   and _fingerprint(d) == wanted]
        if len(matches) != 1:
            raise ValidationError(N_("No laptop waiting for approval has the fingerprint "
                                     "{fingerprint}."), fingerprint=fingerprint)
        device = matches[0]
        current = keys.current(team.db, "case")
        certificate = trust.certify(
            team=team.team_id, device_id=device["device_id"], name=device["name"],
            user=device["user"], role=device["role"], box_public=device["box_public"],
            sign_public=device["sign_public"], approver_id=team.device_id,
            approver_keys=team.keys, epoch=current[0] if current else 1)
        envelopes = []
        for channel in keys.channels_for(device["role"]):
            for epoch, key in state.team_keys(session.db, channel).items():
                envelopes.append((channel, epoch, keys.wrap(
                    team=team.team_id, channel=channel, epoch=epoch, key=key,
                    recipient_id=device["device_id"], recipient_box=device["box_public"],
                    signer_id=team.device_id, signer_keys=team.keys,
                    removed=team.removed)))
        conn.approve(device["device_id"], certificate, envelopes)
        team.load_devices()
    return _row(device | {"state": "active"}, True, team.device_id)


def remove(session, name: str, progress=None) -> DeviceRow:
    """Disable the device's login at once, then give the remaining devices new team keys
    (a device offline now takes them at its next sync)."""
    config = state.config(session.db)
    with Server(config["conninfo"], config.get("password")) as conn:
        team = _admin_team(session, conn)
        devices = team.load_devices()
        matches = [d for d in devices if d["name"] == name and d["state"] != "revoked"]
        if not matches:
            raise ValidationError(N_("There is no device {name} in the team."), name=name)
        device = matches[0]
        if device["device_id"] == team.device_id:
            raise ValidationError(N_("A device cannot remove itself; remove it from another "
                                     "administrator's laptop."))
        last_seq = conn.revoke(device["device_id"])
        epochs = conn.current_epochs()
        with team.db.transaction():
            state.add_removals(team.db, {device["device_id"]: {
                "epoch": {channel: epochs.get(channel, 0) + 1 for channel in keys.CHANNELS},
                "last_seq": last_seq}})
        team.removed = state.removals(team.db)
        rotate(session, team, progress)
    return _row(device | {"state": "revoked"}, True, team.device_id)


def rotate(session, team: Team, progress=None) -> None:
    """A new epoch of each team key for the active devices only."""
    devices = [d for d in team.load_devices()
               if d["state"] == "active" and d["device_id"] not in team.removed]
    epochs = team.server.current_epochs()
    for step, channel in enumerate(keys.CHANNELS, 1):
        key = keys.new_key()
        epoch = epochs.get(channel, 0) + 1
        sealed = {}
        for device in devices:
            card = team.card(device["device_id"])
            if channel in keys.channels_for(card.role):
                sealed[device["device_id"]] = keys.wrap(
                    team=team.team_id, channel=channel, epoch=epoch, key=key,
                    recipient_id=card.device_id, recipient_box=card.box_public,
                    signer_id=team.device_id, signer_keys=team.keys, removed=team.removed)
        team.server.rotate(channel, epoch, sealed)
        with session.db.transaction():
            keys.store(session.db, channel, epoch, key)
        if progress:
            progress("rotate", step, len(keys.CHANNELS))


def list_devices(session) -> list[DeviceRow]:
    config = state.config(session.db)
    with Server(config["conninfo"], config.get("password")) as conn:
        team = Team(session, conn)
        team.refresh()
        rows = []
        for device in team.load_devices():
            try:
                team.card(device["device_id"])
                verified = True
            except trust.TrustProblem:
                verified = False
            rows.append(_row(device, verified, team.device_id))
    return rows


def _fingerprint(device: dict) -> str:
    return trust.fingerprint(device["sign_public"], device["box_public"], device["device_id"],
                             device["name"], device["user"], device["role"])


def _row(device: dict, verified: bool, me: str) -> DeviceRow:
    fp = _fingerprint(device) if device.get("sign_public") else ""
    seen = device.get("last_seen")
    return DeviceRow(device["device_id"], device["name"], device["user"], device["role"],
                     device["state"], fp, verified,
                     seen.isoformat(timespec="seconds") if seen else "",
                     device["device_id"] == me)
