"""The report stage's contract: what a formatter receives, and the audit's view model.

Formatters are pure functions. `check` formats (sarif, github) read a check result through the
small protocols below; `audit` formats (markdown, html, json, spdx) read an `AuditReport`, which
`build_audit` assembles once from the check result and each model's facts, so every audit format
says the same thing: the same rows, the same evidence, the same obligations.

Nothing here mutates its input: every view is a new frozen dataclass.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..facts.model import Evidence, LineageNode, ModelFacts

AUDIT_SCHEMA = "compliance.audit/v1"
DECISIONS = ("allow", "warn", "deny")
SEVERITY_LEVEL = {"deny": "error", "warn": "warning", "info": "note"}


# -- what a check result looks like to a formatter ----------------------------------------------


class FindingLike(Protocol):
    """compliance.facts.model.Finding, or check's DecidedFinding (adds waived_by, package)."""

    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def evidence(self) -> Sequence[Evidence]: ...


class DecisionLike(Protocol):
    @property
    def model(self) -> str: ...
    @property
    def revision(self) -> str | None: ...
    @property
    def decision(self) -> str: ...
    @property
    def findings(self) -> Sequence[FindingLike]: ...
    @property
    def exceptions_applied(self) -> Sequence[Any]: ...
    @property
    def locations(self) -> Sequence[Any]: ...


class CheckResultLike(Protocol):
    @property
    def decisions(self) -> Sequence[DecisionLike]: ...


class Report(Protocol):
    """A formatter: a pure function from the audit view model to text."""

    def __call__(self, report: AuditReport) -> str: ...


# -- small views --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """A place a model is named: a config file and line; `file` None = the command line."""

    file: str | None
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line}

    def __str__(self) -> str:
        if self.file is None:
            return "command line"
        return f"{self.file}:{self.line}" if self.line else self.file


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


@dataclass(frozen=True)
class LicenseView:
    """The governing licence as a reader needs it: ids, a name, where to read it."""

    key: str = "unknown"
    spdx: str | None = None
    name: str | None = None
    url: str | None = None
    license_class: str = "unknown"
    declared: str | None = None
    policy_key: str | None = None  # the acceptable use policy the licence incorporates
    policy_name: str | None = None
    policy_url: str | None = None

    @property
    def label(self) -> str:
        return (
            self.spdx or (self.key if self.key != "unknown" else None) or self.declared or "unknown"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "spdx": self.spdx,
            "name": self.name,
            "url": self.url,
            "class": self.license_class,
            "declared": self.declared,
            "acceptable_use_policy": {
                "key": self.policy_key,
                "name": self.policy_name,
                "url": self.policy_url,
            }
            if self.policy_key
            else None,
        }


OBLIGATION_KINDS = ("notice", "name-prefix", "use-policy", "license-copy", "other")
OBLIGATION_TITLES = {
    "notice": "Notice to display",
    "name-prefix": "Name prefix",
    "use-policy": "Use policy to pass on",
    "license-copy": "Licence copy to ship",
    "other": "Other duty",
}


@dataclass(frozen=True)
class Obligation:
    kind: str  # one of OBLIGATION_KINDS
    text: str  # the duty as the licence states it (or as derived)
    value: str | None = None  # the notice text, the prefix, the policy or file to ship

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "value": self.value}


@dataclass(frozen=True)
class FactRow:
    fact: str  # fact name (JSON field path)
    label: str
    value: str
    evidence: tuple[Evidence, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "fact": self.fact,
            "label": self.label,
            "value": self.value,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True)
class LineageLine:
    depth: int
    model: str
    relation: str | None
    revision: str | None
    license_key: str
    license_class: str
    error: str | None = None

    def __str__(self) -> str:
        status = (
            f"unreadable: {self.error}"
            if self.error
            else f"{self.license_key} ({self.license_class})"
        )
        rev = f"@{short_rev(self.revision)}" if self.revision else ""
        return f"{self.relation or 'base'} of {self.model}{rev} — {status}"

    def to_json(self) -> dict[str, Any]:
        return {
            "depth": self.depth,
            "model": self.model,
            "relation": self.relation,
            "revision": self.revision,
            "license_key": self.license_key,
            "class": self.license_class,
            "error": self.error,
        }


