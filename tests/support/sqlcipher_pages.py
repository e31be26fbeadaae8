"""Every page of an encrypted store file decrypted by hand, as an attacker holding the file
and its key would read it: live pages, free pages and the pages in the write-ahead log, not
only what SQL still shows. (SQLCipher 4 with a raw key: 4,096-byte pages, AES-256-CBC, each
page's IV in the 80 reserved bytes at its end; page 1 begins with the 16-byte salt.)"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE = 4096
RESERVED = 80  # IV (16) and HMAC-SHA512 (64)
SALT = 16
WAL_HEADER, FRAME_HEADER = 32, 24


def _page(raw: bytes, key: bytes, first: bool) -> bytes:
    body = raw[SALT if first else 0:PAGE - RESERVED]
    iv = raw[PAGE - RESERVED:PAGE - RESERVED + 16]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(body) + decryptor.finalize()


def plaintext_pages(path: Path, key: bytes) -> list[bytes]:
    """The file's pages and its log's frames, decrypted."""
    pages = []
    data = path.read_bytes()
    for number in range(len(data) // PAGE):
        pages.append(_page(data[number * PAGE:(number + 1) * PAGE], key, number == 0))
    log = path.with_name(path.name + "-wal")
    if log.exists():
        frames = log.read_bytes()
        at = WAL_HEADER
        while at + FRAME_HEADER + PAGE <= len(frames):
            page_number = int.from_bytes(frames[at:at + 4], "big")
            pages.append(_page(frames[at + FRAME_HEADER:at + FRAME_HEADER + PAGE], key,
                               page_number == 1))
            at += FRAME_HEADER + PAGE
    return pages


def looks_decrypted(pages: list[bytes]) -> bool:
    """Page 1 decrypted holds SQLite's header fields (page size 4096 at its start)."""
    return bool(pages) and pages[0][:2] == PAGE.to_bytes(2, "big")
