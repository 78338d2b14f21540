"""Lineage: the terms a model inherits from the bases it declares (compliance.facts.bases).

A fine-tune, adapter, quantisation or merge is bound by its bases' licences whatever its own
card says. `apply_lineage(facts, load)` reads each base through `load` (the only I/O),
recursively, cycle safe, and combines the terms along the chain (`combine_terms`): the
strictest wins, and unknown is never permissive. docs/lineage.md explains every decision.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import SourceError
from ..frozen import replaced
from ..modelid import LEGACY_IDS, ModelId, is_valid_repo_id
from .model import (
    CLASS_STRICTNESS,
    COMMERCIAL_STRICTNESS,
    OUTPUT_TRAINING_STRICTNESS,
    UNKNOWN,
    BaseModelRef,
    Evidence,
    Finding,
    LineageNode,
    ModelFacts,
    Terms,
)

DEFAULT_MAX_DEPTH = 8
# At most this many models are read along one model's lineage (bases of bases...): the rest
# are unavailable (unknown terms), so a hostile tree cannot cost unbounded Hub requests.
MAX_LINEAGE_MODELS = 64

# Licence classes whose licence imposes its own terms on derivatives (a custom agreement that
# must travel with the weights); two different ones in one merge need a legal review.
_CUSTOM_TERMS_CLASSES = frozenset({"restricted", "open-rail"})
_SHARE_ALIKE = re.compile(r"(?i)(^|[-_.])(sa|gpl|agpl|lgpl|copyleft)([-_.\d]|$)")

# Terms fields that lineage combines and that can be inherited (field, JSON name, evidence key).
_FIELDS = (
    ("license_class", "class", "license"),
    ("commercial_use", "commercial_use", "commercial_use"),
    ("mau_cap", "mau_cap", "mau_cap"),
    ("revenue_cap", "revenue_cap", "revenue_cap"),
    ("territory_restrictions", "territory_restrictions", "territory_restrictions"),
    ("eu_restricted", "eu_restricted", "eu_restricted"),
    ("output_training", "output_training", "output_training"),
    ("attribution", "attribution", "attribution"),
    ("acceptable_use_policy", "acceptable_use_policy", "acceptable_use_policy"),
    ("non_commercial", "non_commercial", "non_commercial"),
    ("research_only", "research_only", "research_only"),
    ("origin_country", "origin_country", "publisher"),
)

UNKNOWN_TERMS = Terms()  # what an unreadable base contributes: every field unknown


def is_share_alike(terms: Terms) -> bool:
    return terms.license_class == "copyleft" or bool(
        terms.license_key != UNKNOWN and _SHARE_ALIKE.search(terms.license_key)
    )


def _tri(values: Iterable[bool | None]) -> bool | None:
    """True if any is true; else unknown if any is unknown; else false."""
    vals = list(values)
    if any(v is True for v in vals):
        return True
    if any(v is None for v in vals):
        return None
    return False


def _union(groups: Iterable[Iterable[Any]]) -> tuple[Any, ...]:
    out: list[Any] = []
    for group in groups:
        for item in group:
            if item not in out:
                out.append(item)
    return tuple(out)


def _min_cap(values: Iterable[int | None]) -> int | None:
    caps = [v for v in values if v is not None]
    return min(caps) if caps else None


def _governing(candidates: list[Terms]) -> Terms:
    """The strictest class; on a tie the upstream terms (earlier in the list) with a known key."""
    best = candidates[0]
    for t in candidates[1:]:
        a = CLASS_STRICTNESS.get(t.license_class, 99)
        b = CLASS_STRICTNESS.get(best.license_class, 99)
        if a > b or (a == b and best.license_key == UNKNOWN and t.license_key != UNKNOWN):
            best = t
    return best


def combine_terms(own: Terms, parents: list[Terms], *, reuploader: bool = False) -> Terms:
    """The strictest combination of a model's own terms with its parents' (effective) terms.

    Class: the strictest (unknown is the strictest of all); key, SPDX id and acceptable-use
    policy follow the governing (strictest) terms, upstream first on a tie. Caps: the lowest.
    Territories, attribution: the union. Commercial use and output training: the strictest.
    eu_restricted / non_commercial / research_only: true if any is, unknown if any is unknown.
    Origin: a re-uploader's origin is its (first) base's.
    """
    if not parents:
        return _alone(own)
    return _combined(own, parents, reuploader=reuploader)


def _combined(own: Terms, parents: list[Terms], *, reuploader: bool) -> Terms:
    everything = [*parents, own]  # upstream first: a tie goes to the base's licence
    gov = _governing(everything)
    aup = gov.acceptable_use_policy
    if aup is None:
        ranked = sorted(everything, key=lambda t: -CLASS_STRICTNESS.get(t.license_class, 99))
        aup = next((t.acceptable_use_policy for t in ranked if t.acceptable_use_policy), None)
    origin = own.origin_country
    if reuploader and parents:
        origin = parents[0].origin_country
    return Terms(
        license_key=gov.license_key,
        license_class=gov.license_class,
        spdx=gov.spdx,
        commercial_use=max(
            (t.commercial_use for t in everything),
            key=lambda v: COMMERCIAL_STRICTNESS.get(v, COMMERCIAL_STRICTNESS[UNKNOWN]),
        ),
        mau_cap=_min_cap(t.mau_cap for t in everything),
        revenue_cap=_min_cap(t.revenue_cap for t in everything),
        territory_restrictions=_union(t.territory_restrictions for t in [own, *parents]),
        eu_restricted=_tri(t.eu_restricted for t in everything),
        output_training=max(
            (t.output_training for t in everything),
            key=lambda v: OUTPUT_TRAINING_STRICTNESS.get(v, OUTPUT_TRAINING_STRICTNESS[UNKNOWN]),
        ),
        attribution=_union(t.attribution for t in [own, *parents]),
        acceptable_use_policy=aup,
        non_commercial=_tri(t.non_commercial for t in everything),
        research_only=_tri(t.research_only for t in everything),
        origin_country=origin,
    )


def _alone(own: Terms) -> Terms:
    """combine_terms(own, []), without the general case's loops (most models have no bases):
    each field is what the combination of one gives, so usually `own` itself."""
    territories, attribution = own.territory_restrictions, own.attribution
    if (
        type(territories) is tuple
        and len(territories) < 2
        and type(attribution) is tuple
        and len(attribution) < 2
        and _tri1(own.eu_restricted) is own.eu_restricted
        and _tri1(own.non_commercial) is own.non_commercial
        and _tri1(own.research_only) is own.research_only
    ):
        return own  # frozen: sharing it is the same as an equal copy
    return Terms(
        license_key=own.license_key,
        license_class=own.license_class,
        spdx=own.spdx,
        commercial_use=own.commercial_use,
        mau_cap=own.mau_cap,
        revenue_cap=own.revenue_cap,
        territory_restrictions=_unique(territories),
        eu_restricted=_tri1(own.eu_restricted),
        output_training=own.output_training,
        attribution=_unique(attribution),
        acceptable_use_policy=own.acceptable_use_policy,
        non_commercial=_tri1(own.non_commercial),
        research_only=_tri1(own.research_only),
        origin_country=own.origin_country,
    )


def _unique(items: tuple[Any, ...]) -> tuple[Any, ...]:
    """_union of one group: none or one item is unique already."""
    return tuple(items) if len(items) < 2 else _union([items])


def _tri1(value: bool | None) -> bool | None:
    """_tri of one value."""
    return True if value is True else None if value is None else False


def _looser(child: Terms, base: Terms) -> list[str]:
    """How the child's own terms are more permissive than its base's (empty when not)."""
    out = []
    if (
        base.license_class != UNKNOWN
        and child.license_class != UNKNOWN
        and (CLASS_STRICTNESS[child.license_class] < CLASS_STRICTNESS.get(base.license_class, 99))
    ):
        out.append(f"class {child.license_class} < {base.license_class}")
    if (
        base.commercial_use != UNKNOWN
        and child.commercial_use != UNKNOWN
        and (
            COMMERCIAL_STRICTNESS[child.commercial_use] < COMMERCIAL_STRICTNESS[base.commercial_use]
        )
    ):
        out.append(f"commercial use {child.commercial_use} vs {base.commercial_use}")
    return out


def _describe(terms: Terms) -> str:
    key = terms.license_key if terms.license_key != UNKNOWN else "unknown licence"
    return f"{key} [{terms.license_class}]"


def merge_conflict(parents: list[tuple[str, Terms]]) -> tuple[str, str] | None:
    """(severity, reason) when merged parents' terms conflict, else None (docs/lineage.md).

    deny: a share-alike parent (copyleft, CC *-SA) merged with a parent under a different,
    non-permissive licence: share-alike requires the whole merge under its own terms, which the
    other licence's extra restrictions make impossible.
    warn: two different custom licences (restricted / open-rail classes), each requiring its own
    agreement, notices and use policy on derivatives: both apply, and a lawyer must confirm they
    can be honoured together. A non-commercial or research-only parent is not a conflict: the
    strictest combination already carries it.
    """
    known = [(m, t) for m, t in parents if t.license_key != UNKNOWN]
    for i, (ma, ta) in enumerate(known):
        for mb, tb in known[i + 1 :]:
            if ta.license_key.lower() == tb.license_key.lower():
                continue
            for (m1, t1), (m2, t2) in (((ma, ta), (mb, tb)), ((mb, tb), (ma, ta))):
                if is_share_alike(t1) and t2.license_class != "permissive":
                    return (
                        "deny",
                        f"{m1} is under share-alike {_describe(t1)}, which requires the merge "
                        f"under those terms alone, but {m2} is under {_describe(t2)}",
                    )
    customs = [(m, t) for m, t in known if t.license_class in _CUSTOM_TERMS_CLASSES]
    keys = {t.license_key.lower() for _, t in customs}
    if len(keys) > 1:
        listed = ", ".join(f"{m} ({_describe(t)})" for m, t in customs)
        return (
            "warn",
            f"parents under different custom licences that each impose their own terms on "
            f"derivatives: {listed}; all apply to the merge, review that they can be honoured "
            f"together",
        )
    return None


@dataclass
class _Reached:
    """An ancestor whose own facts were read."""

    model: str
    terms: Terms
    evidence: tuple[Evidence, ...]
    multimodal: bool | None = None
    own_evidence: tuple[Evidence, ...] = ()  # of the ancestor itself (not inherited)
    # _ancestor_evidence's answers, by (fact, prefix): the same for every walk that reaches it
    shown: dict[tuple[str, str], tuple[Evidence, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.own_evidence = tuple(e for e in self.evidence if e.model is None)


# A large inventory has many derivatives of a few bases, whose facts the scanner holds as one
# object each: their own terms and _Reached are made once per object, not once per walk. Keyed
# by id, with the object itself kept in the entry (so no other object can take that id while
# it is cached) and checked on every hit; bounded.
_BASE_PARTS: dict[int, tuple[ModelFacts, Terms, _Reached]] = {}
_BASE_PARTS_MAX = 1024


def _base_parts(got: ModelFacts) -> tuple[Terms, _Reached]:
    """got.own_terms() and the _Reached made of it, made once per facts object."""
    hit = _BASE_PARTS.get(id(got))
    if hit is not None and hit[0] is got:
        return hit[1], hit[2]
    own = got.own_terms()
    reached = _Reached(got.model, own, got.evidence, got.multimodal)
    if len(_BASE_PARTS) >= _BASE_PARTS_MAX:
        _BASE_PARTS.clear()
    _BASE_PARTS[id(got)] = (got, own, reached)
    return own, reached


@dataclass
class _Walk:
    load: Callable[[ModelId], ModelFacts]
    max_depth: int
    root: str
    loaded: dict[str, ModelFacts | SourceError] = field(default_factory=dict)
    built: dict[str, tuple[LineageNode, Terms | None]] = field(default_factory=dict)
    reached: dict[str, _Reached] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unavailable: set[str] = field(default_factory=set)

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def _unavailable(self, model: str, declared_by: str, why: str) -> None:
        key = model.lower()
        if key in self.unavailable:
            return
        self.unavailable.add(key)
        self.findings.append(
            Finding(
                "base-unavailable",
                "deny",
                f"base model {model} (declared by {declared_by}) could not be read: {why}; "
                f"its terms are unknown, and unknown is not permissive",
            )
        )

    def _fetch(self, ident: str) -> ModelFacts | SourceError:
        key = ident.lower()
        if key not in self.loaded and len(self.loaded) >= MAX_LINEAGE_MODELS:
            return SourceError(
                ident, f"not read: a lineage reads at most {MAX_LINEAGE_MODELS} models"
            )
        if key not in self.loaded:
            try:
                self.loaded[key] = self.load(ModelId(ident))
            except SourceError as exc:
                self.loaded[key] = exc
        return self.loaded[key]

    def node(
        self, raw: str, relation: str | None, depth: int, path: tuple[str, ...], declared_by: str
    ) -> tuple[LineageNode, Terms | None]:
        """The lineage subtree of one base, and its effective terms (None: adds nothing)."""
        ident = raw
        if not is_valid_repo_id(raw):
            legacy = LEGACY_IDS.get(raw.strip().lower())
            if legacy is None:
                why = "not a valid Hub model id (org/name)"
                self._note(f"lineage: base {raw!r} declared by {declared_by} is {why}")
                self._unavailable(raw, declared_by, why)
                return LineageNode(raw, relation, error=f"invalid-id: {why}"), UNKNOWN_TERMS
            self._note(
                f"lineage: base {raw!r} declared by {declared_by} is a legacy id; "
                f"read as {legacy}, where the Hub redirects it"
            )
            ident = legacy
        key = ident.lower()
        if key in path:
            chain = " -> ".join([*path, key])
            self._note(f"lineage: cycle {chain}; {ident} is already in the chain")
            return LineageNode(ident, relation, error=f"cycle: {ident} is its own ancestor"), None
        if depth > self.max_depth:
            why = f"lineage deeper than {self.max_depth} levels was not followed"
            self._unavailable(ident, declared_by, why)
            return LineageNode(ident, relation, error=f"depth-limit: {why}"), UNKNOWN_TERMS
        if key in self.built:
            node, terms = self.built[key]
            return replace(node, relation=relation), terms
        got = self._fetch(ident)
        if isinstance(got, SourceError):
            why = f"{got.kind}: {got.cause}"
            self._unavailable(ident, declared_by, why)
            result: tuple[LineageNode, Terms | None] = (
                LineageNode(ident, relation, error=why),
                UNKNOWN_TERMS,
            )
            self.built[key] = result
            return result
        own, reached = _base_parts(got)
        self.reached.setdefault(key, reached)
        children = [
            self.node(b.model, b.relation, depth + 1, (*path, key), got.model)
            for b in got.base_models
        ]
        parent_terms = [t for _, t in children if t is not None]
        effective = combine_terms(own, parent_terms, reuploader=got.publisher.reuploader)
        self._check_merge(got.model, got.base_models, children)
        node = LineageNode(
            got.model,
            relation,
            revision=got.revision,
            license_key=got.license.key,
            license_class=got.license.license_class,
            parents=tuple(n for n, _ in children),
            license_files=got.license_files,
        )
        self.built[key] = (node, effective)
        return node, effective

    def _check_merge(
        self,
        model: str,
        bases: tuple[BaseModelRef, ...],
        children: list[tuple[LineageNode, Terms | None]],
    ) -> None:
        if len(children) < 2:
            return
        parents = [(n.model, t) for (n, t) in children if t is not None and n.error is None]
        conflict = merge_conflict(parents)
        if conflict is None:
            return
        severity, reason = conflict
        message = f"{model} merges {len(bases)} bases whose terms conflict: {reason}"
        if all(f.message != message for f in self.findings):
            self.findings.append(Finding("license-incompatible-merge", severity, message))


def _ancestor_evidence(reached: _Reached, fact: str, prefix: str) -> tuple[Evidence, ...]:
    """The ancestor's own evidence for a fact, else the evidence of its licence."""
    shown = reached.shown.get((fact, prefix))
    if shown is None:
        own = reached.own_evidence
        specific = [e for e in own if e.fact == prefix or e.fact.startswith(prefix + ".")]
        chosen = specific or [e for e in own if e.fact.startswith("license")]
        shown = tuple(_evidence(fact, e.file, e.line, e.quote, reached.model) for e in chosen)
        reached.shown[(fact, prefix)] = shown
    return shown


