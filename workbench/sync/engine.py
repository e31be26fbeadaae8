"""One sync: learn the team's keys and devices, push the outbox, pull from the cursor.

Every step can be cut at any instant and run again: records keep their ids, so a push
whose answer was lost is sent again and the server hands back the number it already gave;
each pulled page is applied in one transaction together with the cursor.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlcipher3
from cryptography.exceptions import InvalidTag

from workbench.store.crypto import unb64
from workbench.sync import keys, opening, state, trust
from workbench.sync.client import Refused, Server
from workbench.sync.receive import finish_derive, receive
from workbench.sync.sealing import SealProblem, seal_text
from workbench.sync.sealing import open_record as open_sealed_record
from workbench.sync.sealing import read as read_record

Progress = Callable[[str, int, int], None]  # (stage, done, total or 0)
# The page cache while pulling: enough for the indexes a 100,000-case store adds to
# (taken only as pages are read, and given back after the sync).
PULL_CACHE_KIB = 384 * 1024


@dataclass
class SyncReport:
    sent: int = 0
    received: int = 0
    duplicates: int = 0
    held: int = 0  # from a newer program: kept until this one is updated
    refused: list[str] = field(default_factory=list)  # records that did not verify
    cases: set[int] = field(default_factory=set)
    conflicts: int = 0
    waiting: int = 0  # still in the outbox
    opened_ahead: int = 0  # records a helper process opened (a large pull)

    def as_json(self) -> dict:
        return {"sent": self.sent, "received": self.received, "duplicates": self.duplicates,
                "held": self.held, "refused": len(self.refused), "cases": len(self.cases),
                "conflicts": self.conflicts, "waiting": self.waiting}


class Team:
    """What this laptop knows of the team during one sync."""

    def __init__(self, session, server: Server) -> None:
        self.session = session
        # A lead's laptop keeps its place in the team in the facts store, the only one
        # its passphrase opens.
        self.db = session.db if session.db is not None else session.facts_db
        self.lead = session.db is None
        self.server = server
        self.config = state.config(self.db)
        self.team_id = self.config["team_id"]
        self.device_id = self.config["device_id"]
        self.root = unb64(self.config["root_sign"])
        self.keys = state.device_keys(self.db)
        self.certificates: dict[str, bytes] = {}
        self._cards: dict[str, trust.DeviceCard] = {}
        self.removed = state.removals(self.db)  # as administrators stated them
        self.problems: list[str] = []  # envelopes refused
        self._case_keys: dict[int, bytes] = {}

    def refresh(self) -> dict:
        """This device must be active; take in new envelopes; learn the devices."""
        me = self.server.my_device()
        if me is None:
            raise Refused("unknown")
        if me["state"] != "active":
            raise Refused("pending" if me["state"] in ("invited", "pending") else "revoked")
        self.load_devices()
        with self.db.transaction():
            for channel, epoch, sealed in sorted(self.server.my_envelopes(),
                                                 key=lambda e: e[1]):
                if keys.get(self.db, channel, epoch) is None:
                    try:
                        key, statement = keys.unwrap(
                            sealed, team=self.team_id, channel=channel, epoch=epoch,
                            device_id=self.device_id, device_keys=self.keys,
                            certificates=self.certificates, root_sign_public=self.root,
                            removed=self.removed)
                    except (trust.TrustProblem, InvalidTag, ValueError) as problem:
                        # Not from an administrator the team vouches for: never used.
                        self.problems.append(f"key {channel}/{epoch}: {problem}")
                        continue
                    keys.store(self.db, channel, epoch, key)
                    state.add_removals(self.db, statement)
                    self.removed = state.removals(self.db)
                    self._cards = {}
        return me

    def load_devices(self) -> list[dict]:
        devices = self.server.devices()
        self.certificates = {d["device_id"]: d["certificate"] for d in devices
                             if d["certificate"]}
        self._cards = {}
        with self.db.transaction():
            for d in devices:
                self.db.execute(
                    "INSERT OR REPLACE INTO sync_devices (device_id, name, user_name, role, "
                    "state, box_public, sign_public, certificate, approved_by, last_seen) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (d["device_id"], d["name"], d["user"], d["role"], d["state"],
                     d["box_public"], d["sign_public"], d["certificate"], d["approved_by"],
                     d["last_seen"].isoformat() if d["last_seen"] else None))
        return devices

    def card(self, device_id: str) -> trust.DeviceCard:
        if device_id not in self._cards:
            if device_id not in self.certificates:
                self.load_devices()
            self._cards[device_id] = trust.verify(self.certificates, device_id,
                                                  team=self.team_id, root_sign_public=self.root,
                                                  removed=self.removed)
        return self._cards[device_id]

    def signer(self, device_id: str) -> bytes | None:
        """A device's signing key if the team vouches for it (else None: its records are
        refused where they are applied, with the reason)."""
        try:
            return self.card(device_id).sign_public
        except trust.TrustProblem:
            return None

    def case_key(self, epoch: int) -> bytes | None:
        """The case key of that epoch, once looked up per sync (a key that is not here yet
        is asked again: it may arrive with the next envelope)."""
        key = self._case_keys.get(epoch)
        if key is None:
            key = keys.get(self.db, "case", epoch)
            if key is not None:
                self._case_keys[epoch] = key
        return key

    def check_not_removed(self, seq: int, sealed) -> None:
        """A removed device's changes count only up to its last one before removal and
        under keys it was meant to hold."""
        gone = self.removed.get(sealed.device_id)
        if gone is None:
            return
        channel = "case" if sealed.channel == "audit" else sealed.channel
        if seq > int(gone.get("last_seq", 0)) or sealed.key_epoch >= gone["epoch"].get(
                channel, 1 << 30):
            raise trust.TrustProblem("a change from a removed device")


def sync(session, progress: Progress | None = None, page: int | None = None) -> SyncReport:
    """Push what this laptop made, pull what the others made. Raises ServerUnreachable
    (nothing lost; try later) or Refused (with the reason). ``page``: at most this many
    records in one transaction (a window keeps them few, so a save never waits long)."""
    report = SyncReport()
    db = session.db if session.db is not None else session.facts_db
    config = state.config(db)
    with Server(config["conninfo"], config.get("password")) as server:
        if page is not None:
            server.page = min(server.page, page)
            server.bulk_page = min(server.bulk_page, page)
        team = Team(session, server)
        team.refresh()
        report.refused += team.problems
        if team.lead:
            pull_facts(team, report, progress)
        else:
            if progress:
                progress("derive", 0, 1)  # (a point to stop at: deriving cannot stop)
            finish_derive(session)  # a sync cut short before it derived
            report.sent = push(team, progress)
            with db.larger_cache(PULL_CACHE_KIB), _collector_paused():
                pull(team, report, progress)
                if progress:
                    progress("derive", 0, 1)
                if finish_derive(session) and progress:
                    progress("derive", 1, 1)
    with db.transaction():
        state.put(db, "last_sync", datetime.now(UTC).isoformat(timespec="seconds"))
    if not team.lead:
        report.conflicts = db.scalar("SELECT count(DISTINCT gid || '/' || field) "
                                     "FROM sync_conflicts") or 0
        report.waiting = state.waiting(db)
    return report


def push(team: Team, progress: Progress | None = None) -> int:
    db = team.db
    sent = 0
    from workbench.sync import audit_chain, team_facts
    audit_chain.collect(team.session)
    team_facts.publish(team.session)
    total = state.waiting(db)
    retried = False
    while True:
        batch = db.all("SELECT n, op_id, channel, entity, payload FROM sync_outbox "
                       "ORDER BY n LIMIT ?", (team.server.page,))
        if not batch:
            return sent
        sealed = []
        signer = team.keys.signer()
        for _n, op_id, channel, entity, payload in batch:
            current = keys.current(db, "case" if channel == "audit" else channel)
            if current is None:
                raise Refused("no_key")
            epoch, key = current
            sealed.append(seal_text(payload, op_id=op_id, schema_version=_version(payload),
                                    channel=channel, entity=entity, device_id=team.device_id,
                                    team_key=key, key_epoch=epoch, keys=signer))
        del signer
        try:
            numbers = team.server.push(sealed)
        except Refused as refused:
            if refused.code == "stale_epoch" and not retried:
                retried = True  # a device was removed: take the new key and send again
                team.refresh()
                continue
            if refused.code == "stale_epoch" and team.problems:
                raise Refused("untrusted_key", "; ".join(team.problems)) from refused
            raise
        with db.transaction():
            for n, op_id, *_rest in batch:
                db.execute("UPDATE sync_seen SET seq = ? WHERE op_id = ?",
                           (numbers.get(op_id), op_id))
                db.execute("DELETE FROM sync_outbox WHERE n = ?", (n,))
        sent += len(batch)
        if progress:
            progress("push", sent, total)


def _version(payload: str) -> int:
    """The layout version a record in the outbox was written in (records begin with it;
    one that does not is read whole)."""
    head = payload[:16]
    if head.startswith('{"v":') and "," in head:
        return int(head[5:head.index(",")])
    return int(json.loads(payload).get("v", 1))


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector rests while a pull makes millions of short-lived records
    and rows (a fifth of a 100,000-case first sync went to it walking them); what it would
    have found is collected after each page and at the end."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def pull(team: Team, report: SyncReport, progress: Progress | None = None) -> None:
    db = team.db
    after = state.cursor(db)
    # How many to expect, for a progress bar (0: not known); one count on the server.
    expected = (team.server.waiting(after) or 0) if progress else 0
    with opening.Opener(team.device_id, team.signer, team.case_key) as opener:
        for page, opened in opener.pages(team.server.pull_pages(after)):
            _apply_page(team, report, page, opened)
            gc.collect(1)  # the young cycles only: cheap, and memory stays flat
            if progress:
                done = report.received + report.duplicates
                progress("pull", done, max(expected, done) if expected else 0)
        report.opened_ahead = opener.opened_ahead


def _apply_page(team: Team, report: SyncReport, page: list, opened: opening.Opened) -> None:
    db = team.db
    records: list[tuple[int, dict]] = []
    audits: list[tuple[str, dict]] = []
    ours = _own_records(db, team.device_id, page)
    for index, (seq, sealed) in enumerate(page):
        if sealed.op_id in ours:
            report.duplicates += 1  # made here: already applied, nothing to open
            continue
        try:
            card = team.card(sealed.device_id)
            if sealed.channel == "facts":
                continue  # a case worker's laptop derives its own facts
            team.check_not_removed(seq, sealed)
            if card.role == "lead":
                raise trust.TrustProblem("a lead's device wrote case records")
            key = team.case_key(sealed.key_epoch)
            if key is None:
                raise SealProblem("no key for that epoch")
            early = opened.get(index)
            if early is not None and early[0] == card.sign_public:
                if isinstance(early[1], SealProblem):
                    raise early[1]
                record = read_record(sealed, early[1])  # opened by the helper
            else:
                record = open_sealed_record(sealed, team_key=key,
                                            sign_public=card.sign_public)
            if card.role != "admin" and any(
                    isinstance(row, dict) and (row.get("t") == "settings" or str(
                        row.get("g", "")).startswith("settings."))
                    for row in record.get("rows", [])):
                # The organisation's seal is changed by administrators' laptops only.
                raise trust.TrustProblem("a seal change from a laptop that is not an "
                                         "administrator's")
        except (trust.TrustProblem, SealProblem) as problem:
            report.refused.append(f"{seq}: {problem}")
            continue
        if sealed.channel == "audit":
            audits.append((sealed.device_id, record))
        else:
            records.append((seq, record))
    received = receive(team.session, records, cursor=page[-1][0])
    if audits:
        from workbench.sync import audit_chain
        with db.transaction():
            for device_id, record in audits:
                audit_chain.store(db, device_id, record)
    report.received += received.applied
    report.duplicates += received.duplicates
    report.held += received.held
    report.refused += received.refused
    report.cases |= received.cases


def _own_records(db, device_id: str, page: list) -> set[str]:
    """This laptop's own case records in the page that it still holds (not ones lost with
    a store restored from an older backup): their server numbers are noted, no more."""
    mine = [(seq, sealed.op_id) for seq, sealed in page
            if sealed.device_id == device_id and sealed.channel == "case"]
    found: set[str] = set()
    for start in range(0, len(mine), 500):
        chunk = [op for _seq, op in mine[start:start + 500]]
        found.update(row[0] for row in db.all(
            f"SELECT op_id FROM sync_seen WHERE op_id IN ({', '.join('?' for _ in chunk)})",
            chunk))
    if found:
        with db.transaction():
            db.executemany("UPDATE sync_seen SET seq = ? WHERE op_id = ? AND seq IS NULL",
                           [(seq, op) for seq, op in mine if op in found])
    return found


def pull_facts(team: Team, report: SyncReport, progress: Progress | None = None) -> None:
    """A lead's laptop: the team's statistics facts, nothing else."""
    from workbench.sync import team_facts
    session, db = team.session, team.db
    after = state.cursor(db)
    expected = (team.server.waiting(after) or 0) if progress else 0
    for page in team.server.pull_pages(after):
        opened: list[tuple[int, dict]] = []
        for seq, sealed in page:
            try:
                card = team.card(sealed.device_id)
                team.check_not_removed(seq, sealed)
                if sealed.channel != "facts" or card.role == "lead":
                    raise trust.TrustProblem("not a case worker's facts")
                key = keys.get(db, "facts", sealed.key_epoch)
                if key is None:
                    raise SealProblem("no key for that epoch")
                opened.append((seq, open_sealed_record(sealed, team_key=key,
                                                       sign_public=card.sign_public)))
            except (trust.TrustProblem, SealProblem) as problem:
                report.refused.append(f"{seq}: {problem}")
        with session.action("sync.receive", "sync"):
            for seq, record in opened:
                db.execute("SAVEPOINT one")
                try:
                    applied = team_facts.apply(db, record, seq)
                except (sqlcipher3.Error, TypeError, ValueError, AttributeError) as error:
                    db.execute("ROLLBACK TO one")  # a malformed record: reported, skipped
                    report.refused.append(f"{seq}: {error}")
                    applied = None
                db.execute("RELEASE one")
                if applied:
                    report.received += 1
                elif applied is not None:
                    report.duplicates += 1
            state.put(db, "cursor", str(page[-1][0]))
        if progress:
            done = report.received + report.duplicates
            progress("pull", done, max(expected, done) if expected else 0)
