"""`compliance scan MODEL...`: read models and print their facts."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ExitCode
from ..facts.model import ModelFacts
from ..modelid import parse_model_id
from ..pipeline import Scanner, ScanOutcome, make_source
from .common import config_option, emit_json, format_option, resolve_config, source_option

SCHEMA = "compliance.scan/v1"


def _yn(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def render_text(facts: ModelFacts) -> str:
    lic = facts.license
    terms = facts.effective_terms()
    lines = [
        f"{facts.model} @ {facts.revision or facts.digest or 'unknown revision'} ({facts.source})"
    ]
    declared = lic.declared or "none"
    if lic.declared_name:
        declared += f" ({lic.declared_name})"
    lines.append(
        f"  licence: declared {declared}; governing {terms.license_key} [{terms.license_class}]"
    )
    pub = facts.publisher
    who = " ".join(part for part in (pub.org, pub.name) if part)
    lines.append(f"  publisher: {who} ({terms.origin_country or 'country unknown'})")
    cap = f"{terms.mau_cap:,}" if terms.mau_cap else "none stated"
    lines.append(f"  commercial use: {terms.commercial_use}; MAU cap: {cap}")
    regions = ", ".join(f"{t.region} ({t.scope})" for t in terms.territory_restrictions) or "none"
    lines.append(f"  territories: {regions}; EU restricted: {_yn(terms.eu_restricted)}")
    lines.append(f"  outputs for training: {terms.output_training}")
    if terms.attribution:
        lines.append("  attribution: " + "; ".join(terms.attribution))
    lines.append(f"  gated: {_yn(facts.gated)}; multimodal: {_yn(facts.multimodal)}")
    for base in facts.base_models:
        lines.append(
            f"  base: {base.model} ({base.relation or 'relation not stated'}; from {base.source})"
        )
    lines.extend(render_chain(facts))
    for finding in facts.findings:
        lines.append(f"  {finding.severity}: {finding.code}: {finding.message}")
    for ev in facts.evidence:
        where = f"{ev.file}:{ev.line}" if ev.line else ev.file
        owner = f"{ev.model}:" if ev.model else ""
        lines.append(f'  evidence {ev.fact}: {owner}{where} "{ev.quote}"')
    for note in facts.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def render_chain(facts: ModelFacts) -> list[str]:
    """The lineage chain, one line per ancestor, indented by depth (a merge lists each parent)."""
    if facts.effective is None:
        return ["  lineage: not followed (--no-lineage)"] if facts.base_models else []
    if not facts.lineage:
        return []
    lines = ["  lineage:"]
    stack = [(node, 0) for node in reversed(facts.lineage)]
    while stack:
        node, depth = stack.pop()
        rev = f" @ {node.revision[:12]}" if node.revision else ""
        if node.error:
            status = f"UNAVAILABLE ({node.error})"
        else:
            status = f"{node.license_key} [{node.license_class}]"
        lines.append(f"    {'  ' * depth}{node.relation or 'base'} of {node.model}{rev}: {status}")
        stack.extend((p, depth + 1) for p in reversed(node.parents))
    return lines


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
    ids = [parse_model_id(m) for m in models]  # a malformed id is a usage error (exit 2)
    config = resolve_config(config_path, source)
    scanner = Scanner(
        make_source(config.source),
        lineage=not no_lineage,
        min_confidence=config.policy.min_confidence,
    )
    outcomes: list[ScanOutcome] = scanner.scan(ids)
    facts = [o.facts for o in outcomes if o.facts is not None]
    if fmt == "json":
        emit_json(
            {
                "schema": SCHEMA,
                "models": [f.to_json() for f in facts],
                "errors": [
                    {"model": str(o.model_id), "kind": o.error.kind, "message": o.error.cause}
                    for o in outcomes
                    if o.error is not None
                ],
            }
        )
    elif facts:
        click.echo("\n\n".join(render_text(f) for f in facts))
    failed = [o for o in outcomes if o.error is not None]
    for outcome in failed:
        click.echo(f"compliance: error: {outcome.error}", err=True)
    return ExitCode.RUNTIME if failed else ExitCode.OK
