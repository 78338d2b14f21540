"""Alternatives for a denied model: up to three allowed catalogue models of the same modality
and a similar size, each with the licence it carries.

Candidates are the catalogue rows `run.shortlist` decides with check's own policy path; only a
row decided `allow` (not warn) can be suggested, and only through a representative repo that
the catalogue itself places back in that row (same line, same size, same licence), so the
repo's id cannot lead to other terms (Qwen2.5-3B is not Qwen2.5-7B). Lines the publisher
relicensed are not suggested: their older revisions carry other terms.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..frozen import replaced
from ..policy.decision import Alternative

if TYPE_CHECKING:
    from ..config import Config
    from ..facts.families import Catalogue
    from ..facts.model import ModelFacts
    from ..facts.registry import Registry
    from ..policy.decision import CheckResult
    from .shortlist import Group

LIMIT = 3
# "Similar size": within this factor of the denied model's parameter count, either way.
SIZE_FACTOR = 4.0
_PIPELINE_MODALITY = {
    "text-generation": "text",
    "text2text-generation": "text",
    "image-text-to-text": "vision-language",
    "visual-question-answering": "vision-language",
    "text-to-image": "image",
    "text-to-video": "video",
    "automatic-speech-recognition": "audio",
    "text-to-speech": "audio",
    "text-to-audio": "audio",
    "feature-extraction": "embedding",
    "sentence-similarity": "embedding",
}
_NAME_PARAMS = re.compile(r"(?<![a-z0-9.])(\d+(?:\.\d+)?)([mbt])(?![a-z0-9])", re.IGNORECASE)
_UNIT = {"m": 10**6, "b": 10**9, "t": 10**12}


@dataclass(frozen=True)
class Target:
    """What a denied model is, as far as alternatives go."""

    modality: str
    params: int | None
    line: str | None = None  # its catalogue line, and the size there
    size: str | None = None


@dataclass(frozen=True)
class Candidate:
    alternative: Alternative
    family: str
    modality: str
    released: str


def target_of(model: str, facts: ModelFacts | None, catalogue: Catalogue) -> Target | None:
    """The model's modality and size: from its catalogue line when it has one, else from its
    pipeline tag and name. None when the modality cannot be told."""
    for m in catalogue.match(model):
        line = m.line
        exc = line.exception_for(m.size) if m.size else None
        modality = exc.modality if exc else line.modality
        size = next((s for s in line.sizes if m.size and s.name.lower() == m.size.lower()), None)
        params = size.params if size else _params_in(model)
        return Target(modality, params, line.key, m.size)
    pipeline = facts.pipeline_tag if facts is not None else None
    by_pipeline = _PIPELINE_MODALITY.get(pipeline or "")
    if by_pipeline is None:
        return None
    return Target(by_pipeline, _params_in(model))


def _params_in(model: str) -> int | None:
    hits = _NAME_PARAMS.findall(model.rsplit("/", 1)[-1])
    if len(hits) != 1:
        return None
    value, unit = hits[0]
    return round(float(value) * _UNIT[unit.lower()])


def candidates_of(groups: Sequence[Group], catalogue: Catalogue) -> tuple[Candidate, ...]:
    """One candidate per size of each allowed group that a representative repo of the group
    stands for, when the catalogue places that repo back in the group with its licence."""
    out = []
    for g in groups:
        if g.license is None or g.line.later:
            continue
        for size in g.group.sizes:
            repo = _repo_for(g, size.name, catalogue)
            if repo is None:
                continue
            out.append(
                Candidate(
                    Alternative(
                        model=repo,
                        line=g.line.key,
                        line_name=g.line.name,
                        size=size.name,
                        params=size.params,
                        license=g.license,
                    ),
                    g.line.family,
                    g.group.modality,
                    g.line.released or "",
                )
            )
    return tuple(out)


def _repo_for(g: Group, size: str, catalogue: Catalogue) -> str | None:
    for repo in g.group.repos:
        matches = catalogue.match(repo)
        if len(matches) != 1:
            continue
        m = matches[0]
        if m.line.key == g.line.key and m.size == size and m.license == g.license:
            return repo
    return None


def suggest(
    model: str, target: Target, candidates: Sequence[Candidate], limit: int = LIMIT
) -> tuple[Alternative, ...]:
    """The closest in size first (newest line on a tie), one per family, never the model."""
    pool = [
        c
        for c in candidates
        if c.modality == target.modality
        and c.alternative.model.lower() != model.lower()
        # the same line and size as the denied model carries its terms: no alternative
        and not (target.line == c.alternative.line and target.size == c.alternative.size)
    ]
    if target.params is not None:
        pool = [
            c
            for c in pool
            if c.alternative.params is not None
            and 1 / SIZE_FACTOR <= c.alternative.params / target.params <= SIZE_FACTOR
        ]

    def distance(c: Candidate) -> float:
        if target.params is None or c.alternative.params is None:
            return 0.0
        return abs(math.log(c.alternative.params / target.params))

    ranked = sorted(pool, key=lambda c: (distance(c), _negated(c.released), c.alternative.model))
    out: list[Alternative] = []
    families: set[str] = set()
    for c in ranked:
        if c.family in families:
            continue
        families.add(c.family)
        out.append(c.alternative)
        if len(out) == limit:
            break
    return tuple(out)


def _negated(date: str) -> tuple[int, ...]:
    """Sort key putting later dates first."""
    return tuple(-int(x) for x in re.findall(r"\d+", date)) or (0,)


def allowed_candidates(config: Config, registry: Registry) -> tuple[Candidate, ...]:
    """Every catalogue candidate the configuration's policy allows (exceptions left out)."""
    from .shortlist import decide_groups, groups_of

    catalogue = registry.families
    if catalogue is None:
        return ()
    decided = decide_groups(groups_of(catalogue), registry, config)
    allowed = [g for g, _, d in decided if d.decision == "allow"]
    spdx = {g.license: (facts.license.spdx) for g, facts, d in decided if d.decision == "allow"}
    return tuple(
        replace(c, alternative=replace(c.alternative, spdx=spdx.get(c.alternative.license)))
        for c in candidates_of(allowed, catalogue)
    )