def _evidence(fact: str, file: str, line: int | None, quote: str, model: str) -> Evidence:
    """Evidence(fact, file, line, quote, model=model) without its frozen __init__'s five
    object.__setattr__ calls (no __post_init__: the same object, as the cache's decoder
    builds it)."""
    ev: Evidence = object.__new__(Evidence)
    ev.__dict__.update(fact=fact, file=file, line=line, quote=quote, model=model)
    return ev


def _evidence_key(ev: Evidence) -> tuple[str, str, int | None, str, str | None]:
    """What Evidence equality compares, as a hashable key."""
    return (ev.fact, ev.file, ev.line, ev.quote, ev.model)


def _inherited_evidence(own: Terms, effective: Terms, reached: list[_Reached]) -> list[Evidence]:
    out: list[Evidence] = []
    seen: set[tuple[str, str, int | None, str, str | None]] = set()  # `ev not in out`, hashed
    for attr, json_name, prefix in _FIELDS:
        mine, eff = getattr(own, attr), getattr(effective, attr)
        if mine == eff:
            continue
        fact = f"effective.{json_name}"
        for anc in reached:
            theirs = getattr(anc.terms, attr)
            if isinstance(eff, tuple):
                supplies = any(item in eff and item not in mine for item in theirs)
            elif attr == "license_class":
                supplies = theirs == eff and anc.terms.license_key == effective.license_key
            else:
                supplies = theirs == eff and theirs is not None
            if supplies:
                for ev in _ancestor_evidence(anc, fact, prefix):
                    key = _evidence_key(ev)
                    if key not in seen:
                        seen.add(key)
                        out.append(ev)
                if not isinstance(eff, tuple):
                    break  # the first (nearest) ancestor that holds the value
    return out


