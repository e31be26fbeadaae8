"""Where the program keeps things: the data directory, and its own shipped files."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "housing-advice-workbench"
DATA_DIR_ENV = "WORKBENCH_DATA_DIR"
_PACKAGE_DIR = Path(__file__).resolve().parent


def default_data_dir() -> Path:
    """The store's directory: ``$WORKBENCH_DATA_DIR`` if set, else the platform's data dir."""
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


LOG_FILE = "workbench.log"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def private_log_dir() -> Path:
    """The log folder, created if need be, readable by its owner only (0700) — also when
    it already existed with looser permissions."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        os.chmod(folder, 0o700)
    return folder


def private_log_file() -> Path:
    """The window's log file in the private log folder, created or made 0600."""
    path = private_log_dir() / LOG_FILE
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    if os.name == "posix":
        os.chmod(path, 0o600)
    return path


def _shipped_dir(name: str) -> Path:
    # An installed wheel carries resources/ and translations/ inside the package;
    # a source checkout (editable install, tests) has them beside it.
    inside = _PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return _PACKAGE_DIR.parent / name


def resources_dir() -> Path:
    return _shipped_dir("resources")


def translations_dir() -> Path:
    return _shipped_dir("translations")
