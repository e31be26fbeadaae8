"""The ``workbench`` command: the GUI with no subcommand, admin tasks with one.

Every subcommand calls the same services as the GUI. Errors are one line on stderr in the
user's language, never a traceback; the exit code says what kind of failure it was.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from workbench import __version__
from workbench.cli import (
    agreement_commands,
    case_commands,
    plan_commands,
    stats_commands,
    store_commands,
    team_commands,
    user_commands,
)
from workbench.cli.context import CommandContext
from workbench.errors import WorkbenchError
from workbench.i18n import N_, _, language_from_environment, set_language
from workbench.paths import private_log_dir

EXIT_OK, EXIT_FAILURE, EXIT_INTERRUPTED = 0, 1, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description=_("Housing Advice Workbench: case work, budgets, payment plans and "
                      "agreements for housing advisors. Without a command, opens the window."))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help=_("the store's folder for the window (default: "
                               "$WORKBENCH_DATA_DIR or the platform's data folder)"))
    commands = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    demo = commands.add_parser(
        "demo", help=_("try the program on a throwaway store of demonstration cases"),
        description=_("Open the window on a temporary store of fictional cases; the store "
                      "is removed when the window closes."))
    demo.add_argument("--cases", type=int, default=200, metavar="N")
    for module in (store_commands, user_commands, case_commands, plan_commands,
                   agreement_commands, stats_commands, team_commands):
        module.register(commands)
    return parser


GuiStarter = Callable[[argparse.Namespace], int]


class NoWindow(WorkbenchError):
    template = N_("The window is not available from here; start it with the “workbench” "
                  "command installed with the program.")


def main(argv: Sequence[str] | None = None, gui: GuiStarter | None = None) -> int:
    """Run one command; with no command (or ``demo``) start the window through ``gui``."""
    set_language(language_from_environment())
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if not getattr(args, "handler", None):
            if gui is None:
                raise NoWindow()
            return gui(args)
        context = CommandContext.from_args(args)
        return args.handler(context, args) or EXIT_OK
    except WorkbenchError as error:
        print(f"workbench: {error.message()}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader (``| head``) went away; that is not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception:  # the last line of defence: a log for us, a sentence for the user
        where = _write_crash_log()
        print("workbench: " + _("An unexpected error stopped the command; nothing more "
                                "was saved. Details are in {path}.").format(path=where),
              file=sys.stderr)
        return EXIT_FAILURE


def _write_crash_log() -> str:
    """Write the traceback to a private, uniquely named file; return where it went."""
    try:
        directory = private_log_dir()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        fd, name = tempfile.mkstemp(prefix=f"crash-{stamp}-", suffix=".log", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as log_file:
            log_file.write(traceback.format_exc())
        return name
    except OSError:
        logging.exception("could not write the crash log")
        return "?"
