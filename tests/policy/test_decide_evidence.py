"""Which evidence a finding shows: `effective.<fact>` (inherited) first, else the model's own,
for the finding's facts and their sub-facts only."""

from __future__ import annotations

import pytest

from compliance.facts.model import Evidence, ModelFacts
from compliance.policy import decide
from compliance.policy import findings as F

CODES_WITH_FACTS = sorted(code for code, info in F.CODES.items() if info.facts)


def _reference(code: str, facts: ModelFacts) -> tuple[Evidence, ...]:
    """The definition, written plainly (no memo)."""
    wanted = F.code_info(code).facts

    def about(name: str) -> bool:
        return name in wanted or any(name.startswith(w + ".") for w in wanted)

    inherited = [
        e for e in facts.evidence if e.fact.startswith("effective.") and about(e.fact[10:])
    ]
    own = [e for e in facts.evidence if about(e.fact)]
    names = {e.fact[10:] for e in inherited}
    return decide.unique_evidence(inherited + [e for e in own if e.fact not in names])


def _facts() -> ModelFacts:
    names = set()
    for code in CODES_WITH_FACTS:
        for w in F.code_info(code).facts:
            names |= {w, f"{w}.sub", f"{w}x", f"effective.{w}", f"effective.{w}.sub", w[:-1]}
    names |= {"effective", "effective.", "license", "licensed", ""}
    evidence = tuple(
        Evidence(name, "README.md", i, f"quote {i % 7}", model="a/b" if i % 3 else None)
        for i, name in enumerate(sorted(names))
    )
    return ModelFacts("acme/m", None, "mirror", evidence=evidence)


@pytest.mark.parametrize("code", [*CODES_WITH_FACTS, "no-such-code"])
def test_evidence_for_each_code_is_the_definitions(code: str) -> None:
    facts = _facts()
    assert decide._evidence_for(code, facts) == _reference(code, facts)
    assert decide._evidence_for(code, facts) == _reference(code, facts)  # memoised the same


def test_the_relevance_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decide, "_RELEVANCE", {})
    monkeypatch.setattr(decide, "_RELEVANCE_MAX", 5)
    code = CODES_WITH_FACTS[0]
    for i in range(20):  # models whose evidence names facts no other model names
        evidence = tuple(Evidence(f"x{i}.{j}", "README.md", j, "q") for j in range(3))
        facts = ModelFacts(f"acme/m{i}", None, "mirror", evidence=evidence)
        assert decide._evidence_for(code, facts) == _reference(code, facts)
        # a full table starts again at the next finding: at most one model's facts over
        assert all(len(t) <= 5 + 3 for t in decide._RELEVANCE.values())
