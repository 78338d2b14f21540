"""What the compliance cache holds, part by part: `compliance cache info`.

The cache folder has four parts: Hub snapshots (model@sha), normalised facts (by snapshot
content and code), built-in policy results (one file per policy and org settings, many results
each) and the registry's compiled copy. Counting only the snapshots said `entries: 0` for a
cache full of facts and policy results.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_MAX_POLICY_FILE = 64 * 1024 * 1024  # larger is not ours to parse: counted as one entry


@dataclass(frozen=True)
class CachePart:
    entries: int
    size: int  # bytes

    def to_json(self) -> dict[str, int]:
        return {"entries": self.entries, "size_bytes": self.size}


@dataclass(frozen=True)
class CacheParts:
    root: Path
    snapshots: CachePart
    models: int  # distinct models among the snapshots
    facts: CachePart
    policy_results: CachePart
    registry: CachePart
    other_size: int  # files the cache does not name (left alone by `clear`)

    def parts(self) -> dict[str, CachePart]:
        return {
            "snapshots": self.snapshots,
            "facts": self.facts,
            "policy_results": self.policy_results,
            "registry": self.registry,
        }

    @property
    def entries(self) -> int:
        return sum(part.entries for part in self.parts().values())

    @property
    def size(self) -> int:
        return sum(part.size for part in self.parts().values()) + self.other_size

    def to_json(self) -> dict[str, Any]:
        return {
            "location": str(self.root),
            "entries": self.entries,
            "models": self.models,
            "size_bytes": self.size,
            "parts": {name: part.to_json() for name, part in self.parts().items()},
        }


def _files(folder: Path, pattern: str) -> list[Path]:
    if not folder.is_dir() or folder.is_symlink():
        return []
    return [p for p in folder.glob(pattern) if p.is_file() and not p.is_symlink()]


def _size(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            continue
    return total


def _policy_results(path: Path) -> int:
    """How many results one policy-results file holds (header line, then a JSON object)."""
    try:
        if path.stat().st_size > _MAX_POLICY_FILE:
            return 1
        body = path.read_bytes().partition(b"\n")[2]
        results = json.loads(body)
    except (OSError, ValueError):
        return 1  # unreadable: still something the cache holds
    return len(results) if isinstance(results, dict) else 1


def cache_parts(root: Path | None = None) -> CacheParts:
    from ..facts.cache import FACTS, SUFFIX
    from ..fileio import default_cache_dir
    from ..sources.cache import SnapshotCache

    root = root or default_cache_dir()
    snapshots = SnapshotCache(root).info()
    # .json: entries an older version wrote (format 1), still the facts cache's until cleared
    facts = [p for p in _files(root / FACTS, "*/*") if p.suffix in (SUFFIX, ".json")]
    policy = [p for p in _files(root / "policy", "*") if p.suffix == ".json"]
    registry = [p for p in _files(root / "registry", "*") if p.suffix == ".pickle"]
    named = {*facts, *policy, *registry}
    everything = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []
    snapshot_files = set(_files(root / "snapshots", "*/*/*"))
    other = [p for p in everything if p not in named and p not in snapshot_files]
    return CacheParts(
        root=root,
        snapshots=CachePart(snapshots.entries, snapshots.size),
        models=snapshots.models,
        facts=CachePart(len(facts), _size(facts)),
        policy_results=CachePart(sum(_policy_results(p) for p in policy), _size(policy)),
        registry=CachePart(len(registry), _size(registry)),
        other_size=_size(other),
    )
