"""An air-gapped mirror folder laid out DIR/<org>/<name>/... with files as on the Hub.

When a repo folder is a git clone its HEAD commit is the revision; otherwise the revision is
None and a content digest of the files read identifies the snapshot.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import stat
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import RepoNotFound, RevisionNotFound, SourceError
from ..modelid import SHA_RE, ModelId
from .card import parse_card
from .interface import CARD_FILE, RepoFile, Snapshot, license_overflow, wanted_files
from .reading import read_repo_file, snapshot_digest

if TYPE_CHECKING:
    from .fileindex import FileIndex

log = logging.getLogger("compliance")

MAX_GIT_FILE_BYTES = 16 * 1024 * 1024  # packed-refs of a large clone; HEAD is a line


def _git_text(path: Path) -> str | None:
    """A small file of .git, read with a cap: regular files only (a FIFO or a device that a
    hostile mirror put there is never opened for reading)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = handle.read(MAX_GIT_FILE_BYTES + 1)
    if len(data) > MAX_GIT_FILE_BYTES:
        return None
    return data.decode("utf-8", errors="replace")


def git_head(folder: Path) -> str | None:
    """The HEAD commit of a git clone, read from .git without running git."""
    git = folder / ".git"
    if git.is_file():  # worktree / submodule: "gitdir: <path>"
        content = (_git_text(git) or "").strip()
        if content.startswith("gitdir:"):
            git = (folder / content[len("gitdir:") :].strip()).resolve()
    head_file = git / "HEAD"
    if not head_file.is_file():
        return None
    head = (_git_text(head_file) or "").strip()
    if SHA_RE.match(head):
        return head
    if not head.startswith("ref:"):
        return None
    ref = head[len("ref:") :].strip()
    loose = git / ref
    if loose.is_file():
        sha = (_git_text(loose) or "").strip()
        return sha if SHA_RE.match(sha) else None
    packed = git / "packed-refs"
    if packed.is_file():
        for line in (_git_text(packed) or "").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1] == ref and SHA_RE.match(parts[0]):
                return parts[0]
    return None


def _list_files(folder: Path | str, irregular: list[str] | None = None) -> list[str]:
    """Regular files under `folder` (not symlinks, not under a symlinked folder, not in .git).

    Anything else at a path (a symlink, a FIFO, a device) is never followed or opened; its
    path goes to `irregular` when given, so a licence file that is one is reported unread."""
    out: list[str] = []

    def walk(path: str, prefix: str) -> None:
        with os.scandir(path) as it:
            entries = list(it)
        for entry in entries:
            if not prefix and entry.name == ".git":
                continue
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, f"{prefix}{entry.name}/")
            elif entry.is_file(follow_symlinks=False):
                out.append(prefix + entry.name)
            elif irregular is not None:
                irregular.append(prefix + entry.name)

    walk(str(folder), "")
    return sorted(out)


def _check_named_revision(model: ModelId, folder: Path, head: str) -> None:
    """Accept a branch or tag name that points at the clone's HEAD commit; else say why not."""
    from .gitrefs import resolve_ref

    revision = model.revision or ""
    resolved = None if SHA_RE.match(revision) else resolve_ref(folder, revision)
    if resolved == head:
        return
    if resolved is None and not SHA_RE.match(revision):
        raise RevisionNotFound(
            str(model), f"no branch or tag {revision!r} in the mirror copy (it holds {head})"
        )
    at = f" ({revision} is {resolved})" if resolved else ""
    raise RevisionNotFound(str(model), f"the mirror holds revision {head}{at}")


def _indexed_entries(
    folder: str, names: list[str], index: FileIndex, quick: bool
) -> tuple[list[RepoFile], bool]:
    """The wanted files of a folder, each read unless `quick` and the index saw it unchanged
    (then its entry, without text); what was read is recorded. (entries, any from the index)"""
    from .fileindex import now_ns, settled, signature

    known = index.known(folder) if quick else {}
    started = now_ns()
    entries: list[RepoFile] = []
    seen: dict = {}
    partial = read_any = False
    for name in names:
        path = os.path.join(folder, name)
        try:
            sig = signature(os.lstat(path))
        except OSError:
            sig = None
        hit = known.get(name)
        if sig is not None and hit is not None and hit[0] == sig:
            entries.append(hit[1])
            seen[name] = hit
            partial = True
            continue
        entry = read_repo_file(name, path)
        entries.append(entry)
        read_any = True
        if sig is not None and settled(sig, started):
            with contextlib.suppress(OSError):
                if signature(os.lstat(path)) == sig:  # unchanged while it was read
                    bare = RepoFile(name, None, entry.sha256, entry.size, entry.skipped)
                    seen[name] = (sig, bare)
    if read_any and seen:
        index.record(folder, seen)
    return entries, partial


def _irregular_entry(name: str, path: str) -> RepoFile:
    why = "symlink (not followed)" if os.path.islink(path) else "not a regular file"
    return RepoFile(name, None, None, None, skipped=why)


