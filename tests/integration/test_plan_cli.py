"""``workbench plan preview``: the phone calculator, with clear refusals of bad input."""

from __future__ import annotations

import json

import pytest

from tests.integration.cli import run


def test_preview_prints_the_schedule_as_json():
    result = run(None, "plan", "preview", "--total", "1234.50", "--months", "3",
                 "--start", "2026-12-01", "--due-day", "31", "--json", user=None)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total"] == 123450
    assert data["instalments"] == [{"due": "2026-12-31", "amount": 41100},
                                   {"due": "2027-01-31", "amount": 41100},
                                   {"due": "2027-02-28", "amount": 41250}]


def test_preview_reads_amounts_and_dates_the_users_way():
    result = run(None, "plan", "preview", "--total", "1 234,50", "--instalment", "500",
                 "--start", "21.11.2026", "--due-day", "15", user=None, language="fi_FI.UTF-8")
    assert result.returncode == 0, result.stderr
    assert "15.12.2026" in result.stdout and "234,50" in result.stdout


@pytest.mark.parametrize("arguments", [
    ["--total", "-5", "--months", "3", "--start", "2026-12-01", "--due-day", "1"],
    ["--total", "0", "--months", "3", "--start", "2026-12-01", "--due-day", "1"],
    ["--total", "abc", "--months", "3", "--start", "2026-12-01", "--due-day", "1"],
    ["--total", "100", "--months", "3", "--start", "2026-02-30", "--due-day", "1"],
    ["--total", "100", "--months", "3", "--start", "2026-12-01", "--due-day", "32"],
    ["--total", "100", "--months", "x", "--start", "2026-12-01", "--due-day", "3"],
    ["--total", "100", "--instalment", "10,50", "--start", "2026-12-01", "--due-day", "3"],
])
def test_bad_input_gets_one_clear_line_and_a_non_zero_exit(arguments):
    result = run(None, "plan", "preview", *arguments, user=None, language="en_GB.UTF-8")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
