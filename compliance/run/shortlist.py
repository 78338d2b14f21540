"""`run_shortlist(request) -> Shortlist`: which model families the organisation may use at all.

One row per release line of the family catalogue (registry/families.yaml), split by the size
groups that carry another licence (Qwen2.5 3B and 72B). Each row's decision comes from the SAME
policy path as `check`: representative facts are built from the row's licence record (with the
use policy it incorporates) and its publisher, and `run.check.check_subjects` evaluates them. No
second policy implementation: a row is allowed exactly when a model with those facts would be.

Representative facts are what the catalogue says, not what a repo's files say; `check` on a
real repo reads its files and may be stricter (a fine-tune's lineage, a changed licence file).
Configuration exceptions are left out: a waiver is for one model, never for a family.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..facts.model import (
    Evidence,
    LicenseInfo,
    ModelFacts,
    Publisher,
    TerritoryRestriction,
)
from ..report.schemas import SHORTLIST as SCHEMA

if TYPE_CHECKING:
    from ..config import Config
    from ..facts.families import Catalogue, ReleaseLine, Size, SizeGroup
    from ..facts.registry import Registry
    from ..policy.decision import Decision
    from ..policy.engine import PolicyEngine

# Modalities whose models take more than text in: licence clauses scoped to multimodal models
# cover them. `None` (not known) is never produced here: every line states a modality.
MULTIMODAL = frozenset({"vision-language", "image", "video", "audio"})
_PARAMS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([MBT])\s*$", re.IGNORECASE)
_UNIT = {"M": 10**6, "B": 10**9, "T": 10**12}


def parse_params(text: str) -> int:
    """'8B', '1.5B', '270M', '1T' -> a parameter count (a usage error otherwise)."""
    m = _PARAMS.match(text)
    if not m:
        raise UsageError(f"--max-params must read like 8B, 1.5B or 270M, got {text!r}")
    return round(float(m.group(1)) * _UNIT[m.group(2).upper()])


def human_params(n: int | None) -> str:
    if n is None:
        return "?"
    for unit, scale in (("T", 10**12), ("B", 10**9), ("M", 10**6)):
        if n >= scale:
            value = n / scale
            return f"{value:.1f}".rstrip("0").rstrip(".") + unit
    return str(n)


@dataclass(frozen=True)
class ShortlistRequest:
    """`config` None: ./compliance.yaml when present, else the defaults."""

    config: Config | None = None
    modality: str | None = None
    max_params: int | None = None  # keep sizes up to this many parameters (total)
    allowed_only: bool = False


@dataclass(frozen=True)
class SizeView:
    name: str
    params: int | None
    active: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "params": self.params, "active": self.active}


@dataclass(frozen=True)
class LicenceSource:
    """Where a row's licence facts come from: the registry record and the text it was read from."""

    key: str
    name: str | None
    version_date: str | None
    url: str | None
    record: str | None  # registry file of the record
    provenance: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "version_date": self.version_date,
            "url": self.url,
            "record": self.record,
            "provenance": list(self.provenance),
        }

    @property
    def where(self) -> str:
        """One line a reader can follow to the text: repository path@commit, or the URL."""
        if not self.provenance:
            return self.url or "no provenance recorded"
        p = self.provenance[0]
        if p.get("repository") and p.get("commit") and p.get("path"):
            place = f"{p['repository']}/blob/{p['commit']}/{p['path']}"
        elif p.get("repository"):
            place = f"{p['repository']}/{p.get('path') or ''}".rstrip("/")
        else:
            place = str(p.get("url") or self.url or "?")
        sha = p.get("sha256")
        return f"{place} (sha256 {str(sha)[:12]})" if sha else place


