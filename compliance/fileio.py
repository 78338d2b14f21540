"""Small file helpers shared by the caches and the lock: where the cache lives, atomic writes."""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir() -> Path:
    """COMPLIANCE_CACHE_DIR, else the user cache folder (snapshots, facts, policy results)."""
    override = os.environ.get("COMPLIANCE_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("compliance", appauthor=False))


def regular_files(folder: Path, depth: int) -> list[Path]:
    """Regular files exactly `depth` levels below `folder`, entering only real directories:
    a symlink (to a folder or a file, anywhere on the way) is never followed, so nothing
    outside `folder` is ever listed (and so never deleted by `cache clear`)."""
    if depth < 1 or folder.is_symlink() or not folder.is_dir():
        return []
    out: list[Path] = []

    def walk(path: str, level: int) -> None:
        try:
            with os.scandir(path) as it:
                entries = list(it)
        except OSError:
            return
        for entry in entries:
            if level == depth:
                if entry.is_file(follow_symlinks=False):
                    out.append(Path(entry.path))
            elif entry.is_dir(follow_symlinks=False):
                walk(entry.path, level + 1)

    walk(str(folder), 1)
    return sorted(out)


def atomic_write_text(path: Path, text: str, *, durable: bool = True) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never a mix.

    durable=False skips the fsync (~4 ms a file): for cache entries whose reader checks a
    checksum, so a write a crash left torn is dropped and read afresh, never trusted."""
    import tempfile  # not imported on a read-only (warm) run

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """`atomic_write_text` for bytes."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
