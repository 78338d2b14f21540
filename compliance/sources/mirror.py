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
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import RepoNotFound, RevisionNotFound, SourceError
from ..modelid import SHA_RE, ModelId
from .card import parse_card
from .fileindex import now_ns, settled, signature
from .interface import CARD_FILE, RepoFile, Snapshot, license_overflow, wanted_files
from .reading import read_at_most, read_repo_file, snapshot_digest

if TYPE_CHECKING:
    from .fileindex import FileIndex

# Key material is what json.dumps(sort_keys=True, ensure_ascii=False) writes; one encoder.
_KEY_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)

log = logging.getLogger("compliance")

MAX_GIT_FILE_BYTES = 16 * 1024 * 1024  # packed-refs of a large clone; HEAD is a line


def _git_text(path: Path) -> str | None:
    """A small file of .git, read with a cap: regular files only (a FIFO or a device that a
    hostile mirror put there is never opened for reading)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = read_at_most(fd, MAX_GIT_FILE_BYTES + 1)
    finally:
        os.close(fd)
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
    return _listing(str(folder), irregular if irregular is not None else [])[0]


def _listing(folder: str, irregular: list[str]) -> tuple[list[str], bool]:
    """(_list_files of `folder`, whether it has a `.git` entry of any kind): one scandir."""
    out: list[str] = []
    with os.scandir(folder) as it:
        entries = list(it)
    has_git = False
    for entry in entries:
        if entry.name == ".git":
            has_git = True
        elif entry.is_dir(follow_symlinks=False):
            _walk(entry.path, f"{entry.name}/", out, irregular)
        elif entry.is_file(follow_symlinks=False):
            out.append(entry.name)
        else:
            irregular.append(entry.name)
    out.sort()
    return out, has_git


def _walk(path: str, prefix: str, out: list[str], irregular: list[str]) -> None:
    """The files under a subfolder, depth first in scandir order (so the first error met is
    always the same one)."""
    with os.scandir(path) as it:
        entries = list(it)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            _walk(entry.path, f"{prefix}{entry.name}/", out, irregular)
        elif entry.is_file(follow_symlinks=False):
            out.append(prefix + entry.name)
        else:
            irregular.append(prefix + entry.name)


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
    known = index.known(folder) if quick else {}
    started = now_ns()
    entries: list[RepoFile] = []
    seen: dict = {}
    partial = read_any = False
    for name in names:
        path = f"{folder}{os.sep}{name}"  # os.path.join: folder never ends in a separator
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


def _plain(part: str) -> bool:
    """A path component that names a child of its folder: not empty, '.', '..' or a path."""
    return (
        part not in ("", ".", "..")
        and os.sep not in part
        and (os.altsep is None or os.altsep not in part)
    )


_now_second: tuple[int, str] = (-1, "")


def _utc_now_seconds() -> str:
    """datetime.now(utc) to the second, in ISO 8601: made once per second, not per model."""
    global _now_second
    second = int(time.time())
    if second != _now_second[0]:
        text = dt.datetime.fromtimestamp(second, dt.timezone.utc).isoformat()
        _now_second = (second, text)
    return _now_second[1]


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

    def _model_folder(self, model: ModelId) -> str:
        """The model's folder as realpath names it; RepoNotFound unless it is a directory
        inside the mirror (a symlink never leads out of it)."""
        root = str(self._resolved_root())
        inside = root if root.endswith(os.sep) else root + os.sep
        org, name = model.org, model.name
        if _plain(org) and _plain(name):
            # The root is resolved; when the org and model folders are real directories (not
            # symlinks), realpath would return this very path: two lstats instead of one per
            # component of the whole path. Anything else takes realpath below.
            org_path = inside + org
            folder = f"{org_path}{os.sep}{name}"
            with contextlib.suppress(OSError):
                if stat.S_ISDIR(os.lstat(org_path).st_mode) and stat.S_ISDIR(
                    os.lstat(folder).st_mode
                ):
                    return folder
        folder = os.path.realpath(os.path.join(root, org, name))
        # ModelId already forbids '..', but never trust a path that leaves the mirror.
        if not folder.startswith(inside) or folder == root or not os.path.isdir(folder):
            raise RepoNotFound(str(model), f"not in the mirror {root}")
        return folder

    def _file_index(self) -> FileIndex | None:
        if self._index is None and self.use_file_index:
            from .fileindex import default_index

            root = str(self._resolved_root())
            self._index = default_index(root if root.endswith(os.sep) else root + os.sep)
            # written when this source is done with (or at exit), not only every FLUSH_EVERY
            weakref.finalize(self, self._index.close)
        return self._index

    def _read(self, model: ModelId, quick: bool = False) -> _Read:
        """The files of one model as read now: everything its snapshot is a function of.
        `quick`: a file the index saw unchanged is not read (its entry has no text, and the
        read is `partial`: its key material is exact, its snapshot cannot be built)."""
        folder = self._model_folder(model)
        irregular: list[str] = []
        try:
            siblings, has_git = _listing(folder, irregular)
            unlisted = None
        except Exception as exc:  # raised below, after the revision checks, as it always was
            siblings, unlisted = [], exc
            has_git = os.path.lexists(os.path.join(folder, ".git"))
        head = git_head(Path(folder)) if has_git else None
        if model.revision is not None and model.revision != head:
            if head is None:
                raise RevisionNotFound(
                    str(model), "the mirror copy is not a git clone, so it has no revisions"
                )
            _check_named_revision(model, Path(folder), head)
        partial = False
        try:
            if unlisted is not None:
                raise unlisted
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
            if irregular:
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
        if log.isEnabledFor(logging.INFO):
            read = [f.path for f in files if f.text is not None]
            log.info(
                "%s: read %s at %s from the mirror", model, ", ".join(read) or "no files", head
            )
        return _Read(
            model, head, tuple(siblings), tuple(files), tuple(notes), _utc_now_seconds(), partial
        )

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
        return _KEY_JSON.encode(
            {
                "source": "mirror",
                "model": self.model.repo_id,
                "author": self.model.org,
                "revision": self.head,
                "siblings": list(self.siblings),
                "files": [[f.path, f.sha256, f.size, f.skipped] for f in self.files],
                "notes": list(self.notes),
            }
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