@dataclass(frozen=True)
class ShortlistRow:
    family: str
    family_name: str
    line: str
    line_name: str
    publisher: str
    publisher_name: str | None
    country: str | None
    sizes: tuple[SizeView, ...]
    modality: str
    released: str | None
    license: str | None  # registry key; None: no record (unknown)
    license_class: str
    spdx: str | None
    commercial_use: str
    mau_cap: int | None
    revenue_cap: int | None
    territory_restrictions: tuple[TerritoryRestriction, ...]
    eu_restricted: bool | None
    output_training: str
    acceptable_use_policy: str | None
    repos: tuple[str, ...]
    licence_source: LicenceSource | None
    line_source: str
    decision: str
    codes: tuple[str, ...]
    messages: tuple[str, ...]
    relicensed: tuple[str, ...] = ()  # "until DATE: KEY (note)" for revisions before a move
    note: str | None = None

    @property
    def max_params(self) -> int | None:
        known = [s.params for s in self.sizes if s.params is not None]
        return max(known) if known else None

    @property
    def size_label(self) -> str:
        return ", ".join(s.name for s in self.sizes) or "?"

    @property
    def caps_label(self) -> str:
        caps = []
        if self.mau_cap:
            caps.append(f"{self.mau_cap:,} MAU")
        if self.revenue_cap:
            caps.append(f"USD {self.revenue_cap:,} revenue")
        return "; ".join(caps) or "none"

    @property
    def territory_label(self) -> str:
        return "; ".join(f"{t.region} ({t.scope})" for t in self.territory_restrictions) or "none"

    def to_json(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "family_name": self.family_name,
            "line": self.line,
            "line_name": self.line_name,
            "publisher": {
                "org": self.publisher,
                "name": self.publisher_name,
                "country": self.country,
            },
            "sizes": [s.to_json() for s in self.sizes],
            "modality": self.modality,
            "released": self.released,
            "license": {
                "key": self.license,
                "class": self.license_class,
                "spdx": self.spdx,
                "source": self.licence_source.to_json() if self.licence_source else None,
            },
            "relicensed": list(self.relicensed),
            "commercial_use": self.commercial_use,
            "mau_cap": self.mau_cap,
            "revenue_cap": self.revenue_cap,
            "territory_restrictions": [t.to_json() for t in self.territory_restrictions],
            "eu_restricted": self.eu_restricted,
            "output_training": self.output_training,
            "acceptable_use_policy": self.acceptable_use_policy,
            "repos": list(self.repos),
            "decision": self.decision,
            "codes": list(self.codes),
            "messages": list(self.messages),
            "source": self.line_source,
            "note": self.note,
        }


@dataclass(frozen=True)
class Organisation:
    """The profile the rows were decided for, as the report shows it."""

    domicile: str | None
    monthly_active_users: int | None
    use: str
    deny_origins: tuple[str, ...]
    config: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "domicile": self.domicile,
            "monthly_active_users": self.monthly_active_users,
            "use": self.use,
            "deny_origins": list(self.deny_origins),
            "config": self.config,
        }

    @property
    def label(self) -> str:
        users = (
            f"{self.monthly_active_users:,} MAU"
            if self.monthly_active_users is not None
            else "MAU not set"
        )
        parts = [f"domicile {self.domicile or 'not set'}", users, f"use {self.use}"]
        if self.deny_origins:
            parts.append("deny origins " + ", ".join(self.deny_origins))
        return "; ".join(parts)


@dataclass(frozen=True)
class Shortlist:
    as_of: str
    catalogue: str | None
    organisation: Organisation
    rows: tuple[ShortlistRow, ...]
    filters: dict[str, Any]
    total_rows: int  # rows before the filters
    schema: str = SCHEMA

    @property
    def counts(self) -> dict[str, int]:
        out = {"allow": 0, "warn": 0, "deny": 0}
        for r in self.rows:
            out[r.decision] = out.get(r.decision, 0) + 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "catalogue": {"as_of": self.as_of, "file": self.catalogue},
            "organization": self.organisation.to_json(),
            "filters": self.filters,
            "summary": {"rows": len(self.rows), "catalogue_rows": self.total_rows, **self.counts},
            "rows": [r.to_json() for r in self.rows],
        }


# -- representative facts ------------------------------------------------------------------------
@dataclass(frozen=True)
class Group:
    """One row before its decision: a line's size group and the licence it carries now."""

    line: ReleaseLine
    group: SizeGroup
    license: str | None

    @property
    def model(self) -> str:
        """The id the representative facts carry (a representative repo when the line has one)."""
        return self.group.repos[0] if self.group.repos else f"catalogue/{self.line.key}"


