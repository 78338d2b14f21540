"""compliance.lock: approvals that stay true (the file; `policy.decide` applies it).

An approval is for one revision of a model and one text of its licence (GitHub `licensed`,
cargo-deny's `clarify`). `compliance lock` records, per model, the commit the reference resolved
to, the sha256 of every licence file read, the governing licence key and the decision, with the
date. `compliance check --locked` compares the current facts with the lock (in `policy.decide`):
a revision that moved, a licence file whose text changed, appeared or disappeared, or a licence
key that changed is `license-drift` (deny) until `compliance lock --update` records the new
state. The same holds for every ancestor in the model's lineage (a fine-tune inherits its base's
terms): its revision and licence files are recorded too, and a change names the ancestor.

Pure: no I/O except `read_lock` / `write_lock`, which are small and bounded.

The file is JSON, stable (sorted keys, one model per entry, sorted by key) so that it diffs well
in review:

    {
      "schema": "compliance.lock/v1",
      "models": {
        "meta-llama/Llama-3.2-1B-Instruct": {
          "model": "meta-llama/Llama-3.2-1B-Instruct",
          "revision": "4e20de36...",          # the commit the reference resolved to
          "digest": "sha256:...",             # content digest (identifies a mirror without git)
          "source": "hub",
          "license_key": "llama3.2",
          "license_files": {"LICENSE.txt": "<sha256>", "USE_POLICY.md": "<sha256>"},
          "decision": "warn",
          "locked_at": "2026-11-24",
          "ancestors": {                       # every base read in its lineage (their terms
            "meta-llama/Llama-3.2-1B": {       # flow into the effective terms)
              "revision": "...", "license_files": {"LICENSE.txt": "<sha256>"}
            }
          }
        }
      }
    }
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..modelid import SHA_RE, is_valid_repo_id
from ..report.schemas import LOCK as LOCK_SCHEMA

LOCK_FILE = "compliance.lock"
MAX_LOCK_BYTES = 8 * 1024 * 1024
DRIFT_CODE = "license-drift"
_HEX64 = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class LockedAncestor:
    """A base model whose terms flow into a locked model's effective terms."""

    model: str
    revision: str | None = None
    license_files: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"revision": self.revision, "license_files": dict(self.license_files)}


@dataclass(frozen=True)
class LockedModel:
    model: str  # org/name
    revision: str | None = None  # 40-hex commit sha the reference resolved to
    digest: str | None = None
    source: str | None = None
    license_key: str | None = None
    license_files: tuple[tuple[str, str], ...] = ()  # (file name, sha256), sorted by name
    decision: str | None = None  # allow | warn | deny
    locked_at: str | None = None  # ISO date
    ancestors: tuple[LockedAncestor, ...] = ()  # sorted by model id

    def same_state(self, other: LockedModel) -> bool:
        """True when nothing an approval depends on differs (the date and decision aside)."""
        return (
            self.revision == other.revision
            and self.license_key == other.license_key
            and self.license_files == other.license_files
            and (self.revision is not None or self.digest == other.digest)
            and self.ancestors == other.ancestors
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "revision": self.revision,
            "digest": self.digest,
            "source": self.source,
            "license_key": self.license_key,
            "license_files": dict(self.license_files),
            "decision": self.decision,
            "locked_at": self.locked_at,
            "ancestors": {a.model: a.to_json() for a in self.ancestors},
        }


@dataclass(frozen=True)
class Lock:
    # by key: the model id, or `model@sha` for a second revision of one model
    models: Mapping[str, LockedModel] = field(default_factory=dict)
    schema: str = LOCK_SCHEMA

    def lookup(self, model: str, revision: str | None) -> LockedModel | None:
        """The entry that approves `model`: the one at `revision` if any, else its only entry
        (or the one under the bare model id)."""
        entries = [e for e in self.models.values() if e.model.lower() == model.lower()]
        if not entries:
            return None
        for entry in entries:
            if revision is not None and entry.revision == revision:
                return entry
        bare = [e for k, e in self.models.items() if k.lower() == model.lower()]
        return bare[0] if bare else entries[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "models": {k: self.models[k].to_json() for k in sorted(self.models)},
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Drift:
    """One way the current state differs from the lock."""

    model: str  # the lock key
    kind: str  # "revision" | "license-file" | "license-key" | "unlocked" | "source" | "ancestor"
    message: str
    old: str | None = None
    new: str | None = None
    file: str | None = None  # the licence file, for kind "license-file"
    ancestor: str | None = None  # the base model it concerns, when not the model itself

    code: str = DRIFT_CODE

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "model": self.model,
            "kind": self.kind,
            "message": self.message,
            "old": self.old,
            "new": self.new,
            "file": self.file,
            "ancestor": self.ancestor,
        }


