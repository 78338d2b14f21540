"""`compliance lock [PATH...] [--model ID]... [--update]`: record approvals in compliance.lock.

Models are gathered and decided exactly as `compliance check` does (`compliance.run.run_lock`
does the work). The lock records, per model, the commit its reference resolved to, the sha256
of each licence file read, the licence key and the decision, with the date. Without --update,
models already locked are left as they are and any drift is reported (exit 1); new models are
added. With --update, the named models' entries are replaced by the current state (entries
for models not named are kept).

Nothing is written when a model cannot be read (exit 3): a lock never records an unknown.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from .common import config_option, model_selection, resolve_config, source_option
from .verbosity import verbose_option


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
@verbose_option
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
    from ..report.lock_text import render_lock
    from ..run import CheckRequest, run_lock
    from .progress import on_stderr

    if not (paths or models or models_from):
        raise UsageError("nothing to lock: give PATH..., --model ID or --models-from FILE")
    config = resolve_config(config_path, source)
    request = CheckRequest(paths, models, models_from, config)
    with on_stderr() as counter:
        run = run_lock(request, lock_file, update=update, progress=counter)
    for line, to_stderr in render_lock(run):
        click.echo(line, err=to_stderr)
    return run.exit_code
