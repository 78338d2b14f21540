"""Branch and tag names of a git clone resolved to commit shas by reading .git, without git.

A mirror copy is often a `git clone` of a Hub repo, and configs name revisions by branch or tag
(`--revision main` for vLLM). Loose refs, packed-refs (with their peeled `^sha` lines) and
loose annotated tag objects are read; anything else (a tag object inside a pack without a
peeled line) resolves to None, which the caller reports as a revision it cannot find.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from ..modelid import SHA_RE

_MAX_SYMREF_DEPTH = 5
_MAX_TAG_DEPTH = 5
_MAX_OBJECT_BYTES = 64 * 1024
_SAFE_NAME = re.compile(r"^[A-Za-z0-9._/-]+$")


def git_dir(folder: Path) -> Path | None:
    """The .git folder of a clone (following a worktree's `gitdir:` file), None if absent."""
    git = folder / ".git"
    if git.is_file():
        content = git.read_text(encoding="utf-8", errors="replace").strip()
        if not content.startswith("gitdir:"):
            return None
        git = (folder / content[len("gitdir:") :].strip()).resolve()
    return git if git.is_dir() else None


def _safe(name: str) -> bool:
    return bool(_SAFE_NAME.match(name)) and ".." not in name and not name.startswith("/")


def _packed(git: Path) -> dict[str, tuple[str, str | None]]:
    """packed-refs: ref name -> (sha, peeled commit sha of an annotated tag or None)."""
    path = git / "packed-refs"
    refs: dict[str, tuple[str, str | None]] = {}
    if not path.is_file():
        return refs
    last: str | None = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("^") and last is not None and SHA_RE.match(line[1:].strip()):
            refs[last] = (refs[last][0], line[1:].strip())
            continue
        parts = line.split()
        if len(parts) == 2 and SHA_RE.match(parts[0]):
            refs[parts[1]] = (parts[0], None)
            last = parts[1]
        else:
            last = None
    return refs


def _loose(git: Path, ref: str) -> str | None:
    """The sha a loose ref names, following `ref: ...` symbolic refs a few levels."""
    for _ in range(_MAX_SYMREF_DEPTH):
        path = git / ref
        if not _safe(ref) or not path.is_file():
            return None
        content = path.read_text(encoding="utf-8", errors="replace").strip()
        if SHA_RE.match(content):
            return content
        if not content.startswith("ref:"):
            return None
        ref = content[len("ref:") :].strip()
    return None


def _peel(git: Path, sha: str) -> str:
    """The commit an annotated tag object points to (read from a loose object); else `sha`."""
    for _ in range(_MAX_TAG_DEPTH):
        path = git / "objects" / sha[:2] / sha[2:]
        try:
            raw = zlib.decompressobj().decompress(path.read_bytes(), _MAX_OBJECT_BYTES)
        except (OSError, zlib.error):
            return sha  # a packed object or none: taken as the commit itself
        header, _, body = raw.partition(b"\0")
        if not header.startswith(b"tag "):
            return sha
        first = body.split(b"\n", 1)[0].decode("ascii", errors="replace")
        if not first.startswith("object ") or not SHA_RE.match(first[7:].strip()):
            return sha
        sha = first[7:].strip()
    return sha


def resolve_ref(folder: Path, name: str) -> str | None:
    """The commit sha that branch or tag `name` (or a full `refs/...` name) points to in the
    clone at `folder`, looked up in git's order; None when there is no such name."""
    git = git_dir(folder)
    if git is None or not _safe(name):
        return None
    candidates = [name] if name.startswith("refs/") else []
    candidates += [f"refs/tags/{name}", f"refs/heads/{name}", f"refs/remotes/origin/{name}"]
    packed: dict[str, tuple[str, str | None]] | None = None
    for ref in candidates:
        sha = _loose(git, ref)
        if sha is not None:
            return _peel(git, sha)
        if packed is None:
            packed = _packed(git)
        if ref in packed:
            sha, peeled = packed[ref]
            return peeled or _peel(git, sha)
    return None
