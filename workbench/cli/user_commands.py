"""User commands: users add, passwd, list, profile, remove, recover."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from workbench.cli.context import CommandContext, add_store_arguments, report_unlock
from workbench.i18n import _
from workbench.profiles import FIELDS, ProfileService
from workbench.session import Role
from workbench.users import UserService, recover


def register(commands: argparse._SubParsersAction) -> None:
    users = commands.add_parser("users", help=_("manage who may open the store"))
    sub = users.add_subparsers(dest="users_command", metavar=_("COMMAND"), required=True)

    add = sub.add_parser("add", help=_("add a user"), description=_(
        "Add a user. Secrets, in order: your passphrase, then the new user's passphrase."))
    add_store_arguments(add)
    add.add_argument("name", metavar=_("NAME"))
    add.add_argument("--role", action="append", choices=[r.value for r in Role],
                     required=True, help=_("a role; repeat for several"))
    add.set_defaults(handler=run_add)

    passwd = sub.add_parser("passwd", help=_("change a passphrase"), description=_(
        "Change NAME's passphrase (an admin may change anybody's). Secrets, in order: your "
        "passphrase, then the new passphrase."))
    add_store_arguments(passwd)
    passwd.add_argument("name", metavar=_("NAME"))
    passwd.set_defaults(handler=run_passwd)

    listing = sub.add_parser("list", help=_("list the users"), description=_(
        "List the users and their roles. Secrets: your passphrase."))
    add_store_arguments(listing)
    listing.set_defaults(handler=run_list)

    remove = sub.add_parser("remove", help=_("remove a user"), description=_(
        "Remove NAME's access. Secrets: your passphrase."))
    add_store_arguments(remove)
    remove.add_argument("name", metavar=_("NAME"))
    remove.set_defaults(handler=run_remove)

    profile = sub.add_parser("profile", help=_("show or change a user's details"),
                             description=_(
        "Show NAME's details, or change those given (the name, title and contact details "
        "printed on agreements; an admin may change anybody's). Secrets: your passphrase."))
    add_store_arguments(profile)
    profile.add_argument("name", metavar=_("NAME"))
    for option, text in (("--full-name", _("the full name")), ("--title", _("the job title")),
                         ("--phone", _("the phone number")), ("--email", _("the e-mail address")),
                         ("--address", _("the office address"))):
        profile.add_argument(option, metavar=_("TEXT"), help=text)
    profile.set_defaults(handler=run_profile)

    rescue = sub.add_parser("recover", help=_("set a forgotten passphrase with the recovery key"),
                            description=_("Set a new passphrase for NAME using the recovery "
                                          "key. Secrets, in order: the recovery key, then the "
                                          "new passphrase."))
    add_store_arguments(rescue, with_user=False)
    rescue.add_argument("name", metavar=_("NAME"))
    rescue.set_defaults(handler=run_recover)


def run_add(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        passphrase = context.secret(_("New passphrase for {user}: ").format(user=args.name),
                                    confirm=True)
        user = UserService(session).add_user(args.name, {Role(r) for r in args.role}, passphrase)
    print(_("Added user {user}.").format(user=user.name))
    return 0


def run_passwd(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        passphrase = context.secret(_("New passphrase for {user}: ").format(user=args.name),
                                    confirm=True)
        UserService(session).change_passphrase(args.name, passphrase)
    print(_("Changed the passphrase of {user}.").format(user=args.name))
    return 0


def run_list(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        users = UserService(session).list_users()
    for user in users:
        print(f"{user.name}\t{','.join(sorted(user.roles))}")
    return 0


def run_remove(context: CommandContext, args: argparse.Namespace) -> int:
    def progress(done: int, steps: int) -> None:
        print(_("Renewing the store's keys: step {done} of {steps}").format(
            done=done, steps=steps), file=sys.stderr)

    with context.session() as session:
        UserService(session).remove_user(args.name, progress)
    print(_("Removed user {user}. The store's keys were renewed: nothing in the store opens "
            "with {user}'s old passphrase any more.").format(user=args.name))
    print(_("Backups made before now still open with {user}'s old passphrase. Make a fresh "
            "backup now (“workbench backup FILE”) and destroy the older ones.").format(
                user=args.name))
    kept = sorted(p.name for p in context.location.data_dir.glob("replaced-*"))
    if kept:
        print(_("So do the earlier stores kept aside by restores in the store's folder: "
                "{folders}. Delete them once you no longer need them.").format(
                    folders=", ".join(kept)))
    return 0


def run_profile(context: CommandContext, args: argparse.Namespace) -> int:
    changes = {field: getattr(args, field) for field in FIELDS
               if getattr(args, field) is not None}
    with context.session() as session:
        service = ProfileService(session)
        profile = service.profile(args.name)
        if changes:
            profile = service.set_profile(replace(profile, **changes))
    labels = {"full_name": _("Full name"), "title": _("Title"), "phone": _("Phone"),
              "email": _("E-mail"), "address": _("Office address")}
    for field in FIELDS:
        print(f"{labels[field]}: {getattr(profile, field)}")
    return 0


def run_recover(context: CommandContext, args: argparse.Namespace) -> int:
    context.location.keyslots()
    recovery_key = context.secret(_("Recovery key: "))
    passphrase = context.secret(_("New passphrase for {user}: ").format(user=args.name),
                                confirm=True)
    session = recover(context.location, args.name, recovery_key, passphrase)
    report_unlock(session)
    session.lock()
    print(_("Set a new passphrase for {user}.").format(user=args.name))
    return 0
