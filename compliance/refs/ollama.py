"""Ollama library tags -> the Hub repo of their base model, from registry/ollama.yaml.

The file is loaded on first use only, and its absence is tolerated (every tag is then
`unresolved`). Accepted shapes: a mapping `tag: org/name`, `tag: {hub: org/name}` (also `repo`,
`base`, `model`, `hf`), optionally under a top-level `tags:` or `models:` key, or a list of
`{tag: ..., hub: ...}` records. A tag is looked up as written, then without its `:size` suffix.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

log = logging.getLogger("compliance.refs")

_VALUE_KEYS = ("hub", "repo", "base", "model", "hf", "hub_repo", "base_model", "hf_repo")


@functools.cache
def _table() -> dict[str, str]:
    from ..resources import registry_dir

    path = registry_dir() / "ollama.yaml"
    if not path.is_file():
        return {}
    import yaml

    try:
        data: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=_loader())
    except (OSError, yaml.YAMLError) as exc:
        log.warning("%s: cannot read the Ollama tag registry: %s", path, exc)
        return {}
    return _flatten(data)


def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _value(v: Any) -> str | None:
    if isinstance(v, str):
        return v
    if isinstance(v, dict):
        for k in _VALUE_KEYS:
            if isinstance(v.get(k), str):
                return str(v[k])
    return None


def _flatten(data: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(data, dict):
        for key in ("tags", "models", "ollama"):
            if isinstance(data.get(key), (dict, list)):
                return _flatten(data[key])
        for tag, v in data.items():
            hub = _value(v)
            if isinstance(tag, str) and hub:
                out[tag.lower()] = hub
            if isinstance(v, dict) and isinstance(v.get("tags"), dict):
                for sub, sv in v["tags"].items():
                    hub2 = _value(sv)
                    if hub2:
                        out[f"{tag}:{sub}".lower()] = hub2
    elif isinstance(data, list):
        for rec in data:
            if isinstance(rec, dict):
                tag = rec.get("tag") or rec.get("name")
                hub = _value({k: v for k, v in rec.items() if k not in ("tag", "name")})
                if isinstance(tag, str) and hub:
                    out[tag.lower()] = hub
    return out


def hub_base(tag: str) -> str | None:
    """The Hub base of an Ollama tag such as `llama3.1:8b`, or None when the registry does not
    know it."""
    from ..modelid import is_valid_repo_id

    table = _table()
    key = tag.lower().removesuffix(":latest")
    name, _, size = key.partition(":")
    hub = table.get(key)
    if hub is None and (not size or not any(t.startswith(name + ":") for t in table)):
        # `llama3.1:8b` falls back to `llama3.1` only when the registry lists no sizes for it:
        # `deepseek-r1:32b` is a Qwen distill, not DeepSeek-R1, and must not borrow its base.
        hub = table.get(name)
    return hub if hub and is_valid_repo_id(hub) else None
