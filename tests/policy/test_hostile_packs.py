"""Custom packs are untrusted code: no environment, no `opa.runtime`, no built-in package names,
a time budget, and evaluation errors are runtime errors (exit 3)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from policy_cases.casedata import model_facts

from compliance.cli.main import main
from compliance.config import config_from_dict
from compliance.errors import ExitCode, PolicyError
from compliance.policy import engine as E
from compliance.policy.engine import PolicyEngine, policy_input
from compliance.run import check_subjects

ORG = {"organization": {"domicile": "US", "monthly_active_users": 1}}
CANARY = "hf_CANARY_do_not_print_0123456789"


def config_with(*packs: Path, **policy):
    return config_from_dict(
        {"version": 1, **ORG, "policy": {"packs": [str(p) for p in packs], **policy}}
    )


def cli_config(tmp_path: Path, pack: Path) -> Path:
    """A config with `pack` and a mirror holding one MIT model, acme/mit-model."""
    repo = tmp_path / "mirror" / "acme" / "mit-model"
    repo.mkdir(parents=True)
    (repo / "README.md").write_text("---\nlicense: mit\n---\n# A model\n", encoding="utf-8")
    cfg = tmp_path / "compliance.yaml"
    cfg.write_text(
        "version: 1\norganization: {domicile: US, monthly_active_users: 1}\n"
        f"source: {{mirror: {tmp_path / 'mirror'}}}\npolicy: {{packs: [{pack}]}}\n",
        encoding="utf-8",
    )
    return cfg


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "package", ["compliance.license", "compliance.core", "compliance.license.extra"]
)
def test_builtin_package_names_are_reserved(tmp_path: Path, package: str) -> None:
    pack = write(
        tmp_path,
        "evil.rego",
        f"package {package}\n\nimport rego.v1\n\nclass_allowed(_, _) if true\n",
    )
    with pytest.raises(PolicyError, match="reserved") as info:
        PolicyEngine.from_config(config_with(pack))
    assert info.value.exit_code == ExitCode.USAGE
    assert info.value.line == 1


def test_a_pack_that_redefines_license_helpers_cannot_turn_a_deny_into_allow(
    tmp_path: Path, capsys
) -> None:
    pack = write(
        tmp_path,
        "evil.rego",
        "package compliance.license\n\nimport rego.v1\n\nclass_allowed(_, _) if true\n",
    )
    cfg = cli_config(tmp_path, pack)
    code = main(["check", "--config", str(cfg), "--model", "acme/mit-model"])
    assert code == ExitCode.USAGE
    assert "reserved for the built-in policies" in capsys.readouterr().err


RUNTIME_PACK = """package compliance.leak

import rego.v1

deny contains {"code": "leak", "msg": opa.runtime().env.HF_TOKEN} if true
"""


def test_opa_runtime_is_refused(tmp_path: Path) -> None:
    pack = write(tmp_path, "leak.rego", RUNTIME_PACK)
    with pytest.raises(PolicyError, match=r"opa\.runtime") as info:
        PolicyEngine.from_config(config_with(pack))
    assert info.value.line == 5


@pytest.mark.parametrize(
    ("command", "fmt"),
    [("check", "text"), ("check", "sarif"), ("check", "json"), ("audit", "html")],
)
def test_canary_token_never_reaches_any_output(
    tmp_path: Path, command: str, fmt: str, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("HF_TOKEN", CANARY)
    pack = write(tmp_path, "leak.rego", RUNTIME_PACK)
    cfg = cli_config(tmp_path, pack)
    code = main([command, "--config", str(cfg), "--model", "acme/mit-model", "--format", fmt])
    out = capsys.readouterr()
    assert code == ExitCode.USAGE
    assert "opa.runtime is not available" in out.err
    assert CANARY not in out.out and CANARY not in out.err


def test_the_worker_gets_an_empty_environment(tmp_path: Path, monkeypatch) -> None:
    """A fake worker reports its environment as an error: no secret of the caller is in it."""
    monkeypatch.setenv("HF_TOKEN", CANARY)
    spy = write(
        tmp_path,
        "spy.py",
        "import json, os, sys\nsys.stdin.readline()\n"
        "print(json.dumps({'error': json.dumps(dict(os.environ))}), flush=True)\n",
    )
    monkeypatch.setattr(E, "WORKER_COMMAND", [sys.executable, str(spy)])
    with pytest.raises(PolicyError) as info:
        E.WorkerEvaluator({}, [])
    env = json.loads(info.value.message)
    assert CANARY not in json.dumps(env)
    assert "HF_TOKEN" not in env and "HOME" not in env and "PATH" not in env


def test_the_real_worker_still_runs_with_an_empty_environment(tmp_path: Path) -> None:
    pack = write(
        tmp_path,
        "acme.rego",
        'package compliance.acme\n\nimport rego.v1\n\ndeny contains {"code": "acme", "msg": "x"}'
        " if true\n",
    )
    config = config_with(pack)
    d = check_subjects([model_facts("phi-3-mit")], config).decisions[0]
    assert ("acme", "deny") in {(f.code, f.severity) for f in d.findings}


SLOW_PACK = """package compliance.slow

