"""Small views the formats share: locations, exceptions, findings, and how values read.

Each accepts what the check result holds (or a plain mapping) and returns a frozen view.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..facts.model import Evidence, ModelFacts
from ..policy.decision import Location
from .interface import DecisionLike, FindingLike

SEVERITY_LEVEL = {"deny": "error", "warn": "warning", "info": "note"}


def location_of(raw: Any) -> Location:
    """Accept (file, line) tuples, objects with .file/.line, or mappings."""
    if isinstance(raw, Location):
        return raw
    if isinstance(raw, Mapping):
        file, line = raw.get("file"), raw.get("line")
    elif isinstance(raw, (tuple, list)):
        file = raw[0] if raw else None
        line = raw[1] if len(raw) > 1 else None
    else:
        file, line = getattr(raw, "file", None), getattr(raw, "line", None)
    file = None if file in (None, "", "-", "<command line>", "<argv>") else str(file)
    while file and file.startswith("./"):  # `check .` names ./x.yaml; readers want x.yaml
        file = file[2:]
    return Location(file, int(line) if isinstance(line, int) and line > 0 else None)


def locations_of(decision: DecisionLike) -> tuple[Location, ...]:
    out = [location_of(x) for x in decision.locations or ()]
    return tuple(dict.fromkeys(out))  # keep order, drop repeats


@dataclass(frozen=True)
class ExceptionView:
    """An exception the decision applied: which rules it waived, why, who approved, until when."""

    rules: tuple[str, ...]
    reason: str
    approved_by: str
    expires: str | None
    revision: str | None = None
    where: str | None = None
    waived: tuple[str, ...] = ()  # the codes it waived on this model

    def to_json(self) -> dict[str, Any]:
        return {
            "rules": list(self.rules),
            "waived": list(self.waived),
            "reason": self.reason,
            "approved_by": self.approved_by,
            "expires": self.expires,
            "revision": self.revision,
            "where": self.where,
        }


def exception_of(raw: Any) -> ExceptionView:
    """From check's AppliedException (spec + codes waived), an ExceptionSpec, or a mapping."""
    waived = getattr(raw, "waived", None)
    if hasattr(raw, "exception"):
        raw = raw.exception

    def get(key: str, default: Any = None) -> Any:
        if isinstance(raw, Mapping):
            return raw.get(key, default)
        return getattr(raw, key, default)

    expires = get("expires")
    expires_text = expires.isoformat() if hasattr(expires, "isoformat") else expires
    file, line = get("file"), get("line")
    where = f"{file}:{line}" if file and line else file
    return ExceptionView(
        rules=tuple(get("rules") or ()),
        waived=tuple(waived) if isinstance(waived, (tuple, list)) else (),
        reason=str(get("reason") or ""),
        approved_by=str(get("approved_by") or get("approver") or ""),
        expires=str(expires_text) if expires_text is not None else None,
        revision=get("revision"),
        where=where,
    )


@dataclass(frozen=True)
class FindingView:
    code: str
    severity: str  # deny | warn | info
    message: str
    evidence: tuple[Evidence, ...] = ()
    waived_by: ExceptionView | None = None
    rule: str | None = None  # the policy package whose rule fired

    @property
    def label(self) -> str:
        return "waived" if self.waived_by is not None else self.severity

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "evidence": [e.to_json() for e in self.evidence],
            "rule": self.rule,
            "waived": self.waived_by is not None,
            "waived_by": self.waived_by.to_json() if self.waived_by else None,
        }


def finding_view(raw: FindingLike) -> FindingView:
    waived_by = getattr(raw, "waived_by", None)
    return FindingView(
        code=raw.code,
        severity=raw.severity,
        message=raw.message,
        evidence=tuple(raw.evidence),
        waived_by=exception_of(waived_by) if waived_by is not None else None,
        rule=getattr(raw, "package", None),
    )


def is_waived(raw: Any) -> bool:
    return getattr(raw, "waived_by", None) is not None


def short_rev(revision: str | None) -> str:
    if not revision:
        return "unknown"
    return revision[:12] if re.fullmatch(r"[0-9a-f]{40}", revision) else revision


def yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def facts_of(decision: Any, facts_by_model: Mapping[str, ModelFacts] | None) -> ModelFacts | None:
    """The decision's facts: from the mapping (by model@revision, model) or the decision itself."""
    for key in (
        f"{decision.model}@{decision.revision}" if decision.revision else None,
        decision.model,
        decision.model.lower(),
    ):
        if key and facts_by_model and key in facts_by_model:
            return facts_by_model[key]
    own = getattr(decision, "facts", None)
    return own if isinstance(own, ModelFacts) else None
