"""`scan` output: one model's facts as text (also the facts block of `explain`), and the JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..facts.model import ModelFacts
from .escape import text_field as F
from .escape import text_output
from .schemas import SCAN
from .views import yes_no


def scan_json(outcomes: Sequence[Any]) -> dict[str, Any]:
    """The `compliance.scan/v1` document for scan outcomes (facts, or the error of each)."""
    return {
        "schema": SCAN,
        "models": [o.facts.to_json() for o in outcomes if o.facts is not None],
        "errors": [
            {"model": str(o.model_id), "kind": o.error.kind, "message": o.error.cause}
            for o in outcomes
            if o.error is not None
        ],
    }


def render_text(facts: ModelFacts) -> str:
    lic = facts.license
    terms = facts.effective_terms()
    lines = [
        f"{facts.model} @ {facts.revision or facts.digest or 'unknown revision'} ({facts.source})"
    ]
    declared = F(lic.declared or "none")
    if lic.declared_name:
        declared += f" ({F(lic.declared_name)})"
    lines.append(
        f"  licence: declared {declared}; governing {terms.license_key} [{terms.license_class}]"
    )
    pub = facts.publisher
    who = F(" ".join(part for part in (pub.org, pub.name) if part))
    lines.append(f"  publisher: {who} ({terms.origin_country or 'country unknown'})")
    cap = f"{terms.mau_cap:,}" if terms.mau_cap else "none stated"
    lines.append(f"  commercial use: {terms.commercial_use}; MAU cap: {cap}")
    regions = ", ".join(f"{t.region} ({t.scope})" for t in terms.territory_restrictions) or "none"
    lines.append(f"  territories: {regions}; EU restricted: {yes_no(terms.eu_restricted)}")
    lines.append(f"  outputs for training: {terms.output_training}")
    if terms.attribution:
        lines.append("  attribution: " + "; ".join(F(a) for a in terms.attribution))
    lines.append(f"  gated: {yes_no(facts.gated)}; multimodal: {yes_no(facts.multimodal)}")
    for base in facts.base_models:
        lines.append(
            f"  base: {F(base.model)} ({F(base.relation or 'relation not stated')};"
            f" from {F(base.source)})"
        )
    lines.extend(render_chain(facts))
    for finding in facts.findings:
        lines.append(f"  {finding.severity}: {finding.code}: {F(finding.message)}")
    for ev in facts.evidence:
        where = f"{ev.file}:{ev.line}" if ev.line else ev.file
        owner = f"{ev.model}:" if ev.model else ""
        lines.append(f'  evidence {ev.fact}: {F(owner)}{F(where)} "{F(ev.quote)}"')
    for note in facts.notes:
        lines.append(f"  note: {F(note)}")
    return text_output("\n".join(lines))


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
            status = f"UNAVAILABLE ({F(node.error)})"
        else:
            status = f"{node.license_key} [{node.license_class}]"
        lines.append(
            f"    {'  ' * depth}{F(node.relation or 'base')} of {F(node.model)}{rev}: {status}"
        )
        stack.extend((p, depth + 1) for p in reversed(node.parents))
    return lines
