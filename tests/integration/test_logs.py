"""The program's log: a private folder and file, whatever permissions they had before."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time

import pytest

WORKBENCH = "import sys; from ui.launcher import main; sys.exit(main(sys.argv[1:]))"


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("existing", [False, True])
def test_starting_the_window_keeps_its_log_private(tmp_path, existing):
    state = tmp_path / "state"
    folder = state / "housing-advice-workbench" / "log"
    log = folder / "workbench.log"
    if existing:  # as an earlier version left them
        folder.mkdir(parents=True, mode=0o755)
        folder.chmod(0o755)
        log.write_text("an earlier line\n")
        log.chmod(0o644)
    env = {k: v for k, v in os.environ.items() if k not in ("WORKBENCH_DATA_DIR",)}
    env |= {"XDG_STATE_HOME": str(state), "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "QT_QPA_PLATFORM": "offscreen", "LANG": "en_GB.UTF-8"}
    # No store yet: the window starts at the set-up wizard and waits there.
    window = subprocess.Popen([sys.executable, "-c", WORKBENCH, "--data-dir",
                               str(tmp_path / "store")], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and window.poll() is None:
            if log.exists() and mode(log) == 0o600 and mode(folder) == 0o700:
                break
            time.sleep(0.1)
        assert window.poll() is None, window.stderr.read()
        assert mode(folder) == 0o700
        assert mode(log) == 0o600
        if existing:
            assert log.read_text().startswith("an earlier line\n")
    finally:
        window.send_signal(signal.SIGKILL)
        window.wait()
        window.stderr.close()
