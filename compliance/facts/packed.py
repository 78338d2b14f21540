"""A facts cache entry's body: the ModelFacts tree as marshal data.

marshal is C on both sides and runs no code on load. Unlike JSON it keeps tuples, ints, floats
and bools as they are, so a load leaves only the dataclasses to rebuild (one dict per object,
no per-value work); strings interned when dumped come back interned, so a large inventory
holds one copy of each file name, licence key or quote, as the JSON decoder's interning did.

marshal's format belongs to the interpreter: `TAG` names it, and the caller keys entries by it
and checks the bytes' sha256 before `loads` (marshal is not meant for damaged input). The
rebuild still checks that every dataclass has exactly its fields, so a well-formed entry of
another shape is refused, never read as facts.
"""

from __future__ import annotations

import functools
import marshal
import sys
import types
import typing
from dataclasses import fields, is_dataclass
from typing import Any

from .model import ModelFacts

# What the bytes depend on besides the dataclasses (whose code is in the facts cache key).
TAG = f"{sys.implementation.cache_tag}/marshal-{marshal.version}"

_intern = sys.intern
_SCALARS = (str, int, float, bool, type(None))


def dumps(facts: ModelFacts) -> bytes:
    """The facts as marshal bytes; ValueError when a value is not one marshal keeps exactly."""
    return marshal.dumps(_tree(facts), marshal.version)


def loads(body: bytes, **replace: Any) -> ModelFacts:
    """The facts `dumps` wrote, with `replace` fields set (e.g. fetched_at). Raises ValueError,
    EOFError or TypeError on anything else."""
    data = marshal.loads(body)
    if type(data) is not dict:
        raise TypeError("not a facts entry")
    data.update(replace)
    rebuild = _rebuilder(ModelFacts)
    assert rebuild is not None
    facts: ModelFacts = rebuild(data)
    return facts


def _tree(value: Any) -> Any:
    """Dataclasses as dicts of their fields, every string interned; any other type is kept
    only when marshal gives back the same type (subclasses, e.g. enums, are refused)."""
    kind = type(value)
    if kind is str:
        return _intern(value)
    if kind is tuple:
        return tuple(_tree(v) for v in value)
    if kind is list:
        return [_tree(v) for v in value]
    if kind is dict:
        return {_tree(k): _tree(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {_intern(f.name): _tree(getattr(value, f.name)) for f in fields(value)}
    if kind in _SCALARS:
        return value
    raise ValueError(f"cannot store a {kind.__name__} in the facts cache")


Rebuild = typing.Callable[[Any], Any]


@functools.cache
def _rebuilder(tp: Any) -> Rebuild | None:
    """How to rebuild a value of type `tp` from its marshal form; None when it is that value
    already (scalars, tuples of scalars, dicts, Any)."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(options) != 1:
            raise TypeError(f"ambiguous type {tp}")
        inner = _rebuilder(options[0])
        if inner is None:
            return None
        return lambda v: None if v is None else inner(v)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _rebuilder(args[0])
            if item is None:
                return None
            return lambda v: tuple(map(item, v))
        parts = [_rebuilder(a) for a in args]
        if all(p is None for p in parts):
            return None

        def fixed(v: Any) -> Any:
            if len(v) != len(parts):
                raise TypeError(f"expected {len(parts)} items")
            return tuple(x if p is None else p(x) for p, x in zip(parts, v, strict=True))

        return fixed
    if isinstance(tp, type) and is_dataclass(tp):
        return _dataclass_rebuilder(tp)
    if tp in _SCALARS or tp is Any or origin is dict:
        return None
    raise TypeError(f"cannot rebuild {tp}")


def _dataclass_rebuilder(cls: type) -> Rebuild:
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in fields(cls))
    wanted = frozenset(names)
    nested: list[tuple[str, Rebuild]] = []
    resolved = False
    new = object.__new__
    set_attr = object.__setattr__

    def rebuild(v: Any) -> Any:
        nonlocal resolved
        if type(v) is not dict or v.keys() != wanted:
            raise TypeError(f"expected the fields of {cls.__name__}")
        if not resolved:  # on first use: LineageNode refers to itself
            for n in names:
                r = _rebuilder(hints[n])
                if r is not None:
                    nested.append((n, r))
            resolved = True
        for n, r in nested:
            v[n] = r(v[n])
        # As pickle does: every field is present, so __init__ (one frozen setattr per field)
        # is not needed to rebuild an equal object; the loaded dict becomes its __dict__.
        obj: Any = new(cls)
        set_attr(obj, "__dict__", v)
        return obj

    return rebuild