def apply_lineage(
    facts: ModelFacts, load: Callable[[ModelId], ModelFacts], *, max_depth: int = DEFAULT_MAX_DEPTH
) -> ModelFacts:
    """Read `facts`' bases through `load` (recursively, to `max_depth`, cycle safe) and return
    the facts with `lineage` (one tree per base), `effective` (the strictest combination along
    the chain), inherited evidence (model=<ancestor>), findings and notes added.

    `load(ModelId)` returns a model's own facts (no lineage) or raises SourceError; it is the
    only I/O. A base that cannot be read (missing, gated, invalid id, beyond max_depth)
    contributes unknown terms and a `base-unavailable` finding.
    """
    if not facts.base_models:  # nothing to read or inherit: the terms are its own
        return replaced(facts, lineage=(), effective=_alone(facts.own_terms()))
    walk = _Walk(load, max_depth, facts.model)
    root = facts.model.lower()
    built = [walk.node(b.model, b.relation, 1, (root,), facts.model) for b in facts.base_models]
    own = facts.own_terms()
    parent_terms = [t for _, t in built if t is not None]
    undeclared = _undeclared_over_known_bases(facts, built)
    # A derivative that declares nothing of its own is bound by its bases' terms: those are
    # shown (not all-unknown), and `license-undeclared` (severity: policy.unknown) says so.
    effective = combine_terms(
        _neutral_unknowns(own) if undeclared else own,
        parent_terms,
        reuploader=facts.publisher.reuploader,
    )
    walk._check_merge(facts.model, facts.base_models, built)

    mismatches: list[Finding] = []
    for (node, terms), ref in zip(built, facts.base_models, strict=True):
        if terms is None or node.error is not None:
            continue
        how = _looser(own, terms)
        if how:
            ev = [e for e in facts.evidence if e.model is None and e.fact.startswith("license")]
            anc = walk.reached.get(node.model.lower())
            if anc is not None:
                ev += _ancestor_evidence(anc, "license.base", "license")
            mismatches.append(
                Finding(
                    "license-mismatch-with-base",
                    "warn",
                    f"{facts.model} declares {_describe(own)}, more permissive than its base "
                    f"{node.model} ({ref.relation or 'base'}), which is bound by "
                    f"{_describe(terms)} ({'; '.join(how)}); the base's terms govern",
                    tuple(ev),
                )
            )
    if undeclared:
        walk.findings.append(_undeclared_finding(facts, effective))
    inherited = _inherited_evidence(own, effective, list(walk.reached.values()))
    multimodal, modality_evidence = _inherited_modality(facts, list(walk.reached.values()), walk)
    inherited += modality_evidence
    if inherited:  # a set, not `e not in facts.evidence`: one comparison, not one per item
        known = {_evidence_key(e) for e in facts.evidence}
        inherited = [e for e in inherited if _evidence_key(e) not in known]
    new_evidence = inherited
    new_notes = [n for n in walk.notes if n not in facts.notes]
    return replaced(
        facts,
        multimodal=multimodal,
        lineage=tuple(n for n, _ in built),
        effective=effective,
        evidence=facts.evidence + tuple(new_evidence),
        findings=facts.findings + tuple(mismatches) + tuple(walk.findings),
        notes=facts.notes + tuple(new_notes),
    )