def groups_of(catalogue: Catalogue) -> tuple[Group, ...]:
    """Every size group of every line; the main group carries the line's current licence (a
    relicensing applies to new revisions), an exception group its own."""
    out = []
    for line in catalogue.lines():
        for i, group in enumerate(line.groups()):
            main = i == 0 and group.license == line.license
            out.append(Group(line, group, line.current_license if main else group.license))
    return tuple(out)


def representative_facts(g: Group, registry: Registry) -> ModelFacts:
    """The facts a model of this group has by the catalogue: licence record terms (with its
    incorporated use policy and the line's extra policies), the publisher's country, the
    line's modality. A licence the registry holds no record of stays unknown."""
    line = g.line
    pub = registry.publisher(line.publisher)
    publisher = Publisher(
        org=line.publisher,
        name=pub.name if pub else None,
        country=pub.country if pub else None,
    )
    multimodal = g.group.modality in MULTIMODAL
    record = registry.get(g.license) if g.license else None
    if record is None:
        return ModelFacts(
            model=g.model,
            revision=None,
            source="catalogue",
            publisher=publisher,
            multimodal=multimodal,
            notes=(f"{line.key}: the catalogue holds no licence record for this line",),
        )
    from ..facts.registry import eu_restricted_of

    terms = registry.terms(record)
    territory = list(terms.territory_restrictions)
    attribution = list(terms.attribution)
    for key in line.policies:
        extra = registry.get(key)
        if extra is None:
            continue
        for t in extra.territory:
            if t not in territory:
                territory.append(t)
        for a in extra.value("attribution", []) or []:
            if a not in attribution:
                attribution.append(str(a))
    stated = terms.eu_restricted is not None or bool(territory)
    evidence = tuple(
        Evidence(f.name, f"registry/licenses/{record.key}.yaml", None, f.anchor)
        for f in record.facts
        if f.anchor
    )
    return ModelFacts(
        model=g.model,
        revision=None,
        source="catalogue",
        license=LicenseInfo(
            declared=line.card_license or record.key,
            key=record.key,
            spdx=record.spdx,
            license_class=record.license_class,
            source="catalogue",
            confidence=1.0,
        ),
        publisher=publisher,
        commercial_use=terms.commercial_use,
        mau_cap=terms.mau_cap,
        revenue_cap=terms.revenue_cap,
        territory_restrictions=tuple(territory),
        eu_restricted=eu_restricted_of(territory, multimodal=multimodal) if stated else None,
        output_training=terms.output_training,
        attribution=tuple(attribution),
        acceptable_use_policy=terms.acceptable_use_policy,
        non_commercial=terms.non_commercial,
        research_only=terms.research_only,
        multimodal=multimodal,
        evidence=evidence,
    )


def decide_groups(
    groups: Sequence[Group],
    registry: Registry,
    config: Config,
    engine: PolicyEngine | None = None,
) -> list[tuple[Group, ModelFacts, Decision]]:
    """Each group's representative facts decided by `check`'s machinery (exceptions left out)."""
    from .check import check_subjects

    facts = [representative_facts(g, registry) for g in groups]
    result = check_subjects(facts, replace(config, exceptions=()), engine=engine)
    return list(zip(groups, facts, result.decisions, strict=True))


# -- rows ----------------------------------------------------------------------------------------
def _licence_source(key: str | None, registry: Registry) -> LicenceSource | None:
    record = registry.get(key) if key else None
    if record is None:
        return None
    return LicenceSource(
        key=record.key,
        name=record.name,
        version_date=record.version_date,
        url=record.url,
        record=f"registry/licenses/{record.key}.yaml" if not record.inline else "hf-ids.yaml",
        provenance=tuple(p.to_json() for p in record.provenance),
    )


