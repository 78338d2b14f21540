"""On-disk cache of snapshots, keyed by model@sha.

A snapshot pinned to a commit sha never changes, so a cached one is used without any request,
and only ever for that exact sha. Writes go to a uniquely named temporary file in the same folder,
are flushed to disk and renamed into place (atomic on POSIX), so two processes sharing a cache
never see half a file: the last complete write wins, and both writes hold the same content.
Each entry carries a sha256 of its snapshot; an entry that does not parse or does not match its
checksum is deleted and refetched.

Paths are built only from a validated `org/name` and a 40-hex sha, so no model id can address
a file outside the cache folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CacheError
from ..fileio import atomic_write_text, default_cache_dir
from ..modelid import SHA_RE, is_valid_repo_id
from .interface import Snapshot

log = logging.getLogger("compliance")
CACHE_FORMAT = 2
SNAPSHOTS = "snapshots"
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a snapshot holds a few capped text files


def _checksum(snapshot_json: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot_json, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _drop(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


@dataclass(frozen=True)
class CacheInfo:
    root: Path
    entries: int
    size: int  # bytes
    models: int

    def to_json(self) -> dict[str, Any]:
        return {
            "location": str(self.root),
            "entries": self.entries,
            "models": self.models,
            "size_bytes": self.size,
        }


class SnapshotCache:
    def __init__(self, root: Path | None = None):
        self.root = root or default_cache_dir()

    def _path(self, model: str, sha: str) -> Path:
        # Both parts are validated, so no id can address a path outside the cache.
        if not is_valid_repo_id(model) or not SHA_RE.match(sha):
            raise ValueError(f"not a cacheable model@sha: {model}@{sha}")
        org, name = model.split("/", 1)
        return self.root / SNAPSHOTS / org / name / f"{sha}.json"

    def has(self, model: str, sha: str) -> bool:
        """Whether an entry exists for model@sha (it may still turn out corrupt on get())."""
        if not is_valid_repo_id(model) or not SHA_RE.match(sha):
            return False
        return self._path(model, sha).is_file()

    def get(self, model: str, sha: str) -> Snapshot | None:
        """The cached snapshot of model@sha, or None (absent, unreadable or corrupt: refetch)."""
        if not is_valid_repo_id(model) or not SHA_RE.match(sha):
            return None
        path = self._path(model, sha)
        try:
            if path.stat().st_size > MAX_ENTRY_BYTES:
                raise ValueError("entry larger than any snapshot can be")
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            log.warning("cache entry %s unreadable (%s); refetching", path, exc)
            _drop(path)
            return None
        try:
            data: dict[str, Any] = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not a cache entry")
            if data.get("format") != CACHE_FORMAT:
                return None  # another version's entry: refetch and overwrite
            snapshot_json = data["snapshot"]
            if data.get("sha256") != _checksum(snapshot_json):
                raise ValueError("checksum mismatch")
            snapshot = Snapshot.from_json(snapshot_json, from_cache=True)
            if snapshot.model != model or snapshot.revision != sha:
                raise ValueError("entry names another model or revision")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("cache entry %s is corrupt (%s); refetching", path, exc)
            _drop(path)
            return None
        return snapshot

    def put(self, snapshot: Snapshot) -> None:
        """Store a snapshot read at a commit sha. A failed write is a warning, not an error."""
        if snapshot.revision is None or not SHA_RE.match(snapshot.revision):
            return
        canonical = json.dumps(snapshot.to_json(), sort_keys=True, ensure_ascii=False)
        checksum = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        # The same text as json.dumps({"format", "sha256", "snapshot"}, sort_keys=True), without
        # encoding the snapshot twice.
        text = f'{{"format": {CACHE_FORMAT}, "sha256": "{checksum}", "snapshot": {canonical}}}'
        try:
            atomic_write_text(self._path(snapshot.model, snapshot.revision), text, durable=False)
        except (OSError, ValueError) as exc:
            log.warning("could not write the cache entry for %s (%s)", snapshot.model, exc)

    def latest(self, model: str) -> Snapshot | None:
        """The most recently read cached snapshot of `model` (used when offline)."""
        if not is_valid_repo_id(model):
            return None
        org, name = model.split("/", 1)
        folder = self.root / SNAPSHOTS / org / name
        if not folder.is_dir():
            return None

        def mtime(path: Path) -> float:
            try:
                return path.stat().st_mtime
            except OSError:
                return 0.0

        entries = sorted(folder.glob("*.json"), key=mtime, reverse=True)
        for entry in entries:
            if not SHA_RE.match(entry.stem):
                continue
            snapshot = self.get(model, entry.stem)
            if snapshot is not None:
                return snapshot
        return None

    # -- `compliance cache info | clear` ---------------------------------------------------
    def _entries(self) -> list[Path]:
        folder = self.root / SNAPSHOTS
        if not folder.is_dir() or folder.is_symlink():
            return []
        from ..fileio import regular_files

        return regular_files(folder, 3)  # <org>/<name>/<sha>.json; symlinks never followed

    def info(self) -> CacheInfo:
        entries = self._entries()
        size = 0
        models = set()
        count = 0
        for path in entries:
            try:
                size += path.stat().st_size
            except OSError:
                continue
            if path.suffix == ".json" and SHA_RE.match(path.stem):
                count += 1
                models.add((path.parent.parent.name, path.parent.name))
        return CacheInfo(self.root, count, size, len(models))

    def clear(self) -> int:
        """Delete our entries (and stray temporary files); return how many files were removed.

        Only files this cache writes are removed, never the folder the user pointed us at.
        """
        removed = 0
        for path in self._entries():
            if path.suffix in (".json", ".tmp"):
                try:
                    path.unlink()
                    removed += 1
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    raise CacheError(f"cannot remove {path}: {exc}") from exc
        folder = self.root / SNAPSHOTS
        if folder.is_dir() and not folder.is_symlink():
            orgs = [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()]
            names = [p for o in orgs for p in o.iterdir() if p.is_dir() and not p.is_symlink()]
            for sub in sorted(names, reverse=True) + sorted(orgs):
                with contextlib.suppress(OSError):
                    sub.rmdir()  # only when empty; never through a symlink
        return removed
