"""Long store operations off the GUI thread, with a progress dialog nobody can dismiss.

The work runs in a ``QThread``; its progress, result or error come back as signals, which Qt
delivers on the GUI thread (queued), so the window keeps painting and answering meanwhile.
While a task runs, nothing else may use the session: the dialog is application-modal, and
whoever starts a task pauses the idle lock (see ``UsersPanel.busy``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QProgressDialog, QWidget

from ui.context import show_failure

# The work gets one argument: a callable(done, steps) it may call to report progress.
Work = Callable[[Callable[[int, int], None]], Any]


class Task(QThread):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.work = work

    def run(self) -> None:  # on the worker thread
        try:
            result = self.work(self.progressed.emit)
        except Exception as error:  # handed to the GUI thread, which shows it
            self.failed.emit(error)
            return
        self.succeeded.emit(result)


class ProgressDialog(QProgressDialog):
    """A busy bar, then steps as the work reports them; no Cancel, Esc or close while it
    runs (a half-renewed store would finish at the next unlock, but nobody should wait on
    that by accident)."""

    def __init__(self, text: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(text, "", 0, 0, parent)
        self.setObjectName("progressDialog")
        self.setWindowTitle(title)
        self.setCancelButton(None)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(0)
        self.setWindowModality(Qt.ApplicationModal)
        self.setMinimumWidth(420)
        self.running = True
        self.steps_seen: list[tuple[int, int]] = []  # what the work reported, in order

    def step(self, done: int, steps: int) -> None:
        self.steps_seen.append((done, steps))
        self.setMaximum(max(steps, 1))
        self.setValue(min(done, steps))

    def finish(self) -> None:
        self.running = False
        self.close()

    def reject(self) -> None:
        if not self.running:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            event.ignore()
        else:
            super().closeEvent(event)


class Background(QObject):
    """One task and its dialog. Its slots live on the GUI thread, so Qt queues the worker's
    signals to them; ``succeeded`` or ``failed`` is called once the dialog has closed."""

    def __init__(self, parent: QWidget, work: Work, text: str, title: str,
                 succeeded: Callable[[Any], None],
                 failed: Callable[[Exception], None]) -> None:
        super().__init__(parent)
        self.on_success, self.on_failure = succeeded, failed
        self.dialog = ProgressDialog(text, title, parent)
        self.task = Task(work, self)
        self.task.progressed.connect(self._progressed)
        self.task.succeeded.connect(self._succeeded)
        self.task.failed.connect(self._failed)

    def start(self) -> None:
        self.dialog.show()
        self.task.start()

    @property
    def running(self) -> bool:
        return self.task.isRunning() or self.dialog.running

    @Slot(int, int)
    def _progressed(self, done: int, steps: int) -> None:
        self.dialog.step(done, steps)

    @Slot(object)
    def _succeeded(self, result: Any) -> None:
        self._end()
        self.on_success(result)

    @Slot(object)
    def _failed(self, error: Exception) -> None:
        self._end()
        self.on_failure(error)

    def dispose(self) -> None:
        self.dialog.deleteLater()
        self.deleteLater()

    def _end(self) -> None:
        self.task.wait()  # the signal was its last act; let the thread wind down
        self.dialog.finish()


def run_task(owner: QWidget, previous: Background | None, busy, work: Work, text: str,
             title: str, succeeded: Callable[[Any], None],
             after_failure: Callable[[], None] | None = None) -> Background:
    """Start ``work`` with its dialog for a panel: ``busy`` (a signal) says True while it
    runs (the window holds its idle lock meanwhile), a failure is shown to the user (after
    ``after_failure``), and the panel's previous task is let go. Returns the new task, for
    the panel to keep."""
    busy.emit(True)

    def done(result: Any) -> None:
        busy.emit(False)
        succeeded(result)

    def failed(error: Exception) -> None:
        busy.emit(False)
        if after_failure is not None:
            after_failure()
        show_failure(owner, error)

    if previous is not None:
        previous.dispose()  # the last task's, kept until now for a look
    task = Background(owner, work, text, title, done, failed)
    task.start()
    return task


class _Busy(QObject):
    """Says True when a ``wait_for`` task starts and False when it ends: the window holds
    its idle lock and its team sync meanwhile, as for Settings' tasks (the task uses the
    window's connection; locking would close it under the task)."""

    changed = Signal(bool)


busy = _Busy()


def wait_for(owner: QWidget, work: Callable[[], Any], text: str, title: str) -> Any:
    """``work`` on a worker thread while the window keeps painting behind a busy dialog,
    for a step that must end before the user goes on (a wizard's Next, sealing); returns
    its result or raises what it raised."""
    busy.changed.emit(True)
    try:
        return _wait_for(owner, work, text, title)
    finally:
        busy.changed.emit(False)


def _wait_for(owner: QWidget, work: Callable[[], Any], text: str, title: str) -> Any:
    loop = QEventLoop()
    outcome: dict[str, Any] = {}

    def ended(key: str, value: Any) -> None:
        outcome[key] = value
        loop.quit()

    task = Background(owner, lambda _progress: work(), text, title,
                      lambda result: ended("result", result),
                      lambda error: ended("error", error))
    task.start()
    loop.exec()
    task.dispose()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
