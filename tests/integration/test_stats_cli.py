"""``workbench stats`` end to end: odd output names."""

from __future__ import annotations

import pytest

from tests.conftest import make_store
from tests.integration.cli import run_unlocked
from workbench.demo.seed import seed_demo


@pytest.fixture
def seeded(location):
    session = make_store(location)
    seed_demo(session, 25, seed=7)
    session.lock()
    return location


def stats(location, out, *extra, language="en_GB.UTF-8"):
    return run_unlocked(location.data_dir, "stats", "--quarter", "2026Q3", "--format", "csv",
                        "--lang", "en", "--out", str(out), *extra, language=language)


def test_an_output_name_with_glob_characters_clears_only_its_own_temporary_files(
        seeded, tmp_path):
    folder = tmp_path / "glob[q3]*?"
    folder.mkdir()
    others = [folder / ".notes.txt.k2j4h5g6.tmp",   # another file's write in progress
              folder / ".q3.csv.abcd1234.tmp",
              folder / ".x.y.tmp", folder / ".[a].tmp"]
    for other in others:
        other.write_text("not ours")
    ours = folder / ".*.ab_d12x4.tmp"  # left by a killed earlier write of this very file
    ours.write_text("half a file")
    result = stats(seeded, folder / "*")
    assert result.returncode == 0, result.stderr
    assert [other.read_text() for other in others] == ["not ours"] * len(others)
    assert not ours.exists()
    assert (folder / "*").read_bytes().startswith(b"table,row")
