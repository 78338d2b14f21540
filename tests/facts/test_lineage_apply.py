"""apply_lineage as a pure function: ModelFacts built by hand, a dict-backed `load`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from compliance.errors import GatedRepo, RepoNotFound
from compliance.facts.lineage import apply_lineage, combine_terms, merge_conflict
from compliance.facts.model import (
    BaseModelRef,
    Evidence,
    Finding,
    LicenseInfo,
    LineageNode,
    ModelFacts,
    Publisher,
    Terms,
    TerritoryRestriction,
)
from compliance.modelid import ModelId

EU_MM = TerritoryRestriction("EU", "multimodal", "policy")


def facts(
    model: str,
    key: str = "unknown",
    cls: str = "unknown",
    *,
    bases: tuple[tuple[str, str | None], ...] = (),
    evidence_line: int | None = 3,
    **kw,
) -> ModelFacts:
    ev = (Evidence("license.declared", "README.md", evidence_line, f"license: {key}"),)
    return ModelFacts(
        model=model,
        revision=None,
        source="mirror",
        license=LicenseInfo(declared=key, key=key, license_class=cls),
        base_models=tuple(BaseModelRef(m, r) for m, r in bases),
        evidence=ev if evidence_line else (),
        **kw,
    )


LLAMA = facts(
    "meta-llama/Llama-3.1-8B",
    "llama-3.1",
    "restricted",
    commercial_use="conditional",
    mau_cap=700_000_000,
    attribution=("Built with Llama",),
    acceptable_use_policy="https://llama.meta.com/llama3_1/use-policy",
    output_training="restricted",
    eu_restricted=False,
    non_commercial=False,
    research_only=False,
    publisher=Publisher(org="meta-llama", country="US"),
)
QWEN = facts(
    "Qwen/Qwen2.5-7B",
    "qwen",
    "restricted",
    commercial_use="conditional",
    mau_cap=100_000_000,
    attribution=("Built with Qwen",),
    output_training="allowed",
    eu_restricted=False,
    non_commercial=False,
    research_only=False,
    publisher=Publisher(org="Qwen", country="CN"),
)
APACHE_CHILD = dict(
    commercial_use="yes",
    output_training="allowed",
    eu_restricted=False,
    non_commercial=False,
    research_only=False,
)


class Loader:
    """A dict-backed `load` that records its calls; ids not in the dict are missing."""

    def __init__(self, *models: ModelFacts, gated: tuple[str, ...] = ()):
        self.db = {m.model.lower(): m for m in models}
        self.gated = {g.lower() for g in gated}
        self.calls: list[str] = []

    def __call__(self, mid: ModelId) -> ModelFacts:
        self.calls.append(mid.repo_id)
        key = mid.repo_id.lower()
        if key in self.gated:
            raise GatedRepo(mid.repo_id, "gated repository: access not granted")
        if key not in self.db:
            raise RepoNotFound(mid.repo_id, "not in the mirror")
        return self.db[key]


def codes(f: ModelFacts) -> list[tuple[str, str]]:
    return [(x.code, x.severity) for x in f.findings]


def test_apache_finetune_of_llama_inherits_llama_terms_and_is_flagged():
    child = facts(
        "acme/llama-ft",
        "apache-2.0",
        "permissive",
        bases=(("meta-llama/Llama-3.1-8B", "finetune"),),
        publisher=Publisher(org="acme", country="FR"),
        **APACHE_CHILD,
    )
    out = apply_lineage(child, Loader(LLAMA))
    eff = out.effective
    assert eff == Terms(
        license_key="llama-3.1",
        license_class="restricted",
        spdx=None,
        commercial_use="conditional",
        mau_cap=700_000_000,
        revenue_cap=None,
        territory_restrictions=(),
        eu_restricted=False,
        output_training="restricted",
        attribution=("Built with Llama",),
        acceptable_use_policy="https://llama.meta.com/llama3_1/use-policy",
        non_commercial=False,
        research_only=False,
        origin_country="FR",  # a fine-tuner is not a re-uploader: its own country stays
    )
    assert codes(out) == [("license-mismatch-with-base", "warn")]
    assert "apache-2.0 [permissive]" in out.findings[0].message
    assert "llama-3.1 [restricted]" in out.findings[0].message
    assert out.lineage[0].model == "meta-llama/Llama-3.1-8B"
    assert out.lineage[0].relation == "finetune"
    assert out.lineage[0].license_key == "llama-3.1"
    assert out.lineage[0].license_class == "restricted"
    assert out.lineage[0].error is None
    # the child's own facts are untouched; only effective changed
    assert out.license == child.license and out.commercial_use == "yes"


def test_inherited_facts_point_at_the_ancestors_file_and_line():
    child = facts(
        "acme/llama-ft",
        "apache-2.0",
        "permissive",
        bases=(("meta-llama/Llama-3.1-8B", "adapter"),),
        **APACHE_CHILD,
    )
    out = apply_lineage(child, Loader(LLAMA))
    inherited = {e.fact: e for e in out.evidence if e.model is not None}
    assert set(inherited) == {
        "effective.class",
        "effective.commercial_use",
        "effective.mau_cap",
        "effective.output_training",
        "effective.attribution",
        "effective.acceptable_use_policy",
    }
    for ev in inherited.values():
        assert (ev.model, ev.file, ev.line, ev.quote) == (
            "meta-llama/Llama-3.1-8B",
            "README.md",
            3,
            "license: llama-3.1",
        )
    # the child's own evidence comes first and is kept
    assert out.evidence[0] == child.evidence[0]


def test_field_specific_ancestor_evidence_is_preferred():
    llama = replace(
        LLAMA,
        evidence=(*LLAMA.evidence, Evidence("mau_cap", "LICENSE", 41, "700 million monthly")),
    )
    child = facts("acme/ft", "mit", "permissive", bases=(("meta-llama/Llama-3.1-8B", None),))
    out = apply_lineage(child, Loader(llama))
    cap = [e for e in out.evidence if e.fact == "effective.mau_cap"]
    assert cap == [
        Evidence(
            "effective.mau_cap",
            "LICENSE",
            41,
            "700 million monthly",
            model="meta-llama/Llama-3.1-8B",
        )
    ]


def test_three_level_chain_takes_the_strictest_of_all_and_keeps_each_relation():
    grand = facts(
        "org/grand",
        "cc-by-nc-4.0",
        "non-commercial",
        commercial_use="no",
        non_commercial=True,
        revenue_cap=None,
        territory_restrictions=(EU_MM,),
        eu_restricted=True,
    )
    parent = facts(
        "org/parent",
        "llama-3.1",
        "restricted",
        bases=(("org/grand", "finetune"),),
        commercial_use="conditional",
        mau_cap=700_000_000,
        revenue_cap=10_000_000,
        attribution=("Built with Llama",),
    )
    child = facts(
        "org/child",
        "mit",
        "permissive",
        bases=(("org/parent", "quantized"),),
        mau_cap=900_000_000,
        attribution=("Say thanks",),
        **APACHE_CHILD,
    )
    out = apply_lineage(child, Loader(parent, grand))
    eff = out.effective
    assert eff is not None
    assert (eff.license_key, eff.license_class) == ("cc-by-nc-4.0", "non-commercial")
    assert eff.commercial_use == "no"
    assert eff.mau_cap == 700_000_000 and eff.revenue_cap == 10_000_000
    assert eff.territory_restrictions == (EU_MM,)
    assert eff.eu_restricted is True and eff.non_commercial is True
    assert eff.attribution == ("Say thanks", "Built with Llama")
    node = out.lineage[0]
    assert (node.model, node.relation) == ("org/parent", "quantized")
    assert [(p.model, p.relation, p.license_key) for p in node.parents] == [
        ("org/grand", "finetune", "cc-by-nc-4.0")
    ]
    ev = {e.fact: e.model for e in out.evidence if e.model}
    assert ev["effective.class"] == "org/grand"
    assert ev["effective.mau_cap"] == "org/parent"
    assert ev["effective.territory_restrictions"] == "org/grand"
    # only the direct base is compared for the mismatch finding; it carries its own ancestors
    assert codes(out) == [("license-mismatch-with-base", "warn")]
    assert "cc-by-nc-4.0 [non-commercial]" in out.findings[0].message


def test_missing_base_makes_effective_unknown_and_denies():
    child = facts(
        "acme/ft", "apache-2.0", "permissive", bases=(("ghost/model", "finetune"),), **APACHE_CHILD
    )
    out = apply_lineage(child, Loader())
    assert out.effective is not None
    assert out.effective.license_class == "unknown"
    assert out.effective.license_key == "unknown"
    assert out.effective.commercial_use == "unknown"
    assert out.effective.output_training == "unknown"
    assert out.effective.eu_restricted is None
    assert codes(out) == [("base-unavailable", "deny")]
    assert "ghost/model" in out.findings[0].message and "not-found" in out.findings[0].message
    assert out.lineage[0].error == "not-found: not in the mirror"


def test_gated_base_is_unavailable_not_permissive():
    child = facts(
        "acme/ft", "mit", "permissive", bases=(("meta-llama/Llama-3.1-8B", None),), **APACHE_CHILD
    )
    out = apply_lineage(child, Loader(LLAMA, gated=("meta-llama/Llama-3.1-8B",)))
    assert codes(out) == [("base-unavailable", "deny")]
    assert out.lineage[0].error is not None and out.lineage[0].error.startswith("gated:")
    assert out.effective is not None and out.effective.license_class == "unknown"
    assert out.effective.commercial_use == "unknown"


def test_known_no_beats_unknown_commercial_use():
    child = facts(
        "acme/ft",
        "cc-by-nc-4.0",
        "non-commercial",
        commercial_use="no",
        bases=(("ghost/model", None),),
    )
    out = apply_lineage(child, Loader())
    assert out.effective is not None and out.effective.commercial_use == "no"
    assert out.effective.license_class == "unknown"


def test_invalid_base_id_is_reported_not_dropped():
    child = facts("acme/ft", "mit", "permissive", bases=(("/home/me/models/llama", "merge"),))
    loader = Loader()
    out = apply_lineage(child, loader)
    assert loader.calls == []  # never sent to the source
    assert codes(out) == [("base-unavailable", "deny")]
    assert out.lineage[0].model == "/home/me/models/llama"
    assert out.lineage[0].error == "invalid-id: not a valid Hub model id (org/name)"
    assert any("/home/me/models/llama" in n for n in out.notes)
    assert out.effective is not None and out.effective.license_class == "unknown"


def test_legacy_id_is_read_under_its_org():
    distil = facts("distilbert/distilbert-base-uncased", "apache-2.0", "permissive", **APACHE_CHILD)
    child = facts(
        "acme/swag",
        "apache-2.0",
        "permissive",
        bases=(("distilbert-base-uncased", "finetune"),),
        **APACHE_CHILD,
    )
    loader = Loader(distil)
    out = apply_lineage(child, loader)
    assert loader.calls == ["distilbert/distilbert-base-uncased"]
    assert out.findings == ()
    assert out.lineage[0].model == "distilbert/distilbert-base-uncased"
    assert out.effective is not None and out.effective.license_class == "permissive"
    assert any("legacy id" in n for n in out.notes)


def test_cycle_is_safe_and_noted():
    a = facts("org/a", "mit", "permissive", bases=(("org/b", "finetune"),), **APACHE_CHILD)
    b = facts(
        "org/b",
        "llama-3.1",
        "restricted",
        bases=(("org/a", "finetune"),),
        commercial_use="conditional",
    )
    loader = Loader(a, b)
    out = apply_lineage(a, loader)
    assert loader.calls == ["org/b"]
    node = out.lineage[0]
    assert node.model == "org/b" and node.error is None
    assert [(p.model, p.error) for p in node.parents] == [
        ("org/a", "cycle: org/a is its own ancestor")
    ]
    assert out.effective is not None and out.effective.license_class == "restricted"
    assert any("cycle" in n for n in out.notes)
    assert codes(out) == [("license-mismatch-with-base", "warn")]


def test_depth_limit_is_unknown_not_permissive():
    chain = [
        facts(
            f"org/m{i}", "mit", "permissive", bases=((f"org/m{i + 1}", "finetune"),), **APACHE_CHILD
        )
        for i in range(12)
    ]
    loader = Loader(*chain[1:])
    out = apply_lineage(chain[0], loader, max_depth=3)
    assert loader.calls == ["org/m1", "org/m2", "org/m3"]
    assert codes(out) == [("base-unavailable", "deny")]
    assert "deeper than 3 levels" in out.findings[0].message
    assert out.effective is not None and out.effective.license_class == "unknown"


def test_diamond_reads_each_ancestor_once():
    root = facts("org/root", "llama-3.1", "restricted", commercial_use="conditional")
    left = facts("org/left", "llama-3.1", "restricted", bases=(("org/root", "finetune"),))
    right = facts("org/right", "llama-3.1", "restricted", bases=(("org/root", "finetune"),))
    child = facts(
        "org/child",
        "llama-3.1",
        "restricted",
        bases=(("org/left", "merge"), ("org/right", "merge")),
    )
    loader = Loader(root, left, right)
    out = apply_lineage(child, loader)
    assert sorted(loader.calls) == ["org/left", "org/right", "org/root"]
    assert out.findings == ()
    assert [p.model for n in out.lineage for p in n.parents] == ["org/root", "org/root"]


def test_merge_of_llama_and_qwen_is_strictest_and_warns():
    child = facts(
        "acme/llama-qwen-merge",
        "apache-2.0",
        "permissive",
        bases=(("meta-llama/Llama-3.1-8B", "merge"), ("Qwen/Qwen2.5-7B", "merge")),
        **APACHE_CHILD,
    )
    out = apply_lineage(child, Loader(LLAMA, QWEN))
    eff = out.effective
    assert eff is not None
    assert eff.license_class == "restricted"
    assert eff.license_key == "llama-3.1"  # first declared parent on a tie
    assert eff.mau_cap == 100_000_000
    assert eff.attribution == ("Built with Llama", "Built with Qwen")
    assert eff.output_training == "restricted"
    assert eff.commercial_use == "conditional"
    got = codes(out)
    assert got.count(("license-mismatch-with-base", "warn")) == 2
    assert ("license-incompatible-merge", "warn") in got
    assert len(got) == 3
    merge = next(f for f in out.findings if f.code == "license-incompatible-merge")
    assert "meta-llama/Llama-3.1-8B (llama-3.1 [restricted])" in merge.message
    assert "Qwen/Qwen2.5-7B (qwen [restricted])" in merge.message


def test_merge_with_share_alike_parent_denies():
    sa = facts("org/sa", "cc-by-nc-sa-4.0", "non-commercial", commercial_use="no")
    child = facts(
        "org/merge",
        "cc-by-nc-sa-4.0",
        "non-commercial",
        commercial_use="no",
        bases=(("org/sa", "merge"), ("meta-llama/Llama-3.1-8B", "merge")),
    )
    out = apply_lineage(child, Loader(sa, LLAMA))
    assert codes(out) == [("license-incompatible-merge", "deny")]
    assert "share-alike" in out.findings[0].message


def test_non_commercial_with_commercial_parent_is_just_the_strictest():
    nc = facts("org/nc", "cc-by-nc-4.0", "non-commercial", commercial_use="no", non_commercial=True)
    child = facts(
        "org/merge",
        "cc-by-nc-4.0",
        "non-commercial",
        commercial_use="no",
        bases=(("org/nc", "merge"), ("meta-llama/Llama-3.1-8B", "merge")),
    )
    out = apply_lineage(child, Loader(nc, LLAMA))
    assert out.findings == ()
    assert out.effective is not None
    assert out.effective.license_class == "non-commercial"
    assert out.effective.commercial_use == "no"
    assert out.effective.mau_cap == 700_000_000


def test_same_licence_merge_and_permissive_parents_do_not_conflict():
    assert merge_conflict([("a/x", LLAMA.own_terms()), ("b/y", LLAMA.own_terms())]) is None
    apache = Terms(license_key="apache-2.0", license_class="permissive")
    assert merge_conflict([("a/x", apache), ("b/y", LLAMA.own_terms())]) is None
    mit_sa = Terms(license_key="cc-by-sa-4.0", license_class="copyleft")
    assert merge_conflict([("a/x", apache), ("b/y", mit_sa)]) is None
    unknown = Terms()
    assert merge_conflict([("a/x", unknown), ("b/y", LLAMA.own_terms())]) is None


def test_reuploader_origin_is_the_base_publishers():
    requant = facts(
        "TheBloke/Qwen-GGUF",
        "qwen",
        "restricted",
        bases=(("Qwen/Qwen2.5-7B", None),),
        publisher=Publisher(org="TheBloke", country="GB", reuploader=True),
    )
    out = apply_lineage(requant, Loader(QWEN))
    assert out.effective is not None and out.effective.origin_country == "CN"
    assert [e.model for e in out.evidence if e.fact == "effective.origin_country"] == [
        "Qwen/Qwen2.5-7B"
    ]
    tuner = replace(requant, publisher=Publisher(org="acme", country="GB"))
    assert apply_lineage(tuner, Loader(QWEN)).effective.origin_country == "GB"  # type: ignore[union-attr]


def test_child_stricter_than_base_is_not_a_mismatch():
    child = facts(
        "acme/nc",
        "cc-by-nc-4.0",
        "non-commercial",
        commercial_use="no",
        bases=(("meta-llama/Llama-3.1-8B", None),),
    )
    out = apply_lineage(child, Loader(LLAMA))
    assert out.findings == ()
    assert out.effective is not None and out.effective.license_class == "non-commercial"
    assert out.effective.mau_cap == 700_000_000


def test_unknown_child_licence_is_not_a_mismatch_and_stays_unknown():
    child = facts("acme/nolicence", bases=(("meta-llama/Llama-3.1-8B", "adapter"),))
    out = apply_lineage(child, Loader(LLAMA))
    assert out.findings == ()
    assert out.effective is not None
    assert out.effective.license_class == "unknown"  # no licence of its own: all rights reserved
    assert out.effective.mau_cap == 700_000_000


def test_commercial_use_looser_alone_is_a_mismatch():
    child = facts(
        "acme/ft",
        "llama-3.1",
        "restricted",
        commercial_use="yes",
        bases=(("meta-llama/Llama-3.1-8B", None),),
    )
    out = apply_lineage(child, Loader(LLAMA))
    assert codes(out) == [("license-mismatch-with-base", "warn")]
    assert "commercial use yes vs conditional" in out.findings[0].message


def test_no_bases_sets_effective_to_own_terms():
    out = apply_lineage(LLAMA, Loader())
    assert out.effective == LLAMA.own_terms()
    assert out.lineage == () and out.findings == ()


def test_pure_inputs_unchanged_and_repeatable():
    child = facts(
        "acme/ft", "mit", "permissive", bases=(("meta-llama/Llama-3.1-8B", None), ("ghost/x", None))
    )
    before = child.to_json()
    first = apply_lineage(child, Loader(LLAMA))
    second = apply_lineage(child, Loader(LLAMA))
    assert child.to_json() == before
    assert first == second


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ((True, False), True),
        ((False, None), None),
        ((False, False), False),
        ((None, True), True),
    ],
)
def test_eu_restricted_tristate(values, expected):
    own, parent = (Terms(eu_restricted=v) for v in values)
    assert combine_terms(own, [parent]).eu_restricted is expected


def _undeclared(model: str, bases: tuple[tuple[str, str | None], ...]) -> ModelFacts:
    """A derivative whose card declares no licence (no id, name, link, file)."""
    return ModelFacts(
        model=model,
        revision=None,
        source="mirror",
        license=LicenseInfo(),
        base_models=tuple(BaseModelRef(m, r) for m, r in bases),
        publisher=Publisher(org=model.split("/")[0]),
    )


def test_undeclared_derivative_takes_its_bases_terms_and_a_finding() -> None:
    child = _undeclared("someone/llama-ft", (("meta-llama/Llama-3.1-8B", "finetune"),))
    out = apply_lineage(child, Loader(LLAMA))
    eff = out.effective
    assert eff is not None
    assert (eff.license_key, eff.license_class) == ("llama-3.1", "restricted")
    assert eff.commercial_use == "conditional" and eff.mau_cap == 700_000_000
    assert eff.output_training == "restricted" and eff.eu_restricted is False
    undeclared = [f for f in out.findings if f.code == "license-undeclared"]
    assert len(undeclared) == 1 and undeclared[0].severity == "unknown"
    assert "meta-llama/Llama-3.1-8B" in undeclared[0].message
    # the bases' evidence is shown for the inherited licence
    assert any(
        e.fact == "effective.class" and e.model == "meta-llama/Llama-3.1-8B" for e in out.evidence
    )


def test_undeclared_derivative_of_an_unknown_base_stays_unknown() -> None:
    base = facts("x/base")  # unknown licence
    child = _undeclared("someone/ft", (("x/base", "finetune"),))
    out = apply_lineage(child, Loader(base))
    assert out.effective is not None and out.effective.license_key == "unknown"
    assert out.effective.commercial_use == "unknown"
    assert not any(f.code == "license-undeclared" for f in out.findings)


def test_undeclared_derivative_with_an_unreadable_base_stays_unknown() -> None:
    child = _undeclared("someone/ft2", (("meta-llama/Llama-3.1-8B", "finetune"), ("gone/x", None)))
    out = apply_lineage(child, Loader(LLAMA))
    assert out.effective is not None and out.effective.license_class == "unknown"
    assert not any(f.code == "license-undeclared" for f in out.findings)


def test_a_declared_unknown_licence_is_not_undeclared() -> None:
    child = replace(
        _undeclared("someone/ft3", (("meta-llama/Llama-3.1-8B", "finetune"),)),
        license=LicenseInfo(declared="other"),
    )
    out = apply_lineage(child, Loader(LLAMA))
    assert out.effective is not None and out.effective.license_class == "unknown"
    assert not any(f.code == "license-undeclared" for f in out.findings)


ALONE_CASES = [
    Terms(),
    LLAMA.own_terms(),
    QWEN.own_terms(),
    Terms(
        license_key="x",
        license_class="permissive",
        attribution=("a", "b", "a"),
        territory_restrictions=(EU_MM, EU_MM, TerritoryRestriction("CN", "all", "license")),
        acceptable_use_policy="",
        eu_restricted=True,
        non_commercial=None,
        research_only=False,
        origin_country="FR",
    ),
    Terms(eu_restricted=0, non_commercial=1, attribution=["a"]),  # type: ignore[arg-type]
]


@pytest.mark.parametrize("own", ALONE_CASES)
@pytest.mark.parametrize("reuploader", [False, True])
def test_terms_without_parents_take_the_shortcut_to_the_same_terms(own, reuploader):
    """combine_terms(own, []) skips the general combination; it must give what it gives."""
    from compliance.facts.lineage import _combined

    got = combine_terms(own, [], reuploader=reuploader)
    assert got == _combined(own, [], reuploader=reuploader)
    assert got.attribution == tuple(dict.fromkeys(own.attribution))
    assert type(got.attribution) is tuple and got.eu_restricted in (True, False, None)
    assert [type(getattr(got, f)) for f in vars(got)] == [
        type(getattr(_combined(own, [], reuploader=False), f)) for f in vars(got)
    ]


def test_model_without_bases_is_not_walked_and_keeps_all_else():
    own = replace(
        LLAMA,
        multimodal=True,
        findings=(Finding("x", "warn", "y"),),
        notes=("n",),
        lineage=(LineageNode("stale", None),),
    )
    loader = Loader(QWEN)
    out = apply_lineage(own, loader)
    assert loader.calls == []
    assert out == replace(own, lineage=(), effective=own.own_terms())
    assert type(out) is ModelFacts and out is not own


def test_a_bases_parts_are_reused_only_for_that_very_object(monkeypatch):
    """Derivatives of one base (one facts object) share its own terms and reached evidence;
    an equal-id stand-in is never taken for it, and the table stays bounded."""
    from compliance.facts import lineage

    monkeypatch.setattr(lineage, "_BASE_PARTS", {})
    monkeypatch.setattr(lineage, "_BASE_PARTS_MAX", 2)
    child = facts("acme/ft", "mit", "permissive", bases=(("meta-llama/Llama-3.1-8B", None),))
    first = apply_lineage(child, Loader(LLAMA))
    again = apply_lineage(child, Loader(LLAMA))
    assert again == first and again is not first
    assert [e for e in first.evidence if e.model] == [e for e in again.evidence if e.model]
    other = replace(LLAMA, mau_cap=1, license=replace(LLAMA.license, key="llama-x"))
    changed = apply_lineage(child, Loader(other))
    assert changed.effective is not None and changed.effective.mau_cap == 1
    assert changed.effective.license_key == "llama-x"
    for i in range(5):
        apply_lineage(child, Loader(replace(LLAMA, mau_cap=i)))
        assert len(lineage._BASE_PARTS) <= 2
    assert all(entry[0] is not None for entry in lineage._BASE_PARTS.values())
