"""`run_lock(request, path, update=...) -> LockRun`: record approvals in compliance.lock.

Models are gathered and decided exactly as `run_check` does. Without `update`, models already
locked are left as they are and any drift is reported (exit 1); new models are added. With
`update`, the named models' entries are replaced by the current state (entries for models not
named are kept). Nothing is written when a model cannot be read (exit 3): a lock never records
an unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import ExitCode
from ..policy.decision import Decision
from ..policy.lock import (
    Drift,
    Lock,
    LockedModel,
    build_lock,
    entries_from_result,
    merge_lock,
    read_lock,
    stale,
    write_lock,
)
from .check import CheckRequest, resolved_config, run_check
from .progress import Progress


@dataclass(frozen=True)
class LockRun:
    """What `run_lock` did: `written` is the lock now on disk (None: nothing written)."""

    path: Path
    exit_code: int
    unreadable: tuple[Decision, ...] = ()  # models that could not be read: nothing written
    recorded: tuple[tuple[str, LockedModel], ...] = ()  # (locked | updated | unchanged, entry)
    kept: tuple[str, ...] = ()  # --update: locked models this run did not name, kept
    added: int = 0  # without --update: models added to an existing lock
    drifts: tuple[Drift, ...] = ()
    written: Lock | None = None
    models: int = 0  # models in the lock after the run
    rebuilt: bool = False  # a new lock, or --update: the named models' entries were replaced


def run_lock(
    request: CheckRequest,
    path: Path | None = None,
    *,
    update: bool = False,
    progress: Progress | None = None,
) -> LockRun:
    """`path` None: compliance.lock next to the config, else ./compliance.lock."""
    from ..policy.lock import default_lock_path

    config = resolved_config(request)
    path = path or default_lock_path(config)
    previous = read_lock(path) if path.exists() else None  # a broken lock is exit 2, early
    result = run_check(
        replace(request, config=config, lock=None, exclude=(*request.exclude, path)), progress
    )
    failed = tuple(d for d in result.decisions if d.source_error)
    if failed:
        return LockRun(path, ExitCode.RUNTIME, unreadable=failed)
    entries = entries_from_result(result)
    if previous is None or update:
        named = build_lock(entries, previous)
        kept = (
            {}
            if previous is None
            else {k: e for k, e in previous.models.items() if k in stale(previous, entries)}
        )
        lock = Lock({**kept, **named.models})
        recorded = []
        for entry in entries:
            old = previous.lookup(entry.model, entry.revision) if previous else None
            if old is None:
                verb = "locked"
            elif old.same_state(entry) and old.decision == entry.decision:
                verb = "unchanged"
            else:
                verb = "updated"
            recorded.append((verb, entry))
        write_lock(path, lock)
        return LockRun(
            path,
            ExitCode.OK,
            recorded=tuple(recorded),
            kept=tuple(sorted(kept)),
            written=lock,
            models=len(lock.models),
            rebuilt=True,
        )
    merged, drifts = merge_lock(previous, entries)
    added = len(merged.models) - len(previous.models)
    if added:
        write_lock(path, merged)
    return LockRun(
        path,
        ExitCode.VIOLATIONS if drifts else ExitCode.OK,
        added=added,
        drifts=tuple(drifts),
        written=merged if added else None,
        models=len(merged.models),
    )
