"""Private files written atomically: temporary file, fsync, rename, fsync the folder."""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from workbench.errors import DiskFull, FileProblem

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_RANDOM_PART = "?" * 8  # what tempfile.mkstemp puts between prefix and suffix


def ensure_private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, PRIVATE_DIR)


def fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def os_errors_as_user_errors(path: Path) -> Iterator[None]:
    """Turn a full disk or an unwritable path into a message the user can act on."""
    try:
        yield
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFull() from error
        raise FileProblem(path=str(path), detail=error.strerror or str(error)) from error


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a private temporary path beside ``target``; on success it replaces ``target``.

    On any error the temporary file is removed, so a half-written file never appears
    under the target's name and the old file stays as it was.
    """
    target = Path(target)
    with os_errors_as_user_errors(target):
        _remove_stale(target)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                        dir=target.parent)
        os.close(fd)
    tmp = Path(tmp_name)
    try:
        with os_errors_as_user_errors(target):
            os.chmod(tmp, PRIVATE_FILE)
            yield tmp
            with open(tmp, "rb+") as written:
                os.fsync(written.fileno())
            os.replace(tmp, target)
            fsync_dir(target.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _remove_stale(target: Path) -> None:
    """Temporary files an earlier write of ``target`` left when the program was killed
    mid-write, and nothing else: named exactly as ``atomic_output`` names them (the
    target's name, escaped so that ``*``, ``?`` or ``[`` in it match only themselves, then
    mkstemp's eight random characters)."""
    pattern = f".{glob.escape(target.name)}.{_RANDOM_PART}.tmp"
    for stale in target.parent.glob(pattern):
        with contextlib.suppress(OSError):
            stale.unlink()


def write_atomically(target: Path, data: bytes) -> None:
    with atomic_output(target) as tmp, open(tmp, "wb") as out:
        out.write(data)


def create_private_file(path: Path) -> None:
    """Create an empty file readable only by its owner (before SQLite opens it)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    os.close(fd)