def _sizes(sizes: Sequence[Size], max_params: int | None) -> tuple[SizeView, ...]:
    views = tuple(SizeView(s.name, s.params, s.active) for s in sizes)
    if max_params is None:
        return views
    return tuple(s for s in views if s.params is not None and s.params <= max_params)


def _relicensed(g: Group) -> tuple[str, ...]:
    line = g.line
    if g.license != line.current_license or not line.later:
        return ()
    out = []
    previous = line.license
    for move in line.later:
        when = f"before {move.date}" if move.date else "earlier revisions"
        out.append(f"{when}: {previous or 'no licence record'}")
        previous = move.license
    return tuple(out)


def row_of(
    g: Group, facts: ModelFacts, decision: Decision, registry: Registry, sizes: tuple[SizeView, ...]
) -> ShortlistRow:
    line = g.line
    catalogue = registry.families
    family = catalogue.family(line.family) if catalogue else None
    return ShortlistRow(
        family=line.family,
        family_name=family.name if family else line.family,
        line=line.key,
        line_name=line.name,
        publisher=line.publisher,
        publisher_name=facts.publisher.name,
        country=facts.publisher.country,
        sizes=sizes,
        modality=g.group.modality,
        released=line.released,
        license=g.license,
        license_class=facts.license.license_class,
        spdx=facts.license.spdx,
        commercial_use=facts.commercial_use,
        mau_cap=facts.mau_cap,
        revenue_cap=facts.revenue_cap,
        territory_restrictions=facts.territory_restrictions,
        eu_restricted=facts.eu_restricted,
        output_training=facts.output_training,
        acceptable_use_policy=facts.acceptable_use_policy,
        repos=g.group.repos,
        licence_source=_licence_source(g.license, registry),
        line_source=line.source,
        decision=decision.decision,
        codes=decision.codes,
        messages=tuple(
            f"{f.code}: {f.message}" for f in decision.findings if f.severity in ("deny", "warn")
        ),
        relicensed=_relicensed(g),
        note=line.note,
    )


def _catalogue(registry: Registry) -> Catalogue:
    if registry.families is None:
        from ..facts.registry import RegistryError

        raise RegistryError("the registry has no family catalogue (families.yaml)")
    return registry.families


def run_shortlist(request: ShortlistRequest, registry: Registry | None = None) -> Shortlist:
    from ..facts.families import MODALITIES
    from ..facts.registry import load_registry
    from .check import CheckRequest, resolved_config

    if request.modality is not None and request.modality not in MODALITIES:
        raise UsageError(f"--modality must be one of {', '.join(MODALITIES)}")
    config = resolved_config(CheckRequest(config=request.config))
    registry = registry or load_registry()
    catalogue = _catalogue(registry)
    all_groups = groups_of(catalogue)
    kept: list[tuple[Group, tuple[SizeView, ...]]] = []
    for g in all_groups:
        if request.modality is not None and g.group.modality != request.modality:
            continue
        sizes = _sizes(g.group.sizes, request.max_params)
        if request.max_params is not None and not sizes:
            continue
        kept.append((g, sizes))
    decided = decide_groups([g for g, _ in kept], registry, config) if kept else []
    rows = [
        row_of(g, facts, decision, registry, sizes)
        for (g, facts, decision), (_, sizes) in zip(decided, kept, strict=True)
    ]
    if request.allowed_only:
        rows = [r for r in rows if r.decision == "allow"]
    org = config.organization
    return Shortlist(
        as_of=catalogue.as_of,
        catalogue="registry/families.yaml",
        organisation=Organisation(
            domicile=org.domicile,
            monthly_active_users=org.monthly_active_users,
            use=org.use,
            deny_origins=tuple(config.policy.deny_origins),
            config=str(config.path) if config.path else None,
        ),
        rows=tuple(rows),
        filters={
            "modality": request.modality,
            "max_params": request.max_params,
            "allowed_only": request.allowed_only,
        },
        total_rows=len(all_groups),
    )


__all__ = [
    "Shortlist",
    "ShortlistRequest",
    "ShortlistRow",
    "groups_of",
    "human_params",
    "parse_params",
    "representative_facts",
    "run_shortlist",
]
