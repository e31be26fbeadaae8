"""``workbench stats`` end to end: odd thresholds and odd output names."""

from __future__ import annotations

import pytest

from tests.integration.cli import run_unlocked


def stats(location, out, *extra, language="en_GB.UTF-8"):
    return run_unlocked(location.data_dir, "stats", "--quarter", "2026Q3", "--format", "csv",
                        "--lang", "en", "--out", str(out), *extra, language=language)


@pytest.mark.parametrize("threshold", ["99999999999999999999", "9223372036854775808",
                                       "1001", "9" * 5000, "five", "-5", "2"])
def test_a_threshold_out_of_range_is_one_line_in_the_users_language(seeded, tmp_path,
                                                                    threshold):
    out = tmp_path / "q3.csv"
    result = stats(seeded, out, "--threshold", threshold, language="fi_FI.UTF-8")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("workbench: Pienten lukujen") and "3–1000." in lines[0]
    assert not out.exists()


def test_a_threshold_above_every_count_hides_them_all(seeded, tmp_path):
    out = tmp_path / "q3.csv"
    result = stats(seeded, out, "--threshold", "1000")
    assert result.returncode == 0, result.stderr
    rows = [line.split(",") for line in out.read_text("utf-8").splitlines()[1:]]
    counts = {row[-2] for row in rows if row[-1] == "count"}
    money = {row[-2] for row in rows if row[-1] == "money"}
    assert counts and counts <= {"..", "0"}  # one neutral mark for every hidden count
    assert money <= {"not published"}


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
