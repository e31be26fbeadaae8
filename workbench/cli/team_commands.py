"""Team commands: server init, devices, join, sync, conflicts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.cli.context import CommandContext, add_store_arguments
from workbench.i18n import _, ngettext
from workbench.session import check_passphrase
from workbench.sync import conflicts, team
from workbench.sync.engine import sync


def register(commands: argparse._SubParsersAction) -> None:
    server = commands.add_parser("server", help=_("set up the team's PostgreSQL server"))
    server_sub = server.add_subparsers(dest="server_command", metavar=_("COMMAND"),
                                       required=True)
    init = server_sub.add_parser("init", help=_("install or upgrade the team schema"),
                                 description=_(
        "Install or upgrade the team's schema in the database DSN names (a role that may "
        "create roles). The first time, this laptop becomes the team's first device and "
        "holds its first keys. Secrets: your passphrase."))
    add_store_arguments(init)
    init.add_argument("--dsn", required=True, help=_("the database, as a PostgreSQL "
                                                     "connection string"))
    init.add_argument("--device-name", default=None, metavar=_("NAME"),
                      help=_("this laptop's name in the team (default: desk-USER)"))
    init.add_argument("--min-client-version", type=int, default=None, metavar="N",
                      help=_("refuse laptops whose program speaks an older sync version "
                             "(they are told to update)"))
    init.set_defaults(handler=run_server_init)

    devices = commands.add_parser("devices", help=_("the team's laptops"))
    sub = devices.add_subparsers(dest="devices_command", metavar=_("COMMAND"), required=True)
    invite = sub.add_parser("invite", help=_("invite a laptop"), description=_(
        "Write an invitation file for a new laptop (administrators). Hand it over in person "
        "or by a safe channel: it holds the laptop's first login. Secrets: your passphrase."))
    add_store_arguments(invite)
    invite.add_argument("name", metavar=_("NAME"), help=_("the new laptop's name"))
    invite.add_argument("--for-user", required=True, metavar=_("USER"),
                        help=_("who will work on it"))
    invite.add_argument("--role", choices=("advisor", "admin", "lead"), default="advisor")
    invite.add_argument("--out", type=Path, required=True, metavar=_("FILE"))
    invite.set_defaults(handler=run_invite)

    approve = sub.add_parser("approve", help=_("let a waiting laptop in"), description=_(
        "Let in the laptop that shows FINGERPRINT, after comparing it with what that laptop "
        "shows (administrators). Secrets: your passphrase."))
    add_store_arguments(approve)
    approve.add_argument("fingerprint", metavar=_("FINGERPRINT"))
    approve.set_defaults(handler=run_approve)

    listing = sub.add_parser("list", help=_("list the team's laptops"), description=_(
        "List the team's laptops with their users, state and last sync. Secrets: your "
        "passphrase."))
    add_store_arguments(listing)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_list)

    remove = sub.add_parser("remove", help=_("remove a laptop from the team"), description=_(
        "Disable the laptop's login at once and give the other laptops new team keys "
        "(administrators). Secrets: your passphrase."))
    add_store_arguments(remove)
    remove.add_argument("name", metavar=_("NAME"))
    remove.set_defaults(handler=run_remove)

    join = commands.add_parser("join", help=_("make this laptop's store from an invitation"),
                               description=_(
        "Make a new store in --data-dir from an invitation file, enrol this laptop and show "
        "its fingerprint for the administrator to compare. Secrets: the new passphrase."))
    add_store_arguments(join)
    join.add_argument("invitation", type=Path, metavar=_("FILE"))
    join.set_defaults(handler=run_join)

    sync_parser = commands.add_parser("sync", help=_("send and receive the team's changes"),
                                      description=_(
        "Send this laptop's changes and receive the others'. Exit status 0: done; 5: the "
        "server cannot be reached (nothing lost, try later); 2: refused (the message says "
        "why). Secrets: your passphrase."))
    add_store_arguments(sync_parser)
    sync_parser.add_argument("--json", action="store_true")
    sync_parser.set_defaults(handler=run_sync)

    clashes = commands.add_parser("conflicts", help=_("changes made on two laptops at once"))
    clash_sub = clashes.add_subparsers(dest="conflicts_command", metavar=_("COMMAND"),
                                       required=True)
    clash_list = clash_sub.add_parser("list", help=_("list the conflicts"), description=_(
        "List every field changed on two laptops at once, with both values, and every delete "
        "that crossed an edit. Secrets: your passphrase."))
    add_store_arguments(clash_list)
    clash_list.add_argument("--json", action="store_true")
    clash_list.set_defaults(handler=run_conflicts)
    resolve = clash_sub.add_parser("resolve", help=_("settle a conflict"), description=_(
        "Keep one value of conflict ID: mine (this laptop's), theirs, or the number of a "
        "listed value. For a delete that crossed an edit, the value “deleted” deletes and "
        "“kept” restores. Secrets: your passphrase."))
    add_store_arguments(resolve)
    resolve.add_argument("id", metavar="ID")
    resolve.add_argument("--keep", required=True, metavar="mine|theirs|N")
    resolve.set_defaults(handler=run_resolve)


def run_server_init(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        name = args.device_name or f"desk-{session.user.name}"
        team_id = team.init_server(session, args.dsn, name, args.min_client_version)
        print(_("The team server is ready (team {team}); this laptop is “{name}”.").format(
            team=team_id[:8], name=session.sync_device and name))
    return 0


def run_invite(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        team.invite(session, args.name, args.for_user, args.role, args.out)
    print(_("Invitation for “{name}” ({user}) written to {path}. On that laptop run: "
            "workbench join {path} --user {user}").format(
              name=args.name, user=args.for_user, path=args.out))
    return 0


def run_join(context: CommandContext, args: argparse.Namespace) -> int:
    user = context.require_user()
    passphrase = context.secret(_("New passphrase for {user}: ").format(user=user),
                                confirm=True)
    check_passphrase(passphrase, (user,))
    session, recovery_key, fingerprint = team.join(context.location, args.invitation, user,
                                                   passphrase)
    session.lock()
    print(_("This laptop's fingerprint: {fingerprint}").format(fingerprint=fingerprint))
    print(_("Read it to the administrator, who approves it with: workbench devices approve "
            "{fingerprint}").format(fingerprint=fingerprint))
    print(_("Recovery key (shown only now; print it and keep it in a safe):"), file=sys.stderr)
    print(f"    {recovery_key}", file=sys.stderr)
    return 0


def run_approve(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        device = team.approve(session, args.fingerprint)
    print(_("“{name}” ({user}) is now part of the team.").format(name=device.name,
                                                                 user=device.user))
    return 0


def run_list(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        rows = team.list_devices(session)
    if args.json:
        print(json.dumps([row.as_json() for row in rows], indent=2))
        return 0
    states = {"active": _("active"), "pending": _("waiting for approval"),
              "invited": _("invited"), "revoked": _("removed")}
    for row in rows:
        mark = "*" if row.this_device else " "
        trusted = "" if row.verified or row.state != "active" else " " + _("(NOT VERIFIED)")
        print(f"{mark} {row.name:<20} {row.user:<14} {row.role:<8} "
              f"{states.get(row.state, row.state):<22} {row.fingerprint:<25} "
              f"{row.last_seen}{trusted}")
    return 0


def run_remove(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        team.remove(session, args.name)
    print(_("“{name}” can no longer log in, and the other laptops have new team keys.")
          .format(name=args.name))
    return 0


def run_sync(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        report = sync(session)
    if args.json:
        print(json.dumps(report.as_json()))
        return 0
    print(ngettext("Sent {sent}, received {received} change.",
                   "Sent {sent}, received {received} changes.", report.received).format(
        sent=report.sent, received=report.received))
    if report.conflicts:
        print(_("Conflicts to settle: {count} (workbench conflicts list)").format(
            count=report.conflicts))
    if report.held:
        print(ngettext(
            "{count} change is kept aside: it comes from a newer version of the program "
            "(update this program), or waits for an earlier change the server has not sent "
            "yet.",
            "{count} changes are kept aside: they come from a newer version of the program "
            "(update this program), or wait for an earlier change the server has not sent "
            "yet.", report.held).format(count=report.held))
    if report.refused:
        print(ngettext("{count} change did not verify and was not applied.",
                       "{count} changes did not verify and were not applied.",
                       len(report.refused)).format(count=len(report.refused)),
              file=sys.stderr)
    return 0


def _shown(value) -> str:
    return "—" if value is None or value == "" else str(value)


def run_conflicts(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        found = conflicts.list_conflicts(session.db)
    if args.json:
        print(json.dumps([{"id": c.id, "table": c.table, "field": c.field, "case": c.case_id,
                           "values": [{"number": v.number, "value": v.value, "at": v.at,
                                       "who": v.who, "mine": v.mine} for v in c.values]}
                          for c in found], indent=2, ensure_ascii=False))
        return 0
    if not found:
        print(_("No conflicts."))
    for conflict in found:
        print(f"{conflict.id}  {conflict.table}.{conflict.field}  " +
              _("case {id}").format(id=_shown(conflict.case_id)))
        for value in conflict.values:
            shown = value.value
            if conflict.is_delete:
                shown = _("deleted") if value.value == 1 else _("kept (changed meanwhile)")
            mine = " " + _("(this laptop)") if value.mine else ""
            print(f"    {value.number}. {_shown(shown)}   {value.who} {value.at}{mine}")
    return 0


def run_resolve(context: CommandContext, args: argparse.Namespace) -> int:
    keep = {"deleted": "delete", "kept": "restore"}.get(args.keep, args.keep)
    with context.session() as session:
        conflict = conflicts.resolve(session, args.id, keep)
    print(_("Settled; the choice reaches the other laptops at the next sync ({id}).").format(
        id=conflict.id))
    return 0