def with_alternatives(result: CheckResult, config: Config) -> CheckResult:
    """The result with alternatives on each denied decision (the decisions are unchanged)."""
    return Alternatives(config).apply(result)


class Alternatives:
    """Adds alternatives to results decided under one configuration; the catalogue's allowed
    candidates are found once and each distinct answer ranked once, however many results
    (chunks of a large inventory) it is applied to."""

    def __init__(self, config: Config):
        self.config = config
        self._ready = False
        self._catalogue: Catalogue | None = None
        self._candidates: tuple[Candidate, ...] = ()
        self._names: set[str] = set()
        # suggest() depends on the model only through its target and whether it is itself a
        # candidate: many denied models share one answer, so a large inventory ranks each once.
        self._memo: dict[tuple[Target, str], tuple[Alternative, ...]] = {}

    def _prepare(self) -> Catalogue | None:
        if not self._ready:
            from ..facts.registry import load_registry

            registry = load_registry()
            self._catalogue = registry.families
            if self._catalogue is not None:
                self._candidates = tuple(allowed_candidates(self.config, registry))
                self._names = {c.alternative.model.lower() for c in self._candidates}
            self._ready = True
        return self._catalogue

    def apply(self, result: CheckResult) -> CheckResult:
        if not any(d.decision == "deny" and not d.source_error for d in result.decisions):
            return result
        catalogue = self._prepare()
        if catalogue is None:
            return result
        decisions = []
        for d in result.decisions:
            if d.decision == "deny" and not d.source_error:
                target = target_of(d.model, d.facts, catalogue)
                if target is not None:
                    low = d.model.lower()
                    key = (target, low if low in self._names else "")
                    if key not in self._memo:
                        self._memo[key] = suggest(d.model, target, self._candidates)
                    d = replaced(d, alternatives=self._memo[key])
            decisions.append(d)
        return replace(result, decisions=tuple(decisions))