def _undeclared_over_known_bases(
    facts: ModelFacts, built: list[tuple[LineageNode, Terms | None]]
) -> bool:
    """True when the model states no licence at all (no card id, name or link, no licence file
    or text read, no class from its own clauses) and every base was read with a known licence."""
    lic = facts.license
    states_nothing = (
        lic.declared is None
        and lic.declared_name is None
        and lic.declared_link is None
        and lic.source is None
        and lic.key == UNKNOWN
        and lic.license_class == UNKNOWN
    )
    if not states_nothing or not built:
        return False
    return all(
        terms is not None and node.error is None and terms.license_key != UNKNOWN
        for node, terms in built
    )


def _neutral_unknowns(own: Terms) -> Terms:
    """An undeclared model's own terms with the fields it never stated made neutral (the least
    strict value), so the combination is its bases' terms plus whatever it did state."""
    return replace(
        own,
        license_class="permissive" if own.license_class == UNKNOWN else own.license_class,
        commercial_use="yes" if own.commercial_use == UNKNOWN else own.commercial_use,
        eu_restricted=False if own.eu_restricted is None else own.eu_restricted,
        output_training="allowed" if own.output_training == UNKNOWN else own.output_training,
        non_commercial=False if own.non_commercial is None else own.non_commercial,
        research_only=False if own.research_only is None else own.research_only,
    )


