"""Slowing down passphrase guessing: after a few wrong tries, each next try must wait,
doubling up to a few minutes. Kept in a small file beside the store so that restarting the
program (or running the command line) does not reset it.

This slows a person guessing at the keyboard; it does not stop someone who copies the files
away and guesses offline — against that stands the cost of Argon2id in every slot.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

from workbench.errors import AuthenticationError, UnknownUser, WrongPassphrase, WrongRecoveryKey
from workbench.i18n import N_
from workbench.store.files import write_atomically

THROTTLE_FILENAME = "unlock-attempts.json"
FREE_TRIES = 3
MAX_DELAY_SECONDS = 300
COUNTED_FAILURES = (WrongPassphrase, WrongRecoveryKey, UnknownUser)


class TooManyTries(AuthenticationError):
    template = N_("Too many wrong passphrases. Wait {seconds} seconds before trying again.")


def delay_after(failures: int) -> int:
    """Seconds to wait before the next try: none for the first few, then doubling."""
    if failures < FREE_TRIES:
        return 0
    return min(MAX_DELAY_SECONDS, 2 ** (failures - FREE_TRIES + 1))


def _path(data_dir: Path) -> Path:
    return Path(data_dir) / THROTTLE_FILENAME


def _read(data_dir: Path) -> dict:
    try:
        raw = _path(data_dir).read_bytes()
        if len(raw) > 1024 * 1024:
            return {}
        data = json.loads(raw.decode("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError, RecursionError):
        return {}


def _write(data_dir: Path, data: dict) -> None:
    with contextlib.suppress(Exception):  # never let the counter stop an unlock
        write_atomically(_path(data_dir), json.dumps(data).encode("utf-8"))


def wait_seconds(data_dir: Path, user: str, now: float | None = None) -> int:
    """How long the next try for ``user`` must wait (0: it may go ahead)."""
    entry = _read(data_dir).get(user)
    if not isinstance(entry, dict):
        return 0
    try:
        failures, last = int(entry["failures"]), float(entry["last"])
    except (KeyError, TypeError, ValueError):
        return 0
    now = time.time() if now is None else now
    return max(0, int(last + delay_after(failures) - now + 0.999))


def check(data_dir: Path, user: str) -> None:
    seconds = wait_seconds(data_dir, user)
    if seconds:
        raise TooManyTries(seconds=seconds)


def failed(data_dir: Path, user: str) -> int:
    """Count a wrong try; returns the seconds the next one must wait."""
    data = _read(data_dir)
    entry = data.get(user) if isinstance(data.get(user), dict) else {}
    failures = int(entry.get("failures", 0)) + 1 if isinstance(entry.get("failures", 0),
                                                                int) else 1
    data[user] = {"failures": failures, "last": time.time()}
    _write(data_dir, data)
    return delay_after(failures)


def succeeded(data_dir: Path, user: str) -> None:
    data = _read(data_dir)
    if user in data:
        del data[user]
        _write(data_dir, data)
