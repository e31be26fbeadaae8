"""Pages fetched and opened in a second thread reach the caller in order, whole, and a
failure of the fetching side (the server gone) reaches the caller as itself."""

from __future__ import annotations

import threading

import pytest

from workbench.sync import ahead


class Gone(Exception):
    pass


def _fetch(count: int, fail_after: int | None = None):
    def fetch():
        for n in range(count):
            if n == fail_after:
                raise Gone("server restarted")
            yield [(n * 10 + k, f"sealed-{n}-{k}") for k in range(3)]
    return fetch


def test_every_page_arrives_in_order_with_what_was_opened_ahead():
    got = list(ahead.pages(_fetch(7), lambda sealed: {"from": sealed}))
    assert [[seq for seq, _s, _r in page] for page in got] == [
        [n * 10 + k for k in range(3)] for n in range(7)]
    assert got[3][1] == (31, "sealed-3-1", {"from": "sealed-3-1"})


def test_a_fetch_that_fails_midway_raises_in_the_caller_after_the_pages_before():
    seen = []
    with pytest.raises(Gone):
        for page in ahead.pages(_fetch(7, fail_after=4), lambda sealed: None):
            seen.append(page[0][0])
    assert seen == [0, 10, 20, 30]


def test_a_caller_that_stops_early_stops_the_thread():
    before = threading.active_count()
    for page in ahead.pages(_fetch(1000), lambda sealed: None):
        if page[0][0] == 20:
            break
    assert threading.active_count() == before
