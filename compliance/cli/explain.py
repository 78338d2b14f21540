"""`compliance explain MODEL`: the facts, which policy rules fired on which facts, and why."""

from __future__ import annotations

from pathlib import Path

import click

from .common import (
    config_option,
    emit_json,
    fail_on_option,
    format_option,
    parse_today,
    resolve_config,
    source_option,
    today_option,
)
from .verbosity import verbose_option


@click.command("explain")
@click.argument("model")
@config_option
@source_option
@format_option("text", "json")
@fail_on_option("Exit 1 when the decision reaches this level (as check).")
@today_option
@verbose_option
def command(
    model: str,
    config_path: Path | None,
    source: str | None,
    fmt: str,
    fail_on: str,
    today: str | None,
) -> int:
    """Show MODEL's facts and which policy rules fired on them, and why.

    Exit 0 allow (or a decision below --fail-on), 1 deny (the decision reached --fail-on, as
    check), 2 usage/config/policy error, 3 the model could not be read.

    Example: compliance explain meta-llama/Llama-3.2-11B-Vision-Instruct --config compliance.yaml
    """
    from ..modelid import parse_model_id
    from ..report.explain import explain_json, explain_text
    from ..run.check import check_subjects
    from ..run.subjects import closed_api_model, closed_api_subject, scan_subjects

    closed = closed_api_model(model)  # a hosted API: judged, never fetched
    mid = None if closed else parse_model_id(model)
    check_date = parse_today(today)
    config = resolve_config(config_path, source)
    if closed or mid is None:
        subjects = [closed_api_subject(closed or model)]
    else:
        subjects = scan_subjects([(mid, ())], config)
    result = check_subjects(subjects, config, today=check_date)
    decision = result.decisions[0]
    if fmt == "json":
        emit_json(explain_json(decision, config, note=result.date_note))
    else:
        click.echo(explain_text(decision, config, result.today, note=result.date_note), nl=False)
    return result.exit_code(fail_on)
