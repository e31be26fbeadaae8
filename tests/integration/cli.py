"""Running the real ``workbench`` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ADMIN, PASSPHRASE


def run(data_dir: Path | None, *args: str, secrets: list[str] | None = None,
        user: str | None = ADMIN, language: str = "en_GB.UTF-8",
        timeout: float = 120) -> subprocess.CompletedProcess:
    """``workbench ARGS --data-dir DATA_DIR [--user USER] --passphrase-stdin``."""
    command = [sys.executable, "-m", "workbench", *args]
    if data_dir is not None:  # commands without a store (plan preview) take none
        command += ["--data-dir", str(data_dir)]
    if user:
        command += ["--user", user]
    if secrets is not None:
        command.append("--passphrase-stdin")
    env = {k: v for k, v in os.environ.items()
           if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "WORKBENCH_USER")}
    env["LANG"] = language
    return subprocess.run(command, input="".join(f"{s}\n" for s in secrets or []), text=True,
                          capture_output=True, env=env, timeout=timeout, check=False)


def run_unlocked(data_dir: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return run(data_dir, *args, secrets=[PASSPHRASE], **kwargs)
