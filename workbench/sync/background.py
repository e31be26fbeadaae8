"""Sync for a window: on connections of its own, on a worker thread, one sync at a time.

The window's connection stays free for what the advisor does meanwhile: reading never
waits (the store's log lets readers go on beside a writer), and a save waits at most for
the page being applied, which is kept small here. A sync can be stopped between pages (the
store is being locked, the program quits): each page is applied whole or not at all, so
nothing is lost and the next sync goes on from there.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from workbench.errors import WorkbenchError
from workbench.i18n import N_
from workbench.sync import state
from workbench.sync.engine import Progress, SyncReport, sync

WINDOW_PAGE = 500  # records per transaction while the window is open (about 0.4 s of work)


class SyncStopped(WorkbenchError):
    template = N_("Sync was stopped; it goes on from where it stopped next time.")


@dataclass(frozen=True)
class TeamStatus:
    """What the status bar says about this laptop's place in the team."""

    in_team: bool
    waiting: int = 0  # changes made here, not yet sent
    last_sync: datetime | None = None
    conflict_cases: int = 0


def team_status(session) -> TeamStatus:
    db = session.db if session.db is not None else session.facts_db
    if db is None or not state.in_team(db):
        return TeamStatus(False)
    last = state.get(db, "last_sync")
    waiting = state.waiting(db) if session.db is not None else 0
    conflict_cases = 0
    if session.db is not None:
        from workbench.sync.conflicts import cases_with_conflicts
        conflict_cases = len(cases_with_conflicts(session.db))
    return TeamStatus(True, waiting, datetime.fromisoformat(last) if last else None,
                      conflict_cases)


class BackgroundSync:
    """Runs ``sync`` for the window's session on a second session of the same user."""

    def __init__(self, session) -> None:
        self._session = session
        self._own = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def run(self, progress: Progress | None = None) -> SyncReport:
        """One sync (on the calling thread); raises what ``sync`` raises, or SyncStopped."""
        with self._lock:
            # (A stop is never cleared: a stopped runner is let go, a new one made.)
            if self._own is None:
                self._own = self._session.another_connection()

            def checked(stage: str, done: int, total: int) -> None:
                if self._stop.is_set():
                    raise SyncStopped()
                if progress is not None:
                    progress(stage, done, total)

            return sync(self._own, checked, page=WINDOW_PAGE)

    def stop(self) -> None:
        """Ask a running sync to stop after the page it is applying."""
        self._stop.set()

    def close(self) -> None:
        """Close the second session (after ``run`` has returned); the window's session and
        its keys stay as they are."""
        with self._lock:
            if self._own is not None:
                self._own.close()
                self._own = None
