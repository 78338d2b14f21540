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
import types
import typing
from dataclasses import fields, is_dataclass, replace
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


def _expect(kind: type | tuple[type, ...], value: Any, what: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float)):
        raise TypeError(f"expected {what}")
    return value


@functools.lru_cache(maxsize=None)
def _decoder(tp: Any) -> Decoder:
    """A decoder for one type, built once from the dataclasses' annotations."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(options) != 1:
            raise TypeError(f"ambiguous type {tp}")
        inner = _decoder(options[0])
        return lambda v: None if v is None else inner(v)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda v: tuple(item(x) for x in _expect(list, v, "a list"))
        parts = [_decoder(a) for a in args]

        def fixed(v: Any) -> Any:
            if not isinstance(v, list) or len(v) != len(parts):
                raise TypeError(f"expected {len(parts)} items")
            return tuple(d(x) for d, x in zip(parts, v, strict=True))

        return fixed
    if isinstance(tp, type) and is_dataclass(tp):
        return _dataclass_decoder(tp)
    if tp is float:
        return lambda v: float(_expect((int, float), v, "a number"))
    if tp is str:
        return lambda v: _expect(str, v, "a string")
    if tp is int:
        return lambda v: _expect(int, v, "an integer")
    if tp is bool:
        return lambda v: _expect(bool, v, "a boolean")
    if tp is Any or origin is dict:
        return lambda v: v
    raise TypeError(f"cannot decode {tp}")


def _dataclass_decoder(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in fields(cls))
    wanted = frozenset(names)
    decoders: dict[str, Decoder] = {}

    def decode(v: Any) -> Any:
        if not isinstance(v, dict) or v.keys() != wanted:
            raise TypeError(f"expected the fields of {cls.__name__}")
        if not decoders:  # resolved on first use: LineageNode refers to itself
            decoders.update((n, _decoder(hints[n])) for n in names)
        return cls(**{n: decoders[n](v[n]) for n in names})

    return decode


def to_cache(facts: ModelFacts) -> dict[str, Any]:
    data: dict[str, Any] = encode(facts)
    return data


def from_cache(data: Any) -> ModelFacts:
    facts: ModelFacts = _decoder(ModelFacts)(data)
    return facts


# -- keys -----------------------------------------------------------------------------------


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
    for sub in ("facts", "sources"):
        try:
            with os.scandir(package / sub) as it:
                entries = sorted((e.name, e.stat()) for e in it if e.name.endswith(".py"))
        except OSError:
            continue
        for name, st in entries:
            h.update(f"{sub}/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    for name in ("modelid.py", "resources.py"):
        with contextlib.suppress(OSError):
            st = (package / name).stat()
            h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def snapshot_key_material(snapshot: Any) -> str:
    """The snapshot as normalize sees it, without the time it was read."""
    data = snapshot.to_json()
    data.pop("fetched_at", None)
    data["from_cache"] = snapshot.from_cache
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


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
            from ..sources.cache import default_cache_dir

            root = default_cache_dir()
        self.root = root

    def _path(self, key: str) -> Path:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"not a facts key: {key!r}")
        return self.root / FACTS / key[:2] / f"{key}.json"

    def get(self, key: str) -> ModelFacts | None:
        """The cached facts, or None (absent, unreadable or corrupt: the entry is deleted)."""
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
            return from_cache(json.loads(body))
        except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
            log.warning("facts cache entry %s is corrupt (%s); recomputing", path, exc)
            _drop(path)
            return None

    def put(self, key: str, facts: ModelFacts) -> None:
        """Store facts; a failed write is a warning, never an error."""
        from ..sources.cache import atomic_write_text

        body = json.dumps(to_cache(facts), ensure_ascii=False, separators=(",", ":"))
        header = json.dumps(
            {
                "format": FORMAT,
                "key": key,
                "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
            }
        )
        try:
            atomic_write_text(self._path(key), header + "\n" + body)
        except (OSError, ValueError) as exc:
            log.warning("could not write the facts cache entry for %s (%s)", facts.model, exc)


def cached_normalize(
    material: str, build: Any, cache: FactsCache, *, fetched_at: str | None
) -> ModelFacts:
    """normalize(build()) through the cache; `build` is called only on a miss."""
    key = key_for(material, code_stamp())
    facts = cache.get(key)
    if facts is not None:
        return facts if facts.fetched_at == fetched_at else replace(facts, fetched_at=fetched_at)
    from .normalize import normalize

    snapshot = build()
    facts = normalize(snapshot)
    cache.put(key, facts)
    return facts