def _undeclared_finding(facts: ModelFacts, effective: Terms) -> Finding:
    bases = ", ".join(b.model for b in facts.base_models)
    ev = tuple(e for e in facts.evidence if e.model is None and e.fact.startswith("base_model"))
    return Finding(
        "license-undeclared",
        "unknown",
        f"{facts.model} declares no licence of its own; the terms of its base(s) {bases} "
        f"({effective.license_key}) are taken as its terms until the publisher states them",
        ev,
    )


TEXT_ONLY_CONFIG = "multimodal.text_only_config"  # see compliance.facts.normalize


def _inherited_modality(
    facts: ModelFacts, reached: list[_Reached], walk: _Walk
) -> tuple[bool | None, list[Evidence]]:
    """A derivative of a multimodal base is multimodal (EU clauses scoped to multimodal models
    travel with it) unless its own weights' config shows a text-only network; either way the
    evidence says which."""
    if facts.multimodal is True:
        return True, []
    base = next((r for r in reached if r.multimodal is True), None)
    if base is None:
        return facts.multimodal, []
    proof = next(
        (e for e in facts.evidence if e.fact == TEXT_ONLY_CONFIG and e.model is None), None
    )
    if proof is not None:
        walk._note(
            f"modality: base {base.model} is multimodal, but this model's own {proof.file} "
            f"({proof.quote}) is a text-only network: treated as text-only"
        )
        return facts.multimodal, [Evidence("multimodal", proof.file, proof.line, proof.quote)]
    walk._note(
        f"modality: base {base.model} is multimodal and this model's own config does not show "
        "a text-only network: treated as multimodal"
    )
    quote = (
        f"{base.model} is multimodal; its derivatives are too unless their config shows otherwise"
    )
    return True, [Evidence("multimodal", "README.md", None, quote, model=base.model)]
