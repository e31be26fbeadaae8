"""Removes one user (renewing the store keys) when told to, so a test can kill it at any
instant of the rotation. Usage: rotation_victim.py DATA_DIR ADMIN PASSPHRASE USER."""

from __future__ import annotations

import sys
from pathlib import Path

from workbench.session import StoreLocation, unlock
from workbench.users import UserService


def main() -> None:
    data_dir, admin, passphrase, user = sys.argv[1:5]
    session = unlock(StoreLocation(Path(data_dir)), admin, passphrase)
    print("ready", flush=True)
    sys.stdin.readline()
    UserService(session).remove_user(user)
    print("removed", flush=True)
    session.lock()


if __name__ == "__main__":
    main()
