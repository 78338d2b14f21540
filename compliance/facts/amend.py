"""A known text's facts, amended by what the clause reader finds where the file differs from it.

A relative of a known text (a `modified` match: a passage changed, added or deleted, terms
pasted before or after it) keeps the record's facts only where the text still says what the
record read. Each differing passage is read by the clause reader (compliance.facts.clauses):

* a clause it finds there replaces the record's fact for that clause, and can only add
  restrictions the relative lacks: no commercial use, research only, share-alike, a lower cap,
  more excluded regions, a stricter output-training term, another duty;
* a changed passage that speaks of a fact (commercial use, users or revenue, regions, outputs)
  but in which the reader places no clause makes that fact `unknown`: the change may have
  altered it in a way nobody read.

Nothing here makes facts more permissive than the record's: a removed restriction is not
inferred (the record's anchor phrase being gone already makes that fact unknown, in detect).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .clauses import (
    ATTRIBUTION,
    AUP,
    COMMERCIAL_ALLOWED,
    COMMERCIAL_SCOPE,
    DERIVATIVES_INHERIT,
    EVALUATION_ONLY,
    HOSTING,
    NO_DERIVATIVES,
    OTHER_LANGUAGE,
    OUTPUT_TRAINING,
    RESEARCH_ONLY,
    REVENUE_THRESHOLD,
    SHARE_ALIKE,
    TERRITORY,
    UNPLACED,
    USER_THRESHOLD,
    Clause,
    ClauseFacts,
)
from .model import (
    COMMERCIAL_STRICTNESS,
    OUTPUT_TRAINING_STRICTNESS,
    Evidence,
    TerritoryRestriction,
    stricter_class,
)
from .registry import RecordTerms, eu_restricted_of

# Kinds that are terms of their own: found in text next to a known licence, they make the file
# "modified" (other terms sit beside the known text).
TERM_KINDS = frozenset(
    {
        *COMMERCIAL_SCOPE,
        USER_THRESHOLD,
        REVENUE_THRESHOLD,
        TERRITORY,
        OUTPUT_TRAINING,
        SHARE_ALIKE,
        HOSTING,
        AUP,
        ATTRIBUTION,
        DERIVATIVES_INHERIT,
        NO_DERIVATIVES,
        OTHER_LANGUAGE,
    }
)


def adds_terms(c: Clause) -> bool:
    """True for a clause that is a term (a restriction or a duty), not a mere grant."""
    if c.kind == OUTPUT_TRAINING:
        return c.value != "allowed"
    if c.kind == COMMERCIAL_ALLOWED:
        return c.value == "conditional"
    return c.kind in TERM_KINDS


OUTSIDE_PROSE_WORDS = 300  # text around a known licence longer than this is prose (a card)


@dataclass(frozen=True)
class Passage:
    """A stretch of the file that differs from the known text: lines, and its words."""

    first_line: int
    last_line: int
    text: str  # the passage's words (normalised), for what it speaks of
    where: str  # "inside" (changed within the known text) | "outside" (before / after it)

    def holds(self, c: Clause) -> bool:
        lo, hi = c.lines if c.lines != (0, 0) else (c.line, c.line)
        return lo <= self.last_line and hi >= self.first_line


# What a changed passage speaks of -> the facts it may have changed.
_TOPICS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (
        re.compile(
            r"\b(?:commerci\w*|noncommerci\w*|research|academic|evaluation|production|personal|"
            r"profit|sell|sale|resell|monetar\w*|fee|fees|paid)\b"
        ),
        ("commercial_use", "non_commercial", "research_only"),
    ),
    (
        re.compile(r"\b(?:users?|visits?|visitors?|mau|dau|subscribers?)\b"),
        ("commercial_use", "mau_cap"),
    ),
    (
        re.compile(r"\b(?:revenues?|turnover|income)\b"),
        ("commercial_use", "revenue_cap"),
    ),
    (
        re.compile(
            r"\b(?:territor\w*|countr\w*|jurisdictions?|domiciled|residents?|located|regions?|"
            r"european|eu|eea|kingdom|korea|china|union)\b"
        ),
        ("territory_restrictions",),
    ),
    (
        re.compile(r"\b(?:outputs?|train\w*|distill\w*|synthetic|improve\w*)\b"),
        ("output_training",),
    ),
)
# The same topics in Chinese (no word boundaries between Han characters).
_TOPICS += (
    (re.compile(r"商业|商用|营利|盈利|学术|研究|评估|个人使用"), _TOPICS[0][1]),
    (re.compile(r"用户|月活|日活|访问量"), _TOPICS[1][1]),
    (re.compile(r"收入|营收|营业额|销售额"), _TOPICS[2][1]),
    (re.compile(r"欧盟|欧洲|英国|韩国|境内|境外|地区|国家|居民"), _TOPICS[3][1]),
    (re.compile(r"输出|训练|蒸馏|合成数据"), _TOPICS[4][1]),
)
# The facts each clause kind places.
_PLACES: dict[str, tuple[str, ...]] = {
    **{k: ("commercial_use", "non_commercial", "research_only") for k in COMMERCIAL_SCOPE},
    COMMERCIAL_ALLOWED: ("commercial_use",),
    USER_THRESHOLD: ("commercial_use", "mau_cap", "non_commercial", "research_only"),
    REVENUE_THRESHOLD: ("commercial_use", "revenue_cap", "non_commercial", "research_only"),
    TERRITORY: ("territory_restrictions",),
    OUTPUT_TRAINING: ("output_training",),
}


@dataclass(frozen=True)
class Amended:
    terms: RecordTerms
    license_class: str
    evidence: tuple[Evidence, ...]
    notes: tuple[str, ...]
    changed: tuple[str, ...]  # fact names the passages changed or made unknown


def amend(
    terms: RecordTerms,
    license_class: str,
    clauses: Sequence[Clause],
    passages: Sequence[Passage],
    path: str,
) -> Amended:
    """The record's terms with the clauses found in the differing passages applied."""
    new = [c for c in clauses if any(p.holds(c) for p in passages)]
    values: dict[str, Any] = {}
    changed: list[str] = []
    evidence: list[Evidence] = []
    notes: list[str] = []
    cls = license_class

    def cite(fact: str, c: Clause) -> None:
        evidence.append(Evidence(fact, path, c.line, c.quote))
        if fact not in changed:
            changed.append(fact)

    scope = [c for c in new if c.kind in COMMERCIAL_SCOPE and c.attr("scope") != "outputs"]
    if scope:
        values["commercial_use"] = "no"
        values["non_commercial"] = True
        cite("commercial_use", scope[0])
        cite("non_commercial", scope[0])
        research = next((c for c in scope if c.kind in (RESEARCH_ONLY, EVALUATION_ONLY)), None)
        if research is not None and research.kind == RESEARCH_ONLY:
            values["research_only"] = True
            cite("research_only", research)
            cls = stricter_class(cls, "research-only")
        else:
            cls = stricter_class(cls, "non-commercial")

    mau = _amended_cap(terms.mau_cap, [c for c in new if c.kind == USER_THRESHOLD])
    revenue = [c for c in new if c.kind == REVENUE_THRESHOLD]
    # Only a USD amount is a cap policy can compare; another currency is a term to check.
    usd = [c for c in revenue if c.attr("currency") in ("usd", "unstated")]
    rev = _amended_cap(terms.revenue_cap, usd)
    for name, found, kind in (
        ("mau_cap", mau, USER_THRESHOLD),
        ("revenue_cap", rev, REVENUE_THRESHOLD),
    ):
        if found is not None:
            values[name] = found[0]
            cite(name, found[1])
            if terms.commercial_use in ("yes", "unknown") and "commercial_use" not in values:
                # A cap read in the passage: commercial use is allowed up to it (where the
                # record's own statement of it was the changed passage, it is read again).
                values["commercial_use"] = "conditional"
                cite("commercial_use", found[1])
            if found[1].attr("trigger") == "duty":
                values.setdefault("attribution", list(terms.attribution)).append(
                    f"Above {found[0]:,} "
                    f"{'monthly active users' if kind == USER_THRESHOLD else 'revenue'}"
                    " a duty applies (see the clause)"
                )
    for c in revenue:
        if c in usd:
            continue
        notes.append(
            f"line {c.line}: a revenue threshold of {c.attr('currency').upper()} {c.value:,}: "
            "no conversion to USD is known; commercial use is unknown until it is checked"
        )
        if terms.commercial_use != "no" and values.get("commercial_use") != "no":
            values["commercial_use"] = "unknown"
            cite("commercial_use", c)
    conditional = [
        c
        for c in new
        if c.kind in (HOSTING, AUP) or (c.kind == COMMERCIAL_ALLOWED and c.value == "conditional")
    ]
    if conditional and terms.commercial_use == "yes" and "commercial_use" not in values:
        values["commercial_use"] = "conditional"
        cite("commercial_use", conditional[0])

    territory = list(terms.territory_restrictions)
    for c in new:
        if c.kind != TERRITORY:
            continue
        t = TerritoryRestriction(str(c.value), c.attr("scope", "all"), c.attr("clause", "license"))
        if not any(
            x.region == t.region and (x.scope == "all" or x.scope == t.scope) for x in territory
        ):
            territory.append(t)
            cite("territory_restrictions", c)
            if t.region in ("EU", "EEA"):
                cite("eu_restricted", c)
    if len(territory) != len(terms.territory_restrictions):
        values["territory_restrictions"] = tuple(territory)
        values["eu_restricted"] = eu_restricted_of(territory)
    if any(c.kind == AUP for c in new) and terms.policy is None:
        # Terms incorporated by reference that nobody read: their regions are unknown.
        values["eu_restricted"] = True if values.get("eu_restricted") else None
        notes.append("a use policy incorporated by reference was added; it was not read")

    outs = [c for c in new if c.kind == OUTPUT_TRAINING]
    if outs:
        strictest = max(outs, key=lambda c: OUTPUT_TRAINING_STRICTNESS.get(c.value, 0))
        current = terms.output_training
        if current == "unknown" or OUTPUT_TRAINING_STRICTNESS.get(
            str(strictest.value), 0
        ) > OUTPUT_TRAINING_STRICTNESS.get(current, 0):
            values["output_training"] = str(strictest.value)
            cite("output_training", strictest)

    duties = list(values.get("attribution", terms.attribution))
    for c in new:
        if c.kind == ATTRIBUTION and str(c.value) not in duties:
            duties.append(str(c.value))
            cite("attribution", c)
    if duties != list(terms.attribution):
        values["attribution"] = tuple(duties)

    for c in new:
        if c.kind == SHARE_ALIKE:
            before = cls
            cls = stricter_class(cls, "copyleft" if c.value == "copyleft" else "weak-copyleft")
            if cls != before:
                cite("license.class", c)
        elif c.kind == NO_DERIVATIVES:
            before = cls
            cls = stricter_class(cls, "restricted")  # adapted versions may not be shared
            if cls != before:
                cite("license.class", c)
        elif c.kind == DERIVATIVES_INHERIT and terms.derivatives_inherit is not True:
            values["derivatives_inherit"] = True
            cite("derivatives_inherit", c)

    foreign = next((c for c in new if c.kind == OTHER_LANGUAGE), None)
    if foreign is not None:
        # Added text in a language the reader cannot read, or a clause making another
        # language version prevail: what the known text permits may no longer hold.
        notes.append(
            f"line {foreign.line}: text in {foreign.value} was added (or made to prevail) that "
            "the reader cannot read: commercial use, regions and output use are unknown"
        )
        if terms.commercial_use != "no" and values.get("commercial_use") != "no":
            values["commercial_use"] = "unknown"
            cite("commercial_use", foreign)
        if terms.eu_restricted is not True:
            values["eu_restricted"] = None
        if terms.output_training not in ("prohibited", "restricted"):
            values["output_training"] = "unknown"
    # Changed passages that speak of a fact no clause there placed: that fact is unknown. (Not
    # a whole model card around a licence: prose about training or users is no term.)
    unplaced: list[str] = []
    for p in passages:
        if p.where == "outside" and len(p.text.split()) > OUTSIDE_PROSE_WORDS:
            continue
        placed = {f for c in new if p.holds(c) for f in _PLACES.get(c.kind, ())}
        for rx, facts in _TOPICS:
            if not rx.search(p.text):
                continue
            for f in facts:
                if f in placed or f in values or f in unplaced:
                    continue
                unplaced.append(f)
    # Sentences (the Chinese rules') that speak of facts no rule there placed.
    for c in new:
        if c.kind == UNPLACED:
            for name in str(c.value).split(","):
                fact = "territory_restrictions" if name == "territory" else name
                if fact not in values and fact not in unplaced:
                    unplaced.append(fact)
    unknown = _unknown_values(unplaced, terms, values)
    if unknown:
        values.update(unknown)
        notes.append(
            f"{', '.join(sorted(unknown))}: a changed passage speaks of "
            f"{'this' if len(unknown) == 1 else 'these'} and no clause could be read in it: unknown"
        )
        changed.extend(f for f in unknown if f not in changed)
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    amended = replace(terms, **fields)
    if changed:
        notes.insert(
            0,
            f"read in the differing passages: {', '.join(sorted(set(changed)))}",
        )
    return Amended(amended, cls, tuple(evidence), tuple(notes), tuple(dict.fromkeys(changed)))