import rego.v1

deny contains {"code": "slow", "msg": "never"} if {
	count([x | some x in numbers.range(1, 200000000); x < 0]) > 0
}
"""


def test_a_pack_over_its_time_budget_is_exit_3_naming_the_model(tmp_path: Path) -> None:
    pack = write(tmp_path, "slow.rego", SLOW_PACK)
    config = config_with(pack, pack_seconds_per_model=0.5)
    with pytest.raises(PolicyError) as info:
        check_subjects([model_facts("phi-3-mit")], config)
    assert info.value.exit_code == ExitCode.RUNTIME
    assert "microsoft/Phi-3-mini-4k-instruct" in str(info.value)
    assert "time budget" in str(info.value)


def test_the_run_budget_counts_across_models(tmp_path: Path, monkeypatch) -> None:
    fake = write(
        tmp_path,
        "sleepy.py",
        "import sys, time, json\nsys.stdin.readline()\nprint('{\"ok\": true}', flush=True)\n"
        "for line in sys.stdin:\n    time.sleep(0.4)\n"
        "    print(json.dumps({'hits': []}), flush=True)\n",
    )
    monkeypatch.setattr(E, "WORKER_COMMAND", [sys.executable, str(fake)])
    evaluator = E.WorkerEvaluator({}, [], seconds_per_model=5, seconds_per_run=1)
    try:
        evaluator.evaluate({"model": "a/one"})
        evaluator.evaluate({"model": "a/two"})
        with pytest.raises(PolicyError, match="a/three") as info:
            for name in ("a/three", "a/four", "a/five"):
                evaluator.evaluate({"model": name})
    finally:
        evaluator.close()
    assert info.value.exit_code == ExitCode.RUNTIME
    assert "per run" in str(info.value)


def test_budget_settings_are_validated() -> None:
    from compliance.errors import ConfigError

    with pytest.raises(ConfigError, match="pack_seconds_per_model"):
        config_with(pack_seconds_per_model=0)
    with pytest.raises(ConfigError, match="pack_seconds_per_run"):
        config_with(pack_seconds_per_run="soon")


@pytest.mark.parametrize("isolate", [True, False], ids=["worker", "in-process"])
def test_a_rego_evaluation_error_is_exit_3(tmp_path: Path, isolate: bool) -> None:
    pack = write(
        tmp_path,
        "div.rego",
        "package compliance.div\n\nimport rego.v1\n\n"
        'deny contains {"code": "div", "msg": x} if {\n\tx := 1 / input.mau_cap_zero\n}\n',
    )
    facts = model_facts("phi-3-mit")
    engine = PolicyEngine.from_config(config_with(pack), isolate=isolate)
    with engine, pytest.raises(PolicyError) as info:
        engine.evaluate({**policy_input(facts), "mau_cap_zero": 0})
    assert info.value.exit_code == ExitCode.RUNTIME
