"""Documents opened to print: a private plaintext copy that does not outlive the unlocked
window — removed when it locks, and left by a killed program only until the next start."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QPushButton

from tests.conftest import make_store
from tests.helpers import intake
from tests.ui.conftest import unlock_with, when_modal
from ui.case_editor.documents_page import DocumentsPage
from ui.context import AppContext
from ui.dialogs import Dialogs
from ui.main_window import MainWindow
from workbench.agreements.service import AgreementService

PDF = b"%PDF-1.7\n% the tenant's signed agreement\n%%EOF\n"
# A program that opened a document and was then killed, so it could not clean up.
KILLED = ("import os, signal; from ui.private_copies import PrivateCopies; "
          "print(PrivateCopies().write('FI-2026-000001-1.pdf', b'%PDF killed'), flush=True); "
          "os.kill(os.getpid(), signal.SIGKILL)")
# A second window of the same user that is still running.
RUNNING = ("import sys; from ui.private_copies import PrivateCopies; "
           "print(PrivateCopies().write('FI-2026-000002-1.pdf', b'%PDF running'), flush=True); "
           "sys.stdin.read()")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture(autouse=True)
def temp(tmp_path, monkeypatch) -> Path:
    """The system's temporary folder, for this test alone (also for its subprocesses)."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


class Opened(QObject):
    """Stands in for the PDF reader: what the desktop was asked to open."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[Path] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.paths.append(Path(url.toLocalFile()))


@pytest.fixture
def reader():
    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    yield opened
    QDesktopServices.unsetUrlHandler("file")


def open_and_print(window, qtbot) -> None:
    cases = window.ctx.cases
    case_id = cases.create_case(intake(last_name="Tulostettava")).case.id
    AgreementService(window.ctx.session).attach_scan(case_id, "signed agreement.pdf", PDF)
    window.open_case(case_id)
    page = window.editor.page_of(DocumentsPage)
    window.editor.show_page(page)
    item = page.table.item(0, 1)
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton,
                     pos=page.table.visualItemRect(item).center())
    button = next(b for b in page.findChildren(QPushButton) if b.text() == "Open")
    qtbot.mouseClick(button, Qt.LeftButton)


def lock_from_the_menu(window) -> None:
    next(a for a in window.menuBar().actions()[0].menu().actions()
         if a.text() == "&Lock").trigger()


def lock_when_idle(window) -> None:
    window.idle.set_timeout(0.2)


@pytest.mark.parametrize("lock", [lock_from_the_menu, lock_when_idle])
def test_a_document_opened_to_print_is_gone_once_the_window_locks(window, qtbot, reader,
                                                                  temp, lock):
    open_and_print(window, qtbot)
    [copy] = reader.paths
    assert copy.read_bytes() == PDF and copy.name == "signed agreement.pdf"
    assert mode(copy) == 0o600 and mode(copy.parent) == 0o700
    seen = {}

    def while_locked(dialog) -> None:
        seen["copy left"] = copy.exists() or copy.parent.exists()
        unlock_with()(dialog)

    when_modal(while_locked)
    lock(window)
    qtbot.waitUntil(lambda: "copy left" in seen and window.ctx.unlocked, timeout=5000)
    assert seen["copy left"] is False
    assert not copy.exists()
    user_folder = temp / f"housing-advice-workbench-{os.getuid()}"  # recognisably ours
    assert copy.is_relative_to(user_folder) and mode(user_folder) == 0o700
    open_and_print(window, qtbot)  # after unlocking, opening works again
    assert reader.paths[-1].read_bytes() == PDF


def test_the_next_start_removes_what_a_killed_program_left_and_nothing_else(
        location, preferences, qtbot, temp):
    user_folder = temp / f"housing-advice-workbench-{os.getuid()}"
    user_folder.mkdir(mode=0o755)
    user_folder.chmod(0o755)  # as an earlier version might have left it
    env = {**os.environ, "TMPDIR": str(temp)}
    killed = subprocess.run([sys.executable, "-c", KILLED], env=env, capture_output=True,
                            text=True, check=False)
    assert killed.returncode == -signal.SIGKILL
    left = Path(killed.stdout.strip())
    assert left.read_bytes() == b"%PDF killed"
    running = subprocess.Popen([sys.executable, "-c", RUNNING], env=env, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        in_use = Path(running.stdout.readline().strip())
        others = [temp / "workbench-open-x1y2z3" / "report.pdf",  # other programs' files
                  temp / "invoice.pdf", temp / "open-1-abc" / "file.pdf",
                  user_folder / "notes.txt"]
        for other in others:
            other.parent.mkdir(exist_ok=True)
            other.write_bytes(b"not ours to remove")

        session = make_store(location)
        ctx = AppContext(location, preferences)  # the program starts
        ctx.open(session)
        window = MainWindow(ctx)
        qtbot.addWidget(window)

        assert not left.exists() and not left.parent.exists()
        assert in_use.read_bytes() == b"%PDF running"  # the other window keeps its copy
        assert [other.read_bytes() for other in others] == [b"not ours to remove"] * 4
        assert mode(user_folder) == 0o700
    finally:
        running.stdin.close()
        running.wait(timeout=30)
        running.stdout.close()
    assert not in_use.exists()  # removed by that program itself when it ended
    ctx.lock()


def test_a_per_user_folder_someone_else_made_is_neither_used_nor_swept(window, qtbot, reader,
                                                                       temp):
    if os.name != "posix" or os.geteuid() != 0:  # as CI and the build machines run
        pytest.fail("making a folder another user owns needs root")
    squatted = temp / f"housing-advice-workbench-{os.getuid()}"
    shutil.rmtree(squatted, ignore_errors=True)  # as if another user had been first
    squatted.mkdir()
    squatted.chmod(0o777)
    (squatted / "open-1-trap").mkdir()
    os.chown(squatted, 65534, 65534)
    open_and_print(window, qtbot)
    [copy] = reader.paths
    assert not copy.is_relative_to(squatted)
    assert copy.read_bytes() == PDF and mode(copy) == 0o600 and mode(copy.parent) == 0o700
    AppContext(window.ctx.location, window.ctx.preferences)  # another start sweeps nothing
    assert (squatted / "open-1-trap").is_dir()
    lock_from_the_menu_and_unlock(window, qtbot)
    assert not copy.exists()


def lock_from_the_menu_and_unlock(window, qtbot) -> None:
    when_modal(unlock_with())
    lock_from_the_menu(window)
    qtbot.waitUntil(lambda: window.ctx.unlocked, timeout=5000)


def test_with_no_program_to_open_a_document_the_window_says_so(window, qtbot, temp,
                                                               monkeypatch, tmp_path):
    """Found: "Open and print" did nothing visible on a laptop without a PDF reader."""
    nothing = tmp_path / "no-programs"
    nothing.mkdir()
    monkeypatch.setenv("PATH", str(nothing))  # no xdg-open, no reader of any kind
    Dialogs.answer_next(None)
    open_and_print(window, qtbot)
    kind, text = Dialogs.shown[-1]
    assert kind == "warn"
    assert text.startswith("No program on this computer opens signed agreement.pdf.")