def _amended_cap(current: int | None, found: list[Clause]) -> tuple[int, Clause] | None:
    """The cap after the passages: the lowest threshold read there, or the record's if lower."""
    if not found:
        return None
    c = min(found, key=lambda c: c.value)
    value = int(c.value)
    if current is not None and current < value:
        return None  # the record's lower cap still stands (its anchor is checked in detect)
    if current == value:
        return None
    return value, c


def _unknown_values(
    names: Iterable[str], terms: RecordTerms, values: dict[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        if name == "commercial_use" and terms.commercial_use != "no":
            out["commercial_use"] = "unknown"
        elif name in ("non_commercial", "research_only") and getattr(terms, name) is not True:
            out[name] = None
        elif name in ("mau_cap", "revenue_cap"):
            # A cap nobody could read: commercial use is unknown (policy cannot rely on "no cap").
            if terms.commercial_use != "no":
                out["commercial_use"] = "unknown"
        elif name == "territory_restrictions":
            out["eu_restricted"] = True if terms.eu_restricted else None
        elif name == "output_training" and terms.output_training not in (
            "prohibited",
            "restricted",
        ):
            out["output_training"] = "unknown"
    return {k: v for k, v in out.items() if k not in values}


def fold_terms(
    terms: RecordTerms, cls: str, other: RecordTerms, other_cls: str
) -> tuple[RecordTerms, str]:
    """Another known text in the same file: the stricter of the two for each fact (a file that
    holds two licences is used under both, as far as anyone can tell from the file)."""

    def stricter(a: str, b: str, order: dict[str, int]) -> str:
        return a if order.get(a, 0) >= order.get(b, 0) else b

    def lowest(a: int | None, b: int | None) -> int | None:
        return b if a is None else a if b is None else min(a, b)

    def either(a: bool | None, b: bool | None) -> bool | None:
        return True if (a or b) else (None if a is None or b is None else False)

    territory = list(terms.territory_restrictions)
    territory += [t for t in other.territory_restrictions if t not in territory]
    attribution = list(terms.attribution)
    attribution += [a for a in other.attribution if a not in attribution]
    folded = replace(
        terms,
        commercial_use=stricter(terms.commercial_use, other.commercial_use, COMMERCIAL_STRICTNESS),
        mau_cap=lowest(terms.mau_cap, other.mau_cap),
        revenue_cap=lowest(terms.revenue_cap, other.revenue_cap),
        territory_restrictions=tuple(territory),
        eu_restricted=either(terms.eu_restricted, other.eu_restricted),
        output_training=stricter(
            terms.output_training, other.output_training, OUTPUT_TRAINING_STRICTNESS
        ),
        attribution=tuple(attribution),
        non_commercial=either(terms.non_commercial, other.non_commercial),
        research_only=either(terms.research_only, other.research_only),
        derivatives_inherit=either(terms.derivatives_inherit, other.derivatives_inherit),
    )
    return folded, stricter_class(cls, other_cls)


def apply_readings(
    values: dict[str, Any],
    cls: str,
    readings: Sequence[tuple[str, ClauseFacts]],
    *,
    known: bool,
) -> tuple[dict[str, Any], str, list[Evidence], list[str]]:
    """Facts of licence files nobody recognised, read by the clause reader, applied to a model's
    facts. Beside a known licence (`known`) they can only add restrictions; with no known
    licence they are the facts (and the class stays unknown unless they make it
    non-commercial, research-only or copyleft)."""
    out = dict(values)
    evidence: list[Evidence] = []
    notes: list[str] = []
    for path, reading in readings:
        said = dict(reading.evidence_for)
        changed: list[str] = []

        def take(
            name: str,
            value: Any,
            fact: str | None = None,
            *,
            said: dict[str, Clause] = said,
            changed: list[str] = changed,
            path: str = path,
        ) -> None:
            if out.get(name) != value:
                out[name] = value
                changed.append(name)
                c = said.get(fact or name)
                if c is not None:
                    evidence.append(Evidence(fact or name, path, c.line, c.quote))

        cu = reading.commercial_use
        if (
            cu == "no"
            or (
                cu != "unknown"
                and COMMERCIAL_STRICTNESS.get(cu, 0)
                > COMMERCIAL_STRICTNESS.get(out.get("commercial_use", "unknown"), 0)
                and (known or out.get("commercial_use", "unknown") == "unknown")
            )
            or (not known and out.get("commercial_use", "unknown") == "unknown" and cu != "unknown")
        ):
            take("commercial_use", cu)
        for name in ("non_commercial", "research_only"):
            value = getattr(reading, name)
            if value is True or (not known and out.get(name) is None and value is not None):
                take(name, value)
        for name in ("mau_cap", "revenue_cap"):
            value = getattr(reading, name)
            if value is not None and (out.get(name) is None or value < out[name]):
                take(name, value)
        territory = list(out.get("territory_restrictions") or ())
        added = [t for t in reading.territory_restrictions if t not in territory]
        if added:
            take("territory_restrictions", tuple(territory + added))
        if reading.eu_restricted is True or (not known and out.get("eu_restricted") is None):
            take("eu_restricted", reading.eu_restricted)
        ot = reading.output_training
        current = out.get("output_training", "unknown")
        if ot != "unknown" and (
            (not known and current == "unknown")
            or OUTPUT_TRAINING_STRICTNESS.get(ot, 0) > OUTPUT_TRAINING_STRICTNESS.get(current, 0)
        ):
            take("output_training", ot)
        duties = list(out.get("attribution") or ())
        more = [a for a in reading.attribution if a not in duties]
        if more:
            take("attribution", tuple(duties + more))
        if reading.acceptable_use_policy and not out.get("acceptable_use_policy"):
            out["acceptable_use_policy"] = reading.acceptable_use_policy
        if reading.license_class != "unknown":
            new_cls = (
                stricter_class(cls, reading.license_class)
                if known
                else (
                    reading.license_class
                    if cls == "unknown"
                    else stricter_class(cls, reading.license_class)
                )
            )
            if new_cls != cls:
                cls = new_cls
                changed.append("license.class")
        if changed:
            notes.append(
                f"{path}: not a known licence text; its clauses were read "
                f"({', '.join(sorted(set(changed)))})"
            )
    return out, cls, evidence, notes


def fold_incorporated(
    reading: ClauseFacts, terms: RecordTerms, record_class: str, path: str, clause: Clause
) -> tuple[ClauseFacts, list[Evidence]]:
    """An unknown text that applies a known licence's terms too ("the Llama 2 license also
    applies"): the stricter of its own clauses and that licence's facts, cited at the clause."""

    def lowest(a: int | None, b: int | None) -> int | None:
        return b if a is None else a if b is None else min(a, b)

    changed: list[str] = []
    values: dict[str, Any] = {}
    if (
        COMMERCIAL_STRICTNESS.get(terms.commercial_use, 0)
        > COMMERCIAL_STRICTNESS.get(reading.commercial_use, 0)
        or reading.commercial_use == "unknown"
    ):
        values["commercial_use"] = terms.commercial_use
    for name in ("mau_cap", "revenue_cap"):
        value = lowest(getattr(reading, name), getattr(terms, name))
        if value != getattr(reading, name):
            values[name] = value
    territory = list(reading.territory_restrictions)
    territory += [t for t in terms.territory_restrictions if t not in territory]
    if len(territory) != len(reading.territory_restrictions):
        values["territory_restrictions"] = tuple(territory)
    if terms.eu_restricted or (
        reading.eu_restricted is None
        and terms.eu_restricted is not None
        and len(reading.incorporates) == 1
    ):
        values["eu_restricted"] = bool(terms.eu_restricted) or bool(reading.eu_restricted)
    if reading.output_training == "unknown" or OUTPUT_TRAINING_STRICTNESS.get(
        terms.output_training, 0
    ) > OUTPUT_TRAINING_STRICTNESS.get(reading.output_training, 0):
        values["output_training"] = terms.output_training
    more = [a for a in terms.attribution if a not in reading.attribution]
    if more:
        values["attribution"] = (*reading.attribution, *more)
    for name in ("non_commercial", "research_only"):
        if getattr(terms, name) is True and getattr(reading, name) is not True:
            values[name] = True
    cls = reading.license_class
    if record_class in ("non-commercial", "research-only", "copyleft"):
        cls = record_class if cls == "unknown" else stricter_class(cls, record_class)
    if cls != reading.license_class:
        values["license_class"] = cls
    changed = [k for k in values if k != "license_class"]
    evidence = [Evidence(k, path, clause.line, clause.quote) for k in changed]
    return replace(reading, **values), evidence
