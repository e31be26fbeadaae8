"""What every subcommand needs: where the store is, who the user is, and secrets."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import ValidationError
from workbench.i18n import N_, _
from workbench.paths import default_data_dir
from workbench.session import Session, StoreLocation, unlock

USER_ENV = "WORKBENCH_USER"


class MissingUser(ValidationError):
    template = N_("Say who you are with --user NAME (or set WORKBENCH_USER).")


class NoSecret(ValidationError):
    template = N_("A passphrase was expected on standard input, one per line.")


class SecretsDiffer(ValidationError):
    template = N_("The two passphrases differ; nothing was changed.")


def add_store_arguments(parser: argparse.ArgumentParser, with_user: bool = True) -> None:
    parser.add_argument("--data-dir", type=Path, default=None,
                        help=_("the store's folder (default: $WORKBENCH_DATA_DIR or the "
                               "platform's data folder)"))
    if with_user:
        parser.add_argument("--user", default=None,
                            help=_("your user name (default: $WORKBENCH_USER)"))
    parser.add_argument("--passphrase-stdin", action="store_true",
                        help=_("read passphrases and keys from standard input, one per line, "
                               "in the order this command's description gives"))


@dataclass
class CommandContext:
    location: StoreLocation
    user: str | None
    from_stdin: bool
    _stdin_lines: list[str] | None = field(default=None, repr=False)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CommandContext:
        data_dir = getattr(args, "data_dir", None) or default_data_dir()
        user = getattr(args, "user", None) or os.environ.get(USER_ENV) or None
        return cls(StoreLocation(Path(data_dir).expanduser()), user,
                   bool(getattr(args, "passphrase_stdin", False)))

    def require_user(self) -> str:
        if not self.user:
            raise MissingUser()
        return self.user

    def secret(self, prompt: str, confirm: bool = False) -> str:
        """The next secret: a line of standard input, or typed at a hidden prompt."""
        if self.from_stdin:
            if self._stdin_lines is None:
                self._stdin_lines = sys.stdin.read().splitlines()
            if not self._stdin_lines:
                raise NoSecret()
            return self._stdin_lines.pop(0)
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass(_("Type it again: ")) != first:
            raise SecretsDiffer()
        return first

    def unlock(self) -> Session:
        user = self.require_user()
        self.location.user_names()  # a clear "no store here" before asking for a passphrase
        session = unlock(self.location, user, self.secret(
            _("Passphrase for {user}: ").format(user=user)))
        report_unlock(session)
        return session

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """The unlocked store for the length of a command; locked again whatever happens."""
        session = self.unlock()
        try:
            yield session
        finally:
            session.lock()


def report_unlock(session: Session) -> None:
    """What the user must know right after unlocking: integrity warnings, and after an
    upgrade the new recovery key and who needs a new passphrase."""
    for warning in session.warnings:
        print(_("Warning: {problem}").format(problem=warning), file=sys.stderr)
    if session.new_recovery_key:
        print(_("This store was upgraded to personal keys."), file=sys.stderr)
        print(_("New recovery key (the old one no longer works; shown only now, print it "
                "and keep it in a safe):"), file=sys.stderr)
        print(f"    {session.new_recovery_key}", file=sys.stderr)
        if session.users_needing_passphrase:
            print(_("Set a new passphrase for each of these users with “workbench users "
                    "passwd NAME”: {users}").format(
                      users=", ".join(session.users_needing_passphrase)), file=sys.stderr)


def report_lines(lines: list[str], exit_code: int) -> int:
    """Print ``lines`` and return ``exit_code``, also when the reader has gone away (``| head
    -1``): the rest of the output is dropped, as Python's documentation advises for
    SIGPIPE, and the command's exit status is kept (a check that found problems, a seal
    that is not valid, still exits 1)."""
    try:
        for line in lines:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return exit_code
