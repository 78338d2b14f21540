"""The regopy engine: compile errors with file:line:col, custom packs in a child process, crashes
and malformed results that fail closed, the per-model memo, and the cost per model."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from policy_cases.casedata import model_facts

from compliance.config import config_from_dict
from compliance.errors import ExitCode, PolicyError
from compliance.policy import engine as E
from compliance.policy.engine import PolicyCrash, PolicyEngine, locate, policy_input
from compliance.resources import policies_dir
from compliance.run import check_subjects

ORG = {"organization": {"domicile": "US", "monthly_active_users": 1}}


def config_with_packs(*packs: Path, **policy):
    return config_from_dict(
        {"version": 1, **ORG, "policy": {"packs": [str(p) for p in packs], **policy}}
    )


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD_PACK = """package compliance.acme

import rego.v1

deny contains {"code": "acme-no-gemma", "msg": msg} if {
	input.effective.license_key == "gemma"
	msg := concat("", ["Gemma is not approved: ", input.model])
}

warn contains "a plain string finding" if input.effective.license_key == "gemma"
"""


def test_locate_counts_bytes_and_characters() -> None:
    text = "package x\n\né = 1\nbad here\n"
    offset = len("package x\n\né = 1\n".encode())
    assert locate(text, offset) == (4, 1)
    assert locate(text, offset + 4) == (4, 5)
    assert locate("é x", len("é ".encode())) == (1, 3)


def test_compile_error_names_file_line_column(tmp_path: Path, capfd) -> None:
    pack = write(
        tmp_path,
        "broken.rego",
        "package compliance.broken\n\nimport rego.v1\n\ndeny contains x if {\n  input.a ==\n}\n",
    )
    with pytest.raises(PolicyError) as info:
        PolicyEngine.from_config(config_with_packs(pack), isolate=False)
    err = info.value
    assert err.exit_code == ExitCode.USAGE
    assert err.file == str(pack)
    assert err.line == 6
    assert str(err) == f"{pack}:6:11: policy does not compile: Invalid boolean operator"
    out, _ = capfd.readouterr()
    assert out == ""  # rego-cpp's own error print is silenced (log_level NONE)


def test_compile_error_through_the_worker(tmp_path: Path) -> None:
    pack = write(tmp_path, "broken.rego", "package compliance.broken\n\ndeny contains {\n")
    with pytest.raises(PolicyError) as info:
        PolicyEngine.from_config(config_with_packs(pack))
    assert info.value.exit_code == ExitCode.USAGE
    assert info.value.file == str(pack)
    assert info.value.line is not None
    assert str(info.value).startswith(f"{pack}:{info.value.line}:")


def test_pack_package_must_be_under_compliance(tmp_path: Path) -> None:
    pack = write(tmp_path, "p.rego", "# pack\npackage acme\n\ndeny contains 1 if true\n")
    with pytest.raises(PolicyError, match="package acme is not allowed") as info:
        PolicyEngine.from_config(config_with_packs(pack))
    assert info.value.line == 2


def test_pack_may_not_shadow_config_data(tmp_path: Path) -> None:
    pack = write(tmp_path, "p.rego", "package compliance.config\n\nx := 1\n")
    with pytest.raises(PolicyError, match="not allowed"):
        PolicyEngine.from_config(config_with_packs(pack))


@pytest.mark.parametrize("isolate", [True, False], ids=["worker", "in-process"])
def test_custom_pack_findings(tmp_path: Path, isolate: bool) -> None:
    pack = write(tmp_path, "acme.rego", GOOD_PACK)
    config = config_with_packs(pack)
    with PolicyEngine.from_config(config, isolate=isolate) as engine:
        assert engine.isolated is isolate
        result = check_subjects([model_facts("gemma-2-9b")], config, engine=engine)
    d = result.decisions[0]
    codes = {(f.code, f.severity, f.package) for f in d.findings}
    assert ("acme-no-gemma", "deny", "compliance.acme") in codes
    assert ("invalid-finding", "warn", "compliance.acme") in codes
    assert ("attribution-required", "info", "compliance.license") in codes
    assert d.decision == "deny"
    assert any("google/gemma-2-9b-it" in f.message for f in d.findings)


def test_packs_run_in_a_worker_by_default(tmp_path: Path) -> None:
    pack = write(tmp_path, "acme.rego", GOOD_PACK)
    engine = PolicyEngine.from_config(config_with_packs(pack))
    try:
        assert engine.isolated
        assert engine._memo is None  # packs may read the model name: no memo
    finally:
        engine.close()
    builtin = PolicyEngine.from_config(config_with_packs())
    assert not builtin.isolated


def test_pack_folder_is_searched_and_test_files_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "packs"
    (folder / "sub").mkdir(parents=True)
    write(folder / "sub", "acme.rego", GOOD_PACK)
    write(folder, "acme_test.rego", "package compliance.acme_test\n\nthis is not rego\n")
    modules = E.pack_modules([folder])
    assert [Path(m.name).name for m in modules] == ["acme.rego"]


def test_a_real_rego_cpp_crash_is_exit_3_not_allow(tmp_path: Path) -> None:
    """`with input as` plus sprintf crashes rego-cpp (notes/regopy.md); the worker contains it."""
    pack = write(
        tmp_path,
        "crash.rego",
        "package compliance.crash\n\nimport rego.v1\n\n"
        'inner contains {"code": "c", "msg": sprintf("a=%d", [input.a])} if input.a > 1\n\n'
        'deny contains {"code": "crash", "msg": "x"} if {\n'
        '\tcount(inner) == 1 with input as {"a": 2}\n}\n',
    )
    config = config_with_packs(pack)
    with pytest.raises(PolicyCrash) as info:
        check_subjects([model_facts("phi-3-mit")], config)
    assert info.value.exit_code == ExitCode.RUNTIME
    assert "crashed" in str(info.value)
    assert str(pack) in str(info.value)


def test_crash_while_evaluating_names_the_model(tmp_path: Path, monkeypatch) -> None:
    fake_worker = write(
        tmp_path,
        "worker.py",
        "import os, sys\n"
        "sys.stdin.readline()\n"
        "print('{\"ok\": true}', flush=True)\n"
        "sys.stdin.readline()\n"
        "os.kill(os.getpid(), 11)\n",
    )
    monkeypatch.setattr(E, "WORKER_COMMAND", [sys.executable, str(fake_worker)])
    pack = write(tmp_path, "acme.rego", GOOD_PACK)
    with pytest.raises(PolicyCrash) as info:
        check_subjects([model_facts("phi-3-mit")], config_with_packs(pack))
    message = str(info.value)
    assert "signal 11" in message and "segmentation fault" in message
    assert "microsoft/Phi-3-mini-4k-instruct" in message


def test_a_rule_error_is_a_policy_error_not_an_allow(tmp_path: Path) -> None:
    # a runtime error inside a rule makes rego-cpp print an error term into the result
    pack = write(
        tmp_path,
        "div.rego",
        "package compliance.div\n\nimport rego.v1\n\n"
        'deny contains {"code": "div", "msg": x} if {\n\tx := 1 / input.mau_cap_zero\n}\n',
    )
    config = config_with_packs(pack)
    facts = model_facts("phi-3-mit")
    engine = PolicyEngine.from_config(config, isolate=False)
    with pytest.raises(PolicyError):
        engine.evaluate({**policy_input(facts), "mau_cap_zero": 0})


def test_a_set_rule_that_is_not_a_set_denies(tmp_path: Path) -> None:
    pack = write(tmp_path, "bad.rego", "package compliance.bad\n\nimport rego.v1\n\ndeny := true\n")
    config = config_with_packs(pack)
    with PolicyEngine.from_config(config, isolate=False) as engine:
        d = check_subjects([model_facts("phi-3-mit")], config, engine=engine).decisions[0]
    assert d.decision == "deny"
    assert [f.code for f in d.findings] == ["invalid-finding"]


def test_set_heads_are_found_in_every_builtin_package() -> None:
    found = {}
    for module in E.builtin_modules():
        found.setdefault(module.package, set()).update(module.sets)
    assert found["compliance.license"] == {"deny", "info", "unknown"}
    assert found["compliance.territory"] == {"deny", "unknown"}
    assert found["compliance.training"] == {"deny", "warn", "unknown"}
    assert found["compliance.lineage"] == {"deny", "warn", "info", "unknown"}
    assert found["compliance.core"] == set()


def test_builtin_policies_read_only_the_builtin_input() -> None:
    """Without packs the input is `builtin_input` (and memoised on it): rules read nothing else."""
    import re

    facts = model_facts("llama-3.1-apache-finetune")
    slim = E.builtin_input(facts)
    for path in policies_dir().glob("*.rego"):
        if path.name.endswith("_test.rego"):
            continue
        for ref in re.findall(r"\binput((?:\.[a-z_]+)+)", path.read_text(encoding="utf-8")):
            parts = ref.strip(".").split(".")
            assert parts[0] in slim and parts[0] not in E._IDENTITY, (path, ref)
            if parts[0] in ("license", "publisher") and len(parts) > 1:
                assert parts[1] in slim[parts[0]], (path, ref)


def test_memo_gives_identical_results_for_identical_terms() -> None:
    config = config_from_dict({"version": 1, "organization": {"domicile": "DE"}})
    engine = PolicyEngine.from_config(config)
    a = model_facts("llama-3.2-11b-vision")
    b = replace(a, model="someone/llama-3.2-vision-copy", revision="a" * 40)
    assert engine.evaluate_facts(a) == engine.evaluate_facts(b)
    assert len(engine._memo or {}) == 1


def test_ten_thousand_models_with_cached_facts_stay_fast() -> None:
    """10,000 models, as a large fleet looks: many repos sharing a few families' terms."""
    config = config_from_dict(
        {"version": 1, "organization": {"domicile": "DE", "monthly_active_users": 5_000_000}}
    )
    names = [
        "llama-3.2-11b-vision",
        "llama-3.2-1b",
        "llama-3.1-8b",
        "phi-3-mit",
        "qwen2.5-72b",
        "gemma-2-9b",
        "cc-by-nc",
        "hunyuan-a13b",
        "deepseek-v3",
        "no-licence",
    ]
    bases = [model_facts(n) for n in names]
    fleet = [replace(bases[i % len(bases)], model=f"org{i}/model-{i}") for i in range(10_000)]
    result = check_subjects(fleet, config)  # its speed: bench/scale.py
    assert len(result.decisions) == 10_000
    assert result.summary["deny"] == 4_000  # vision, cc-by-nc, hunyuan, no-licence


