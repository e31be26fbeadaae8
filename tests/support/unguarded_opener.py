"""A program without a ``__main__`` guard pulling a large page: the helper process that
``spawn`` starts runs this file again and stops at once, as a careless script would make
it. Prints how many records were opened ahead (none) and whether every page came."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.unit.test_sync_opening import _page
from workbench.store.crypto import KeyPairs
from workbench.sync import opening

if os.environ.get("UNGUARDED_HELPER"):
    raise SystemExit(3)  # the helper: dies before it can open anything
os.environ["UNGUARDED_HELPER"] = "1"
keys, team_key = KeyPairs.generate(), os.urandom(32)
pages = [_page(opening.START_AT, "a" * 32, keys, team_key) for _ in range(3)]
with opening.Opener("c" * 32, {"a" * 32: keys.sign_public}.get, {1: team_key}.get) as opener:
    got = list(opener.pages(iter(pages)))
print(len(got), sum(len(page) for page, _opened in got), opener.opened_ahead)
