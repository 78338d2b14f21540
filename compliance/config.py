"""compliance.yaml -> a validated, frozen Config.

The `version` key is checked before anything else, so a file written for a newer tool fails
with a message that says so instead of a cascade of unknown-key warnings. Every other problem
is collected with its file and line (from the YAML node marks) and reported together; unknown
keys are warnings, not errors.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .facts.model import DEFAULT_MIN_CONFIDENCE

log = logging.getLogger("compliance")

CONFIG_VERSION = 1
DEFAULT_CONFIG = "compliance.yaml"
MAX_CONFIG_BYTES = 1024 * 1024

USES = ("commercial", "internal", "research")
UNKNOWN_MODES = ("deny", "warn")
DEFAULT_ALLOW_CLASSES = ("permissive", "weak-copyleft", "open-rail", "restricted")
# With `use: research` and no explicit allow_classes, research terms are acceptable too.
RESEARCH_EXTRA_CLASSES = ("non-commercial", "research-only")
_CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SHA_RE = re.compile(r"^[0-9a-f]{40}$")

Path_ = tuple[str | int, ...]


class ConfigProblems(ConfigError):
    """Several problems in one config file; `problems` holds (line, message) pairs."""

    def __init__(self, file: str | None, problems: list[tuple[int | None, str]]):
        self.problems = problems
        first_line, first = problems[0]
        if len(problems) == 1:
            super().__init__(first, file=file, line=first_line)
            return
        where = file or "config"
        lines = [f"{len(problems)} problems in {where}:"]
        lines += [
            f"  {where}:{line}: {msg}" if line else f"  {where}: {msg}" for line, msg in problems
        ]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class SourceSpec:
    kind: str = "hub"  # "hub" | "mirror"
    mirror: Path | None = None
    fetch_links: bool = False  # consent to fetch licence links outside the Hub (https, public)

    @classmethod
    def parse(cls, value: str) -> SourceSpec:
        """`hub` or `mirror:DIR` (the --source flag's syntax)."""
        if value == "hub":
            return cls("hub")
        if value.startswith("mirror:") and len(value) > len("mirror:"):
            return cls("mirror", Path(value[len("mirror:") :]).expanduser().resolve())
        raise ConfigError(f"invalid source {value!r}: expected 'hub' or 'mirror:DIR'")


@dataclass(frozen=True)
class Organization:
    domicile: str | None = None  # ISO 3166-1 alpha-2, upper case
    monthly_active_users: int | None = None
    use: str = "commercial"  # commercial | internal | research
    trains_on_outputs: bool = False
    annual_revenue_usd: int | None = None


@dataclass(frozen=True)
class PolicySettings:
    allow_classes: tuple[str, ...] | None = None  # None: the default for the organisation's use
    deny_origins: tuple[str, ...] = ()
    unknown: str = "deny"  # deny | warn
    packs: tuple[Path, ...] = ()
    # A licence text matched below this confidence is treated as unknown (its clauses are read).
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    # time budgets for custom packs (see policy.engine): exceeded -> exit 3 naming the model
    pack_seconds_per_model: float = 2.0
    pack_seconds_per_run: float = 600.0

    def effective_allow_classes(self, use: str) -> tuple[str, ...]:
        if self.allow_classes is not None:
            return self.allow_classes
        if use == "research":
            return DEFAULT_ALLOW_CLASSES + RESEARCH_EXTRA_CLASSES
        return DEFAULT_ALLOW_CLASSES


@dataclass(frozen=True)
class ExceptionSpec:
    """A reviewed waiver for one model (optionally one revision) and some finding codes."""

    model: str
    rules: tuple[str, ...]
    reason: str
    approved_by: str
    expires: dt.date
    revision: str | None = None
    file: str | None = None
    line: int | None = None

    def matches(self, model: str, revision: str | None) -> bool:
        if model.lower() != self.model.lower():
            return False
        return self.revision is None or self.revision == revision

    def expired(self, today: dt.date) -> bool:
        """Valid through its `expires` day."""
        return today > self.expires

    @property
    def where(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or "config"

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "revision": self.revision,
            "rules": list(self.rules),
            "reason": self.reason,
            "approved_by": self.approved_by,
            "expires": self.expires.isoformat(),
            "file": self.file,
            "line": self.line,
        }


@dataclass(frozen=True)
class Config:
    version: int = CONFIG_VERSION
    source: SourceSpec = field(default_factory=SourceSpec)
    organization: Organization = field(default_factory=Organization)
    policy: PolicySettings = field(default_factory=PolicySettings)
    exceptions: tuple[ExceptionSpec, ...] = ()
    path: Path | None = None  # the file it was read from, if any
    warnings: tuple[str, ...] = ()


def find_config(start: Path | None = None) -> Path | None:
    """The compliance.yaml that applies in `start` (default: the working folder): the nearest
    one in `start` and its parents up to the git root, as pre-commit and ruff look. Outside a
    git repository only `start` itself is looked at (a stray file higher up is not yours)."""
    here = (start or Path.cwd()).absolute()
    folders = [here, *here.parents]
    root = next((folder for folder in folders if (folder / ".git").exists()), None)
    for folder in folders if root is not None else [here]:
        candidate = folder / DEFAULT_CONFIG
        if candidate.is_file():
            return candidate if start is not None else _shortest(candidate)
        if folder == root:
            break
    return None


def _shortest(path: Path) -> Path:
    """`path` relative to the working folder when that is shorter (for messages)."""
    import os

    try:
        relative = Path(os.path.relpath(path))
    except ValueError:  # another drive (Windows)
        return path
    return relative if len(str(relative)) < len(str(path)) else path


def load_config(path: Path | None, *, required: bool = False) -> Config:
    """Read `path`; without one, the compliance.yaml that find_config() finds. No file at all
    gives the defaults."""
    target = path or find_config()
    if target is None:
        if required:
            raise ConfigError("config file not found", file=DEFAULT_CONFIG)
        return Config()
    if not target.exists():
        if required or path is not None:
            raise ConfigError("config file not found", file=str(target))
        return Config()
    from .safeyaml import read_capped

    # a regular file only (not a FIFO or a device), read at most MAX_CONFIG_BYTES + 1
    data = read_capped(target, max_bytes=MAX_CONFIG_BYTES, error=ConfigError)
    return config_from_text(data, target)


def config_from_text(text: str | bytes, path: Path | None = None) -> Config:
    """Parse and validate config text; `path` names it in messages and anchors relative paths."""
    from .safeyaml import YamlLimits, load_yaml_with_lines

    where = str(path) if path else "<config>"
    # bounded, duplicate keys refused, errors as ConfigError with file and line; dates as text,
    # so a bad one is reported with its line alongside the other problems
    data, lines = load_yaml_with_lines(
        text, source=where, error=ConfigError, limits=YamlLimits(timestamps_as_text=True)
    )
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping at the top level", file=where, line=1)
    return _validate(data, path, lines, [])


def config_from_dict(data: Mapping[str, Any], path: Path | None = None) -> Config:
    """Validate an already-parsed mapping (no line numbers)."""
    return _validate(dict(data), path, {}, [])


# ---------------------------------------------------------------------------------------------


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


class _Checker:
    def __init__(self, path: Path | None, lines: dict[Path_, int]):
        self.file = str(path) if path else None
        self.base = path.parent if path else Path.cwd()
        self.lines = lines
        self.problems: list[tuple[int | None, str]] = []
        self.warnings: list[str] = []

    def line(self, path: Path_) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def error(self, path: Path_, message: str) -> None:
        self.problems.append((self.line(path), f"{_dotted(path)}: {message}"))

    def warn(self, path: Path_, message: str) -> None:
        line = self.line(path)
        where = self.file or "config"
        text = f"{where}:{line}: {message}" if line else f"{where}: {message}"
        self.warnings.append(text)

    def mapping(self, value: Any, path: Path_, known: tuple[str, ...]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(path, f"must be a mapping, got {_kind(value)}")
            return {}
        for key in value:
            if str(key) not in known:
                self.warn((*path, str(key)), f"unknown key {_dotted((*path, str(key)))!r} ignored")
        return value

    def string_list(self, value: Any, path: Path_) -> list[tuple[int, str]] | None:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(path, f"must be a list, got {_kind(value)}")
            return None
        out = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.error((*path, index), f"must be a non-empty string, got {_kind(item)}")
            else:
                out.append((index, item.strip()))
        return out

    def optional_int(self, value: Any, path: Path_) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.error(path, f"must be a whole number >= 0, got {value!r}")
            return None
        return value


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


TOP_KEYS = ("version", "source", "organization", "policy", "exceptions")
ORG_KEYS = ("domicile", "monthly_active_users", "annual_revenue_usd", "use", "trains_on_outputs")
POLICY_KEYS = (
    "allow_classes",
    "deny_origins",
    "unknown",
    "packs",
    "pack_seconds_per_model",
    "pack_seconds_per_run",
    "min_confidence",
)
EXCEPTION_KEYS = ("model", "revision", "rules", "reason", "approved_by", "expires")


def _validate(
    data: dict[str, Any],
    path: Path | None,
    lines: dict[Path_, int],
    duplicates: list[tuple[int, str]],
) -> Config:
    where = str(path) if path else None
    # 1. version, before anything else
    version = data.get("version", CONFIG_VERSION)
    version_line = lines.get(("version",))
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ConfigError(
            f"`version` must be a positive integer, got {version!r}", file=where, line=version_line
        )
    if version > CONFIG_VERSION:
        raise ConfigError(
            f"config version {version} is newer than this tool understands ({CONFIG_VERSION});"
            " upgrade compliance",
            file=where,
            line=version_line,
        )
    check = _Checker(path, lines)
    for line, key in duplicates:
        check.problems.append((line, f"{key}: duplicate key"))
    check.mapping(data, (), TOP_KEYS)
    source = _source(data.get("source", "hub"), check)
    organization = _organization(data.get("organization"), check)
    policy = _policy(data.get("policy"), check)
    exceptions = _exceptions(data.get("exceptions"), check)
    if check.problems:
        raise ConfigProblems(where, sorted(check.problems, key=lambda p: p[0] or 0))
    for warning in check.warnings:
        log.warning("%s", warning)
    return Config(
        version=version,
        source=source,
        organization=organization,
        policy=policy,
        exceptions=exceptions,
        path=path,
        warnings=tuple(check.warnings),
    )


def _source(raw: Any, check: _Checker) -> SourceSpec:
    if raw is None or raw == "hub":
        return SourceSpec("hub")
    if isinstance(raw, dict) and raw and set(raw) <= {"mirror", "fetch_links"}:
        fetch = raw.get("fetch_links", False)
        if not isinstance(fetch, bool):
            check.error(("source", "fetch_links"), "must be true or false")
            fetch = False
        if "mirror" not in raw:
            return SourceSpec("hub", fetch_links=fetch)
        if isinstance(raw["mirror"], str):
            mirror = Path(raw["mirror"]).expanduser()
            if not mirror.is_absolute():
                mirror = check.base / mirror
            # shown resolved in messages
            return SourceSpec("mirror", mirror.resolve(), fetch_links=fetch)
    check.error(("source",), "must be 'hub', {mirror: DIR} or {fetch_links: true|false}")
    return SourceSpec()


def _organization(raw: Any, check: _Checker) -> Organization:
    from .policy.regions import COMMON_MISTAKES, is_country

    base: Path_ = ("organization",)
    org = check.mapping(raw, base, ORG_KEYS)
    domicile = org.get("domicile")
    if domicile is not None:
        code = str(domicile).strip().upper() if isinstance(domicile, str) else None
        if code in COMMON_MISTAKES:
            check.error(
                (*base, "domicile"),
                f"{domicile!r} is not an ISO 3166-1 alpha-2 code; use {COMMON_MISTAKES[code]!r}",
            )
            domicile = None
        elif code is None or not is_country(code):
            check.error(
                (*base, "domicile"),
                f"must be an ISO 3166-1 alpha-2 country code (e.g. DE, US), got {domicile!r}",
            )
            domicile = None
        else:
            domicile = code
    use = org.get("use", "commercial")
    if use not in USES:
        check.error((*base, "use"), f"must be one of {', '.join(USES)}, got {use!r}")
        use = "commercial"
    trains = org.get("trains_on_outputs", False)
    if not isinstance(trains, bool):
        check.error((*base, "trains_on_outputs"), f"must be true or false, got {trains!r}")
        trains = True  # fail closed while the error is reported
    return Organization(
        domicile=domicile,
        monthly_active_users=check.optional_int(
            org.get("monthly_active_users"), (*base, "monthly_active_users")
        ),
        annual_revenue_usd=check.optional_int(
            org.get("annual_revenue_usd"), (*base, "annual_revenue_usd")
        ),
        use=use,
        trains_on_outputs=trains,
    )


def _policy(raw: Any, check: _Checker) -> PolicySettings:
    from .facts.model import LICENSE_CLASSES
    from .policy.regions import is_region

    base: Path_ = ("policy",)
    pol = check.mapping(raw, base, POLICY_KEYS)
    allow: tuple[str, ...] | None = None
    if "allow_classes" in pol:
        items = check.string_list(pol["allow_classes"], (*base, "allow_classes"))
        if items is not None:
            for index, name in items:
                if name not in LICENSE_CLASSES:
                    check.error(
                        (*base, "allow_classes", index),
                        f"unknown licence class {name!r}; known: {', '.join(LICENSE_CLASSES)}",
                    )
                elif name == "unknown":
                    check.warn(
                        (*base, "allow_classes", index),
                        "allowing class 'unknown' has no effect: an unknown licence is"
                        " governed by policy.unknown",
                    )
            allow = tuple(dict.fromkeys(n for _, n in items if n in LICENSE_CLASSES))
    origins: list[str] = []
    for index, name in check.string_list(pol.get("deny_origins"), (*base, "deny_origins")) or []:
        if not is_region(name.upper()):
            check.error(
                (*base, "deny_origins", index),
                f"must be an ISO 3166-1 alpha-2 country code (or EU/EEA), got {name!r}",
            )
        else:
            origins.append(name.upper())
    unknown = pol.get("unknown", "deny")
    if unknown not in UNKNOWN_MODES:
        check.error((*base, "unknown"), f"must be 'deny' or 'warn', got {unknown!r}")
        unknown = "deny"
    packs: list[Path] = []
    for index, name in check.string_list(pol.get("packs"), (*base, "packs")) or []:
        pack = Path(name).expanduser()
        if not pack.is_absolute():
            pack = check.base / pack
        if not pack.exists():
            check.error((*base, "packs", index), f"policy pack not found: {pack}")
        elif pack.is_file() and pack.suffix != ".rego":
            check.error(
                (*base, "packs", index), f"a policy pack must be a .rego file or a folder: {pack}"
            )
        else:
            packs.append(pack)
    min_confidence = pol.get("min_confidence", DEFAULT_MIN_CONFIDENCE)
    if (
        isinstance(min_confidence, bool)
        or not isinstance(min_confidence, (int, float))
        or not 0.0 <= min_confidence <= 1.0
    ):
        check.error(
            (*base, "min_confidence"), f"must be a number from 0 to 1, got {min_confidence!r}"
        )
        min_confidence = DEFAULT_MIN_CONFIDENCE
    budgets = {}
    for key in ("pack_seconds_per_model", "pack_seconds_per_run"):
        if key not in pol:
            continue
        value = pol[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            check.error((*base, key), f"must be a positive number of seconds, got {value!r}")
        else:
            budgets[key] = float(value)
    return PolicySettings(
        allow_classes=allow,
        deny_origins=tuple(dict.fromkeys(origins)),
        unknown=unknown,
        packs=tuple(packs),
        min_confidence=float(min_confidence),
        **budgets,
    )


def _exceptions(raw: Any, check: _Checker) -> tuple[ExceptionSpec, ...]:
    from .policy.findings import CODES, NOT_WAIVABLE

    base: Path_ = ("exceptions",)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        check.error(base, f"must be a list, got {_kind(raw)}")
        return ()
    out = []
    for index, item in enumerate(raw):
        here: Path_ = (*base, index)
        if not isinstance(item, dict):
            check.error(here, f"must be a mapping, got {_kind(item)}")
            continue
        entry = check.mapping(item, here, EXCEPTION_KEYS)
        before = len(check.problems)
        for key in ("model", "reason", "approved_by"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                check.error((*here, key) if key in entry else here, f"`{key}` is required (text)")
        revision = entry.get("revision")
        if revision is not None and (not isinstance(revision, str) or not _SHA_RE.match(revision)):
            check.error(
                (*here, "revision"),
                f"must be a 40-hex commit sha (an approval is for one revision), got {revision!r}",
            )
        rules: list[str] = []
        if "rules" not in entry:
            check.error(here, "`rules` is required (a list of finding codes)")
        else:
            items = check.string_list(entry["rules"], (*here, "rules"))
            if items == []:
                check.error((*here, "rules"), "must list at least one finding code")
            for rule_index, code in items or []:
                where = (*here, "rules", rule_index)
                if not _CODE_RE.match(code):
                    check.error(where, f"{code!r} is not a finding code (kebab-case)")
                elif code in NOT_WAIVABLE:
                    check.error(where, f"{code!r} cannot be waived by an exception")
                else:
                    if code not in CODES:
                        check.warn(where, f"{code!r} is not a built-in code (a custom pack's?)")
                    rules.append(code)
        expires = _date(entry.get("expires"))
        if expires is None and entry.get("expires") is not None:
            check.error(
                (*here, "expires"),
                f"must be a date, YYYY-MM-DD, got {str(entry['expires'])!r}",
            )
        elif expires is None:
            check.error(
                (*here, "expires") if "expires" in entry else here,
                "`expires` is required (a date, YYYY-MM-DD)",
            )
        if len(check.problems) > before or expires is None:
            continue
        out.append(
            ExceptionSpec(
                model=str(entry["model"]).strip(),
                revision=revision,
                rules=tuple(dict.fromkeys(rules)),
                reason=str(entry["reason"]).strip(),
                approved_by=str(entry["approved_by"]).strip(),
                expires=expires,
                file=check.file,
                line=check.line(here),
            )
        )
    return tuple(out)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        try:  # a YAML timestamp with a time of day
            return dt.datetime.fromisoformat(value.strip()).date()
        except ValueError:
            return None
    return None
