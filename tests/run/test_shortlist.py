"""`run_shortlist`: the catalogue's release lines decided for an organisation by check's policy."""

from __future__ import annotations

import pytest

from compliance.config import config_from_dict
from compliance.errors import UsageError
from compliance.facts.registry import load_registry
from compliance.run.check import check_subjects
from compliance.run.shortlist import (
    ShortlistRequest,
    groups_of,
    parse_params,
    representative_facts,
    run_shortlist,
)


def _config(domicile: str, users: int, **policy: object):
    return config_from_dict(
        {
            "version": 1,
            "organization": {
                "domicile": domicile,
                "monthly_active_users": users,
                "use": "commercial",
            },
            "policy": dict(policy),
        }
    )


def _rows(shortlist):
    return {(r.line, r.license): r for r in shortlist.rows}


def _by_line(shortlist, line: str):
    return [r for r in shortlist.rows if r.line == line]


@pytest.fixture(scope="module")
def eu():
    return run_shortlist(ShortlistRequest(config=_config("DE", 2_000_000)))


@pytest.fixture(scope="module")
def us_large():
    return run_shortlist(ShortlistRequest(config=_config("US", 800_000_000)))


def test_eu_company_gets_multimodal_llama_denied_and_text_llama_gemma_qwen_allowed(eu):
    for line in ("llama-3.2-vision", "llama-4"):
        [row] = _by_line(eu, line)
        assert row.decision == "deny"
        assert "eu-restricted" in row.codes
    for line in ("llama-3.1", "llama-3.2-text", "gemma-2", "gemma-3", "gemma-4"):
        assert all(r.decision == "allow" for r in _by_line(eu, line)), line
    qwen25 = {r.license: r for r in _by_line(eu, "qwen-2.5")}
    assert "7B" in [s.name for s in qwen25["apache-2.0"].sizes]
    assert qwen25["apache-2.0"].decision == "allow"
    assert qwen25["qwen-research"].decision == "deny"  # the 3B: non-commercial


def test_us_company_over_the_llama_cap_gets_every_llama_and_qwen25_72b_denied(us_large):
    llama = [r for r in us_large.rows if r.family == "llama"]
    assert len(llama) >= 6
    for row in llama:
        assert row.decision == "deny", row.line
        assert "mau-cap-exceeded" in row.codes, row.line
    [q72] = [r for r in _by_line(us_large, "qwen-2.5") if "72B" in r.size_label]
    assert q72.license == "qwen-license"
    assert q72.decision == "deny" and "mau-cap-exceeded" in q72.codes
    # no territory clause binds a US company: the multimodal Llamas fail on the cap alone
    [vision] = _by_line(us_large, "llama-3.2-vision")
    assert "eu-restricted" not in vision.codes


def test_deny_origins_cn_removes_the_chinese_families():
    config = _config("US", 1_000, deny_origins=["CN"])
    shortlist = run_shortlist(ShortlistRequest(config=config, allowed_only=True))
    families = {r.family for r in shortlist.rows}
    for gone in ("qwen", "deepseek", "glm", "kimi"):
        assert gone not in families, gone
    assert {"llama", "gemma", "mistral"} <= families
    full = run_shortlist(ShortlistRequest(config=config))
    for row in full.rows:
        if row.family in ("qwen", "deepseek", "glm", "kimi"):
            assert row.decision == "deny" and "origin-denied" in row.codes, row.line


def test_filters_modality_max_params_allowed_only(eu):
    config = _config("DE", 2_000_000)
    vl = run_shortlist(
        ShortlistRequest(config=config, modality="vision-language", max_params=parse_params("13B"))
    )
    assert vl.rows and all(r.modality == "vision-language" for r in vl.rows)
    for row in vl.rows:
        assert row.sizes and all(s.params is not None and s.params <= 13 * 10**9 for s in row.sizes)
    assert "llama-4" not in {r.line for r in vl.rows}  # no size at or under 13B
    allowed = run_shortlist(ShortlistRequest(config=config, allowed_only=True))
    assert allowed.rows and all(r.decision == "allow" for r in allowed.rows)
    assert len(allowed.rows) == eu.counts["allow"]
    assert allowed.total_rows == eu.total_rows == len(eu.rows)


def test_bad_filters_are_usage_errors():
    with pytest.raises(UsageError):
        parse_params("big")
    with pytest.raises(UsageError):
        run_shortlist(ShortlistRequest(config=_config("DE", 1), modality="smell"))


def test_rows_carry_the_catalogue_date_and_licence_provenance(eu):
    assert eu.as_of == load_registry().families.as_of
    [row] = _by_line(eu, "llama-3.1")
    assert row.licence_source is not None
    assert row.licence_source.record == "registry/licenses/llama-3.1.yaml"
    prov = row.licence_source.provenance[0]
    assert prov["sha256"] and (prov["repository"] or prov["url"])
    assert row.country == "US" and row.mau_cap == 700_000_000
    data = eu.to_json()
    assert data["schema"] == "compliance.shortlist/v1"
    assert data["catalogue"]["as_of"] == eu.as_of


def test_a_line_without_a_licence_record_is_denied_as_unknown(eu):
    [row] = _by_line(eu, "medgemma")
    assert row.license is None and row.decision == "deny"
    assert "license-unknown" in row.codes


def test_rows_are_decided_exactly_as_check_decides_the_same_facts():
    """The shortlist adds no policy of its own: check_subjects on the same facts agrees."""
    registry = load_registry()
    config = _config("FR", 900_000_000, deny_origins=["CN"])
    groups = groups_of(registry.families)
    facts = [representative_facts(g, registry) for g in groups]
    decisions = check_subjects(facts, config).decisions
    shortlist = run_shortlist(ShortlistRequest(config=config))
    assert [r.decision for r in shortlist.rows] == [d.decision for d in decisions]