@dataclass(frozen=True)
class AuditEntry:
    model: str
    revision: str | None
    decision: str
    findings: tuple[FindingView, ...]
    license: LicenseView
    facts: ModelFacts | None
    fact_rows: tuple[FactRow, ...]
    lineage: tuple[LineageLine, ...]
    obligations: tuple[Obligation, ...]
    exceptions: tuple[ExceptionView, ...]
    locations: tuple[Location, ...]
    read_at: str | None
    source: str | None = None
    digest: str | None = None

    @property
    def anchor(self) -> str:
        return "model-" + re.sub(r"[^a-z0-9]+", "-", self.model.lower()).strip("-")

    @property
    def revision_label(self) -> str:
        if self.revision:
            return self.revision
        if self.digest:
            return f"unpinned (content {self.digest})"
        return "unknown"

    @property
    def short_revision(self) -> str:
        if self.revision:
            return short_rev(self.revision)
        return "unpinned" if self.digest else "unknown"

    @property
    def hub_url(self) -> str | None:
        if self.revision and re.fullmatch(r"[0-9a-f]{40}", self.revision):
            return f"https://huggingface.co/{self.model}/tree/{self.revision}"
        return None


@dataclass(frozen=True)
class AuditReport:
    generated_at: str  # ISO 8601 UTC
    tool_version: str
    entries: tuple[AuditEntry, ...]
    exit_code: int = 0
    config: str | None = None
    fail_on: str = "deny"
    schema: str = AUDIT_SCHEMA

    @property
    def counts(self) -> dict[str, int]:
        out = {d: 0 for d in DECISIONS}
        for entry in self.entries:
            out[entry.decision] = out.get(entry.decision, 0) + 1
        return out


# -- building the view model --------------------------------------------------------------------


def short_rev(revision: str | None) -> str:
    if not revision:
        return "unknown"
    return revision[:12] if re.fullmatch(r"[0-9a-f]{40}", revision) else revision


