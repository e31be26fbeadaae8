"""Sync for a window: in a helper process of its own, one sync at a time.

Not a thread: a sync is mostly Python, and a thread holding Python's lock made the window
wait for it each time Qt called into Python. Measured while 5,000 records arrived: a
repaint of the case list is some 1,700 such calls, and each waited its turn, so the
window froze for 250–500 ms at a time though its own work took 50 ms. A process has a
lock of its own. The helper is started (``spawn``: nothing of this process is copied into
it) with the keys this user holds, opens the store on connections of its own, and lives
until the store locks. Reading in the window never waits for it (the store's log lets
readers go on beside a writer), and a save waits at most for the page being applied,
kept small here.

A sync can be stopped between pages (the store is being locked, the program quits); each
page is applied whole or not at all, so nothing is lost and the next sync goes on from
there. A helper that does not stop within a moment (the step after the last page has no
stopping point) is ended: its open transaction is rolled back by the store, as after a
power cut, and the next sync does that step again.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from workbench.errors import WorkbenchError
from workbench.i18n import N_
from workbench.sync import state

if TYPE_CHECKING:
    from workbench.sync.engine import Progress, SyncReport

log = logging.getLogger(__name__)

WINDOW_PAGE = 500  # records per transaction while the window is open (about 0.4 s of work)
STOP_WITHIN_S = 3.0  # a stopped sync that is still running after this is ended
POLL_S = 0.1


class SyncStopped(WorkbenchError):
    template = N_("Sync was stopped; it goes on from where it stopped next time.")


class HelperFailed(Exception):
    """The helper process died or failed unexpectedly (details for the log)."""


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
    """Runs ``sync`` for the window's session in a helper process, as the same user."""

    def __init__(self, session) -> None:
        self._session = session
        self._context = multiprocessing.get_context("spawn")
        self._stop = self._context.Event()  # seen by the helper between pages
        self._process = None
        self._pipe = None
        self._lock = threading.Lock()

    def run(self, progress: Progress | None = None) -> SyncReport:
        """One sync (the calling thread waits for it); raises what ``sync`` raises,
        SyncStopped, or HelperFailed."""
        with self._lock:
            # (A stop is never cleared: a stopped runner is let go, a new one made.)
            if self._stop.is_set():
                raise SyncStopped()
            for attempt in (1, 2):
                if self._process is None:
                    self._start()
                if self._stop.is_set():  # asked while the helper was starting
                    raise SyncStopped()
                try:
                    self._pipe.send("sync")
                    break
                except OSError:  # the helper is gone (it failed, or was ended): again
                    self._end()
                    if attempt == 2:
                        raise HelperFailed("the sync helper could not be reached") from None
            return self._answer(progress)

    def _answer(self, progress: Progress | None) -> SyncReport:
        stopping_since = None
        while True:
            if not self._pipe.poll(POLL_S):
                if not self._process.is_alive():
                    self._end()
                    raise HelperFailed("the sync helper ended without a word")
                if self._stop.is_set():
                    stopping_since = stopping_since or time.monotonic()
                    if time.monotonic() - stopping_since > STOP_WITHIN_S:
                        self._kill()
                        raise SyncStopped()
                continue
            try:
                kind, *said = self._pipe.recv()
            except (EOFError, OSError) as error:
                self._end()
                raise HelperFailed("the sync helper ended") from error
            if kind == "progress":
                if progress is not None:
                    progress(*said)
            elif kind == "done":
                return said[0]
            elif kind == "failed":
                raise said[0]
            elif kind == "unstarted":  # it could not open the store, and has ended
                self._end()
                raise said[0] if isinstance(said[0], WorkbenchError) else HelperFailed(said[0])
            else:  # "crashed": this sync failed unexpectedly; the helper goes on
                raise HelperFailed(said[0])

    def stop(self) -> None:
        """Ask a running sync to stop after the page it is applying."""
        self._stop.set()

    def close(self) -> None:
        """End the helper (after ``run`` has returned); the window's session and its keys
        stay as they are."""
        with self._lock:
            self._end()

    # --- the helper process --------------------------------------------------------------

    def _start(self) -> None:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(theirs, self._stop, self._session.handover()),
            name="workbench sync", daemon=True)
        process.start()
        theirs.close()
        self._process, self._pipe = process, ours

    def _end(self) -> None:
        """Let an idle helper go (it closes the store and wipes its keys); one that does not
        go at once is ended."""
        if self._process is None:
            return
        with contextlib.suppress(OSError):
            self._pipe.send("quit")
        self._process.join(STOP_WITHIN_S)
        if self._process.is_alive():
            log.warning("the sync helper did not stop; ending it")
        self._kill()

    def _kill(self) -> None:
        """End the helper now: its open transaction, if any, is rolled back by the store."""
        if self._process is None:
            return
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._forget()

    def _forget(self) -> None:
        if self._pipe is not None:
            self._pipe.close()
        self._process, self._pipe = None, None


def _serve(pipe, stop, handover) -> None:
    """The helper process: a sync each time it is asked, until told to quit."""
    from workbench.session import Session
    try:
        session = Session.taken_over(handover)
    except BaseException as error:
        handover.access.wipe()
        _send(pipe, ("unstarted", error if isinstance(error, WorkbenchError)
                     else traceback.format_exc()))
        return
    from workbench.sync.engine import sync  # (here: the window's process never loads it)

    parent = multiprocessing.parent_process()
    try:
        while True:
            try:
                command = pipe.recv()
            except (EOFError, OSError):
                return  # the window's process is gone
            if command != "sync":
                return

            def checked(stage: str, done: int, total: int) -> None:
                if stop.is_set() or (parent is not None and not parent.is_alive()):
                    raise SyncStopped()  # (the window's program is gone: stop too)
                pipe.send(("progress", stage, done, total))

            try:
                answer = ("done", sync(session, checked, page=WINDOW_PAGE))
            except WorkbenchError as error:
                answer = ("failed", error)
            except Exception:
                answer = ("crashed", traceback.format_exc())
            if not _send(pipe, answer):
                return
    finally:
        session.lock()  # closes the connections, wipes the keys


def _send(pipe, message) -> bool:
    try:
        pipe.send(message)
        return True
    except OSError:
        return False
