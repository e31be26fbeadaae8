"""Agreement commands: agreement (render and seal), verify, identity import/export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.agreements import identity as identities
from workbench.agreements.seal_status import REASONS, SealStatus
from workbench.agreements.service import AgreementService
from workbench.agreements.verify import verify
from workbench.cli.case_commands import record_id
from workbench.cli.context import CommandContext, add_store_arguments, report_lines
from workbench.errors import FileProblem
from workbench.i18n import LANGUAGES, _, ngettext
from workbench.paths import default_data_dir
from workbench.store.files import os_errors_as_user_errors, write_atomically

MAX_VERIFY_BYTES = 200 * 1024 * 1024  # far beyond any agreement; larger files are refused


def register(commands: argparse._SubParsersAction) -> None:
    agreement = commands.add_parser(
        "agreement", help=_("write a sealed payment agreement for a case"),
        description=_("Render the payment agreement for the case's plan in force, seal it "
                      "with the organisation's certificate, keep it in the store and write a "
                      "copy to FILE. Secrets: your passphrase."))
    add_store_arguments(agreement)
    agreement.add_argument("case_id", type=record_id, metavar="CASE_ID")
    agreement.add_argument("--lang", choices=LANGUAGES, required=True,
                           help=_("the language of the agreement"))
    agreement.add_argument("--out", type=Path, required=True, metavar=_("FILE"))
    agreement.add_argument("--place", default="", help=_("where the agreement is made"))
    agreement.set_defaults(handler=run_agreement)

    check = commands.add_parser(
        "verify", help=_("check the seal of an agreement"),
        description=_("Check that FILE carries the organisation's seal and that nothing was "
                      "changed or added after sealing. Exit 0 when valid, 1 otherwise. Needs "
                      "no passphrase: the organisation's certificate is read from the data "
                      "folder, or given with --certificate."))
    check.add_argument("file", type=Path, metavar=_("FILE"))
    check.add_argument("--data-dir", type=Path, default=None)
    check.add_argument("--certificate", type=Path, default=None, metavar=_("FILE"),
                       help=_("the organisation's certificates (PEM): the current one and "
                              "any earlier ones"))
    check.set_defaults(handler=run_verify)

    identity = commands.add_parser("identity", help=_("the organisation's seal certificate"))
    sub = identity.add_subparsers(dest="identity_command", metavar=_("COMMAND"), required=True)
    imported = sub.add_parser(
        "import", help=_("use the organisation's PKCS#12 certificate"),
        description=_("Seal agreements with the certificate in a PKCS#12 file. Secrets, in "
                      "order: your passphrase, then the file's password."))
    add_store_arguments(imported)
    imported.add_argument("file", type=Path, metavar=_("FILE"))
    imported.set_defaults(handler=run_identity_import)
    exported = sub.add_parser(
        "export", help=_("write the public certificate for landlords and courts"),
        description=_("Write the organisation's public certificate (PEM) to FILE. Secrets: "
                      "your passphrase."))
    add_store_arguments(exported)
    exported.add_argument("file", type=Path, metavar=_("FILE"))
    exported.set_defaults(handler=run_identity_export)


def run_agreement(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        service = AgreementService(session)
        due = service.due_already(args.case_id)
        if due:
            print(ngettext("Warning: {count} instalment of the plan is already due; the "
                           "agreement prints its date as passed. Renegotiate the plan for "
                           "dates still to come.",
                           "Warning: {count} instalments of the plan are already due; the "
                           "agreement prints their dates as passed. Renegotiate the plan "
                           "for dates still to come.", len(due)).format(count=len(due)),
                  file=sys.stderr)
        # The file is written in full before the agreement is kept (a full disk keeps
        # nothing), and a retry never repeats a number.
        document, _pdf = service.make(args.case_id, args.lang, args.place, out=args.out)
    print(_("Agreement {number} sealed and written to {path}.").format(
        number=document.number, path=args.out))
    return 0


def run_verify(context: CommandContext, args: argparse.Namespace) -> int:
    """Exit 0 for a valid seal and 1 for anything else, an unreadable file included. The
    verdict is the first line, so ``workbench verify FILE | head -1`` is enough to read."""
    try:
        if args.file.stat().st_size > MAX_VERIFY_BYTES:
            return report_lines([_(REASONS[SealStatus.UNREADABLE])], 1)
        pdf = args.file.read_bytes()
        if args.certificate:
            certificates = args.certificate.read_bytes()
        else:
            certificates = identities.published_certificates(
                args.data_dir or default_data_dir())
    except OSError as error:
        return report_lines([FileProblem(path=str(error.filename or args.file),
                                    detail=error.strerror or "").message()], 1)
    verdict = verify(pdf, certificates)
    lines = [_(REASONS[verdict.status])]
    for caption, value in ((_("Signer"), verdict.signer), (_("Signed at"), verdict.signed_at),
                           (_("Document number"), verdict.document_number),
                           (_("Reason"), verdict.reason)):
        if value:
            lines.append(f"{caption}: {value}")
    return report_lines(lines, 0 if verdict.valid else 1)


def run_identity_import(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        with os_errors_as_user_errors(args.file):
            data = args.file.read_bytes()
        password = context.secret(_("Password of {path}: ").format(path=args.file))
        identity = identities.import_pkcs12(data, password)
        identities.save_identity(session, identity)
    print(_("Agreements are now sealed as {subject}.").format(subject=identity.subject))
    return 0


def run_identity_export(context: CommandContext, args: argparse.Namespace) -> int:
    with context.session() as session:
        identity = identities.load_identity(session)
    with os_errors_as_user_errors(args.file):
        write_atomically(args.file, identity.certificate_pem)
    print(_("Wrote the organisation's certificate to {path}.").format(path=args.file))
    return 0
