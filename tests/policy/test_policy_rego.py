"""Run the `test_*` rules of policies/*_test.rego through regopy.

Each test rule must evaluate to true; undefined or false fails. The rules call functions with
explicit arguments instead of `with input as`, which is unreliable in rego-cpp.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from compliance.config import Config, Organization
from compliance.policy.engine import builtin_modules, policy_data
from compliance.resources import policies_dir

_TEST_RULE = re.compile(r"^(test_[A-Za-z0-9_]+)\b", re.MULTILINE)


def _test_rules() -> list[tuple[str, str]]:
    out = []
    for path in sorted(policies_dir().glob("*_test.rego")):
        text = path.read_text(encoding="utf-8")
        package = re.search(r"^package\s+([\w.]+)", text, re.MULTILINE)
        assert package, path
        for rule in dict.fromkeys(_TEST_RULE.findall(text)):
            out.append((package.group(1), rule))
    return out


RULES = _test_rules()


@pytest.fixture(scope="module")
def interpreter():
    import regopy

    interp = regopy.Interpreter()
    interp.log_level = regopy.LogLevel.NONE
    for module in builtin_modules(include_tests=True):
        interp.add_module(module.name, module.text)
    config = Config(organization=Organization(domicile="DE", monthly_active_users=1))
    interp.add_data_json(json.dumps(policy_data(config)))
    return interp


def evaluate(interpreter, package: str, rule: str):
    output = interpreter.query(f"x = data.{package}.{rule}")
    results = output.results
    return results[0].bindings.get("x") if results else None


@pytest.mark.parametrize(("package", "rule"), RULES, ids=[f"{p}.{r}" for p, r in RULES])
def test_rego(interpreter, package: str, rule: str) -> None:
    assert evaluate(interpreter, package, rule) is True


def test_every_topic_package_has_a_test_file() -> None:
    tested = {p.name.removesuffix("_test.rego") for p in Path(policies_dir()).glob("*_test.rego")}
    # origin, scale and lineage have no functions: their rules are covered by policy cases
    needs = {"core", "license", "territory", "training"}
    assert needs <= tested


def test_runner_detects_a_failing_rule(interpreter) -> None:
    """A rule that is false or undefined must not count as passing."""
    assert evaluate(interpreter, "compliance.core_test", "no_such_rule") is None
    assert len(RULES) >= 30


def test_no_test_uses_with() -> None:
    for path in policies_dir().glob("*.rego"):
        code = "\n".join(
            line.split("#", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()
        )
        assert not re.search(r"\bwith\s+input\b", code), path
