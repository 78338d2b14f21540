"""The frozen dataclasses that carry facts between stages (DESIGN.md section 3).

`ModelFacts.to_json()` is the contract users' scripts read: fields may be added, never renamed.
A fact that could not be established is "unknown" / None, never a permissive default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

UNKNOWN = "unknown"

LICENSE_CLASSES = (
    "permissive",
    "weak-copyleft",
    "copyleft",
    "open-rail",
    "restricted",
    "non-commercial",
    "research-only",
    "proprietary",
    "unknown",
)
# Strictness order used when terms combine (lineage, licence conflicts): later is stricter.
# `unknown` is the strictest because an unestablished licence can never be assumed permissive.
CLASS_STRICTNESS = {name: rank for rank, name in enumerate(LICENSE_CLASSES)}

COMMERCIAL_USE = ("yes", "conditional", "no", "unknown")
COMMERCIAL_STRICTNESS = {"yes": 0, "conditional": 1, "no": 3, "unknown": 2}
# unknown ranks below "no" because "no" is an established prohibition; both block under policy.

OUTPUT_TRAINING = ("allowed", "conditional", "restricted", "prohibited", "unknown")
OUTPUT_TRAINING_STRICTNESS = {
    "allowed": 0,
    "conditional": 1,
    "unknown": 2,
    "restricted": 3,
    "prohibited": 4,
}

RELATIONS = ("finetune", "adapter", "quantized", "merge")


def terms_json(terms: Any) -> dict[str, Any]:
    """The JSON of a set of licence terms (a record's, or what the clause reader read)."""
    return {
        "commercial_use": terms.commercial_use,
        "mau_cap": terms.mau_cap,
        "revenue_cap": terms.revenue_cap,
        "eu_restricted": terms.eu_restricted,
        "territory_restrictions": [t.to_json() for t in terms.territory_restrictions],
        "output_training": terms.output_training,
        "attribution": list(terms.attribution),
        "non_commercial": terms.non_commercial,
        "research_only": terms.research_only,
        "acceptable_use_policy": terms.acceptable_use_policy,
        "derivatives_inherit": terms.derivatives_inherit,
    }


# A licence text matched below this confidence is treated as unknown: compliance.yaml
# `policy.min_confidence` overrides it (cargo-deny's confidence-threshold).
DEFAULT_MIN_CONFIDENCE = 0.8


def stricter_class(a: str, b: str) -> str:
    return a if CLASS_STRICTNESS.get(a, 99) >= CLASS_STRICTNESS.get(b, 99) else b


@dataclass(frozen=True)
class Evidence:
    """Where a fact comes from: a file (or URL) of the model or of an ancestor, a line, a quote."""

    fact: str
    file: str
    line: int | None
    quote: str
    model: str | None = None  # set when the evidence belongs to another model (an ancestor)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "fact": self.fact,
            "file": self.file,
            "line": self.line,
            "quote": self.quote,
        }
        if self.model:
            out["model"] = self.model
        return out


def unique_evidence(items: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """One item per place (file, line, quote, model), in order: evidence for several sub-facts
    often quotes the same line."""
    seen: dict[tuple[str, int | None, str, str | None], Evidence] = {}
    for ev in items:
        seen.setdefault((ev.file, ev.line, ev.quote, ev.model), ev)
    return tuple(seen.values())


@dataclass(frozen=True)
class Finding:
    code: str  # stable kebab-case code, documented in docs/codes.md
    severity: str  # deny | warn | info
    message: str
    evidence: tuple[Evidence, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True)
class LicenseInfo:
    declared: str | None = None  # the card's `license:` id as written (e.g. "llama3.2", "other")
    declared_name: str | None = None  # card `license_name`
    declared_link: str | None = None  # card `license_link`
    key: str = UNKNOWN  # registry key of the governing licence (e.g. "llama-3.2")
    spdx: str | None = None  # SPDX id, LicenseRef-scancode-..., or LicenseRef-compliance-<key>
    license_class: str = UNKNOWN  # one of LICENSE_CLASSES; JSON name "class"
    source: str | None = None  # what established the key: "card", "file:LICENSE", "registry"...
    confidence: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "declared": self.declared,
            "declared_name": self.declared_name,
            "declared_link": self.declared_link,
            "key": self.key,
            "spdx": self.spdx,
            "class": self.license_class,
            "source": self.source,
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True)
class Publisher:
    org: str | None = None
    name: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, None when unknown
    reuploader: bool = False  # e.g. TheBloke: origin is the base model's publisher

    def to_json(self) -> dict[str, Any]:
        return {
            "org": self.org,
            "name": self.name,
            "country": self.country,
            "reuploader": self.reuploader,
        }


@dataclass(frozen=True)
class TerritoryRestriction:
    region: str  # "EU" or an ISO 3166 code
    scope: str  # "all" | "multimodal" | ...
    clause: str  # "license" | "policy": where the clause sits

    def to_json(self) -> dict[str, Any]:
        return {"region": self.region, "scope": self.scope, "clause": self.clause}


@dataclass(frozen=True)
class BaseModelRef:
    model: str
    relation: str | None = None  # finetune | adapter | quantized | merge | None (not stated)
    source: str = "card"  # where it was stated: card | tag | adapter_config | config | mergekit

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "relation": self.relation, "source": self.source}


