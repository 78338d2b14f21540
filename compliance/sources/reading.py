"""Turn file bytes into RepoFile entries: size caps, binary and encoding checks, digests.

Bounded in memory: a file over its cap is never read whole (at most cap + 1 bytes), and is
skipped with a warning and a note on the snapshot.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from pathlib import Path

from ..textcodec import decode, looks_binary
from .interface import RepoFile, size_cap

log = logging.getLogger("compliance")


def repo_file_from_bytes(name: str, data: bytes) -> RepoFile:
    """A RepoFile from bytes already read (and already within the cap)."""
    size = len(data)
    cap = size_cap(name)
    if size > cap:
        log.warning("%s is larger than its %d-byte cap; skipped", name, cap)
        return RepoFile(name, None, None, size, skipped=f"too-large ({size} bytes; cap {cap})")
    digest = hashlib.sha256(data).hexdigest()
    if looks_binary(data):
        return RepoFile(name, None, digest, size, skipped="binary")
    # The same decoding as `compliance detect` (BOMs, UTF-16/32, then UTF-8, then cp1252): a
    # licence file the scan reads differently from `detect` could be read as another licence.
    # The digest stays the one of the raw bytes, so drift detection is unaffected.
    text = decode(data)
    return RepoFile(name, text.replace("\r\n", "\n").replace("\r", "\n"), digest, size)


def read_repo_file(name: str, local: Path | str, *, follow_symlinks: bool = False) -> RepoFile:
    """Read a downloaded or mirrored file, refusing what is too big, not text, or not a regular
    file (a symlink, a FIFO, a device: never followed, never waited on).

    `follow_symlinks` is for files this tool downloaded itself (the huggingface_hub cache links
    snapshots to blobs); a file of a repo tree is never followed."""
    cap = size_cap(name)
    if follow_symlinks:
        local = os.path.realpath(local)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(local, flags)
    except OSError as exc:
        if os.path.islink(local):
            return RepoFile(name, None, None, None, skipped="symlink (not followed)")
        raise exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return RepoFile(name, None, None, None, skipped="not a regular file")
        size = info.st_size
        if size > cap:
            log.warning("%s (%d bytes) is larger than its %d-byte cap; skipped", local, size, cap)
            return RepoFile(name, None, None, size, skipped=f"too-large ({size} bytes; cap {cap})")
        data = read_at_most(fd, cap + 1)  # the file may have grown since fstat()
    finally:
        os.close(fd)
    return repo_file_from_bytes(name, data)


def read_at_most(fd: int, limit: int) -> bytes:
    """Up to `limit` bytes of a file, to its end, in reads of at most 64 KiB: a buffered
    read(limit) allocates `limit` bytes first (the cap, megabytes, for a file of a few KiB)."""
    chunks: list[bytes] = []
    total = 0
    while total < limit:
        chunk = os.read(fd, min(limit - total, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def snapshot_digest(files: list[RepoFile]) -> str:
    """Content digest of the files read: identifies a snapshot that has no commit sha."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.path):
        h.update(f.path.encode())
        h.update(b"\0")
        h.update((f.sha256 or f.skipped or "").encode())
        h.update(b"\n")
    return "sha256:" + h.hexdigest()