def _short(value: str | None) -> str:
    if value is None:
        return "none"
    return value[:12] if SHA_RE.match(value) or len(value) == 64 else value


def locked_from_facts(
    facts: Any,
    *,
    decision: str | None = None,
    today: dt.date | None = None,
) -> LockedModel:
    """A lock entry from a ModelFacts (duck-typed: model, revision, digest, source, license,
    license_files, effective_terms())."""
    terms = facts.effective_terms() if hasattr(facts, "effective_terms") else None
    ancestors: dict[str, LockedAncestor] = {}
    for root in getattr(facts, "lineage", ()):
        for node in root.walk():
            if node.error is None and node.model.lower() != facts.model.lower():
                ancestors.setdefault(
                    node.model,
                    LockedAncestor(
                        node.model,
                        node.revision,
                        tuple(sorted((str(n), str(h)) for n, h in node.license_files)),
                    ),
                )
    key = getattr(terms, "license_key", None) or getattr(facts.license, "key", None)
    return LockedModel(
        model=facts.model,
        revision=facts.revision,
        digest=getattr(facts, "digest", None),
        source=getattr(facts, "source", None),
        license_key=key,
        license_files=tuple(sorted((str(n), str(s)) for n, s in facts.license_files)),
        decision=decision,
        locked_at=(today or dt.date.today()).isoformat(),
        ancestors=tuple(ancestors[k] for k in sorted(ancestors)),
    )


def _keyed(entries: Iterable[LockedModel]) -> dict[str, LockedModel]:
    out: dict[str, LockedModel] = {}
    for entry in entries:
        key = entry.model
        if key in out and out[key].revision != entry.revision:
            key = f"{entry.model}@{entry.revision}"
        out[key] = entry
    return out


def build_lock(entries: Iterable[LockedModel], previous: Lock | None = None) -> Lock:
    """A lock of exactly `entries`; an entry whose state did not change keeps its old date."""
    models: dict[str, LockedModel] = {}
    for key, entry in _keyed(entries).items():
        old = previous.lookup(entry.model, entry.revision) if previous is not None else None
        unchanged = old is not None and old.same_state(entry) and old.decision == entry.decision
        models[key] = old if unchanged and old is not None else entry
    return Lock(models)


def merge_lock(previous: Lock, entries: Iterable[LockedModel]) -> tuple[Lock, list[Drift]]:
    """Add models that are not locked yet; keep locked ones as they are, and report how the
    current state drifted from them (the caller refuses, or `--update` rebuilds)."""
    models = dict(previous.models)
    drifts: list[Drift] = []
    for key, entry in _keyed(entries).items():
        old = previous.lookup(entry.model, entry.revision)
        if old is None:
            models[key] = entry
        else:
            drifts.extend(compare(old, entry))
    return Lock(models), drifts


def compare(locked: LockedModel | None, current: LockedModel) -> list[Drift]:
    """How `current` differs from the locked entry: [] when the approval still holds."""
    key = current.model
    if locked is None:
        return [
            Drift(key, "unlocked", f"{key} is not in {LOCK_FILE}; run `compliance lock --update`")
        ]
    drifts: list[Drift] = []
    if locked.revision != current.revision:
        drifts.append(
            Drift(
                key,
                "revision",
                f"revision moved from {_short(locked.revision)} to {_short(current.revision)}",
                locked.revision,
                current.revision,
            )
        )
    elif locked.revision is None and locked.digest != current.digest:
        drifts.append(
            Drift(
                key,
                "revision",
                "content changed (no commit sha; the files' digest differs from the locked one)",
                locked.digest,
                current.digest,
            )
        )
    drifts.extend(_file_drifts(key, locked.license_files, current.license_files, None))
    if locked.license_key != current.license_key:
        drifts.append(
            Drift(
                key,
                "license-key",
                f"licence changed from {locked.license_key or 'unknown'}"
                f" to {current.license_key or 'unknown'}",
                locked.license_key,
                current.license_key,
            )
        )
    drifts.extend(_ancestor_drifts(key, locked.ancestors, current.ancestors))
    return drifts


