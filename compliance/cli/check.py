"""`compliance check [PATH...] [--model ID]... [--models-from FILE]`: decide allow/warn/deny.

PATHs are config files (or folders) whose model references `compliance.refs` extracts; each
decision names the file:line where the model is written. The work is done by
`compliance.run.run_check`; this module turns options into a request and prints the result.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from .common import (
    color_option,
    config_option,
    fail_on_option,
    format_option,
    model_selection,
    parse_today,
    quiet_option,
    report_source_errors,
    resolve_config,
    source_option,
    today_option,
    use_color,
    write_output,
)
from .verbosity import verbose_option


@click.command("check")
@model_selection
@config_option
@format_option("text", "json", "sarif", "github")
@fail_on_option("Exit 1 when any decision reaches this level (never: report only).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to FILE instead of stdout.",
)
@source_option
@quiet_option
@color_option
@today_option
@click.option(
    "--locked", is_flag=True, help="Deny (license-drift) models that moved since compliance.lock."
)
@click.option(
    "--lock-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Lock file for --locked (default: compliance.lock next to the config, else ./).",
)
@verbose_option
def command(
    paths: tuple[str, ...],
    models: tuple[str, ...],
    models_from: Path | None,
    config_path: Path | None,
    fmt: str,
    fail_on: str,
    output: Path | None,
    source: str | None,
    quiet: bool,
    color: str,
    today: str | None,
    locked: bool,
    lock_file: Path | None,
) -> int:
    """Decide allow / warn / deny for each model against the policy.

    Models come from PATH... (config files or folders: LiteLLM, compose, Python, .env ...),
    --model (repeatable) and --models-from. Exit 0 clean, 1 a decision reached --fail-on,
    2 usage/config/policy error, 3 a model could not be read (results are still printed).

    Example: compliance check deploy/ --model meta-llama/Llama-3.1-8B-Instruct
    """
    from ..report import render_check
    from ..report.check_text import TextOptions
    from ..run import CheckRequest
    from ..run.stream import stream_check
    from .progress import on_stderr
    from .verbosity import verbosity

    if not (paths or models or models_from):
        raise UsageError("nothing to check: give PATH..., --model ID or --models-from FILE")
    check_date = parse_today(today)
    config = resolve_config(config_path, source, quiet=quiet)
    lock: Path | None = None
    if locked:
        from ..policy.lock import default_lock_path

        lock = lock_file or default_lock_path(config)
    request = CheckRequest(paths, models, models_from, config, check_date, lock)
    with on_stderr() as counter:
        # decided a chunk at a time; facts kept only for SARIF, which names each licence
        result = stream_check(request, counter, keep_facts=fmt == "sarif")
    if fmt == "text" and not result.decisions and not quiet:
        click.echo("no model references found", err=True)
    options = TextOptions(verbosity(), quiet, use_color(color, output), fail_on)
    write_output(render_check(result, fmt, options), output, workflow_commands=fmt == "github")
    report_source_errors(result.decisions)
    return result.exit_code(fail_on)
