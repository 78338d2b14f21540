"""Alternatives for a denied model: in check text / json and the audit, and always allowed."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.config import config_from_dict
from compliance.facts.registry import load_registry
from compliance.run.alternatives import SIZE_FACTOR, allowed_candidates, suggest, target_of
from compliance.run.check import check_subjects
from compliance.run.shortlist import groups_of, representative_facts

VISION = "meta-llama/Llama-3.2-11B-Vision-Instruct"
EU_YAML = "version: 1\norganization: {domicile: DE, monthly_active_users: 2000000}\n"


@pytest.fixture(autouse=True)
def _granted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_test_granted_token")  # the fake Hub's gated Llama


def _eu_config(tmp_path: Path) -> str:
    path = tmp_path / "compliance.yaml"
    path.write_text(EU_YAML, encoding="utf-8")
    return str(path)


def test_check_text_and_json_name_allowed_alternatives(fake_hub, cli, tmp_path: Path) -> None:
    config = _eu_config(tmp_path)
    code, out, _ = cli("check", "--config", config, "--model", VISION)
    assert code == 1
    line = next(x for x in out.splitlines() if x.strip().startswith("instead of"))
    assert line.strip().startswith(f"instead of {VISION} (eu-restricted): ")
    assert "google/gemma-3-12b-it (gemma-2025-03-24)" in line
    code, out, _ = cli("check", "--config", config, "--model", VISION, "--format", "json")
    [decision] = json.loads(out)["decisions"]
    assert decision["decision"] == "deny"
    alts = decision["alternatives"]
    assert 1 <= len(alts) <= 3
    assert {"model", "line", "size", "params", "license", "spdx"} <= set(alts[0])
    assert all(a["model"] != VISION for a in alts)
    assert "google/gemma-3-12b-it" in [a["model"] for a in alts]


def test_audit_lists_the_alternatives(fake_hub, cli, tmp_path: Path) -> None:
    config = _eu_config(tmp_path)
    code, out, _ = cli("audit", "--config", config, "--model", VISION, "--format", "markdown")
    assert code == 1
    section = out.split("### Allowed instead", 1)[1].split("###", 1)[0]
    assert "`google/gemma-3-12b-it` (Gemma 3, licence `gemma-2025-03-24`)" in section
    code, out, _ = cli("audit", "--config", config, "--model", VISION, "--format", "json")
    [model] = json.loads(out)["models"]
    assert "google/gemma-3-12b-it" in [a["model"] for a in model["alternatives"]]
    code, out, _ = cli("audit", "--config", config, "--model", VISION, "--format", "html")
    assert "Allowed instead" in out and "<code>google/gemma-3-12b-it</code>" in out


def test_an_allowed_model_gets_no_alternatives(fake_hub, cli, tmp_path: Path) -> None:
    config = _eu_config(tmp_path)
    code, out, _ = cli(
        "check",
        "--config",
        config,
        "--model",
        "meta-llama/Llama-3.2-1B-Instruct",
        "--format",
        "json",
    )
    assert code == 0
    [decision] = json.loads(out)["decisions"]
    assert "alternatives" not in decision and "instead of" not in out


# -- the property: a suggestion is always allowed under the same policy ---------------------------
REGISTRY = load_registry()
CATALOGUE = REGISTRY.families
GROUPS = groups_of(CATALOGUE)
REPOS = sorted(
    {r for line in CATALOGUE.lines() for r in line.repos}
    | {r for line in CATALOGUE.lines() for e in line.exceptions for r in e.repos}
)
_CANDIDATES: dict[str, tuple] = {}

profiles = st.fixed_dictionaries(
    {
        "domicile": st.sampled_from(["DE", "FR", "US", "GB", "CN", "KR", None]),
        "monthly_active_users": st.sampled_from([None, 1_000, 2_000_000, 150_000_000, 800_000_000]),
        "use": st.sampled_from(["commercial", "internal", "research"]),
        "annual_revenue_usd": st.sampled_from([None, 1_000_000, 50_000_000_000]),
        "trains_on_outputs": st.booleans(),
    }
)
origins = st.sampled_from([[], ["CN"], ["CN", "US"], ["FR"]])


def _config(profile: dict, deny: list[str]):
    org = {k: v for k, v in profile.items() if v is not None}
    return config_from_dict({"version": 1, "organization": org, "policy": {"deny_origins": deny}})


def _decide_repo(repo: str, config) -> str:
    """Decide a suggested repo afresh: the catalogue places it in a line and size, whose group
    gives the representative facts that check's policy decides."""
    [m] = CATALOGUE.match(repo)
    [group] = [
        g for g in GROUPS if g.line.key == m.line.key and m.size in [s.name for s in g.group.sizes]
    ]
    assert group.license == m.license
    facts = representative_facts(group, REGISTRY)
    return check_subjects([facts], config).decisions[0].decision


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    profile=profiles, deny=origins, models=st.lists(st.sampled_from(REPOS), min_size=1, max_size=4)
)
def test_every_suggestion_is_allowed_under_the_same_policy(profile, deny, models) -> None:
    config = _config(profile, deny)
    key = json.dumps([profile, deny], sort_keys=True)
    if key not in _CANDIDATES:
        _CANDIDATES[key] = allowed_candidates(config, REGISTRY)
    candidates = _CANDIDATES[key]
    for model in models:
        target = target_of(model, None, CATALOGUE)
        assert target is not None
        suggested = suggest(model, target, candidates)
        assert len(suggested) <= 3
        assert len({a.model for a in suggested}) == len(suggested)
        for alt in suggested:
            assert alt.model != model
            assert _decide_repo(alt.model, config) == "allow", (model, alt)
            [m] = CATALOGUE.match(alt.model)
            modality = (m.line.exception_for(m.size) or m.line).modality
            assert modality == target.modality
            if target.params is not None:
                ratio = alt.params / target.params
                assert abs(math.log(ratio)) <= math.log(SIZE_FACTOR) + 1e-9


def test_alternatives_are_added_to_a_copy_equal_to_dataclasses_replace() -> None:
    from dataclasses import fields, replace

    from compliance.facts.model import ModelFacts
    from compliance.frozen import replaced
    from compliance.policy.decision import Alternative, Decision

    d = Decision("a/b", "0" * 40, "deny", kind="hf-repo", facts=ModelFacts("a/b", None, "mirror"))
    alternatives = (Alternative("c/d", "l", "L", "7B", 7 * 10**9, "mit"),)
    got = replaced(d, alternatives=alternatives)
    want = replace(d, alternatives=alternatives)
    assert type(got) is Decision and got is not d and d.alternatives == ()
    assert all(getattr(got, f.name) is getattr(want, f.name) for f in fields(Decision))
