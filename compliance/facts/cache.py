"""On-disk cache of normalised facts, keyed by what they are a pure function of.

`normalize(snapshot)` depends on the snapshot's content and on the registry and the code that
reads it. An entry's key is a sha256 over:

- the snapshot's identity and content (for a mirror: model, revision, file list and the content
  digest of the files read; otherwise the snapshot's whole JSON), never its `fetched_at`;
- the registry stamp (its files' names, sizes and mtimes and the code that loads it), so a
  registry change invalidates every entry;
- the tool version and the size and mtime of the code that turns snapshots into facts.

A hit skips licence detection, card parsing and the registry itself. `fetched_at`, which is not
part of the key, is taken from the snapshot read in this run. Entries are written atomically,
checked against a sha256 of their content on read, and deleted (then recomputed) when they do
not parse or do not match. The codec is exact: `from_cache(to_cache(f)) == f`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import sys
import types
import typing
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from .model import ModelFacts

log = logging.getLogger("compliance")

FORMAT = 1
FACTS = "facts"
MAX_ENTRY_BYTES = 16 * 1024 * 1024


# -- exact codec ----------------------------------------------------------------------------


def encode(value: Any) -> Any:
    """A frozen-dataclass tree as JSON-able data, every field kept (tuples become lists)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


Decoder = typing.Callable[[Any], Any]
_SCALARS = (str, int, float, bool, type(None))


@functools.cache
def _decoder(tp: Any) -> Decoder | None:
    """A decoder for one type, built once from the dataclasses' annotations; None when the
    JSON value is already the Python value (str, int, float, bool, None, Any).

    An entry's integrity is checked by its sha256 and its key includes the code that wrote it,
    so the decoder rebuilds the structure without re-validating every scalar.
    """
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(options) != 1:
            raise TypeError(f"ambiguous type {tp}")
        inner = _decoder(options[0])
        if inner is None:
            return None
        return lambda v: None if v is None else inner(v)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            if item is None:
                return _interned_tuple
            return lambda v: tuple(map(item, v))
        parts = [_decoder(a) for a in args]

        def fixed(v: Any) -> Any:
            if len(v) != len(parts):
                raise TypeError(f"expected {len(parts)} items")
            return tuple(x if d is None else d(x) for d, x in zip(parts, v, strict=True))

        return fixed
    if isinstance(tp, type) and is_dataclass(tp):
        return _dataclass_decoder(tp)
    if tp in _SCALARS or tp is Any or origin is dict:
        return None
    raise TypeError(f"cannot decode {tp}")


# A large inventory decodes the same strings (file names, licence keys, quotes of one licence
# text) from thousands of entries: one copy each keeps the run's memory down.
_intern = sys.intern


def _interned_tuple(v: Any) -> tuple[Any, ...]:
    return tuple(_intern(x) if type(x) is str else x for x in v)


def _dataclass_decoder(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in fields(cls))
    wanted = frozenset(names)
    nested: list[tuple[str, Decoder]] = []
    resolved = False
    new = object.__new__

    def decode(v: Any) -> Any:
        nonlocal resolved
        if not isinstance(v, dict) or v.keys() != wanted:
            raise TypeError(f"expected the fields of {cls.__name__}")
        if not resolved:  # on first use: LineageNode refers to itself
            for n in names:
                d = _decoder(hints[n])
                if d is not None:
                    nested.append((n, d))
            resolved = True
        values = {n: _intern(x) if type(x) is str else x for n, x in v.items()}
        for n, d in nested:
            values[n] = d(values[n])
        # As pickle does: every field is present, so __init__ (one frozen setattr per field)
        # is not needed to rebuild an equal object.
        obj: Any = new(cls)
        obj.__dict__.update(values)
        return obj

    return decode


def to_cache(facts: ModelFacts) -> dict[str, Any]:
    data: dict[str, Any] = encode(facts)
    return data


def from_cache(data: Any) -> ModelFacts:
    decode = _decoder(ModelFacts)
    assert decode is not None
    facts: ModelFacts = decode(data)
    return facts


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
    h = hashlib.sha256(f"{FORMAT}\0{__version__}\0{stamp}\n".encode())
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


def _drop(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


class FactsCache:
    """facts/<key[:2]>/<key>.json under the compliance cache folder."""

    def __init__(self, root: Path | None = None):
        if root is None:
            from ..fileio import default_cache_dir

            root = default_cache_dir()
        self.root = root

    def _path(self, key: str) -> Path:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"not a facts key: {key!r}")
        return self.root / FACTS / key[:2] / f"{key}.json"

    def get(self, key: str, **fields: Any) -> ModelFacts | None:
        """The cached facts (with `fields` replaced, e.g. fetched_at), or None (absent,
        unreadable or corrupt: the entry is deleted)."""
        path = self._path(key)
        try:
            if path.stat().st_size > MAX_ENTRY_BYTES:
                raise ValueError("entry too large")
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("facts cache entry %s unreadable (%s); recomputing", path, exc)
            _drop(path)
            return None
        try:
            head, sep, body = raw.partition(b"\n")
            if not sep:
                raise ValueError("no header")
            header = json.loads(head)
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise ValueError("another format")
            if header.get("key") != key or header.get("sha256") != hashlib.sha256(body).hexdigest():
                raise ValueError("checksum mismatch")
            data = json.loads(body)
            if isinstance(data, dict):
                data.update(fields)
            return from_cache(data)
        except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
            log.warning("facts cache entry %s is corrupt (%s); recomputing", path, exc)
            _drop(path)
            return None

    def put(self, key: str, facts: ModelFacts) -> None:
        """Store facts; a failed write is a warning, never an error."""
        from ..fileio import atomic_write_text

        body = json.dumps(to_cache(facts), ensure_ascii=False, separators=(",", ":"))
        header = json.dumps(
            {
                "format": FORMAT,
                "key": key,
                "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
            }
        )
        try:
            atomic_write_text(self._path(key), header + "\n" + body, durable=False)
        except (OSError, ValueError) as exc:
            log.warning("could not write the facts cache entry for %s (%s)", facts.model, exc)


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
    import re

    from ..fileio import regular_files

    removed = 0
    patterns = (
        (root / FACTS, 2, re.compile(r"^\.?[0-9a-f]{64}\.json(\..*\.tmp)?$")),
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
