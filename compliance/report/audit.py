"""The audit's view model: `build_audit` assembles an `AuditReport` once from the check
result and each model's facts, so every audit format (markdown, html, json, spdx) says the same
thing: the same rows, the same evidence, the same obligations.

Licence names and links come in as a `lookup` (compliance.run.audit reads them from the
registry); nothing here reads the registry or mutates its input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..facts.model import Evidence, LineageNode, ModelFacts, unique_evidence
from ..policy.decision import DECISIONS, Location
from .interface import CheckResultLike
from .schemas import AUDIT as AUDIT_SCHEMA
from .views import (
    ExceptionView,
    FindingView,
    exception_of,
    facts_of,
    finding_view,
    locations_of,
    short_rev,
    yes_no,
)


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
    source_error: bool = False  # the model could not be read
    expired_exceptions: tuple[ExceptionView, ...] = ()  # about this model, past their expiry
    review_note: str | None = None  # what this tool did not review (a hosted API's terms)
    alternatives: tuple[Any, ...] = ()  # policy.decision.Alternative: allowed instead (denied)

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
    date_note: str | None = None  # set when `--today` moved the date (shown by every format)
    # registry key -> (name, url) of the licences named, ancestors' included (for the BOMs)
    license_names: Mapping[str, tuple[str | None, str | None]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        out = {d: 0 for d in DECISIONS}
        for entry in self.entries:
            out[entry.decision] = out.get(entry.decision, 0) + 1
        return out


# -- building the view model --------------------------------------------------------------------


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
        ("eu_restricted", "EU restricted", yes_no(terms.eu_restricted)),
        ("output_training", "Training on outputs", terms.output_training),
        ("attribution", "Attribution duties", "; ".join(terms.attribution) or "none stated"),
        ("acceptable_use_policy", "Acceptable use policy", terms.acceptable_use_policy or "none"),
        ("gated", "Gated on the Hub", yes_no(facts.gated)),
        ("multimodal", "Multimodal", yes_no(facts.multimodal)),
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
    inherited: dict[str, list[Evidence]] = {name: [] for name in names}
    other: list[Evidence] = []
    for ev in facts.evidence:
        if ev.fact.startswith(_INHERITED):
            # `effective.<field>` (compliance.facts.lineage): the ancestor that supplies the
            # effective value; it replaces the model's own evidence for that row
            name = ev.fact[len(_INHERITED) :]
            owner = _owner(_EFFECTIVE_ROW.get(name, name), names)
            if owner:
                inherited[owner].append(ev)
                continue
        owner = _owner(ev.fact, names)
        (claimed[owner] if owner else other).append(ev)
    rows = [
        FactRow(name, label, value, unique_evidence(inherited[name] or claimed[name]))
        for name, label, value in spec
    ]
    if other:
        unique = unique_evidence(other)
        facts_named = ", ".join(dict.fromkeys(e.fact for e in unique))
        rows.append(FactRow("other", f"Other evidence ({facts_named})", facts_named, unique))
    return tuple(rows)


_INHERITED = "effective."
# effective.<json name> -> the row that shows that value
_EFFECTIVE_ROW = {"class": "license.key", "license_key": "license.key", "spdx": "license.key"}


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
        try:
            entries.append(_entry(decision, facts_by_model, lookup))
        except Exception as exc:  # one model's data never takes down the audit
            from .safe import error_entry

            entries.append(error_entry(_bare_entry(decision), "audit", exc))
    return AuditReport(
        generated_at=generated_at,
        tool_version=tool_version,
        entries=tuple(entries),
        exit_code=int(exit_code),
        config=config,
        fail_on=fail_on,
        date_note=getattr(result, "date_note", None),
        license_names=dict(lookup or {}),
    )


def _bare_entry(decision: Any) -> AuditEntry:
    return AuditEntry(
        model=decision.model,
        revision=decision.revision,
        decision=decision.decision,
        findings=(),
        license=LicenseView(),
        facts=None,
        fact_rows=(),
        lineage=(),
        obligations=(),
        exceptions=(),
        locations=(),
        read_at=None,
        source_error=bool(getattr(decision, "source_error", False)),
    )


def _review_note(facts: ModelFacts | None) -> str | None:
    if facts is None or facts.source != "closed-api":
        return None
    who = facts.publisher.name or facts.publisher.org or "the provider"
    return (
        f"a hosted API: {who}'s terms of service govern its use, and those terms of service"
        " were not reviewed by this tool; review them before use"
    )


def _entry(
    decision: Any,
    facts_by_model: Mapping[str, ModelFacts] | None,
    lookup: LicenseLookup | None,
) -> AuditEntry:
    facts = facts_of(decision, facts_by_model)
    lic = license_view(facts, lookup)
    return AuditEntry(
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
        source_error=bool(getattr(decision, "source_error", False)),
        expired_exceptions=tuple(
            exception_of(f.exception)
            for f in decision.findings
            if f.code == "exception-expired" and getattr(f, "exception", None) is not None
        ),
        review_note=_review_note(facts),
        alternatives=tuple(getattr(decision, "alternatives", ()) or ()),
    )
