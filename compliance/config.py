"""compliance.yaml -> a validated, frozen Config.

The `version` key is checked before anything else, so a file written for a newer tool fails
with a message that says so instead of a cascade of unknown-key warnings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

log = logging.getLogger("compliance")

CONFIG_VERSION = 1
DEFAULT_CONFIG = "compliance.yaml"
MAX_CONFIG_BYTES = 1024 * 1024


@dataclass(frozen=True)
class SourceSpec:
    kind: str = "hub"  # "hub" | "mirror"
    mirror: Path | None = None

    @classmethod
    def parse(cls, value: str) -> SourceSpec:
        """`hub` or `mirror:DIR` (the --source flag's syntax)."""
        if value == "hub":
            return cls("hub")
        if value.startswith("mirror:") and len(value) > len("mirror:"):
            return cls("mirror", Path(value[len("mirror:") :]))
        raise ConfigError(f"invalid source {value!r}: expected 'hub' or 'mirror:DIR'")


@dataclass(frozen=True)
class Organization:
    domicile: str | None = None
    monthly_active_users: int | None = None
    use: str = "commercial"
    trains_on_outputs: bool = False


@dataclass(frozen=True)
class Config:
    version: int = CONFIG_VERSION
    source: SourceSpec = field(default_factory=SourceSpec)
    organization: Organization = field(default_factory=Organization)
    path: Path | None = None  # the file it was read from, if any


def load_config(path: Path | None, *, required: bool = False) -> Config:
    """Read `path` (default ./compliance.yaml). A missing default file gives the defaults."""
    target = path or Path(DEFAULT_CONFIG)
    if not target.exists():
        if required or path is not None:
            raise ConfigError("config file not found", file=str(target))
        return Config()
    import yaml

    try:
        if target.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError("config file is larger than 1 MiB", file=str(target))
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError("config file is not UTF-8 text", file=str(target)) from exc
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ConfigError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}",
            file=str(target),
            line=line + 1 if line is not None else None,
        ) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping at the top level", file=str(target))
    return config_from_dict(data, target)


def config_from_dict(data: dict[str, Any], path: Path | None = None) -> Config:
    where = str(path) if path else None
    version = data.get("version", CONFIG_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ConfigError("`version` must be an integer", file=where)
    if version > CONFIG_VERSION:
        raise ConfigError(
            f"config version {version} is newer than this tool understands ({CONFIG_VERSION});"
            " upgrade compliance",
            file=where,
        )
    source = SourceSpec()
    raw_source = data.get("source", "hub")
    if raw_source == "hub":
        source = SourceSpec("hub")
    elif isinstance(raw_source, dict) and set(raw_source) == {"mirror"}:
        mirror = Path(str(raw_source["mirror"]))
        if path is not None and not mirror.is_absolute():
            mirror = path.parent / mirror
        source = SourceSpec("mirror", mirror)
    else:
        raise ConfigError("`source` must be 'hub' or {mirror: DIR}", file=where)
    org = data.get("organization") or {}
    if not isinstance(org, dict):
        raise ConfigError("`organization` must be a mapping", file=where)
    organization = Organization(
        domicile=org.get("domicile"),
        monthly_active_users=org.get("monthly_active_users"),
        use=org.get("use", "commercial"),
        trains_on_outputs=bool(org.get("trains_on_outputs", False)),
    )
    return Config(version=version, source=source, organization=organization, path=path)
