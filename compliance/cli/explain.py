"""`compliance explain MODEL`: the facts, which policy rules fired on which facts, and why."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ExitCode
from .common import (
    config_option,
    emit_json,
    format_option,
    parse_today,
    resolve_config,
    source_option,
    today_option,
)


@click.command("explain")
@click.argument("model")
@config_option
@source_option
@format_option("text", "json")
@today_option
def command(
    model: str, config_path: Path | None, source: str | None, fmt: str, today: str | None
) -> int:
    """Show MODEL's facts and which policy rules fired on them, and why.

    Example: compliance explain meta-llama/Llama-3.2-11B-Vision-Instruct --config compliance.yaml
    """
    from ..modelid import parse_model_id
    from ..report.explain import explain_json, explain_text
    from ..run.check import check_subjects
    from ..run.subjects import scan_subjects

    mid = parse_model_id(model)
    check_date = parse_today(today)
    config = resolve_config(config_path, source)
    result = check_subjects(scan_subjects([(mid, ())], config), config, today=check_date)
    decision = result.decisions[0]
    if fmt == "json":
        emit_json(explain_json(decision, config, note=result.date_note))
    else:
        click.echo(explain_text(decision, config, result.today, note=result.date_note), nl=False)
    return ExitCode.RUNTIME if decision.source_error else ExitCode.OK
