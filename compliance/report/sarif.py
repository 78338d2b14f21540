"""`check --format sarif`: SARIF 2.1.0 for code scanning.

One rule per finding code (its summary and help from compliance.policy.findings), one result per
finding, located at the config file and line where the model is named. A model named on the
command line has no such place: its results point at the model card (`README.md`) with a logical
location naming the model. Levels: deny -> error, warn -> warning, info -> note.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from ..facts.model import ModelFacts
from ..policy.decision import Location
from ..policy.findings import CODES, code_info
from .interface import CheckResultLike, FindingLike
from .views import SEVERITY_LEVEL, exception_of, facts_of, locations_of

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
MODEL_CARD = "README.md"
FINGERPRINT_KEY = "complianceFinding/v1"


def level_of(severity: str) -> str:
    return SEVERITY_LEVEL.get(severity, "error")  # anything unexpected fails closed


def _rule(code: str) -> dict[str, Any]:
    info = code_info(code)
    default = "warning" if info.severity == "unknown" else level_of(info.severity)
    name = "".join(part.capitalize() for part in code.split("-"))
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.summary},
        "help": {
            "text": f"{info.summary}\n\n{info.help}",
            "markdown": f"**{code}**: {info.summary}\n\n{info.help}",
        },
        "defaultConfiguration": {"level": default},
        "properties": {"tags": ["compliance", "license"], "severity": info.severity},
    }


def _uri(file: str) -> str:
    """A file path as a SARIF URI: relative paths stay relative (to the checkout root)."""
    path = file.replace("\\", "/")
    if path.startswith("./"):
        path = path[2:]
    if PurePosixPath(path).is_absolute():
        return "file://" + quote(path)
    return quote(path)


def _physical(loc: Location, model: str) -> dict[str, Any]:
    if loc.file is None:
        return {
            "physicalLocation": {
                "artifactLocation": {
                    "uri": MODEL_CARD,
                    "description": {"text": f"model card of {model} (named on the command line)"},
                }
            },
            "logicalLocations": [{"name": model, "fullyQualifiedName": model, "kind": "module"}],
        }
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(loc.file)}}
    if loc.line:
        physical["region"] = {"startLine": loc.line}
    return {
        "physicalLocation": physical,
        "logicalLocations": [{"name": model, "fullyQualifiedName": model, "kind": "module"}],
    }


def _fingerprint(model: str, finding: FindingLike) -> str:
    return hashlib.sha256(f"{model.lower()}\0{finding.code}".encode()).hexdigest()


def render_sarif(
    result: CheckResultLike,
    facts_by_model: Mapping[str, ModelFacts] | None = None,
    *,
    tool_version: str,
    all_rules: bool = True,
) -> dict[str, Any]:
    """The SARIF log as a dict (json.dumps it).

    Facts (for the licence id in each result's properties) come from `facts_by_model` or the
    decision's own `facts`. A finding an exception waived is still reported, with a SARIF
    suppression carrying the exception's reason, approver and expiry.
    """
    facts_by_model = facts_by_model or {}
    used = [f.code for d in result.decisions for f in d.findings]
    codes = list(CODES) if all_rules else []
    codes += [c for c in dict.fromkeys(used) if c not in codes]
    index = {code: i for i, code in enumerate(codes)}
    results: list[dict[str, Any]] = []
    for decision in result.decisions:
        places = locations_of(decision) or (Location(None),)
        facts = facts_of(decision, facts_by_model)
        for finding in decision.findings:
            located = [_physical(loc, decision.model) for loc in places]
            props: dict[str, Any] = {
                "model": decision.model,
                "revision": decision.revision,
                "decision": decision.decision,
                "severity": finding.severity,
            }
            if facts is not None:
                props["license"] = (
                    facts.effective_terms().spdx or facts.effective_terms().license_key
                )
            if finding.evidence:
                props["evidence"] = [
                    {
                        "file": e.file,
                        "line": e.line,
                        "quote": e.quote,
                        **({"model": e.model} if e.model else {}),
                    }
                    for e in finding.evidence
                ]
            entry: dict[str, Any] = {
                "ruleId": finding.code,
                "ruleIndex": index[finding.code],
                "level": level_of(finding.severity),
                "message": {"text": f"{decision.model}: {finding.message}"},
                "locations": located[:1],
                "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(decision.model, finding)},
                "properties": props,
            }
            waived_by = getattr(finding, "waived_by", None)
            if waived_by is not None:
                x = exception_of(waived_by)
                entry["suppressions"] = [
                    {
                        "kind": "external",
                        "status": "accepted",
                        "justification": f"{x.reason} (approved by {x.approved_by}, expires"
                        f" {x.expires or 'never'}; {x.where or 'config'})",
                    }
                ]
            if len(located) > 1:
                entry["relatedLocations"] = [
                    {"id": i, **loc, "message": {"text": f"{decision.model} is also named here"}}
                    for i, loc in enumerate(located[1:], start=1)
                ]
            results.append(entry)
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "compliance",
                        "version": tool_version,
                        "semanticVersion": tool_version,
                        "rules": [_rule(code) for code in codes],
                    }
                },
                "columnKind": "unicodeCodePoints",
                **_date_invocation(result),
                "results": results,
            }
        ],
    }


def _date_invocation(result: CheckResultLike) -> dict[str, Any]:
    """With `--today`, an invocation whose notification says so (shown by SARIF viewers)."""
    note = getattr(result, "date_note", None)
    if not note:
        return {}
    return {
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [{"level": "warning", "message": {"text": note}}],
            }
        ]
    }


def failed_run(message: str, *, tool_version: str) -> dict[str, Any]:
    """A valid SARIF log for a run that broke before it could decide (config error, network)."""
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": {"name": "compliance", "version": tool_version, "rules": []}},
                "invocations": [
                    {
                        "executionSuccessful": False,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": message}}
                        ],
                    }
                ],
                "results": [],
            }
        ],
    }
