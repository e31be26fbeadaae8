"""The desktop bundle's build, started as soon as the tests are collected.

Building takes about a minute and a half, mostly on one core; started early it runs beside
the other tests (on the second core) and test_bundle.py only waits for what is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_build: tuple[subprocess.Popen, Path] | None = None


def start() -> None:
    global _build
    if _build is None:
        log = Path(tempfile.mkstemp(prefix="bundle-build-", suffix=".log")[1])
        with log.open("w") as out:
            process = subprocess.Popen(["bash", "packaging/build.sh"], cwd=ROOT, stdout=out,
                                       stderr=subprocess.STDOUT, text=True,
                                       start_new_session=True)  # (stopped as a group)
        _build = (process, log)


def finished(timeout: float = 1200) -> tuple[int, str]:
    """The build's exit code and what it printed (started now if it was not yet)."""
    start()
    process, log = _build
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop()
        raise
    return code, log.read_text()


def stop() -> None:
    """At the end of the run: a build nobody waited for (the run stopped early) ends too."""
    if _build is not None and _build[0].poll() is None:
        os.killpg(_build[0].pid, signal.SIGKILL)  # pip and PyInstaller with it
        _build[0].wait()
