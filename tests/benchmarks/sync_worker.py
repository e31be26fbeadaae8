"""One laptop of the many-laptops benchmark: makes N edits, then syncs until nothing is left
to send. Usage: sync_worker.py DATA_DIR USER PASSPHRASE N."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.helpers import intake
from workbench.cases.service import CaseService
from workbench.session import StoreLocation, unlock
from workbench.sync.client import ServerUnreachable
from workbench.sync.engine import sync


def main() -> None:
    data_dir, user, passphrase, count = sys.argv[1:5]
    session = unlock(StoreLocation(Path(data_dir)), user, passphrase)
    service = CaseService(session)
    name = Path(data_dir).name
    for n in range(int(count)):
        service.create_case(intake(last_name=f"{name}-{n:03d}", identity_text=""))
    for _attempt in range(20):
        try:
            sync(session)
            break
        except ServerUnreachable:  # the server's gate was busy: try again
            continue
    print("done", flush=True)
    session.lock()


if __name__ == "__main__":
    main()