@dataclass(frozen=True)
class Terms:
    """The restriction fields that lineage combines ("effective" after it)."""

    license_key: str = UNKNOWN
    license_class: str = UNKNOWN
    spdx: str | None = None
    commercial_use: str = UNKNOWN
    mau_cap: int | None = None
    revenue_cap: int | None = None  # USD; e.g. licences void above an annual revenue
    territory_restrictions: tuple[TerritoryRestriction, ...] = ()
    eu_restricted: bool | None = None
    output_training: str = UNKNOWN
    attribution: tuple[str, ...] = ()
    acceptable_use_policy: str | None = None
    non_commercial: bool | None = None
    research_only: bool | None = None
    origin_country: str | None = None  # the publisher's country, after re-upload resolution

    def to_json(self) -> dict[str, Any]:
        return {
            "license_key": self.license_key,
            "class": self.license_class,
            "spdx": self.spdx,
            "commercial_use": self.commercial_use,
            "mau_cap": self.mau_cap,
            "revenue_cap": self.revenue_cap,
            "territory_restrictions": [t.to_json() for t in self.territory_restrictions],
            "eu_restricted": self.eu_restricted,
            "output_training": self.output_training,
            "attribution": list(self.attribution),
            "acceptable_use_policy": self.acceptable_use_policy,
            "non_commercial": self.non_commercial,
            "research_only": self.research_only,
            "origin_country": self.origin_country,
        }


@dataclass(frozen=True)
class LineageNode:
    """One ancestor in the lineage tree; `error` is set when it could not be read."""

    model: str
    relation: str | None
    revision: str | None = None
    license_key: str = UNKNOWN
    license_class: str = UNKNOWN
    error: str | None = None
    parents: tuple[LineageNode, ...] = ()
    license_files: tuple[tuple[str, str], ...] = ()  # (file name, sha256), as read

    def walk(self) -> Iterable[LineageNode]:
        """This node and every ancestor under it, depth first."""
        yield self
        for parent in self.parents:
            yield from parent.walk()

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "relation": self.relation,
            "revision": self.revision,
            "license_key": self.license_key,
            "class": self.license_class,
            "error": self.error,
            "parents": [p.to_json() for p in self.parents],
        }


@dataclass(frozen=True)
class ModelFacts:
    model: str
    revision: str | None  # 40-hex sha, or None (mirror without git)
    source: str  # "hub" | "mirror" | "cache" | "closed-api" | "local-file"
    license: LicenseInfo = field(default_factory=LicenseInfo)
    publisher: Publisher = field(default_factory=Publisher)
    commercial_use: str = UNKNOWN
    mau_cap: int | None = None
    revenue_cap: int | None = None
    territory_restrictions: tuple[TerritoryRestriction, ...] = ()
    eu_restricted: bool | None = None
    output_training: str = UNKNOWN
    attribution: tuple[str, ...] = ()
    acceptable_use_policy: str | None = None
    non_commercial: bool | None = None
    research_only: bool | None = None
    gated: bool = False
    eu_gate_disallowed: bool = False  # card extra_gated_eu_disallowed on a gated repo
    multimodal: bool | None = None
    pipeline_tag: str | None = None
    base_models: tuple[BaseModelRef, ...] = ()
    lineage: tuple[LineageNode, ...] = ()  # one tree per declared base
    effective: Terms | None = None  # None until lineage ran; then the combined terms
    evidence: tuple[Evidence, ...] = ()
    findings: tuple[Finding, ...] = ()
    digest: str | None = None  # content digest of the snapshot (mirror without git)
    fetched_at: str | None = None  # ISO 8601 UTC time the snapshot was read
    license_files: tuple[tuple[str, str], ...] = ()  # (file name, sha256) of licence files read
    notes: tuple[str, ...] = ()

    def own_terms(self) -> Terms:
        """This model's own terms, before lineage."""
        return Terms(
            license_key=self.license.key,
            license_class=self.license.license_class,
            spdx=self.license.spdx,
            commercial_use=self.commercial_use,
            mau_cap=self.mau_cap,
            revenue_cap=self.revenue_cap,
            territory_restrictions=self.territory_restrictions,
            eu_restricted=self.eu_restricted,
            output_training=self.output_training,
            attribution=self.attribution,
            acceptable_use_policy=self.acceptable_use_policy,
            non_commercial=self.non_commercial,
            research_only=self.research_only,
            origin_country=self.publisher.country,
        )

    def effective_terms(self) -> Terms:
        """The terms policy decides on: lineage's combination when it ran, else the model's own."""
        return self.effective if self.effective is not None else self.own_terms()

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "revision": self.revision,
            "source": self.source,
            "license": self.license.to_json(),
            "publisher": self.publisher.to_json(),
            "commercial_use": self.commercial_use,
            "mau_cap": self.mau_cap,
            "revenue_cap": self.revenue_cap,
            "territory_restrictions": [t.to_json() for t in self.territory_restrictions],
            "eu_restricted": self.eu_restricted,
            "output_training": self.output_training,
            "attribution": list(self.attribution),
            "acceptable_use_policy": self.acceptable_use_policy,
            "non_commercial": self.non_commercial,
            "research_only": self.research_only,
            "gated": self.gated,
            "eu_gate_disallowed": self.eu_gate_disallowed,
            "multimodal": self.multimodal,
            "pipeline_tag": self.pipeline_tag,
            "base_models": [b.to_json() for b in self.base_models],
            "lineage": [n.to_json() for n in self.lineage],
            "effective": self.effective_terms().to_json(),
            "evidence": [e.to_json() for e in self.evidence],
            "findings": [f.to_json() for f in self.findings],
            "digest": self.digest,
            "fetched_at": self.fetched_at,
            "license_files": [{"file": n, "sha256": s} for n, s in self.license_files],
            "notes": list(self.notes),
        }
