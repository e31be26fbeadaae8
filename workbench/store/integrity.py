"""What a user's unlock and ``workbench check`` verify beyond SQLite's own checks: the
signed roster, the database's copy of the users, every audit row's signature, the heads
users signed, and that the statistics facts reflect the last case action.

Findings are translated lines. At unlock they are warnings shown to the user (the store
still opens, with the roles the signed roster gives); ``check`` reports them as problems.
"""

from __future__ import annotations

import hashlib

import sqlcipher3

from workbench.i18n import N_, _
from workbench.stats import facts
from workbench.store import audit, heads


def _signing_keys(session) -> dict[str, tuple[str, bytes]]:
    return session.access.chain.signing_keys()


def _keys_of(session, name: str) -> list[bytes]:
    return [key for _id, (who, key) in _signing_keys(session).items() if who == name]


def roster_findings(session) -> list[str]:
    return [_(problem) for problem in session.access.chain.problems]


def cut_rows(session, name: str) -> list[tuple[str, int]]:
    """The rows ``name`` signed last that the chains no longer hold: (chain, row id)."""
    head = heads.read(session.location.data_dir, name, _keys_of(session, name))
    if head is None:
        return []
    found = []
    for table, (row_id, digest) in head.chains.items():
        db = session.db if table == audit.CASE_CHAIN else session.facts_db
        if db is None or row_id == 0:
            continue
        stored = audit.hash_at(db, row_id, table)
        if stored is None or stored.hex() != digest:
            found.append((table, row_id))
    return found


def _has_signed_rows(session, name: str) -> bool:
    keys = [key_id for key_id, (who, _key) in _signing_keys(session).items() if who == name]
    for db, table in ((session.db, audit.CASE_CHAIN), (session.facts_db, audit.FACTS_CHAIN)):
        if db is not None and keys and db.one(
                f"SELECT 1 FROM {table} WHERE key_id IN ({','.join('?' * len(keys))}) "
                "LIMIT 1", tuple(keys)):
            return True
    return False


def head_findings(session, name: str | None = None) -> list[str]:
    """Does the store still hold what ``name`` (default: the session's user) signed last?"""
    name = name or session.user.name
    head = heads.read(session.location.data_dir, name, _keys_of(session, name))
    if head is None:
        if _has_signed_rows(session, name):
            return [_("the audit head {user} signed is missing or damaged, so a cut in the "
                      "audit log after {user}'s last action could go unnoticed").format(
                          user=name)]
        return []
    found = [_(audit.CHAIN_PROBLEM).format(user=name, id=row_id)
             for _table, row_id in cut_rows(session, name)]
    hashes = session.access.chain.hashes
    if head.roster_version > len(hashes) or hashes[head.roster_version - 1] != head.roster_hash:
        found.append(_("the list of users is older than the one {user} last saw: it was "
                       "put back from an earlier copy").format(user=name))
    return found


def users_table_findings(session) -> list[str]:
    """The database's users table is a copy for display; it must agree with the roster."""
    if session.db is None:
        return []
    roster = session.access.roster
    found = []
    in_table = {row["name"]: frozenset(part for part in row["roles"].split(",") if part)
                for row in session.db.all("SELECT name, roles FROM users "
                                          "WHERE removed_at IS NULL")}
    for name, roles in sorted(in_table.items()):
        member = roster.members.get(name)
        if member is None:
            found.append(_("the database lists user “{user}”, who is not in the signed list "
                           "of users; it grants nothing").format(user=name))
        elif member.roles != roles:
            found.append(_("the database gives “{user}” the roles {roles}, the signed list "
                           "{signed}; the signed list applies").format(
                               user=name, roles=",".join(sorted(roles)),
                               signed=",".join(sorted(member.roles))))
    for name in sorted(set(roster.members) - set(in_table)):
        found.append(_("user “{user}” is missing from the database's list").format(user=name))
    return found


def audit_findings(session) -> list[str]:
    keys = _signing_keys(session)
    found = []
    if session.db is not None:
        found += audit.verify(session.db, keys, session.access.roster.audit_from,
                              audit.CASE_CHAIN)
    found += audit.verify(session.facts_db, keys, 1, audit.FACTS_CHAIN)
    return found


def facts_current(session) -> bool:
    if session.db is None:
        return True
    row_id, digest = audit.head(session.db, audit.CASE_CHAIN)
    return facts.recorded_head(session.db) == f"{row_id}:{digest.hex()}"


def at_unlock(session, repaired: list[str] | None = None) -> list[str]:
    """Quick checks for every unlock; rebuilds the facts if a crash left them behind.

    The user's head is checked before anything is written (writing moves it on). A chain
    found cut is recorded as a signed audit row, so ``check`` keeps reporting it after
    the user's head has moved past the cut.
    """
    refuse_rolled_back_roster(session)
    # Everything is read before anything is written: writing moves the user's head on.
    stale_facts = session.db is not None and not facts_current(session)
    cut = head_findings(session)
    gone = cut_rows(session, session.user.name)
    for table, row_id in gone:
        with session.action(ALARM, table, row_id):
            pass
    if repaired:  # planted or changed schema code, removed at open: keep it on record
        with session.action(SCHEMA_ALARM, "store"):
            pass
    if session.db is not None and \
            session.recorded_roster_version() < session.access.roster.version:
        follow_roster(session)
    if stale_facts:
        rebuild_facts(session)
    # A removed audit safeguard is among ``repaired``: the schema guard put it back.
    return list(repaired or []) + roster_findings(session) + cut + \
        users_table_findings(session)