def test_spread_over_helper_processes_keeps_order(monkeypatch) -> None:
    """Many distinct inputs are spread over helper processes; results stay in model order."""
    config = config_from_dict(
        {"version": 1, "organization": {"domicile": "DE", "monthly_active_users": 5_000_000}}
    )
    names = ["llama-3.2-11b-vision", "llama-3.1-8b", "phi-3-mit", "no-licence", "hunyuan-a13b"]
    fleet = []
    for i in range(60):
        base = model_facts(names[i % len(names)])
        fleet.append(replace(base, model=f"org/m{i}", revenue_cap=1_000_000 + i))
    sequential = PolicyEngine.from_config(config)
    expected = [sequential.evaluate_facts(f) for f in fleet]
    monkeypatch.setattr(E, "_helper_count", lambda pending: 2)
    spread = PolicyEngine.from_config(config)
    assert spread.evaluate_facts_many(fleet) == expected
    assert len(spread._memo or {}) == 60
    # and check_subjects uses it
    result = check_subjects(fleet, config, engine=PolicyEngine.from_config(config))
    assert [d.model for d in result.decisions] == [f"org/m{i}" for i in range(60)]
    assert {d.decision for d in result.decisions} == {"deny"}  # revenue not set: unknown


def test_helper_count() -> None:
    assert E._helper_count(E.PARALLEL_MIN - 1) == 0
    assert 0 <= E._helper_count(100_000) <= E.MAX_HELPERS
