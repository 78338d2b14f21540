"""`compliance scan MODEL...`: read models and print their facts."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ExitCode
from ..modelid import parse_model_id
from .common import config_option, emit_json, format_option, resolve_config, source_option


@click.command("scan")
@click.argument("models", nargs=-1, required=True)
@format_option("text", "json")
@source_option
@config_option
@click.option("--no-lineage", is_flag=True, help="Do not read base models.")
def command(
    models: tuple[str, ...],
    fmt: str,
    source: str | None,
    config_path: Path | None,
    no_lineage: bool,
) -> int:
    """Read MODEL... (org/name or org/name@revision) and print their facts.

    Example: compliance scan meta-llama/Llama-3.2-1B-Instruct --format json
    """
    from ..modelid import ModelId
    from ..report.scan_text import render_text, scan_json
    from ..run.scan import Scanner, ScanOutcome, link_settings, make_source
    from ..run.subjects import closed_api_facts, closed_api_model

    closed = {m: closed_api_model(m) for m in models}  # hosted APIs: judged, never fetched
    # a malformed id is a usage error (exit 2)
    ids = [parse_model_id(m) for m in models if closed[m] is None]
    config = resolve_config(config_path, source)
    source_ = make_source(config.source)
    scanner = Scanner(
        source_,
        lineage=not no_lineage,
        min_confidence=config.policy.min_confidence,
        links=link_settings(config.source, source_),
    )
    outcomes = scanner.scan(ids) if ids else []
    outcomes += [
        ScanOutcome(ModelId(name), closed_api_facts(name))
        for name in dict.fromkeys(n for n in closed.values() if n is not None)
    ]
    facts = [o.facts for o in outcomes if o.facts is not None]
    if fmt == "json":
        emit_json(scan_json(outcomes))
    elif facts:
        click.echo("\n\n".join(render_text(f) for f in facts))
    failed = [o for o in outcomes if o.error is not None]
    for outcome in failed:
        click.echo(f"compliance: error: {outcome.error}", err=True)
    return ExitCode.RUNTIME if failed else ExitCode.OK
