"""Plaintext copies of documents opened in another program (a PDF reader, to print).

Documents stay encrypted in the store; opening one means writing a copy the other program
can read. The copies live in one folder per running program, inside a per-user folder only
this user can enter (0700)::

    <temp>/housing-advice-workbench-<uid>/open-<pid>-<random>/<document>.pdf

They are removed when the window locks (also when it locks itself after idle minutes), at
exit, and — when the program was killed and could not remove them — by the next start,
which sweeps the folders of programs that no longer run. Only that per-user folder is ever
swept, so no other program's temporary files are touched. A running program holds a lock
on its folder's ``.owner`` file, so a second window of the same user keeps its copies.

Free of Qt, so it can be used and tested on its own.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted, which serves the same end
    fcntl = None

APP_FOLDER = "housing-advice-workbench"
SESSION_PREFIX = "open-"
OWNER = ".owner"
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
JUST_MADE_SECONDS = 60

log = logging.getLogger(__name__)


def user_folder() -> Path:
    """``<temp>/housing-advice-workbench-<uid>``: this user's, recognisably the program's."""
    suffix = f"-{os.getuid()}" if hasattr(os, "getuid") else ""
    return Path(tempfile.gettempdir()) / f"{APP_FOLDER}{suffix}"


def _private_user_folder(create: bool = True) -> Path | None:
    """The per-user folder, made 0700 (and created, if ``create``); None when there is none
    or it is not safely ours (another user made it first, or it is a link), so nothing in
    it is trusted or swept."""
    folder = user_folder()
    if create:
        try:
            os.mkdir(folder, PRIVATE_DIR)
        except FileExistsError:
            pass
        except OSError:
            return None
    elif not os.path.lexists(folder):
        return None
    if os.name != "posix":
        return folder if folder.is_dir() else None
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        if os.fstat(fd).st_uid != os.getuid():
            return None
        os.fchmod(fd, PRIVATE_DIR)
    finally:
        os.close(fd)
    return folder


class PrivateCopies:
    """This program's folder of opened copies, made on the first copy."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self._owner = None  # the open .owner file, locked while the program runs
        atexit.register(self.remove_all)

    def write(self, name: str, content: bytes) -> Path:
        """A private (0600) copy named ``name`` (its last part only) for another program."""
        if self.folder is None or not self.folder.is_dir():
            self.folder = self._make_folder()
        base = Path(name).name
        path = self.folder / (base if base not in ("", ".", "..", OWNER) else "document")
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # a reader may still show the last copy; never write into it
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        return path

    def remove_all(self) -> None:
        """Remove every copy and the folder (locking, exit)."""
        folder, owner = self.folder, self._owner
        self.folder, self._owner = None, None
        if owner is not None:
            owner.close()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def _make_folder(self) -> Path:
        parent = _private_user_folder()
        if parent is None:  # not safely ours: a fresh private folder of its own, unswept
            return Path(tempfile.mkdtemp(prefix=f"{APP_FOLDER}-{SESSION_PREFIX}"))
        folder = Path(tempfile.mkdtemp(prefix=f"{SESSION_PREFIX}{os.getpid()}-", dir=parent))
        owner = open(folder / OWNER, "wb")  # noqa: SIM115 (held open while we run)
        if fcntl is not None:
            fcntl.flock(owner.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._owner = owner
        return folder


def sweep_stale() -> int:
    """Remove the copies of this user's programs that were killed; returns how many
    folders went. A running program's folder is left alone."""
    parent = _private_user_folder(create=False)
    if parent is None:
        return 0
    removed = 0
    for folder in parent.glob(f"{SESSION_PREFIX}*"):
        try:
            if stat.S_ISLNK(folder.lstat().st_mode) or not folder.is_dir() or _running(folder):
                continue
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    if removed:
        log.info("removed %d folder(s) of copies left by a program that was stopped", removed)
    return removed


def _running(folder: Path) -> bool:
    """Whether the program that made ``folder`` still runs (it holds ``.owner``)."""
    owner = folder / OWNER
    if fcntl is None:
        try:
            owner.unlink()  # refused while the owner keeps it open
        except FileNotFoundError:
            return _age(folder) < JUST_MADE_SECONDS
        except OSError:
            return True
        return False
    try:
        handle = open(owner, "rb")  # noqa: SIM115
    except FileNotFoundError:
        # Killed before it made its lock file — or making it this very moment.
        return _age(folder) < JUST_MADE_SECONDS
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return False


def _age(folder: Path) -> float:
    try:
        return time.time() - folder.stat().st_mtime
    except OSError:
        return 0.0
