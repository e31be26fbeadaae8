"""Store commands: init, check, backup, restore."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli.context import CommandContext, add_store_arguments, report_lines
from workbench.errors import StoreError, StoreExists
from workbench.i18n import LANGUAGES, _
from workbench.new_store import new_organisation_store
from workbench.session import COUNTRIES
from workbench.store import maintenance


def register(commands: argparse._SubParsersAction) -> None:
    init = commands.add_parser(
        "init", help=_("create a new store and its first user"),
        description=_("Create a new encrypted store with its first user (admin and advisor) "
                      "and print the recovery key once. Secrets: the new passphrase."))
    add_store_arguments(init)
    init.add_argument("--org", required=True, help=_("the organisation's name"))
    init.add_argument("--country", required=True, choices=COUNTRIES,
                      help=_("sets the currency and the kind of identity number"))
    init.add_argument("--language", choices=LANGUAGES, default="en",
                      help=_("the organisation's default language"))
    init.set_defaults(handler=run_init)

    check = commands.add_parser(
        "check", help=_("verify the store's integrity and audit chain"),
        description=_("Check the database structure, every page's authentication and the "
                      "audit chain. Exit 0 when healthy, 1 with one line per problem. "
                      "Secrets: your passphrase."))
    add_store_arguments(check)
    check.set_defaults(handler=run_check)

    backup = commands.add_parser(
        "backup", help=_("write an encrypted, verified backup file"),
        description=_("Write the whole store to FILE, encrypted as it is, then verify the "
                      "copy. Secrets: your passphrase."))
    add_store_arguments(backup)
    backup.add_argument("file", type=Path, metavar=_("FILE"))
    backup.set_defaults(handler=run_backup)

    restore = commands.add_parser(
        "restore", help=_("replace the store with a backup"),
        description=_("Replace the store with the backup in FILE; the current store is kept "
                      "aside in the data folder. Secrets: your passphrase as it was when the "
                      "backup was made."))
    add_store_arguments(restore)
    restore.add_argument("file", type=Path, metavar=_("FILE"))
    restore.add_argument("--force", action="store_true",
                         help=_("replace an existing store (it is kept aside, not deleted)"))
    restore.add_argument("--other-store", action="store_true",
                         help=_("the backup is of another store; you must be an "
                                "administrator of both"))
    restore.set_defaults(handler=run_restore)


def run_init(context: CommandContext, args: argparse.Namespace) -> int:
    user = context.require_user()
    if context.location.exists():  # refuse before asking for a passphrase
        raise StoreExists(path=str(context.location.data_dir))
    passphrase = context.secret(_("New passphrase for {user}: ").format(user=user),
                                confirm=True)
    session, recovery_key = new_organisation_store(context.location, args.org, args.country,
                                                   user, passphrase, language=args.language)
    session.lock()
    print(_("Created the store in {path} with user {user}.").format(
        path=context.location.data_dir, user=user))
    print()
    print(_("Recovery key (shown only now; print it and keep it in a safe):"))
    print(f"    {recovery_key}")
    return 0


def run_check(context: CommandContext, args: argparse.Namespace) -> int:
    try:
        session = context.unlock()
    except StoreError as error:  # a store too damaged to open is a finding, not a crash
        print(error.message())
        return 1
    try:
        problems = maintenance.check_store(session)
    finally:
        session.lock()
    return report_lines(problems or [_("The store is healthy.")], 1 if problems else 0)


def run_backup(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        target = maintenance.backup(session, args.file)
    print(_("Backup written and verified: {path}").format(path=target))
    return 0


def run_restore(context: CommandContext, args: argparse.Namespace) -> int:
    user = context.require_user()
    passphrase = context.secret(_("Passphrase for {user} in the backup: ").format(user=user))
    session, aside = maintenance.restore(context.location, args.file, user, passphrase,
                                         force=args.force, other_store=args.other_store)
    removed_again = session.removed_again
    session.lock()
    print(_("Restored the store from {path}.").format(path=args.file))
    if removed_again:
        print(_("Removed again (they had been removed after the backup was made): {users}")
              .format(users=", ".join(removed_again)))
    if aside:
        print(_("The replaced store is kept in {path}.").format(path=aside))
    return 0