def _yn(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _rows_spec(facts: ModelFacts) -> list[tuple[str, str, str]]:
    terms = facts.effective_terms()
    lic = facts.license
    pub = facts.publisher
    declared = lic.declared or "none"
    if lic.declared_name:
        declared += f" ({lic.declared_name})"
    if lic.declared_link:
        declared += f" <{lic.declared_link}>"
    governing = f"{terms.license_key} ({terms.license_class})"
    if terms.spdx:
        governing += f", SPDX {terms.spdx}"
    publisher = (
        " ".join(x for x in (pub.org, f"({pub.name})" if pub.name else None) if x) or "unknown"
    )
    if pub.country:
        publisher += f", {pub.country}"
    if terms.origin_country and terms.origin_country != pub.country:
        publisher += f"; origin {terms.origin_country}"
    if pub.reuploader:
        publisher += ", re-uploader"
    territories = "; ".join(
        f"{t.region} ({t.scope}, in the {t.clause})" for t in terms.territory_restrictions
    )
    bases = "; ".join(
        f"{b.model} ({b.relation or 'relation not stated'})" for b in facts.base_models
    )
    return [
        ("license", "Licence (declared)", declared),
        ("license.key", "Licence (governing)", governing),
        ("publisher", "Publisher", publisher),
        ("commercial_use", "Commercial use", terms.commercial_use),
        (
            "mau_cap",
            "Monthly active users cap",
            f"{terms.mau_cap:,}" if terms.mau_cap else "none stated",
        ),
        (
            "revenue_cap",
            "Annual revenue cap",
            f"USD {terms.revenue_cap:,}" if terms.revenue_cap else "none stated",
        ),
        ("territory_restrictions", "Territory restrictions", territories or "none stated"),
        ("eu_restricted", "EU restricted", _yn(terms.eu_restricted)),
        ("output_training", "Training on outputs", terms.output_training),
        ("attribution", "Attribution duties", "; ".join(terms.attribution) or "none stated"),
        ("acceptable_use_policy", "Acceptable use policy", terms.acceptable_use_policy or "none"),
        ("gated", "Gated on the Hub", _yn(facts.gated)),
        ("multimodal", "Multimodal", _yn(facts.multimodal)),
        ("base_models", "Base models", bases or "none declared"),
    ]


def fact_rows(facts: ModelFacts) -> tuple[FactRow, ...]:
    """The facts table: each row with the evidence whose fact name falls under it.

    Evidence `license.declared` belongs to `license`, `mau_cap` to `mau_cap`; evidence no row
    claims is listed in a last "Other evidence" row, so nothing read is left out.
    """
    spec = _rows_spec(facts)
    names = [name for name, _, _ in spec]
    claimed: dict[str, list[Evidence]] = {name: [] for name in names}
    other: list[Evidence] = []
    for ev in facts.evidence:
        owner = _owner(ev.fact, names)
        (claimed[owner] if owner else other).append(ev)
    rows = [FactRow(name, label, value, _unique(claimed[name])) for name, label, value in spec]
    if other:
        rows.append(FactRow("other", "Other evidence", f"{len(other)} item(s)", tuple(other)))
    return tuple(rows)


def _unique(items: Sequence[Evidence]) -> tuple[Evidence, ...]:
    """One line per place: evidence for several sub-facts often quotes the same line."""
    seen: dict[tuple[str, int | None, str, str | None], Evidence] = {}
    for ev in items:
        seen.setdefault((ev.file, ev.line, ev.quote, ev.model), ev)
    return tuple(seen.values())


def _owner(fact: str, names: Sequence[str]) -> str | None:
    if fact in names:
        return fact
    # the longest row name the fact sits under: license.file -> license
    best = None
    for name in names:
        if fact.startswith(name + ".") and (best is None or len(name) > len(best)):
            best = name
    if best:
        return best
    aliases = {
        "eu_gate_disallowed": "eu_restricted",
        "non_commercial": "commercial_use",
        "research_only": "commercial_use",
        "origin_country": "publisher",
        "lineage": "base_models",
    }
    return aliases.get(fact.split(".", 1)[0])


def lineage_lines(nodes: Sequence[LineageNode]) -> tuple[LineageLine, ...]:
    out: list[LineageLine] = []

    def walk(node: LineageNode, depth: int) -> None:
        out.append(
            LineageLine(
                depth,
                node.model,
                node.relation,
                node.revision,
                node.license_key,
                node.license_class,
                node.error,
            )
        )
        for parent in node.parents:
            walk(parent, depth + 1)

    for node in nodes:
        walk(node, 1)
    return tuple(out)


_QUOTED = re.compile(r"[\"“]([^\"”]+)[\"”]")


def classify_duty(text: str) -> Obligation:
    """Sort one attribution duty into the checklist's kinds, keeping the licence's wording."""
    low = text.lower()
    quoted = _QUOTED.findall(text)
    if re.search(r"\bnames?\b.*\b(begin|start|prefix)", low) or "name prefix" in low:
        return Obligation("name-prefix", text, quoted[-1] if quoted else None)
    if re.search(r"\b(use polic|use restriction|acceptable use|prohibited use)", low) or (
        "pass on" in low and "restriction" in low
    ):
        return Obligation("use-policy", text, None)
    if re.search(r"\bcopy of (this|the) (agreement|licen[cs]e)", low) or "ship a copy" in low:
        return Obligation("license-copy", text, None)
    if re.search(r"\b(display|notice|attribution|credit|built with)\b", low):
        # 'Retain a "Notice" text file: "Llama 3.1 is ..."': the file name is not the notice
        texts = [q for q in quoted if len(q.split()) > 1] or quoted
        return Obligation("notice", text, " / ".join(texts) if texts else None)
    return Obligation("other", text, None)


def obligations_for(facts: ModelFacts | None, license: LicenseView) -> tuple[Obligation, ...]:
    """The checklist: the effective attribution duties, plus the use policy and licence copy.

    The licence's own wording is kept; a use policy the licence incorporates is always listed
    ("pass it on"), and when no duty says to ship the licence, the files read are listed as the
    copy to keep with the model whenever the licence is not permissive-and-silent.
    """
    if facts is None:
        return ()
    terms = facts.effective_terms()
    items = [classify_duty(d) for d in terms.attribution]
    policy = terms.acceptable_use_policy
    if policy:
        label = license.policy_name or policy
        where = license.policy_url or next(
            (name for name, _ in facts.license_files if "polic" in name.lower()), None
        )
        text = f"Pass on {label} to your users and bind them to it"
        items.append(Obligation("use-policy", text, where or policy))
    files = [name for name, _ in facts.license_files if "polic" not in name.lower()]
    copy_value = ", ".join(files) or license.url
    has_copy = any(o.kind == "license-copy" for o in items)
    if has_copy:
        items = [
            Obligation(o.kind, o.text, o.value or copy_value) if o.kind == "license-copy" else o
            for o in items
        ]
    elif items and copy_value:
        items.append(Obligation("license-copy", "Keep the licence text with the model", copy_value))
    order = {k: i for i, k in enumerate(OBLIGATION_KINDS)}
    return tuple(sorted(dict.fromkeys(items), key=lambda o: order.get(o.kind, 99)))


LicenseLookup = Mapping[str, tuple[str | None, str | None]]  # key -> (name, url)


def license_view(facts: ModelFacts | None, lookup: LicenseLookup | None = None) -> LicenseView:
    if facts is None:
        return LicenseView()
    terms = facts.effective_terms()
    lookup = lookup or {}
    name, url = lookup.get(terms.license_key, (None, None))
    if terms.license_key == facts.license.key:
        name = name or facts.license.declared_name
        url = url or facts.license.declared_link
    policy = terms.acceptable_use_policy
    policy_name, policy_url = lookup.get(policy, (None, None)) if policy else (None, None)
    return LicenseView(
        key=terms.license_key,
        spdx=terms.spdx,
        name=name,
        url=url,
        license_class=terms.license_class,
        declared=facts.license.declared,
        policy_key=policy,
        policy_name=policy_name,
        policy_url=policy_url,
    )


def registry_lookup(keys: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
    """(name, url) of each registry record named; unknown keys are left out."""
    try:
        from ..facts.registry import load_registry

        registry = load_registry()
    except Exception:  # a broken registry must not stop the report; names are optional
        return {}
    out: dict[str, tuple[str | None, str | None]] = {}
    for key in keys:
        record = registry.get(key)
        if record is not None:
            out[key] = (record.name, record.url)
    return out


def build_audit(
    result: CheckResultLike,
    facts_by_model: Mapping[str, ModelFacts] | None = None,
    *,
    generated_at: str,
    tool_version: str,
    exit_code: int = 0,
    config: str | None = None,
    fail_on: str = "deny",
    lookup: LicenseLookup | None = None,
) -> AuditReport:
    """One entry per decision, in the check result's order; facts looked up by model id."""
    entries = []
    for decision in result.decisions:
        facts = facts_of(decision, facts_by_model)
        lic = license_view(facts, lookup)
        entries.append(
            AuditEntry(
                model=decision.model,
                revision=decision.revision or (facts.revision if facts else None),
                decision=decision.decision,
                findings=tuple(finding_view(f) for f in decision.findings),
                license=lic,
                facts=facts,
                fact_rows=fact_rows(facts) if facts else (),
                lineage=lineage_lines(facts.lineage) if facts else (),
                obligations=obligations_for(facts, lic),
                exceptions=tuple(exception_of(x) for x in decision.exceptions_applied or ()),
                locations=locations_of(decision),
                read_at=facts.fetched_at if facts else None,
                source=facts.source if facts else None,
                digest=facts.digest if facts else None,
            )
        )
    return AuditReport(
        generated_at=generated_at,
        tool_version=tool_version,
        entries=tuple(entries),
        exit_code=int(exit_code),
        config=config,
        fail_on=fail_on,
    )
