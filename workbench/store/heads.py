"""Each user's signed audit head: the last audit row that user wrote, in each chain.

The head is signed with the user's own key, so only that user can move it forward. At every
unlock the program checks that the chain still holds the row the head names with the same
hash: rows cut off the end, or the chain rewritten from some row on, are noticed at the next
unlock of anybody who acted after the cut. The files sit in ``heads/`` beside the store, one
per user, and go into backups with the key file.

A head is written after its action commits, without fsync: a head lost in a power cut is
merely older, which still matches the chain.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from workbench.store.crypto import KeyPairs, b64, canonical, unb64, verify_signature
from workbench.store.files import ensure_private_dir

HEADS_DIRNAME = "heads"


def head_path(data_dir: Path, user: str) -> Path:
    name = hashlib.sha256(user.encode("utf-8")).hexdigest()[:32]
    return Path(data_dir) / HEADS_DIRNAME / f"{name}.json"


@dataclass(frozen=True)
class Head:
    user: str
    chains: dict[str, tuple[int, str]]  # chain table → (row id, hash hex)
    roster_version: int
    roster_hash: str


def write(data_dir: Path, head: Head, keys: KeyPairs) -> None:
    body = {"user": head.user, "roster_version": head.roster_version,
            "roster_hash": head.roster_hash,
            "chains": {table: [row_id, digest] for table, (row_id, digest) in
                       sorted(head.chains.items())}}
    text = json.dumps({"body": body, "signature": b64(keys.sign(canonical(body)))})
    path = head_path(data_dir, head.user)
    with contextlib.suppress(OSError):  # a head not written is an older head, never harm
        ensure_private_dir(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=".head.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            raise


def read(data_dir: Path, user: str, public_keys: list[bytes]) -> Head | None:
    """The user's head if it is there and signed by one of the user's keys."""
    try:
        raw = head_path(data_dir, user).read_bytes()
        if len(raw) > 64 * 1024:
            return None
        data = json.loads(raw.decode("utf-8"))
        body, signature = data["body"], unb64(data["signature"])
        if body["user"] != user:
            return None
        if not any(verify_signature(key, signature, canonical(body)) for key in public_keys):
            return None
        chains = {table: (int(value[0]), str(value[1]))
                  for table, value in body["chains"].items()}
        return Head(user, chains, int(body["roster_version"]), str(body["roster_hash"]))
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
