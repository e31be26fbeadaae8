"""Who has the store open: a shared lock while a window or command has it open, an exclusive
one while the store's files are swapped (key rotation, restore).

SQLite's own locks guard single transactions; they cannot stop another program from
writing into a database file that a restore or a rotation has just replaced. A
``workbench.lock`` file beside the store, locked with ``flock`` (``msvcrt`` on Windows is
left to the packaging issue: there the lock is advisory only), closes that gap. The kernel
drops the lock when a process dies, so a killed program never leaves the store locked.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from workbench.errors import StoreError
from workbench.i18n import N_
from workbench.store.files import PRIVATE_FILE

LOCK_FILENAME = "workbench.lock"

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


class StoreInUse(StoreError):
    template = N_("The case store is open in another window or command. Lock or close it "
                  "there, then try again; nothing was changed.")


class StoreLock:
    """One holder's lock on a store folder."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_FILENAME
        self._fd: int | None = None
        self.mode: str | None = None

    def _open(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        return self._fd

    def _flock(self, operation: int, wait_seconds: float) -> bool:
        if fcntl is None:
            return True
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(self._open(), operation | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.05)

    def shared(self, wait_seconds: float = 10.0) -> None:
        """Hold the store open; waits while a rotation or restore swaps its files."""
        if not self._flock(fcntl.LOCK_SH if fcntl else 0, wait_seconds):
            raise StoreInUse()
        self.mode = "shared"

    def exclusive(self, wait_seconds: float = 2.0) -> None:
        """Nobody else may have the store open. Refuses with ``StoreInUse`` otherwise."""
        if not self._flock(fcntl.LOCK_EX if fcntl else 0, wait_seconds):
            if self.mode == "shared":  # flock may have dropped our shared lock meanwhile
                self._flock(fcntl.LOCK_SH, wait_seconds)
            raise StoreInUse()
        self.mode = "exclusive"

    def downgrade(self) -> None:
        if self.mode == "exclusive":
            self._flock(fcntl.LOCK_SH if fcntl else 0, 10.0)
            self.mode = "shared"

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)  # closing the descriptor drops the flock
        self._fd, self.mode = None, None


@contextlib.contextmanager
def exclusively(data_dir: Path, held: StoreLock | None = None) -> Iterator[StoreLock]:
    """The store to ourselves for a block; ``held`` is our own shared lock, if any."""
    lock = held or StoreLock(data_dir)
    if lock.mode == "exclusive":  # already ours alone (an outer block holds it)
        yield lock
        return
    was_shared = lock.mode == "shared"
    lock.exclusive()
    try:
        yield lock
    finally:
        if was_shared:
            lock.downgrade()
        elif held is None:
            lock.release()
