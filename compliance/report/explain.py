"""`explain` output: a decision with the facts, the organisation settings and each rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .schemas import EXPLAIN as SCHEMA


def _org_lines(config: Any) -> list[str]:
    from ..policy.regions import regions_of

    org = config.organization
    pol = config.policy
    where = str(config.path) if config.path else "defaults (no compliance.yaml)"
    regions = ", ".join(regions_of(org.domicile)) or "not set"
    users = f"{org.monthly_active_users:,}" if org.monthly_active_users is not None else "not set"
    return [
        f"organisation ({where}):",
        f"  domicile: {org.domicile or 'not set'} (regions: {regions})",
        f"  use: {org.use}; monthly active users: {users};"
        f" trains on outputs: {'yes' if org.trains_on_outputs else 'no'}",
        f"  allowed classes: {', '.join(pol.effective_allow_classes(org.use))}",
        f"  denied origins: {', '.join(pol.deny_origins) or 'none'}; unknown facts: {pol.unknown}",
        f"  packs: {', '.join(str(p) for p in pol.packs) or 'none'}",
    ]


def explain_text(decision: Any, config: Any, today: dt.date, *, note: str | None = None) -> str:
    from ..policy.findings import CODES
    from .escape import text_field, text_output
    from .scan_text import render_text as facts_text

    lines = [
        f"{decision.model}: {decision.decision}"
        + (f" ({', '.join(decision.codes)})" if decision.codes else ""),
        "",
    ]
    if decision.facts is not None:
        lines.append("facts:")
        lines.append(facts_text(decision.facts))
        lines.append("")
    lines.extend(_org_lines(config))
    lines.append("")
    lines.append("rules that fired:")
    if not decision.findings:
        lines.append("  none")
    for f in decision.findings:
        rule = f.package or "compliance.check"
        state = f" (waived by the exception at {f.waived_by.where})" if f.waived_by else ""
        lines.append(f"  {f.severity} {f.code} [{rule}]{state}")
        lines.append(f"    why: {text_field(f.message)}")
        info = CODES.get(f.code)
        if info is not None:
            lines.append(f"    rule: {info.summary}")
            lines.append(f"    what to do: {info.help}")
        for ev in f.evidence:
            where = f"{ev.file}:{ev.line}" if ev.line else ev.file
            owner = f"{ev.model}: " if ev.model else ""
            quote = text_field(ev.quote.strip())
            lines.append(f"    evidence ({ev.fact}): {text_field(owner + where)}: {quote}")
    fired = {f.code for f in decision.findings}
    quiet = [c for c in CODES if c not in fired]
    lines.append("")
    lines.append("rules checked that did not fire: " + ", ".join(quiet))
    for applied in decision.exceptions_applied:
        lines.append(
            f"exception applied: {applied.exception.where} waives {', '.join(applied.waived)}"
            f" ({text_field(applied.reason)}; approved by {text_field(applied.approved_by)};"
            f" expires {applied.expires.isoformat()})"
        )
    lines.append(f"date used for exceptions: {today.isoformat()}")
    if note:
        lines.append(f"note: {note}")
    return text_output("\n".join(lines) + "\n")


def explain_json(decision: Any, config: Any, *, note: str | None = None) -> dict[str, Any]:
    from ..policy.engine import policy_data

    return {
        "schema": SCHEMA,
        "model": decision.model,
        "revision": decision.revision,
        "decision": decision.to_json(),
        "facts": decision.facts.to_json() if decision.facts is not None else None,
        "policy_data": policy_data(config)["compliance"]["config"],
        **({"date_note": note} if note else {}),
    }