def _file_drifts(
    key: str,
    locked: tuple[tuple[str, str], ...],
    current: tuple[tuple[str, str], ...],
    ancestor: str | None,
) -> list[Drift]:
    of = f" of base {ancestor}" if ancestor else ""
    old_files, new_files = dict(locked), dict(current)
    out = []
    for name in sorted(set(old_files) | set(new_files)):
        before, after = old_files.get(name), new_files.get(name)
        if before == after:
            continue
        if before is None:
            message = f"licence file {name}{of} appeared (sha256 {_short(after)})"
        elif after is None:
            message = f"licence file {name}{of} is gone (was sha256 {_short(before)})"
        else:
            message = (
                f"licence file {name}{of} changed (sha256 {_short(before)} -> {_short(after)})"
            )
        out.append(Drift(key, "license-file", message, before, after, name, ancestor))
    return out


def _ancestor_drifts(
    key: str, locked: tuple[LockedAncestor, ...], current: tuple[LockedAncestor, ...]
) -> list[Drift]:
    """A base added to or gone from the lineage, or one whose revision or licence moved."""
    old = {a.model.lower(): a for a in locked}
    new = {a.model.lower(): a for a in current}
    out = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before is None and after is not None:
            out.append(
                Drift(
                    key,
                    "ancestor",
                    f"base {after.model} is not recorded in {LOCK_FILE} for this model",
                    None,
                    after.revision,
                    ancestor=after.model,
                )
            )
        elif after is None and before is not None:
            out.append(
                Drift(
                    key,
                    "ancestor",
                    f"base {before.model} is no longer in the lineage",
                    before.revision,
                    None,
                    ancestor=before.model,
                )
            )
        elif before is not None and after is not None:
            if before.revision != after.revision:
                out.append(
                    Drift(
                        key,
                        "revision",
                        f"base {after.model} moved from {_short(before.revision)} to"
                        f" {_short(after.revision)}",
                        before.revision,
                        after.revision,
                        ancestor=after.model,
                    )
                )
            out.extend(_file_drifts(key, before.license_files, after.license_files, after.model))
    return out


def summary(drifts: list[Drift]) -> str:
    """One line for a finding: what changed, then how to accept it."""
    if not drifts:
        return ""
    if len(drifts) == 1 and drifts[0].kind == "unlocked":
        return drifts[0].message
    parts = "; ".join(d.message for d in drifts)
    when = "since it was locked"
    return f"{parts} {when}: review the change, then run `compliance lock --update`"


def stale(lock: Lock, current: Iterable[LockedModel]) -> list[str]:
    """Keys of locked entries that no current model maps to (no longer referenced)."""
    used = set()
    for entry in current:
        found = lock.lookup(entry.model, entry.revision)
        if found is not None:
            used.add(id(found))
    return sorted(k for k, e in lock.models.items() if id(e) not in used)


# -- reading and writing ----------------------------------------------------------------------
def _fail(path: Path, message: str) -> InputError:
    return InputError(message, file=str(path))


def _parse_entry(path: Path, key: str, raw: Any) -> LockedModel:
    where = f"entry {key!r}"
    if not isinstance(raw, dict):
        raise _fail(path, f"{where}: expected an object")
    model = raw.get("model")
    if not isinstance(model, str) or not is_valid_repo_id(model):
        raise _fail(path, f"{where}: `model` must be a model id org/name")
    strings = ("revision", "digest", "source", "license_key", "decision", "locked_at")
    values: dict[str, str | None] = {}
    for name in strings:
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            raise _fail(path, f"{where}: `{name}` must be a string or null")
        values[name] = value
    revision = values["revision"]
    if revision is not None and not SHA_RE.match(revision):
        raise _fail(path, f"{where}: `revision` must be a 40-hex commit sha")
    files = raw.get("license_files") or {}
    if not isinstance(files, dict):
        raise _fail(path, f"{where}: `license_files` must map file names to sha256")
    pairs = []
    for name, digest in files.items():
        if not isinstance(digest, str) or len(digest) != 64 or not set(digest) <= _HEX64:
            raise _fail(path, f"{where}: license_files[{name!r}] is not a sha256")
        pairs.append((str(name), digest))
    ancestors = _parse_ancestors(path, where, raw.get("ancestors"))
    entry = LockedModel(
        ancestors=ancestors,
        model=model,
        revision=revision,
        digest=values["digest"],
        source=values["source"],
        license_key=values["license_key"],
        license_files=tuple(sorted(pairs)),
        decision=values["decision"],
        locked_at=values["locked_at"],
    )
    if key.split("@", 1)[0].lower() != model.lower():
        raise _fail(path, f"{where}: the key does not name the entry's model {model!r}")
    return entry