class MirrorSource:
    name = "mirror"

    def __init__(self, root: Path, *, file_index: bool = True):
        self.root = root
        self._root: Path | None = None
        self.use_file_index = file_index  # see sources.fileindex
        self._index: FileIndex | None = None

    def _resolved_root(self) -> Path:
        if self._root is None:
            self._root = self.root.resolve()
        return self._root

    def _file_index(self) -> FileIndex | None:
        if self._index is None and self.use_file_index:
            from .fileindex import default_index

            self._index = default_index()
            # written when this source is done with (or at exit), not only every FLUSH_EVERY
            weakref.finalize(self, self._index.close)
        return self._index

    def _read(self, model: ModelId, quick: bool = False) -> _Read:
        """The files of one model as read now: everything its snapshot is a function of.
        `quick`: a file the index saw unchanged is not read (its entry has no text, and the
        read is `partial`: its key material is exact, its snapshot cannot be built)."""
        root = str(self._resolved_root())
        folder = os.path.realpath(os.path.join(root, model.org, model.name))
        # ModelId already forbids '..', but never trust a path that leaves the mirror.
        inside = root if root.endswith(os.sep) else root + os.sep
        if not folder.startswith(inside) or folder == root or not os.path.isdir(folder):
            raise RepoNotFound(str(model), f"not in the mirror {root}")
        head = git_head(Path(folder)) if os.path.lexists(os.path.join(folder, ".git")) else None
        if model.revision is not None and model.revision != head:
            if head is None:
                raise RevisionNotFound(
                    str(model), "the mirror copy is not a git clone, so it has no revisions"
                )
            _check_named_revision(model, Path(folder), head)
        partial = False
        try:
            irregular: list[str] = []
            siblings = _list_files(folder, irregular)
            files: list[RepoFile] = []
            notes: list[str] = []
            index = self._file_index()
            if index is None:
                entries = [
                    read_repo_file(n, os.path.join(folder, n)) for n in wanted_files(siblings)
                ]
            else:
                entries, partial = _indexed_entries(folder, wanted_files(siblings), index, quick)
            # A licence file (or card) that is a symlink or not a regular file was not read:
            # it is reported, so it makes the licence unknown instead of vanishing.
            entries += [
                _irregular_entry(n, os.path.join(folder, n))
                for n in wanted_files(sorted(irregular))
            ]
            overflow = license_overflow(siblings)
            if overflow is not None:
                entries.append(overflow)
            for entry in entries:
                if entry.skipped:
                    notes.append(f"{entry.path} skipped: {entry.skipped}")
                files.append(entry)
        except OSError as exc:
            raise SourceError(str(model), f"cannot read the mirror copy: {exc}") from exc
        fetched_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        read = [f.path for f in files if f.text is not None]
        log.info("%s: read %s at %s from the mirror", model, ", ".join(read) or "no files", head)
        return _Read(model, head, tuple(siblings), tuple(files), tuple(notes), fetched_at, partial)

    def fetch(self, model: ModelId) -> Snapshot:
        return self._read(model).snapshot()

    def flush_index(self) -> None:
        """Write what the file index learnt so far (a pool child ends without exit handlers)."""
        if self._index is not None:
            self._index.flush()

    def is_local(self, model: ModelId) -> bool:
        """A mirror is read from local files: no network."""
        return True

    def fetch_keyed(self, model: ModelId) -> tuple[str, str | None, Callable[[], Snapshot]]:
        """(what the snapshot is a function of, its fetched_at, a builder of the snapshot).

        The files are read and hashed now; the card is parsed only when the snapshot is built,
        so a facts cache hit costs reading the files and no parsing.
        """
        if type(self).fetch is not MirrorSource.fetch:  # a subclass reads models its own way
            snapshot = self.fetch(model)
            return snapshot.key_material(), snapshot.fetched_at, lambda: snapshot
        read = self._read(model, quick=True)
        if not read.partial:
            return read.key_material(), read.fetched_at, read.snapshot
        material = read.key_material()

        def build() -> Snapshot:
            """Every file read; when one changed since it was keyed, the facts are keyed by
            what was read (never stored under a key their content does not match)."""
            from ..facts.cache import MaterialChanged

            full = replace(self._read(model), fetched_at=read.fetched_at)
            if full.key_material() != material:
                raise MaterialChanged(full.key_material(), full.snapshot)
            return full.snapshot()

        return material, read.fetched_at, build


@dataclass(frozen=True)
class _Read:
    model: ModelId
    head: str | None
    siblings: tuple[str, ...]
    files: tuple[RepoFile, ...]
    notes: tuple[str, ...]
    fetched_at: str
    partial: bool = False  # some files' entries come from the file index: no text

    def key_material(self) -> str:
        return json.dumps(
            {
                "source": "mirror",
                "model": self.model.repo_id,
                "author": self.model.org,
                "revision": self.head,
                "siblings": list(self.siblings),
                "files": [[f.path, f.sha256, f.size, f.skipped] for f in self.files],
                "notes": list(self.notes),
            },
            sort_keys=True,
            ensure_ascii=False,
        )

    def snapshot(self) -> Snapshot:
        if self.partial:
            raise ValueError("a partial read has no snapshot")
        model, files = self.model, list(self.files)
        notes = list(self.notes)
        card_data: dict = {}
        readme = next((f for f in files if f.path == CARD_FILE), None)
        if readme is not None and readme.text is not None:
            card = parse_card(readme.text)
            card_data = card.data
            if card.error:
                notes.append(f"README.md: {card.error}")
        tags = card_data.get("tags")
        pipeline_tag = card_data.get("pipeline_tag")
        return Snapshot(
            model=model.repo_id,
            revision=self.head,
            source="mirror",
            digest=snapshot_digest(files),
            card_data=card_data,
            tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
            siblings=self.siblings,
            files=tuple(files),
            # The Hub's gate is a repo setting; a mirror only has the card's gating prompt.
            gated=bool(card_data.get("extra_gated_prompt") or card_data.get("extra_gated_fields")),
            pipeline_tag=pipeline_tag if isinstance(pipeline_tag, str) else None,
            library_name=card_data.get("library_name")
            if isinstance(card_data.get("library_name"), str)
            else None,
            author=model.org,
            fetched_at=self.fetched_at,
            notes=tuple(notes),
        )
