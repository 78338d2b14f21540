"""On-disk cache of normalised facts, keyed by what they are a pure function of.

`normalize(snapshot)` depends on the snapshot's content and on the registry and the code that
reads it. An entry's key is a sha256 over:

- the snapshot's identity and content (for a mirror: model, revision, file list and the content
  digest of the files read; otherwise the snapshot's whole JSON), never its `fetched_at`;
- the registry stamp (its files' names, sizes and mtimes and the code that loads it), so a
  registry change invalidates every entry;
- the tool version and the size and mtime of the code that turns snapshots into facts, and the
  interpreter's marshal format the entries are written in.

A hit skips licence detection, card parsing and the registry itself. `fetched_at`, which is not
part of the key, is taken from the snapshot read in this run. Entries are written atomically,
checked against a sha256 of their key and content before they are loaded, and deleted (then
recomputed) when they do not load or do not match. The codec is exact:
`packed.loads(packed.dumps(f)) == f`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import re
import stat
from pathlib import Path
from typing import Any

from . import packed
from .model import ModelFacts

log = logging.getLogger("compliance")

FORMAT = 2  # 2: marshal entries (compliance.facts.packed); 1 was JSON
FACTS = "facts"
MAX_ENTRY_BYTES = 16 * 1024 * 1024


# -- keys -----------------------------------------------------------------------------------


# The code that turns a snapshot into facts: these packages whole, and these modules.
STAMPED_PACKAGES = ("facts", "sources")
STAMPED_MODULES = (
    "modelid.py",
    "resources.py",
    "safeyaml.py",
    "errors.py",
    "fileio.py",
    "textcodec.py",
    "frozen.py",
)


def stamped_files() -> list[Path]:
    """The modules whose size and mtime are part of every facts cache key."""
    package = Path(__file__).resolve().parent.parent
    out: list[Path] = []
    for sub in STAMPED_PACKAGES:
        try:
            with os.scandir(package / sub) as it:
                out.extend(sorted(Path(e.path) for e in it if e.name.endswith(".py")))
        except OSError:
            continue
    out.extend(package / name for name in STAMPED_MODULES)
    return out


@functools.lru_cache(maxsize=4)
def code_stamp(registry_root: str | None = None) -> str:
    """What facts depend on besides the snapshot: the registry stamp, the tool version, and the
    code that reads snapshots into facts (sizes and mtimes of its modules)."""
    from .. import __version__
    from ..resources import registry_dir
    from .stamp import registry_stamp

    root = Path(registry_root) if registry_root else registry_dir()
    stamp = registry_stamp(Path(root).resolve())
    # packed.TAG: the interpreter's marshal format, so two Pythons sharing a cache folder
    # keep apart entries neither could read for the other.
    h = hashlib.sha256(f"{FORMAT}\0{packed.TAG}\0{__version__}\0{stamp}\n".encode())
    package = Path(__file__).resolve().parent.parent
    for path in stamped_files():
        with contextlib.suppress(OSError):
            st = path.stat()
            name = path.relative_to(package).as_posix()
            h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def key_for(material: str, stamp: str) -> str:
    return hashlib.sha256(f"{stamp}\n{material}".encode()).hexdigest()


# -- the cache ------------------------------------------------------------------------------


def _drop(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


SUFFIX = ".facts"
# An entry: this line, the sha256 of the key and the body (32 bytes), the body (packed.dumps).
MAGIC = f"compliance-facts {FORMAT} {packed.TAG}\n".encode()
_DIGEST = len(MAGIC) + 32
_is_key = re.compile(r"[0-9a-f]{64}").fullmatch
# O_NONBLOCK: a FIFO planted where an entry belongs must not hang the run (see _read).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


def _digest(key: str, body: bytes) -> bytes:
    """Over the key too: an entry copied under another key's name does not match."""
    h = hashlib.sha256(key.encode())
    h.update(body)
    return h.digest()