def _parse_files(path: Path, where: str, files: Any) -> tuple[tuple[str, str], ...]:
    files = files or {}
    if not isinstance(files, dict):
        raise _fail(path, f"{where}: `license_files` must map file names to sha256")
    pairs = []
    for name, digest in files.items():
        if not isinstance(digest, str) or len(digest) != 64 or not set(digest) <= _HEX64:
            raise _fail(path, f"{where}: license_files[{name!r}] is not a sha256")
        pairs.append((str(name), digest))
    return tuple(sorted(pairs))


def _parse_ancestors(path: Path, where: str, raw: Any) -> tuple[LockedAncestor, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise _fail(path, f"{where}: `ancestors` must map model ids to their state")
    out = []
    for model, state in raw.items():
        here = f"{where}, ancestor {model!r}"
        if not isinstance(model, str) or not is_valid_repo_id(model):
            raise _fail(path, f"{here}: not a model id org/name")
        if not isinstance(state, dict):
            raise _fail(path, f"{here}: expected an object")
        revision = state.get("revision")
        if revision is not None and (not isinstance(revision, str) or not SHA_RE.match(revision)):
            raise _fail(path, f"{here}: `revision` must be a 40-hex commit sha or null")
        files = _parse_files(path, here, state.get("license_files"))
        out.append(LockedAncestor(model, revision, files))
    return tuple(sorted(out, key=lambda a: a.model))


def lock_from_json(data: Any, path: Path) -> Lock:
    if not isinstance(data, dict):
        raise _fail(path, "not a compliance.lock: expected a JSON object")
    schema = data.get("schema")
    if schema != LOCK_SCHEMA:
        if isinstance(schema, str) and schema.startswith("compliance.lock/v"):
            raise _fail(
                path,
                f"lock schema {schema} is not {LOCK_SCHEMA}: written by another version of"
                " compliance; upgrade, or regenerate it with `compliance lock --update`",
            )
        raise _fail(path, f"not a compliance.lock (`schema` is not {LOCK_SCHEMA})")
    models = data.get("models") or {}
    if not isinstance(models, dict):
        raise _fail(path, "`models` must be an object")
    return Lock({str(k): _parse_entry(path, str(k), v) for k, v in models.items()})


def read_lock(path: Path) -> Lock:
    """Read a lock file; InputError (exit 2) naming the file and line when it is not one."""
    from ..safeyaml import read_capped

    if not path.exists():
        raise _fail(path, "no lock file: run `compliance lock` first (or check without --locked)")
    data = read_capped(path, max_bytes=MAX_LOCK_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(path, "not UTF-8 text") from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=str(path), line=exc.lineno) from None
    except RecursionError:
        raise _fail(path, "invalid JSON: nesting too deep") from None
    return lock_from_json(parsed, path)


def write_lock(path: Path, lock: Lock) -> None:
    from ..fileio import atomic_write_text

    atomic_write_text(path, lock.dumps())


# -- with the check core --------------------------------------------------------------------
def default_lock_path(config: Any = None) -> Path:
    """compliance.lock next to the config file when there is one, else in the current folder."""
    where = getattr(config, "path", None)
    return Path(where).parent / LOCK_FILE if where else Path(LOCK_FILE)


def lockable(decision: Any) -> bool:
    """A decision whose facts were read from a source (not a failure, not a hosted API)."""
    facts = getattr(decision, "facts", None)
    return (
        facts is not None
        and not getattr(decision, "source_error", False)
        and getattr(facts, "source", None) != "closed-api"
    )


def entries_from_result(result: Any) -> list[LockedModel]:
    """Lock entries for the decisions of a CheckResult (models that were read)."""
    return [
        locked_from_facts(d.facts, decision=d.decision) for d in result.decisions if lockable(d)
    ]


def drift_evidence(drifts: list[Drift]) -> tuple[Any, ...]:
    from ..facts.model import Evidence

    out = []
    for d in drifts:
        if d.kind == "license-file" and d.file is not None:
            out.append(Evidence("license.file", d.file, None, d.message, model=d.ancestor))
        elif d.kind in ("revision", "ancestor"):
            out.append(Evidence("revision", LOCK_FILE, None, d.message))
        elif d.kind == "license-key":
            out.append(Evidence("license.key", LOCK_FILE, None, d.message))
    return tuple(out)
