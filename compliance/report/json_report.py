"""`audit --format json`: the audit as one versioned object, schema `compliance.audit/v1`.

Fields may be added, never renamed. `facts` is `ModelFacts.to_json()` (the scan contract);
the rest is the audit's own view (facts table with evidence, lineage lines, obligations).
"""

from __future__ import annotations

from typing import Any

from .audit import AuditEntry, AuditReport


def audit_json(report: AuditReport) -> dict[str, Any]:
    return {
        "schema": report.schema,
        "generated_at": report.generated_at,
        "tool": {"name": "compliance", "version": report.tool_version},
        "config": report.config,
        "fail_on": report.fail_on,
        "exit_code": report.exit_code,
        "summary": {"models": len(report.entries), **report.counts},
        **({"date_note": report.date_note} if report.date_note else {}),
        "models": [_entry(e) for e in report.entries],
    }


def _entry(e: AuditEntry) -> dict[str, Any]:
    return {
        "model": e.model,
        "revision": e.revision,
        "decision": e.decision,
        "license": e.license.to_json(),
        "findings": [f.to_json() for f in e.findings],
        "facts_table": [row.to_json() for row in e.fact_rows],
        "lineage": [line.to_json() for line in e.lineage],
        "obligations": [o.to_json() for o in e.obligations],
        "exceptions_applied": [x.to_json() for x in e.exceptions],
        "exceptions_expired": [x.to_json() for x in e.expired_exceptions],
        "locations": [_location(loc, e.model) for loc in e.locations],
        "not_reviewed": e.review_note,
        "read_at": e.read_at,
        "source": e.source,
        "digest": e.digest,
        "hub_url": e.hub_url,
        "facts": e.facts.to_json() if e.facts else None,
        **({"alternatives": [a.to_json() for a in e.alternatives]} if e.decision == "deny" else {}),
    }


def _location(loc: Any, model: str) -> dict[str, Any]:
    out: dict[str, Any] = loc.to_json()
    raw = getattr(loc, "raw", None)
    if raw and raw.strip() != model:
        out["raw"] = raw.strip()  # the reference as written, before it was mapped to `model`
    return out


def render_json(report: AuditReport) -> str:
    import json

    return json.dumps(audit_json(report), indent=2, ensure_ascii=False) + "\n"
