"""The outbox's cost on a save, measured in a fresh process as a program an advisor starts
would see it (not in the benchmark's own process, which has just held a whole team's first
sync). Run by test_sync_benchmarks.py:

    python -m tests.benchmarks.outbox_probe SYNCED_DIR PLAIN_DIR CASES SAVES

prints one JSON object: the save times on each store and of the outbox's own step, in ms.
"""

import json
import random
import sys
from pathlib import Path

from tests.benchmarks.conftest import PASSPHRASE, USER
from tests.benchmarks.test_sync_benchmarks import _saves, _timing_capture
from workbench.session import StoreLocation, unlock


def main() -> None:
    synced_dir, plain_dir, cases, saves = sys.argv[1:5]
    synced = unlock(StoreLocation(Path(synced_dir)), USER, PASSPHRASE)
    plain = unlock(StoreLocation(Path(plain_dir)), USER, PASSPHRASE)
    rng = random.Random(11)
    with_outbox, without, captured = [], [], []
    # Taken in turns so whatever else the machine does weighs on both alike.
    with _timing_capture(captured):
        for n in range(int(saves)):
            case_id = rng.randint(1, int(cases))
            with_outbox += _saves(synced, [case_id], tag=n % 10)
            without += _saves(plain, [case_id], tag=n % 10)
    synced.lock()
    plain.lock()
    print(json.dumps({"with": with_outbox, "without": without, "step": captured}))


if __name__ == "__main__":
    main()
