"""Syncs one laptop in small pages and says so after each page, so a test can kill it in
the middle of taking in the team's changes. Usage: sync_victim.py DATA_DIR USER PASSPHRASE."""

from __future__ import annotations

import sys
from pathlib import Path

from workbench.session import StoreLocation, unlock
from workbench.sync.client import Server
from workbench.sync.engine import sync


def main() -> None:
    data_dir, user, passphrase = sys.argv[1:4]
    Server.page = Server.bulk_page = 10
    session = unlock(StoreLocation(Path(data_dir)), user, passphrase)
    sync(session, progress=lambda stage, done, total: print(stage, done, flush=True))
    print("done", flush=True)
    session.lock()


if __name__ == "__main__":
    main()
