"""`compliance audit [PATH...] [--model ID]... --format FORMAT`: the legal review.

Formats: markdown, html, json, spdx (SPDX 2.3), spdx3 (SPDX 3.0.1) and cyclonedx (1.6/1.7).

The same models, decisions and exit code as `check` (`compliance.run.run_audit` runs the
check); the report adds, per model, the facts with their evidence, the lineage, the
obligations checklist and the exceptions applied.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from .common import (
    config_option,
    fail_on_option,
    format_option,
    model_selection,
    parse_today,
    report_source_errors,
    resolve_config,
    source_option,
    today_option,
    write_output,
)
from .verbosity import verbose_option


@click.command("audit")
@model_selection
@config_option
@format_option("markdown", "html", "json", "spdx", "cyclonedx", "spdx3", default="markdown")
@click.option(
    "--spec-version",
    type=click.Choice(["1.6", "1.7"]),
    default=None,
    help="CycloneDX version to write with --format cyclonedx (default 1.6).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to FILE instead of stdout.",
)
@fail_on_option("Exit 1 when any decision reaches this level (as check).")
@source_option
@today_option
@verbose_option
def command(
    paths: tuple[str, ...],
    models: tuple[str, ...],
    models_from: Path | None,
    config_path: Path | None,
    fmt: str,
    spec_version: str | None,
    output: Path | None,
    fail_on: str,
    source: str | None,
    today: str | None,
) -> int:
    """Write a legal review of the models PATH... name (and --model, --models-from).

    For each model: the decision and findings, the facts with their evidence (file:line and the
    quoted clause), the lineage, the obligations (notices, name prefixes, use policy, licence
    copy), the exceptions applied, the revision and when it was read. Exit codes as `check`.

    Formats: markdown and html for people; json (compliance.audit/v1); spdx (SPDX 2.3),
    spdx3 (SPDX 3.0.1 JSON-LD, AI profile) and cyclonedx (CycloneDX 1.6, or 1.7 with
    --spec-version) as AI bills of materials.

    Example: compliance audit deploy/ --format html --output audit.html
    """
    from ..report import render_audit
    from ..run import CheckRequest, run_audit
    from .progress import on_stderr

    if not (paths or models or models_from):
        raise UsageError("nothing to audit: give PATH..., --model ID or --models-from FILE")
    if spec_version is not None and fmt != "cyclonedx":
        raise UsageError("--spec-version applies to --format cyclonedx only")
    check_date = parse_today(today)
    config = resolve_config(config_path, source)
    request = CheckRequest(paths, models, models_from, config, check_date)
    with on_stderr() as counter:
        report = run_audit(request, fail_on=fail_on, progress=counter)
    write_output(render_audit(report, fmt, spec_version=spec_version), output)
    if not report.entries:
        click.echo("compliance: no model references found", err=True)
    report_source_errors(report.entries)
    return report.exit_code
