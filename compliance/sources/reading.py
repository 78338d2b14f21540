"""Turn file bytes into RepoFile entries: size caps, binary and encoding checks, digests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .interface import RepoFile, size_cap


def read_repo_file(name: str, local: Path) -> RepoFile:
    """Read a downloaded or mirrored file, refusing what is too big or not text."""
    size = local.stat().st_size
    if size > size_cap(name):
        return RepoFile(name, None, None, size, skipped=f"too-large ({size} bytes)")
    data = local.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if b"\x00" in data[:8192]:
        return RepoFile(name, None, digest, size, skipped="binary")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Licence files in the wild are sometimes Latin-1 / cp1252; keep them readable.
        text = data.decode("cp1252", errors="replace")
    return RepoFile(name, text.replace("\r\n", "\n").replace("\r", "\n"), digest, size)


def snapshot_digest(files: list[RepoFile]) -> str:
    """Content digest of the files read: identifies a snapshot that has no commit sha."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.path):
        h.update(f.path.encode())
        h.update(b"\0")
        h.update((f.sha256 or f.skipped or "").encode())
        h.update(b"\n")
    return "sha256:" + h.hexdigest()
