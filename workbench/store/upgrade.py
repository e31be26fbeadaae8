"""Upgrading a store made by release 0.1 (one data key in every user's slot) to per-user
keys, at the first unlock by one of its administrators.

What changes: the administrator gets key pairs and signs the first roster; the case store is
re-encrypted under a new case key (so the old key file, and any copy of it, opens nothing
any more); a facts store is made for the statistics; a new recovery key replaces the old one
(it is shown once, like at set-up: the old one cannot be carried over without being typed).
The other users keep their names and roles, but their old passphrases opened the old key:
an administrator sets a new passphrase for each (``users passwd``), which issues their keys.
Nothing in the case store is lost; the audit rows written before the upgrade keep their
hash chain and are marked as written before signing.
"""

from __future__ import annotations

from dataclasses import replace

from workbench.errors import StoreError
from workbench.i18n import N_
from workbench.store import lock as locks
from workbench.store.access import Access, grant
from workbench.store.crypto import KeyPairs
from workbench.store.database import Database
from workbench.store.keyslots import (
    DEFAULT_KDF,
    RECOVERY,
    KdfParams,
    KeyFile,
    new_recovery_key,
    new_store_key,
)
from workbench.store.legacy import LegacyKeyFile
from workbench.store.migrations import FACTS_DIR
from workbench.store.roster import (
    DEFAULT_POLICY,
    Member,
    entry_hash,
    first_roster,
    sign_entry,
    verify_chain,
)


class NeedsAdminUpgrade(StoreError):
    exit_code = 4
    template = N_("This store was made by an earlier version. An administrator must open it "
                  "once with this version to upgrade it; then ask them for your new "
                  "passphrase.")


def upgrade_legacy(location, user: str, passphrase: str, kdf: KdfParams = DEFAULT_KDF):
    """Unlock a release-0.1 store as an administrator and upgrade it (see module text)."""
    from workbench.session import open_session
    from workbench.stats import facts

    legacy = LegacyKeyFile.load(location.slots_path)
    old_key = legacy.unlock_user(user, passphrase)
    db = Database.open(location.db_path, old_key, migrate=False)
    try:
        users = {row["name"]: frozenset(p for p in row["roles"].split(",") if p)
                 for row in db.all("SELECT name, roles FROM users WHERE removed_at IS NULL")}
        settings = dict(db.all("SELECT key, value FROM settings"))
        policy = dict(DEFAULT_POLICY)
        for name, key in (("stats_threshold", "stats_threshold"),
                          ("grace_days", "plan_grace_days"),
                          ("broken_after", "plan_broken_after")):
            if settings.get(key, "").isdigit():
                policy[name] = int(settings[key])
        audit_from = (db.scalar("SELECT max(id) FROM audit_log") or 0) + 1
    finally:
        db.close()
    if "admin" not in users.get(user, frozenset()):
        raise NeedsAdminUpgrade()
    store_lock = locks.StoreLock(location.data_dir)
    store_lock.exclusive()
    try:
        admin_keys, recovery_keys = KeyPairs.generate(), KeyPairs.generate()
        members = {name: Member(name, roles, None, None) for name, roles in users.items()}
        members[user] = Member(user, users[user], admin_keys.box_public, admin_keys.sign_public)
        recovery = Member(RECOVERY, frozenset({"admin"}), recovery_keys.box_public,
                          recovery_keys.sign_public)
        roster = first_roster(legacy.store_id, members, recovery, policy, audit_from)
        # Version 1 of the case key is the old data key, so the store still opens while it
        # is re-encrypted under version 2; version 1's envelopes are dropped right after.
        roster = replace(roster, keys={"case": 2, "facts": 1})
        entry = sign_entry(roster, user, admin_keys, "")
        anchor = entry_hash(entry)
        keyfile = KeyFile(legacy.store_id, roster=[entry])
        store_keys = {"case": {2: new_store_key(), 1: old_key}, "facts": {1: new_store_key()}}
        grant(keyfile, roster, store_keys, versions=(1, 2))
        keyfile.set_slot(user, passphrase, admin_keys, anchor, kdf)
        recovery_key = new_recovery_key()
        keyfile.set_slot(RECOVERY, recovery_key, recovery_keys, anchor, kdf)
        recovery_keys.wipe()
        for leftover in location.data_dir.glob(f"{location.facts_path.name}*"):
            leftover.unlink()
        facts_db = Database.open(location.facts_path, store_keys["facts"][1], create=True,
                                 schema=FACTS_DIR)
        with facts_db.transaction():
            facts.write_organisation(facts_db, settings.get("org_name", ""),
                                     settings.get("country", "FI"),
                                     settings.get("language", "en"))
        facts_db.close()
        keyfile.save(location.slots_path)  # from here on the store is format 2
    except BaseException:
        store_lock.release()
        raise
    store_lock.release()
    chain = verify_chain(keyfile.roster, keyfile.store_id, anchor)
    access = Access(user, admin_keys, anchor, keyfile, chain)
    access._unwrap()
    session = open_session(location, access)
    with session.action("store.upgrade", "store"):
        pass
    session.new_recovery_key = recovery_key
    session.users_needing_passphrase = sorted(n for n in users if n != user)
    return session
