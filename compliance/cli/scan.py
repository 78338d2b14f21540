"""`compliance scan MODEL...`: read models (Hub ids, or local .gguf / .safetensors files) and
print their facts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..errors import ExitCode
from ..modelid import parse_model_id
from .common import (
    config_option,
    emit_json,
    format_option,
    resolve_config,
    source_option,
    stderr_line,
)
from .verbosity import verbose_option


@dataclass(frozen=True)
class _LocalOutcome:
    model_id: str  # the path as given
    facts: Any
    error: Any = None


@click.command("scan")
@click.argument("models", nargs=-1, required=True)
@format_option("text", "json")
@source_option
@config_option
@click.option("--no-lineage", is_flag=True, help="Do not read base models.")
@verbose_option
def command(
    models: tuple[str, ...],
    fmt: str,
    source: str | None,
    config_path: Path | None,
    no_lineage: bool,
) -> int:
    """Read MODEL... (org/name, org/name@revision, or a local .gguf / .safetensors file, whose
    header's licence keys are read) and print their facts.

    Example: compliance scan meta-llama/Llama-3.2-1B-Instruct --format json
    """
    from ..errors import SourceError
    from ..modelid import ModelId
    from ..report.scan_text import render_text, scan_json
    from ..run.localfile import local_file_facts
    from ..run.scan import Scanner, ScanOutcome, link_settings, make_source
    from ..run.subjects import closed_api_facts, closed_api_model
    from ..sources.localfile import is_local_model_file
    from .progress import on_stderr

    local = [m for m in models if is_local_model_file(m)]
    closed = {m: closed_api_model(m) for m in models if m not in local}  # judged, never fetched
    # a malformed id is a usage error (exit 2)
    ids = [parse_model_id(m) for m in models if m not in local and closed[m] is None]
    config = resolve_config(config_path, source)
    with on_stderr() as counter:
        source_ = make_source(config.source)
        scanner = Scanner(
            source_,
            lineage=not no_lineage,
            min_confidence=config.policy.min_confidence,
            progress=counter,
            links=link_settings(config.source, source_),
        )
        outcomes: list[Any] = list(scanner.scan(ids)) if ids else []
    outcomes += [
        ScanOutcome(ModelId(name), closed_api_facts(name))
        for name in dict.fromkeys(n for n in closed.values() if n is not None)
    ]
    for m in local:
        try:
            found = local_file_facts(Path(m), m, None if no_lineage else scanner.facts_for)
            outcomes.append(_LocalOutcome(m, found))
        except SourceError as exc:
            outcomes.append(_LocalOutcome(m, None, exc))
    facts = [o.facts for o in outcomes if o.facts is not None]
    if fmt == "json":
        emit_json(scan_json(outcomes))
    elif facts:
        click.echo("\n\n".join(render_text(f) for f in facts))
    failed = [o for o in outcomes if o.error is not None]
    for outcome in failed:
        click.echo(stderr_line(f"compliance: error: {outcome.error}"), err=True)
    return ExitCode.RUNTIME if failed else ExitCode.OK
