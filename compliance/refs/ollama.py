"""Ollama library tags -> the Hub repo of their base model, from registry/ollama.yaml.

Loaded on first use only; a missing or unreadable file is tolerated (every tag is then
`unresolved`). The registry's shape (see its header):

    llama3.1:
      default: meta-llama/Llama-3.1-8B-Instruct      # no tag, or `latest`
      tags: {8b: ..., 70b: ...}                      # longest key k with tag == k or k + "-..."
      note: optional caveat

A plain `name: org/repo` is accepted too.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("compliance.refs")


@dataclass(frozen=True)
class Entry:
    default: str | None
    tags: dict[str, str] = field(default_factory=dict)
    note: str | None = None


def registry_path() -> Path:
    from ..resources import registry_dir

    return registry_dir() / "ollama.yaml"


@functools.cache
def _table() -> dict[str, Entry]:
    path = registry_path()
    if not path.is_file():
        log.debug("%s not found: Ollama tags stay unresolved", path)
        return {}
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, yaml.YAMLError) as exc:
        log.warning("%s: cannot read the Ollama tag registry: %s", path, exc)
        return {}
    return parse_table(data)


def parse_table(data: Any) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    if not isinstance(data, dict):
        return out
    for name, v in data.items():
        if not isinstance(name, str):
            continue
        if isinstance(v, str):
            out[name.lower()] = Entry(v)
        elif isinstance(v, dict):
            tags = v.get("tags") if isinstance(v.get("tags"), dict) else {}
            out[name.lower()] = Entry(
                v.get("default") if isinstance(v.get("default"), str) else None,
                {str(k).lower(): str(t) for k, t in (tags or {}).items() if isinstance(t, str)},
                v.get("note") if isinstance(v.get("note"), str) else None,
            )
    return out


def lookup(tag: str, table: dict[str, Entry] | None = None) -> tuple[str, str | None] | None:
    """(hub repo, caveat) for an Ollama reference such as `llama3.1:8b`, or None."""
    from ..modelid import is_valid_repo_id

    table = _table() if table is None else table
    name, _, t = tag.strip().lower().partition(":")
    entry = table.get(name)
    if entry is None:
        return None
    hub = entry.default
    if t and t != "latest":
        best = ""
        for k in entry.tags:
            if (t == k or t.startswith(k + "-")) and len(k) > len(best):
                best = k
        if best:
            hub = entry.tags[best]
    if hub and is_valid_repo_id(hub):
        return hub, entry.note
    return None


def hub_base(tag: str) -> str | None:
    found = lookup(tag)
    return found[0] if found else None
