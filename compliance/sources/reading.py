"""Turn file bytes into RepoFile entries: size caps, binary and encoding checks, digests.

Bounded in memory: a file over its cap is never read whole (at most cap + 1 bytes), and is
skipped with a warning and a note on the snapshot.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from .interface import RepoFile, size_cap

log = logging.getLogger("compliance")

BINARY_SNIFF_BYTES = 8192


def repo_file_from_bytes(name: str, data: bytes) -> RepoFile:
    """A RepoFile from bytes already read (and already within the cap)."""
    size = len(data)
    cap = size_cap(name)
    if size > cap:
        log.warning("%s is larger than its %d-byte cap; skipped", name, cap)
        return RepoFile(name, None, None, size, skipped=f"too-large ({size} bytes; cap {cap})")
    digest = hashlib.sha256(data).hexdigest()
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        return RepoFile(name, None, digest, size, skipped="binary")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Licence files in the wild are sometimes Latin-1 / cp1252; keep them readable.
        # The digest stays the one of the raw bytes, so drift detection is unaffected.
        text = data.decode("cp1252", errors="replace")
    return RepoFile(name, text.replace("\r\n", "\n").replace("\r", "\n"), digest, size)


def read_repo_file(name: str, local: Path | str) -> RepoFile:
    """Read a downloaded or mirrored file, refusing what is too big or not text."""
    cap = size_cap(name)
    size = os.stat(local).st_size
    if size > cap:
        log.warning("%s (%d bytes) is larger than its %d-byte cap; skipped", local, size, cap)
        return RepoFile(name, None, None, size, skipped=f"too-large ({size} bytes; cap {cap})")
    with open(local, "rb") as handle:
        data = handle.read(cap + 1)  # the file may have grown since stat()
    return repo_file_from_bytes(name, data)


def snapshot_digest(files: list[RepoFile]) -> str:
    """Content digest of the files read: identifies a snapshot that has no commit sha."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.path):
        h.update(f.path.encode())
        h.update(b"\0")
        h.update((f.sha256 or f.skipped or "").encode())
        h.update(b"\n")
    return "sha256:" + h.hexdigest()
