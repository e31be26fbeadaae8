"""Pulled pages fetched and opened ahead, in a second thread, while this one applies the
page before.

Applying a page is mostly the store's work, and SQLite lets go of Python's lock while it
works; opening a record (its signature checked, decrypted, inflated, read) is the other
big part of a sync. Side by side they use both cores of a laptop. The thread only opens
records of devices and key epochs already vouched for when the pull began; everything
else, and every check of what a record may do, stays with the caller.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

from workbench.sync.sealing import Sealed, SealProblem
from workbench.sync.sealing import open_record as open_sealed_record

DEPTH = 2  # pages waiting opened; each holds at most a page of records

Opened = dict | SealProblem | None  # the record, why it did not open, or not tried
Page = list[tuple[int, Sealed, Opened]]


def opener(own_device: str, signers: dict[str, bytes],
           case_keys: dict[int, bytes]) -> Callable[[Sealed], Opened]:
    """Opens other devices' case records whose signer and key are known."""
    def open_one(sealed: Sealed) -> Opened:
        public = signers.get(sealed.device_id)
        key = case_keys.get(sealed.key_epoch)
        if sealed.device_id == own_device or sealed.channel != "case" or public is None \
                or key is None:
            return None
        try:
            return open_sealed_record(sealed, team_key=key, sign_public=public)
        except SealProblem as problem:
            return problem
    return open_one


def pages(fetch: Callable[[], Iterator[list[tuple[int, Sealed]]]],
          open_one: Callable[[Sealed], Opened]) -> Iterator[Page]:
    """The pages of ``fetch()``, each record opened ahead where it could be. An error of
    the fetching thread (the server gone) is raised here."""
    waiting: queue.Queue = queue.Queue(maxsize=DEPTH)
    stop = threading.Event()

    def give(item: tuple) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for page in fetch():
                if not give(("page", [(seq, sealed, open_one(sealed))
                                      for seq, sealed in page])):
                    return
            give(("end", None))
        except BaseException as error:  # handed to the caller, which raises it
            give(("error", error))

    thread = threading.Thread(target=run, name="sync-pull", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = waiting.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        thread.join()
