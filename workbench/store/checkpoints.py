"""Copying the write-ahead log back into the store files in a thread of its own.

With SQLite's automatic checkpoint, the save that happens to fill the log to 1,000 pages
copies them all into the file before it returns: one save in every few dozen took three
times as long as the others, and more often the more pages a save writes (a syncing store
writes half as many again, for its outbox). Here a second connection to the same files
does that copy after a commit, while the window goes on. SQLite's own checkpoint stays as
a backstop at a larger size, should this thread fall behind or stop.

The log is cut back to nothing each time it starts again from its beginning, so its size
on disk is what it holds (without that it keeps its largest size and says nothing).
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

import sqlcipher3

LOG_PAGES = 1000  # as SQLite's default: the log is copied back once it holds this many
BACKSTOP_PAGES = 8000  # the writing connection copies it back itself beyond this
_FRAME = 4096 + 24  # a page of the log and its header


class Checkpointer:
    """A thread that checkpoints the case store (and the stores attached to it) when a
    commit has left a long log. ``nudge`` after a commit; ``close`` before the writing
    connection closes."""

    def __init__(self, connection: sqlcipher3.Connection, logs: dict[str, Path]) -> None:
        self._connection = connection  # keyed like the writer's, attached alike
        self._logs = logs  # schema name -> its write-ahead log file
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="store checkpoints",
                                        daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        self._wake.set()

    def close(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join()
        with contextlib.suppress(sqlcipher3.Error):
            self._connection.close()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            for schema, log in self._logs.items():
                if _pages(log) >= LOG_PAGES:
                    # PASSIVE: copies what no reader still needs and never makes the
                    # writer wait; a busy or failed attempt is tried after the next commit.
                    with contextlib.suppress(sqlcipher3.Error):
                        self._connection.execute(
                            f"PRAGMA {schema}.wal_checkpoint(PASSIVE)").fetchall()


def _pages(log: Path) -> int:
    try:
        return os.stat(log).st_size // _FRAME
    except OSError:
        return 0
