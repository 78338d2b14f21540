"""The Source protocol, its optional capabilities, and the Snapshot a source returns.

A Snapshot is everything the later stages may know about one model at one revision: the Hub's
metadata, the model card, and the licence-like and lineage-relevant files, as text.

Every source has `fetch`. What some sources can do besides is declared here as small
runtime-checkable protocols, which the scanner (`compliance.run.scan`) tests with `isinstance`:
a source without a capability simply takes the plain path.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..modelid import ModelId

# Licence-like files, matched case-insensitively against the file's base name.
LICENSE_FILE_PATTERNS = (
    "license*",
    "licence*",
    "license-model*",
    "model_license*",
    "*license_agreement*",
    "use_policy*",
    "notice*",
    "copying*",
)
# The patterns as one regex: fnmatchcase(name, pat) is fnmatch's translate(pat) matched, and
# each translated alternative ends in \Z, so a match of the alternation is any() of them.
_LICENSE_NAME = re.compile("|".join(fnmatch.translate(pat) for pat in LICENSE_FILE_PATTERNS))
# Folders whose every file is a licence text (REUSE's LICENSES/<SPDX-id>.txt), top level only.
LICENSE_FOLDERS = ("licenses", "licences")
# Files lineage reads (small JSON/YAML that name base models).
LINEAGE_FILES = (
    "adapter_config.json",
    "config.json",
    "mergekit_config.yml",
    "mergekit_config.yaml",
)
CARD_FILE = "README.md"
_LINEAGE = frozenset(name.lower() for name in LINEAGE_FILES)

# Size caps (bytes): a file over its cap is skipped with a note, never read whole.
MAX_CARD_BYTES = 2 * 1024 * 1024
MAX_LICENSE_BYTES = 1024 * 1024
MAX_LINEAGE_BYTES = 512 * 1024
# At most this many licence-like files are read per repo; any beyond make the licence unknown.
MAX_LICENSE_FILES = 32


@functools.lru_cache(maxsize=8192)  # the same few names (LICENSE, README.md...) in every repo
def is_license_file(path: str) -> bool:
    """True for a top-level licence-like file (LICENSE, COPYING, USE_POLICY.md, NOTICE...) or a
    file directly inside a top-level LICENSES/ folder."""
    name = path.lower()
    if "/" in name:
        folder, _, rest = name.partition("/")
        return folder in LICENSE_FOLDERS and bool(rest) and "/" not in rest
    return _LICENSE_NAME.match(name) is not None


def wanted_files(siblings: list[str]) -> list[str]:
    """The files of a repo that the scan reads, in a stable order (at most MAX_LICENSE_FILES
    licence-like files: see license_overflow for the rest)."""
    picked = sorted(
        {s for s in siblings if s == CARD_FILE or is_license_file(s) or s.lower() in _LINEAGE},
        key=lambda s: (s != CARD_FILE, s.lower()),
    )
    licences = [s for s in picked if is_license_file(s)]
    if len(licences) <= MAX_LICENSE_FILES:
        return picked
    dropped = set(licences[MAX_LICENSE_FILES:])
    return [s for s in picked if s not in dropped]


def license_overflow(siblings: list[str] | tuple[str, ...]) -> RepoFile | None:
    """A skipped entry standing for the licence-like files beyond MAX_LICENSE_FILES, or None:
    what was not read can only make the licence unknown, never be ignored."""
    licences = sorted({s for s in siblings if is_license_file(s)}, key=str.lower)
    if len(licences) <= MAX_LICENSE_FILES:
        return None
    first = licences[MAX_LICENSE_FILES]
    why = (
        f"not read: the repo has {len(licences)} licence-like files and at most "
        f"{MAX_LICENSE_FILES} are read"
    )
    return RepoFile(first, None, None, None, skipped=why)


def size_cap(path: str) -> int:
    if path == CARD_FILE:
        return MAX_CARD_BYTES
    if is_license_file(path):
        return MAX_LICENSE_BYTES
    return MAX_LINEAGE_BYTES


@dataclass(frozen=True)
class RepoFile:
    """One file read from a repo. `text` is None when it was skipped (`skipped` says why)."""

    path: str
    text: str | None
    sha256: str | None
    size: int | None
    skipped: str | None = None  # "too-large", "binary", "not-utf8", "gated", "missing"...

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "text": self.text,
            "sha256": self.sha256,
            "size": self.size,
            "skipped": self.skipped,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RepoFile:
        return cls(
            path=data["path"],
            text=data.get("text"),
            sha256=data.get("sha256"),
            size=data.get("size"),
            skipped=data.get("skipped"),
        )


@dataclass(frozen=True)
class Snapshot:
    """One model at one revision, as read from its source."""

    model: str  # "org/name"
    revision: str | None  # 40-hex sha; None for a mirror folder that is not a git clone
    source: str  # "hub" | "mirror"
    digest: str  # content digest of the files read (identifies a mirror snapshot without git)
    card_data: dict[str, Any] = field(default_factory=dict)  # README front matter / cardData
    tags: tuple[str, ...] = ()
    siblings: tuple[str, ...] = ()
    files: tuple[RepoFile, ...] = ()  # README.md first, then licence and lineage files
    gated: bool = False  # Hub `gated` is "auto"/"manual"
    pipeline_tag: str | None = None
    library_name: str | None = None
    author: str | None = None
    last_modified: str | None = None
    fetched_at: str | None = None  # ISO 8601 UTC
    from_cache: bool = False
    notes: tuple[str, ...] = ()  # things the reader should know (a skipped file, a fallback)

    def file(self, path: str) -> RepoFile | None:
        for f in self.files:
            if f.path == path:
                return f
        return None

    @property
    def card(self) -> RepoFile | None:
        return self.file(CARD_FILE)

    @property
    def license_files(self) -> tuple[RepoFile, ...]:
        return tuple(f for f in self.files if is_license_file(f.path))

    def key_material(self) -> str:
        """The snapshot as normalisation sees it, without the time it was read: what a facts
        cache entry is keyed by (see compliance.facts.cache)."""
        import json

        data = self.to_json()
        data.pop("fetched_at", None)
        data["from_cache"] = self.from_cache
        return json.dumps(data, sort_keys=True, ensure_ascii=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "revision": self.revision,
            "source": self.source,
            "digest": self.digest,
            "card_data": self.card_data,
            "tags": list(self.tags),
            "siblings": list(self.siblings),
            "files": [f.to_json() for f in self.files],
            "gated": self.gated,
            "pipeline_tag": self.pipeline_tag,
            "library_name": self.library_name,
            "author": self.author,
            "last_modified": self.last_modified,
            "fetched_at": self.fetched_at,
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, from_cache: bool = False) -> Snapshot:
        return cls(
            model=data["model"],
            revision=data.get("revision"),
            source=data["source"],
            digest=data["digest"],
            card_data=data.get("card_data") or {},
            tags=tuple(data.get("tags") or ()),
            siblings=tuple(data.get("siblings") or ()),
            files=tuple(RepoFile.from_json(f) for f in data.get("files") or ()),
            gated=bool(data.get("gated")),
            pipeline_tag=data.get("pipeline_tag"),
            library_name=data.get("library_name"),
            author=data.get("author"),
            last_modified=data.get("last_modified"),
            fetched_at=data.get("fetched_at"),
            from_cache=from_cache,
            notes=tuple(data.get("notes") or ()),
        )


class Source(Protocol):
    """Reads one model. Raises errors.SourceError (or a subclass) naming the model and cause."""

    name: str

    def fetch(self, model: ModelId) -> Snapshot: ...


@runtime_checkable
class KeyedSource(Protocol):
    """Can name what a snapshot's facts depend on before building it (a mirror digests its
    files): the snapshot is then built only when the facts cache misses.

    Returns (key material, fetched_at, build)."""

    def fetch_keyed(self, model: ModelId) -> tuple[str, str | None, Callable[[], Snapshot]]: ...


@runtime_checkable
class LocalSource(Protocol):
    """Can tell which models it reads without the network (a mirror; a pinned cached snapshot):
    those are read in the calling thread, the others in a thread pool."""

    def is_local(self, model: ModelId) -> bool: ...


@runtime_checkable
class PrefetchingSource(Protocol):
    """Can hand child processes the settings to fill its snapshot cache for a large cold scan
    (see compliance.sources.prefetch)."""

    def prefetch_settings(self, workers: int) -> Any: ...


@runtime_checkable
class CachingSource(Protocol):
    """Keeps a snapshot cache on disk; derived caches (facts) live next to it."""

    @property
    def cache_root(self) -> Path: ...