def refuse_rolled_back_roster(session) -> None:
    """The store records the newest roster entry it has acted under. A key file whose
    roster is older (put back from an earlier copy, e.g. by a removed user to get their
    envelopes back) or that differs at that entry opens nothing."""
    from workbench.store.access import StoreTampered

    recorded = session.recorded_roster_version()
    chain = session.access.chain
    if recorded > len(chain.hashes):
        raise StoreTampered(detail=N_("the list of users is older than the store; it was put "
                                      "back from an earlier copy"))
    recorded_hash = session.recorded_roster_hash()
    if recorded and recorded_hash and chain.hashes[recorded - 1] != recorded_hash:
        raise StoreTampered(detail=N_("the list of users differs from the one the store "
                                      "was last used with"))


ALARM = "audit.cut_found"
SCHEMA_ALARM = "audit.schema_repaired"


def follow_roster(session) -> None:
    """Bring the database's copy of the users up to a newer signed roster entry (one that
    a crash kept from reaching the database). Only a verified entry is followed, so this
    never takes a change from anyone but an administrator."""
    from workbench.session import now_utc

    roster = session.access.roster
    db = session.db
    with session.action("users.follow_roster", "store"):
        listed = {row["name"]: row for row in db.all("SELECT name, roles, removed_at FROM "
                                                     "users")}
        for name, member in roster.members.items():
            roles = ",".join(sorted(member.roles))
            # Users the entry added or removed only; roles that differ stay as they are, to
            # be reported: no entry of ours changes the roles of an existing user.
            if name not in listed:
                db.execute("INSERT INTO users (name, roles, created_at) VALUES (?, ?, ?)",
                           (name, roles, now_utc()))
        for name, row in listed.items():
            if name not in roster.members and row["removed_at"] is None:
                db.execute("UPDATE users SET removed_at = ? WHERE name = ?", (now_utc(), name))


def alarm_findings(session) -> list[str]:
    """Cuts found at an earlier unlock, as recorded then."""
    found = []
    for db, table in ((session.db, audit.CASE_CHAIN), (session.facts_db, audit.FACTS_CHAIN)):
        if db is None:
            continue
        found += [_("audit log: {user} found it cut or rewritten at {time}: row {id} was "
                    "gone").format(user=row[0], time=row[1][:16].replace("T", " "), id=row[2])
                  for row in db.all(f"SELECT actor, at, entity_id FROM {table} WHERE "
                                    "action = ?", (ALARM,))]
        found += [_("the database structure: {user} found code this program did not make, "
                    "or a removed safeguard, at {time}, and repaired it").format(
                      user=row[0], time=row[1][:16].replace("T", " "))
                  for row in db.all(f"SELECT actor, at FROM {table} WHERE action = ?",
                                    (SCHEMA_ALARM,))]
    return found


def _facts_digest(db) -> str:
    digest = hashlib.sha256()
    for table in ("f_cases", "f_contacts", "f_outcomes", "f_referrals", "f_partners",
                  "f_plans", "f_plan_due", "f_plan_paid"):
        for row in sorted((tuple(r) for r in db.all(f"SELECT * FROM {table}")), key=repr):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def facts_match_cases(session) -> bool:
    """Derive the facts again inside a transaction that is rolled back, and compare: a
    project lead (who holds the facts key) could otherwise change every export's figures.
    A mismatch marks the facts stale, so the next unlock derives them again."""
    db = session.db
    before = _facts_digest(db)
    db.execute("SAVEPOINT facts_check")
    try:
        facts.rebuild(db, session.facts_context())
        after = _facts_digest(db)
    finally:
        db.execute("ROLLBACK TO facts_check")
        db.execute("RELEASE facts_check")
    if before != after:
        with db.transaction():
            facts.record_head(db, (0, b""))
    return before == after


def rebuild_facts(session) -> None:
    """Derive the statistics facts again from the case store, as one audited action."""
    with session.action("facts.rebuild", "store"):
        facts.rebuild(session.db, session.facts_context())


def full_check(session) -> list[str]:
    """Everything ``workbench check`` reports, one translated line each."""
    problems: list[str] = []
    databases = [(session.db, "")] if session.db is not None else []
    databases.append((session.facts_db, "facts." if session.db is not None else ""))
    for db, schema in databases:
        for pragma, label in (("quick_check", _("database structure")),
                              ("cipher_integrity_check", _("page authentication"))):
            name = f"{schema}{pragma}"
            try:
                found = [row[0] for row in db.all(f"PRAGMA {name}")]
            except sqlcipher3.DatabaseError as error:
                problems.append(_("{check}: cannot be read ({detail})").format(
                    check=label, detail=error))
                continue
            problems += [_("{check}: {detail}").format(check=label, detail=line)
                         for line in found if line != "ok"]
    try:
        problems += roster_findings(session)
        problems += audit_findings(session)
        problems += alarm_findings(session)
        for name in [*session.access.roster.members]:
            problems += head_findings(session, name)
        problems += users_table_findings(session)
        if session.db is not None:
            session.db.execute("INSERT INTO case_search (case_search) VALUES "
                               "('integrity-check')")
            problems += [_("references: {table} row {id} points to a missing {parent}").format(
                             table=row[0], id=row[1], parent=row[2])
                         for row in session.db.all("PRAGMA foreign_key_check")]
            from workbench.sync import audit_chain
            problems += audit_chain.verify(session.db)  # the other laptops' chains
            if not facts_current(session):
                problems.append(_("statistics facts: they do not reflect the last action"))
            elif not facts_match_cases(session):
                problems.append(_("statistics facts: they differ from what the cases give "
                                  "(changed outside the program); they are derived again "
                                  "when an advisor next opens the store"))
    except sqlcipher3.DatabaseError as error:
        problems.append(_("the store cannot be read: {detail}").format(detail=error))
    return list(dict.fromkeys(problems))

