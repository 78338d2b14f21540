"""Files addressed by their git blob id: compute it, and keep every blob ever read on disk.

The Hub's model metadata (`?blobs=true`) names each file's git blob id (and, for a file stored
with LFS, the sha256 of its content). Thousands of fine-tunes ship the same LICENSE byte for
byte, so a file whose id is already in the store is never downloaded again. A stored blob is
checked against its id each time it is read: a damaged entry is dropped and fetched afresh.

Ids are validated hex, so no name from the Hub can address a path outside the store.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from pathlib import Path

from ..fileio import atomic_write_bytes

BLOBS = "blobs"
_GIT = re.compile(r"^[0-9a-f]{40}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def git_blob_id(data: bytes) -> str:
    """The id git gives a file's content: sha1 of `blob <length>\\0` + bytes."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def blob_key(blob_id: str | None, lfs_sha256: str | None) -> str | None:
    """The store key of a file: its content sha256 when stored with LFS (the blob id is then the
    pointer's), else its git blob id; None when the Hub gave neither in a valid shape."""
    if isinstance(lfs_sha256, str) and _SHA256.match(lfs_sha256):
        return "sha256-" + lfs_sha256
    if isinstance(blob_id, str) and _GIT.match(blob_id):
        return "git-" + blob_id
    return None


def matches(key: str, data: bytes) -> bool:
    """Whether `data` is the content `key` names."""
    kind, _, digest = key.partition("-")
    if kind == "sha256":
        return hashlib.sha256(data).hexdigest() == digest
    return kind == "git" and git_blob_id(data) == digest


class BlobStore:
    """`<cache root>/blobs/<key[:6]>/<key>`: the bytes of every capped text file ever read."""

    def __init__(self, root: Path):
        self.root = root / BLOBS

    def _path(self, key: str) -> Path:
        kind, _, digest = key.partition("-")
        if not (
            (kind == "git" and _GIT.match(digest)) or (kind == "sha256" and _SHA256.match(digest))
        ):
            raise ValueError(f"not a blob key: {key!r}")
        return self.root / digest[:2] / key

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if not matches(key, data):
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        return data

    def put(self, key: str, data: bytes) -> None:
        if not matches(key, data):
            raise ValueError(f"content does not match {key}")
        path = self._path(key)
        if path.is_file():
            return
        with contextlib.suppress(OSError):  # a cache: a failed write only costs a download later
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, data, durable=False)
