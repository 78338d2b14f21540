"""`compliance lock [PATH...] [--model ID]... [--update]`: record approvals in compliance.lock.

Models are gathered and decided exactly as `compliance check` does. The lock records, per
model, the commit its reference resolved to, the sha256 of each licence file read, the licence
key and the decision, with the date. Without --update, models already locked are left as they
are and any drift is reported (exit 1); new models are added. With --update, the named models'
entries are replaced by the current state (entries for models not named are kept).

Nothing is written when a model cannot be read (exit 3): a lock never records an unknown.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ExitCode, UsageError
from .common import config_option, model_selection, resolve_config, source_option


@click.command("lock")
@model_selection
@click.option("--update", is_flag=True, help="Record the current state of the named models.")
@click.option(
    "--lock-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Lock file (default: compliance.lock next to the config, else ./compliance.lock).",
)
@config_option
@source_option
def command(
    paths: tuple[str, ...],
    models: tuple[str, ...],
    models_from: Path | None,
    update: bool,
    lock_file: Path | None,
    config_path: Path | None,
    source: str | None,
) -> int:
    """Record approved revisions and licence hashes in compliance.lock.

    `compliance check --locked` then denies (license-drift) any model whose revision or licence
    text moved since; review the change and run `compliance lock --update` to accept it.

    Example: compliance lock deploy/ --model meta-llama/Llama-3.1-8B-Instruct
    """
    from ..check import run_check
    from ..lock import (
        Lock,
        build_lock,
        default_lock_path,
        entries_from_result,
        merge_lock,
        read_lock,
        stale,
        write_lock,
    )
    from .check import gather

    if not (paths or models or models_from):
        raise UsageError("nothing to lock: give PATH..., --model ID or --models-from FILE")
    config = resolve_config(config_path, source)
    path = lock_file or default_lock_path(config)
    previous = read_lock(path) if path.exists() else None  # a broken lock is exit 2, early
    result = run_check(gather(paths, models, models_from, config), config)
    failed = [d for d in result.decisions if d.source_error]
    if failed:
        for d in failed:
            cause = next((f.message for f in d.findings if f.code == "source-error"), "")
            click.echo(f"compliance: error: {d.model}: {cause}", err=True)
        click.echo(f"compliance: {path} not written: every model must be read", err=True)
        return ExitCode.RUNTIME
    entries = entries_from_result(result)
    if previous is None or update:
        named = build_lock(entries, previous)
        kept = (
            {}
            if previous is None
            else {k: e for k, e in previous.models.items() if k in stale(previous, entries)}
        )
        lock = Lock({**kept, **named.models})
        for entry in entries:
            old = previous.lookup(entry.model, entry.revision) if previous else None
            if old is None:
                verb = "locked"
            elif old.same_state(entry) and old.decision == entry.decision:
                verb = "unchanged"
            else:
                verb = "updated"
            click.echo(f"{verb}: {_describe(entry)}")
        if kept:
            click.echo(
                f"kept {len(kept)} locked model(s) not named in this run: "
                + ", ".join(sorted(kept)),
                err=True,
            )
        write_lock(path, lock)
        click.echo(f"wrote {path} ({len(lock.models)} models)", err=True)
        return ExitCode.OK
    merged, drifts = merge_lock(previous, entries)
    added = len(merged.models) - len(previous.models)
    if added:
        write_lock(path, merged)
        click.echo(f"added {added} model(s) to {path}", err=True)
    for drift in drifts:
        click.echo(f"drift: {drift.model}: {drift.message}")
    if drifts:
        click.echo(
            f"compliance: {path} left as is for drifted models: review the change, then run"
            " `compliance lock --update`",
            err=True,
        )
        return ExitCode.VIOLATIONS
    if not added:
        click.echo(f"{path} is up to date ({len(merged.models)} models)", err=True)
    return ExitCode.OK


def _describe(entry: object) -> str:
    from ..lock import LockedModel

    assert isinstance(entry, LockedModel)
    rev = (entry.revision or entry.digest or "no revision")[:19]
    files = ", ".join(name for name, _ in entry.license_files) or "no licence file"
    return (
        f"{entry.model} @ {rev}: {entry.license_key or 'unknown licence'}, {entry.decision};"
        f" {files}"
    )
