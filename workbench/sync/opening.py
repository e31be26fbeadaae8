"""Opening pulled records in a helper process while this one applies the page before.

Opening a record (checking its signature, decrypting and inflating it) is a fifth of a
laptop's first sync of a whole team; applying records is mostly the store's work. On two
cores they can run side by side. A thread cannot do it: Python's lock would make the
store's work wait on it (measured: slower, not faster). So a laptop far behind starts one
helper process (``spawn``: nothing of this process is copied into it) and hands it each
page as it arrives, with the keys it needs for that page; the helper hands back the
records' text. Which devices and key epochs are trusted, and every check of what a record
may do, stays here. A small sync never starts the helper.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from workbench.sync.sealing import Sealed, SealProblem, unseal_many

START_AT = 1000  # records in one pulled page from which the helper is worth starting

Page = list[tuple[int, Sealed]]
# Per record of a page (by position): the signing key it was checked against, and its text
# or why it did not open.
Opened = dict[int, tuple[bytes, bytes | SealProblem]]


class Opener:
    """Pages of a pull, each with the records the helper opened ahead."""

    def __init__(self, own_device: str, signer_of: Callable[[str], bytes | None],
                 key_of: Callable[[int], bytes | None]) -> None:
        self.own_device = own_device
        self.signer_of = signer_of  # a device's trusted signing key, or None
        self.key_of = key_of  # a case key epoch's key, or None
        self.pool: ProcessPoolExecutor | None = None
        self.failed = False  # the helper would not run: not tried again in this pull
        self.opened_ahead = 0

    def __enter__(self) -> Opener:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def pages(self, pages: Iterator[Page]) -> Iterator[tuple[Page, Opened]]:
        """Each page once the one after it is on its way to the helper."""
        waiting: tuple[Page, Future | None, list] | None = None
        for page in pages:
            if self.pool is None and not self.failed and len(page) >= START_AT:
                self.pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            sent = self._send(page) if self.pool is not None else (None, [])
            if waiting is not None:
                yield waiting[0], self._receive(*waiting[1:])
            waiting = (page, *sent)
        if waiting is not None:
            yield waiting[0], self._receive(*waiting[1:])

    def _send(self, page: Page) -> tuple[Future | None, list]:
        jobs, places = [], []
        for index, (_seq, sealed) in enumerate(page):
            if sealed.device_id == self.own_device or sealed.channel != "case":
                continue
            public, key = self.signer_of(sealed.device_id), self.key_of(sealed.key_epoch)
            if public is None or key is None:
                continue  # opened (or refused) here, with the reason
            jobs.append((sealed, key, public))
            places.append((index, public))
        if not jobs:
            return None, []
        try:
            return self.pool.submit(unseal_many, jobs), places
        except Exception:  # the helper could not start or died: open them all here
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool, self.failed = None, True
            return None, []

    def _receive(self, future: Future | None, places: list) -> Opened:
        if future is None:
            return {}
        try:
            texts = future.result()
        except Exception:
            return {}
        self.opened_ahead += len(texts)
        return {index: (public, text) for (index, public), text in zip(places, texts,
                                                                        strict=True)}