class FactsCache:
    """facts/<key[:2]>/<key>.facts under the compliance cache folder, one file per entry:
    written atomically (rename), so concurrent runs and workers see an entry whole or not at
    all; a hit is one open and read, a sha256 and a marshal load (see compliance.facts.packed).
    """

    def __init__(self, root: Path | None = None):
        if root is None:
            from ..fileio import default_cache_dir

            root = default_cache_dir()
        self.root = root
        self._folder = os.path.join(root, FACTS)  # str paths: pathlib costs µs a hit

    def _path(self, key: str) -> str:
        if not _is_key(key):
            raise ValueError(f"not a facts key: {key!r}")
        return f"{self._folder}{os.sep}{key[:2]}{os.sep}{key}{SUFFIX}"

    def get(self, key: str, **fields: Any) -> ModelFacts | None:
        """The cached facts (with `fields` replaced, e.g. fetched_at), or None (absent,
        unreadable or corrupt: the entry is deleted)."""
        path = self._path(key)
        try:
            raw = _read(path)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("facts cache entry %s unreadable (%s); recomputing", path, exc)
            _drop(path)
            return None
        try:
            if not raw.startswith(MAGIC):
                raise ValueError("another format")
            body = raw[_DIGEST:]
            if raw[len(MAGIC) : _DIGEST] != _digest(key, body):
                raise ValueError("checksum mismatch")
            return packed.loads(body, **fields)
        except Exception as exc:  # whatever is wrong with an entry, it is a miss
            log.warning("facts cache entry %s is corrupt (%s); recomputing", path, exc)
            _drop(path)
            return None

    def put(self, key: str, facts: ModelFacts) -> None:
        """Store facts; a failed write is a warning, never an error."""
        from ..fileio import atomic_write_bytes

        try:
            path = self._path(key)
            body = packed.dumps(facts)
            atomic_write_bytes(Path(path), MAGIC + _digest(key, body) + body, durable=False)
        except (OSError, ValueError, RecursionError) as exc:
            log.warning("could not write the facts cache entry for %s (%s)", facts.model, exc)


def _read(path: str) -> bytes:
    """A regular file's bytes, at most MAX_ENTRY_BYTES (ValueError beyond, or for anything
    that is not a regular file)."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file")
        if st.st_size > MAX_ENTRY_BYTES:
            raise ValueError("entry too large")
        # One byte more than its size: a file that grew since is read short, fails its
        # checksum and is dropped, never trusted.
        return os.read(fd, st.st_size + 1)
    finally:
        os.close(fd)


class MaterialChanged(Exception):
    """Raised by a `build` that found other content than it was keyed by (a file changed
    since): the facts are looked up, and stored, under `material`, built by `build`."""

    def __init__(self, material: str, build: Any):
        super().__init__("the snapshot changed since it was keyed")
        self.material = material
        self.build = build


def cached_normalize(
    material: str,
    build: Any,
    cache: FactsCache,
    *,
    fetched_at: str | None,
    min_confidence: float | None = None,
) -> ModelFacts:
    """normalize(build()) through the cache; `build` is called only on a miss. A non-default
    `min_confidence` (policy.min_confidence) is part of the key: facts depend on it."""
    from .model import DEFAULT_MIN_CONFIDENCE

    threshold = DEFAULT_MIN_CONFIDENCE if min_confidence is None else min_confidence
    if threshold != DEFAULT_MIN_CONFIDENCE:
        material = f"{material}\0min_confidence={threshold!r}"
    key = key_for(material, code_stamp())
    facts = cache.get(key, fetched_at=fetched_at)
    if facts is not None:
        log.info("%s: facts cache hit (files, registry and code unchanged)", facts.model)
        return facts
    from .normalize import normalize

    try:
        snapshot = build()
    except MaterialChanged as moved:
        return cached_normalize(
            moved.material, moved.build, cache, fetched_at=fetched_at, min_confidence=threshold
        )
    if threshold == DEFAULT_MIN_CONFIDENCE:
        facts = normalize(snapshot)
    else:
        facts = normalize(snapshot, min_confidence=threshold)
    cache.put(key, facts)
    return facts


def clear_derived(root: Path) -> int:
    """Delete the derived caches under `root` (normalised facts, built-in policy results, the
    registry's compiled copy, the warm hook's recorded answers, the mirror's file index) and
    their stray temporary files; return how many files were removed. Only files named as
    these caches name them are touched."""
    from ..fileio import regular_files

    removed = 0
    patterns = (
        # .json: entries of format 1, never read since (another key) but still ours
        (root / FACTS, 2, re.compile(r"^\.?[0-9a-f]{64}\.(facts|json)(\..*\.tmp)?$")),
        (root / "policy", 1, re.compile(r"^\.?[0-9a-f]{64}\.json(\..*\.tmp)?$")),
        (root / "registry", 1, re.compile(r"^[0-9a-f]{32}(\.pickle|\.[0-9]+\.tmp)$")),
        (root / "replay", 1, re.compile(r"^\.?[0-9a-f]{64}\.json(\..*\.tmp)?$")),  # cli.replay
    )
    for index in ("mirror-files.sqlite", "mirror-files.sqlite-journal"):  # sources.fileindex
        target = root / index
        if target.is_file() and not target.is_symlink():
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
                removed += 1
    for folder, depth, name in patterns:
        if not folder.is_dir() or folder.is_symlink():
            continue
        # Never through a symlinked sub-folder: nothing outside the cache is deleted.
        for path in regular_files(folder, depth):
            if name.match(path.name):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed += 1
        for sub in [*sorted(folder.glob("*"), reverse=True), folder]:
            with contextlib.suppress(OSError):
                sub.rmdir()  # only when empty
    return removed
