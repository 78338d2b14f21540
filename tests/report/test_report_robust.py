"""Issue 16, item 6: one model's data never takes down a report; relative licence links are
resolved against the model's repository."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from test_report_helpers import GENERATED_AT, LOOKUP, sample

from compliance.facts.model import LicenseInfo
from compliance.report import AUDIT_FORMATS, render_audit
from compliance.report.audit import build_audit


def _audit_with(facts_change):
    result, facts = sample()
    ds = "deepseek-ai/DeepSeek-R1-Distill-Llama-8B"
    facts[ds] = facts_change(facts[ds])
    decisions = tuple(
        replace(d, facts=facts[d.model]) if d.model == ds else d for d in result.decisions
    )
    return build_audit(
        replace(result, decisions=decisions),
        facts,
        generated_at=GENERATED_AT,
        tool_version="0.0.0-test",
        exit_code=1,
        config="compliance.yaml",
        lookup=LOOKUP,
    )


def _other_licence(f):
    lic = LicenseInfo(
        declared="other",
        declared_name="deepseek",
        declared_link="LICENSE",  # relative, as on the official DeepSeek card
        key="deepseek",
        license_class="restricted",
        source="card",
    )
    return replace(f, license=lic)


@pytest.mark.parametrize("fmt", AUDIT_FORMATS)
def test_a_relative_licence_link_does_not_break_any_format(fmt: str) -> None:
    out = render_audit(_audit_with(_other_licence), fmt)
    assert "meta-llama/Llama-3.2-11B-Vision-Instruct" in out  # the other models are all there
    assert "google/gemma" in out


def test_spdx_cross_reference_is_the_resolved_hub_url() -> None:
    from compliance.facts.normalize import resolve_license_link

    url = resolve_license_link("LICENSE", "deepseek-ai/DeepSeek-R1", "c" * 40)
    assert url == f"https://huggingface.co/deepseek-ai/DeepSeek-R1/blob/{'c' * 40}/LICENSE"
    assert resolve_license_link("./LICENSE.md", "a/b", None) == (
        "https://huggingface.co/a/b/blob/main/LICENSE.md"
    )
    assert resolve_license_link("https://x.org/l", "a/b", None) == "https://x.org/l"


def _explode(f):
    class Bad(str):
        def __str__(self):  # any renderer touching it fails
            raise RuntimeError("boom")

        def replace(self, *a, **k):
            raise RuntimeError("boom")

        def __iter__(self):
            raise RuntimeError("boom")

    return replace(f, license=replace(f.license, declared_link=Bad("x"), key=Bad("mit")))


@pytest.mark.parametrize("fmt", AUDIT_FORMATS)
def test_one_models_bad_data_gives_an_error_row_not_a_failed_run(fmt: str) -> None:
    out = render_audit(_audit_with(_explode), fmt)
    assert "meta-llama/Llama-3.2-11B-Vision-Instruct" in out
    assert "deepseek-ai/DeepSeek-R1-Distill-Llama-8B" in out
    assert "could not be rendered" in out
    if fmt in ("json", "spdx"):
        json.loads(out)


# -- item 8: each effective fact cites the ancestor that supplies it --------------------------


def test_inherited_values_cite_the_ancestor_not_the_models_own_line() -> None:
    from test_report_helpers import deepseek_distill

    from compliance.facts.model import Evidence
    from compliance.report.audit import fact_rows

    base = "meta-llama/Llama-3.1-8B"
    ds = deepseek_distill()
    own = (
        Evidence("license.declared", "README.md", 2, "license: mit"),
        Evidence("mau_cap", "README.md", 2, "license: mit"),
        Evidence("commercial_use", "README.md", 2, "license: mit"),
    )
    inherited = (
        Evidence(
            "effective.mau_cap", "LICENSE", 31, "700 million monthly active users", model=base
        ),
        Evidence("effective.class", "LICENSE", 1, "LLAMA 3.1 COMMUNITY LICENSE", model=base),
        Evidence("effective.territory_restrictions", "USE_POLICY.md", 9, "x", model=base),
        Evidence("effective.origin_country", "README.md", 3, "meta", model=base),
    )
    rows = {r.fact: r for r in fact_rows(replace(ds, evidence=own + inherited))}
    assert [(e.model, e.file, e.line) for e in rows["mau_cap"].evidence] == [(base, "LICENSE", 31)]
    assert (base, "LICENSE", 1) in [(e.model, e.file, e.line) for e in rows["license.key"].evidence]
    assert rows["territory_restrictions"].evidence[0].file == "USE_POLICY.md"
    assert rows["publisher"].evidence[0].model == base
    assert "other" not in rows  # nothing left in an unlabelled row


def test_evidence_no_row_claims_is_labelled_by_its_fact() -> None:
    from test_report_helpers import deepseek_distill

    from compliance.facts.model import Evidence
    from compliance.report.audit import fact_rows

    ds = replace(deepseek_distill(), evidence=(Evidence("hosting", "LICENSE", 7, "host"),))
    other = next(r for r in fact_rows(ds) if r.fact == "other")
    assert "hosting" in other.label or "hosting" in other.value


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_one_models_bad_data_does_not_fail_a_check_format(fmt: str) -> None:
    from compliance.report import render_check

    result, facts = sample()
    ds = "deepseek-ai/DeepSeek-R1-Distill-Llama-8B"
    bad_facts = _explode(facts[ds])
    decisions = []
    for d in result.decisions:
        if d.model == ds:
            f = d.findings[0]
            d = replace(d, facts=bad_facts, findings=(replace(f, message=_Boom()),))
        decisions.append(d)
    out = render_check(replace(result, decisions=tuple(decisions)), fmt)
    assert "meta-llama/Llama-3.2-11B-Vision-Instruct" in out
    if fmt != "json":  # json.dumps writes a str subclass without calling it: nothing fails
        assert "could not be rendered" in out


class _Boom(str):
    def __str__(self):
        raise RuntimeError("boom")

    def replace(self, *a, **k):
        raise RuntimeError("boom")

    def splitlines(self, *a):
        raise RuntimeError("boom")

    def __format__(self, spec):
        raise RuntimeError("boom")
