"""Team sync while the window is open: on a worker thread, never on the GUI thread.

A sync starts when the store is unlocked, a few seconds after a saved change (saves close
together make one sync), every few minutes, when the network comes back, and with *Sync
now*. One runs at a time; a request while one runs makes one more after it. Locking the
store stops a running sync after its page (the page is applied whole or not at all).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from ui.context import AppContext
from workbench.errors import WorkbenchError
from workbench.sync.background import BackgroundSync, SyncStopped, TeamStatus, team_status
from workbench.sync.unreachable import ServerUnreachable

log = logging.getLogger(__name__)

EVERY_MS = 3 * 60 * 1000  # a sync every few minutes while the window is open
AFTER_SAVE_MS = 4000  # saves within this time make one sync
OFFLINE_RETRY_MS = 30 * 1000  # while the server cannot be reached


class _Worker(QThread):
    progressed = Signal(str, int, int)
    done = Signal(object)
    failed = Signal(object)

    def __init__(self, runner: BackgroundSync, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner

    def run(self) -> None:  # on the worker thread
        try:
            report = self.runner.run(self.progressed.emit)
        except Exception as error:  # handed to the GUI thread, which says what it means
            self.failed.emit(error)
            return
        self.done.emit(report)


class TeamSync(QObject):
    """The window's syncs and what the status bar says about them."""

    changed = Signal()  # the status to show is different
    # Local ids of the cases other laptops' changes touched; None: some may have arrived
    # (a sync that stopped or failed after taking in pages), which is not known.
    arrived = Signal(object)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.status = TeamStatus(False)
        self.running = False
        self.received = 0  # records taken in by the sync running now
        self.expected = 0  # records the server has for this laptop (0: not known yet)
        self.offline_since: datetime | None = None
        self.problem: str | None = None  # translated: what went wrong and what to do
        self._runner: BackgroundSync | None = None
        self._worker: _Worker | None = None
        self._again = False
        self._soon = QTimer(self, singleShot=True, interval=AFTER_SAVE_MS)
        self._soon.timeout.connect(self.sync_now)
        self._every = QTimer(self, interval=EVERY_MS)
        self._every.timeout.connect(self.sync_now)
        ctx.locking_soon.connect(self.stop)
        ctx.case_saved.connect(lambda _file: self.request_soon())
        ctx.cases_changed.connect(self.request_soon)
        self._watch_network()

    # --- starting and stopping -------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        """After unlock: a sync at once if this laptop is in a team."""
        self.refresh_status()
        if not self.status.in_team or self._runner is not None:
            return  # (already started: once per unlock)
        self._runner = BackgroundSync(self.ctx.session)
        self._every.start()
        self.sync_now()

    @Slot()
    def stop(self) -> None:
        """Before the store locks: no new sync, the running one stops after its page."""
        self._every.stop()
        self._soon.stop()
        self._again = False
        if self._runner is not None:
            self._runner.stop()
        if self._worker is not None:
            self._worker.wait()
            self._worker_finished()
        if self._runner is not None:
            self._runner.close()
            self._runner = None
        self.running = False

    def request_soon(self) -> None:
        if self._runner is not None:
            self._soon.start()

    @Slot()
    def sync_now(self) -> None:
        if self._runner is None or not self.ctx.unlocked:
            return
        self._soon.stop()
        if self.running:
            self._again = True
            return
        self.running = True
        self.received = self.expected = 0
        self._worker = _Worker(self._runner, self)
        self._worker.progressed.connect(self._progressed)
        self._worker.done.connect(self._done)
        self._worker.failed.connect(self._failed)
        self._worker.start()
        self.changed.emit()

    # --- results -------------------------------------------------------------------------

    @Slot(str, int, int)
    def _progressed(self, stage: str, done: int, total: int) -> None:
        if stage == "pull" and not self._stale():
            self.received, self.expected = done, total
            self.changed.emit()

    def _stale(self) -> bool:
        """A result of a worker already let go by ``stop`` (its signal was still queued),
        arriving when a new sync may be running: not this sync's."""
        return self.sender() is not self._worker

    @Slot(object)
    def _done(self, report) -> None:
        if self._stale():
            if report.cases:  # taken in, whichever sync it was: shown
                self.arrived.emit(set(report.cases))
            return
        self._worker_finished()
        self.offline_since, self.problem = None, None
        self._every.setInterval(EVERY_MS)
        if report.cases:
            self.arrived.emit(set(report.cases))
        self._finish()

    @Slot(object)
    def _failed(self, error: Exception) -> None:
        if self._stale():
            self.arrived.emit(None)  # its pages taken in before it stopped are kept
            return
        self._worker_finished()
        if self.received:
            self.arrived.emit(None)
        if isinstance(error, SyncStopped):
            self._finish()
            return
        if isinstance(error, ServerUnreachable):
            log.info("team server not reachable: %s", error.detail)
            if self.offline_since is None:
                self.offline_since = datetime.now(UTC)
            self.problem = None
            self._every.setInterval(OFFLINE_RETRY_MS)
        elif isinstance(error, WorkbenchError):
            log.warning("sync refused: %s", getattr(error, "code", error))
            self.problem = error.message()
            self.offline_since = None
        else:
            log.error("sync failed", exc_info=error)
            self.problem = ""  # said generically by the status bar; details in the log
        self._finish()

    def _worker_finished(self) -> None:
        if self._worker is not None:
            self._worker.wait()
            self._worker.deleteLater()
            self._worker = None

    def _finish(self) -> None:
        self.running = False
        self.refresh_status()
        if self._again and self._runner is not None:
            self._again = False
            self.sync_now()

    def refresh_status(self) -> None:
        if self.ctx.unlocked:
            try:
                self.status = team_status(self.ctx.session)
            except Exception as error:  # never let the status bar take the window down
                log.error("team status could not be read", exc_info=error)
        else:
            self.status = TeamStatus(False)
        self.changed.emit()

    # --- the network ---------------------------------------------------------------------

    def _watch_network(self) -> None:
        """When the network comes back, sync at once (else at the next retry)."""
        try:
            from PySide6.QtNetwork import QNetworkInformation
        except ImportError:  # pragma: no cover - Qt built without its network module
            return
        if not QNetworkInformation.instance() and not QNetworkInformation.loadDefaultBackend():
            return
        info = QNetworkInformation.instance()
        if info is not None:
            info.reachabilityChanged.connect(self._reachability)

    def _reachability(self, reachability) -> None:
        from PySide6.QtNetwork import QNetworkInformation
        if reachability == QNetworkInformation.Reachability.Online and \
                self.offline_since is not None:
            self.sync_now()

