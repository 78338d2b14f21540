"""On-disk cache of snapshots, keyed by model@sha.

A snapshot pinned to a commit sha never changes, so a cached one is used without any request.
Writes go to a temporary file in the same folder and are renamed into place (atomic on POSIX),
so two processes sharing a cache never see half a file; a corrupt entry is deleted and refetched.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from ..modelid import SHA_RE, is_valid_repo_id
from .interface import Snapshot

log = logging.getLogger("compliance")
CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    override = os.environ.get("COMPLIANCE_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("compliance", appauthor=False))


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class SnapshotCache:
    def __init__(self, root: Path | None = None):
        self.root = root or default_cache_dir()

    def _path(self, model: str, sha: str) -> Path:
        # Both parts are validated, so no id can address a path outside the cache.
        if not is_valid_repo_id(model) or not SHA_RE.match(sha):
            raise ValueError(f"not a cacheable model@sha: {model}@{sha}")
        org, name = model.split("/", 1)
        return self.root / "snapshots" / org / name / f"{sha}.json"

    def get(self, model: str, sha: str) -> Snapshot | None:
        path = self._path(model, sha)
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("cache entry %s unreadable (%s); refetching", path, exc)
            return None
        try:
            data: dict[str, Any] = json.loads(raw)
            if data.get("format") != CACHE_FORMAT:
                return None
            snapshot = Snapshot.from_json(data["snapshot"], from_cache=True)
            if snapshot.model != model or snapshot.revision != sha:
                raise ValueError("entry names another model or revision")
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("cache entry %s is corrupt (%s); refetching", path, exc)
            path.unlink(missing_ok=True)
            return None
        return snapshot

    def put(self, snapshot: Snapshot) -> None:
        if snapshot.revision is None or not SHA_RE.match(snapshot.revision):
            return
        payload = {"format": CACHE_FORMAT, "snapshot": snapshot.to_json()}
        atomic_write_text(
            self._path(snapshot.model, snapshot.revision), json.dumps(payload, sort_keys=True)
        )

    def latest(self, model: str) -> Snapshot | None:
        """The most recently read cached snapshot of `model` (used when offline)."""
        if not is_valid_repo_id(model):
            return None
        org, name = model.split("/", 1)
        folder = self.root / "snapshots" / org / name
        if not folder.is_dir():
            return None
        entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for entry in entries:
            snapshot = self.get(model, entry.stem)
            if snapshot is not None:
                return snapshot
        return None
