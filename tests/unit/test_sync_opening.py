"""Records of a large pull opened in a helper process: the same records as opened here,
a tampered one refused for the same reason, and nothing opened for an unknown sender."""

from __future__ import annotations

import dataclasses
import os

from workbench.store.crypto import KeyPairs
from workbench.sync import opening
from workbench.sync.rows import new_op_id
from workbench.sync.sealing import SealProblem, open_record, seal


def _page(count: int, device: str, keys: KeyPairs, team_key: bytes) -> list:
    page = []
    for n in range(count):
        record = {"v": 1, "id": new_op_id(), "dev": device, "rows": [{"n": n}]}
        page.append((n + 1, seal(record, channel="case", entity=f"case-{n}", device_id=device,
                                 team_key=team_key, key_epoch=1, keys=keys)))
    return page


def test_a_large_pull_is_opened_in_a_helper_process_as_it_would_be_here():
    keys, team_key = KeyPairs.generate(), os.urandom(32)
    first = _page(opening.START_AT, "a" * 32, keys, team_key)
    second = _page(3, "a" * 32, keys, team_key)
    forged = dataclasses.replace(second[1][1], ciphertext=bytes(len(second[1][1].ciphertext)))
    second[1] = (second[1][0], forged)
    stranger = _page(1, "b" * 32, KeyPairs.generate(), team_key)
    signers = {"a" * 32: keys.sign_public}
    with opening.Opener("c" * 32, signers.get, {1: team_key}.get) as opener:
        got = list(opener.pages(iter([first, second + stranger])))
        assert opener.opened_ahead == opening.START_AT + 3
    (page_one, opened_one), (_page_two, opened_two) = got
    assert page_one == first
    for index, (_seq, sealed) in enumerate(first):
        public, text = opened_one[index]
        assert public == keys.sign_public
        assert open_record(sealed, team_key=team_key, sign_public=public)["id"] == sealed.op_id
        assert sealed.op_id.encode() in text
    assert isinstance(opened_two[1][1], SealProblem)
    assert 3 not in opened_two  # the stranger's record is left to the checks here


def test_a_small_pull_starts_no_helper():
    keys, team_key = KeyPairs.generate(), os.urandom(32)
    with opening.Opener("c" * 32, {"a" * 32: keys.sign_public}.get,
                        {1: team_key}.get) as opener:
        (page, opened), = opener.pages(iter([_page(5, "a" * 32, keys, team_key)]))
        assert opener.pool is None and opened == {} and len(page) == 5


def test_a_helper_that_cannot_run_leaves_every_record_to_be_opened_here():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).parents[1] / "support" / "unguarded_opener.py"
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3", str(3 * opening.START_AT), "0"]
