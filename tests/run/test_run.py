"""compliance.run from Python: the same decisions as the CLI, and the closed-API facts."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from treepaths import REPO

from compliance.config import config_from_dict, load_config
from compliance.run import CheckRequest, check_subjects, run_check
from compliance.run.subjects import closed_api_facts, closed_api_publisher

CONFIGS = ("litellm-config.yaml", "docker-compose.yaml")
TODAY = dt.date(2026, 11, 24)


@pytest.fixture()
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ws = tmp_path / "examples"
    shutil.copytree(REPO / "examples", ws)
    monkeypatch.chdir(ws)
    return ws


def test_run_check_on_paths_gives_the_cli_decisions_lock_included(examples: Path, cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("lock", *CONFIGS, "--config", "compliance.yaml")
    assert code == 0, err
    lock_path = examples / "compliance.lock"
    data = json.loads(lock_path.read_text())
    drifted = sorted(data["models"])[0]
    data["models"][drifted]["license_key"] = "some-other-licence"  # the lock now disagrees
    lock_path.write_text(json.dumps(data))

    code, out, err = cli(
        "check", *CONFIGS, "--config", "compliance.yaml", "--locked", "--format", "json",
        "--today", TODAY.isoformat(),
    )  # fmt: skip
    from_cli = json.loads(out)
    request = CheckRequest(
        paths=CONFIGS, config=load_config(Path("compliance.yaml")), today=TODAY, lock=lock_path
    )
    result = run_check(request)
    assert result.to_json() == from_cli
    assert result.exit_code("deny") == code
    drift = next(d for d in result.decisions if d.model == drifted)
    assert drift.decision == "deny" and "license-drift" in drift.codes


def test_run_check_reads_a_missing_lock_before_anything_else(examples: Path) -> None:
    from compliance.errors import InputError

    request = CheckRequest(paths=CONFIGS, lock=examples / "absent.lock")
    with pytest.raises(InputError, match="no lock file"):
        run_check(request)


@pytest.mark.parametrize(
    ("model", "publisher", "country"),
    [
        ("openai/gpt-4o", "OpenAI", "US"),
        ("gpt-4o", "OpenAI", "US"),
        ("azure/gpt-4o-mini", "OpenAI", "US"),
        ("anthropic/claude-3-5-sonnet", "Anthropic", "US"),
        ("openrouter/anthropic/claude-3.5-sonnet", "Anthropic", "US"),
        ("bedrock/anthropic.claude-3-haiku", "Anthropic", "US"),
        ("gemini/gemini-1.5-pro", "Google", "US"),
        ("mistral/mistral-large-latest", "Mistral AI", "FR"),
        ("cohere/command-r", "Cohere", "CA"),
        ("deepseek/deepseek-chat", "DeepSeek", "CN"),
        ("bedrock/us.deepseek.r1-v1:0", "DeepSeek", "CN"),
        ("groq/qwen-qwq-32b", "Alibaba Cloud", "CN"),
        # a platform hosting many publishers, and a name that says nothing: unknown
        ("groq/llama-3.1-70b-versatile", None, None),
        ("azure/my-deployment", None, None),
    ],
)
def test_closed_api_publisher_and_country(model: str, publisher: str | None, country) -> None:  # type: ignore[no-untyped-def]
    assert closed_api_publisher(model)[1] == publisher
    facts = closed_api_facts(model)
    assert facts.publisher.name == publisher and facts.publisher.country == country
    assert facts.license.license_class == "proprietary" and facts.revision is None


def _us_denying_cn(unknown: str = "deny"):  # type: ignore[no-untyped-def]
    return config_from_dict(
        {
            "version": 1,
            "organization": {"domicile": "US", "monthly_active_users": 1000},
            "policy": {
                "allow_classes": ["permissive", "restricted", "proprietary"],
                "deny_origins": ["CN"],
                "unknown": unknown,
            },
        }
    )


def test_us_company_denying_cn_origins_may_use_gpt_4o() -> None:
    """The bug of issue 12: `openai/gpt-4o` was origin-denied as 'country unknown'."""
    result = check_subjects([closed_api_facts("openai/gpt-4o")], _us_denying_cn(), today=TODAY)
    decision = result.decisions[0]
    assert "origin-denied" not in [f.code for f in decision.findings]
    assert decision.decision == "allow"


def test_closed_api_origin_still_denies_cn_and_unknown() -> None:
    config = _us_denying_cn()
    models = ["deepseek/deepseek-chat", "groq/llama-3.1-70b-versatile"]
    result = check_subjects([closed_api_facts(m) for m in models], config, today=TODAY)
    cn, unknown = result.decisions
    assert (cn.decision, cn.codes) == ("deny", ("origin-denied",))
    assert "the publisher is in CN" in cn.findings[0].message
    assert (unknown.decision, unknown.codes) == ("deny", ("origin-denied",))
    assert "unknown" in unknown.findings[0].message


def test_cli_check_gpt_4o_under_deny_origins(tmp_path: Path, monkeypatch, cli) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "compliance.yaml").write_text(
        "version: 1\norganization: {domicile: US, monthly_active_users: 1000}\n"
        "policy: {allow_classes: [permissive, proprietary], deny_origins: [CN]}\n"
    )
    (tmp_path / "litellm.yaml").write_text(
        "model_list:\n  - model_name: gpt\n    litellm_params:\n      model: openai/gpt-4o\n"
    )
    code, out, err = cli("check", "litellm.yaml")
    assert code == 0, out + err
    assert "litellm.yaml:4: openai/gpt-4o: allow" in out
