"""Policy cases as data: (organisation, facts) -> exact decision and finding codes.

Every case runs through `check_subjects`, the same path `compliance check` uses (regopy, the
built-in policies, exceptions). tests/policy_cases/*.yaml holds the cases; models.yaml the
hand-built facts they start from.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from policy_cases.casedata import load_cases, model_facts

from compliance.config import config_from_dict
from compliance.policy.engine import PolicyEngine
from compliance.run import check_subjects

CASES = load_cases()
_ENGINES: dict[str, PolicyEngine] = {}


def _engine(config: Any) -> PolicyEngine:
    from compliance.policy.engine import policy_data

    key = json.dumps(policy_data(config), sort_keys=True)
    if key not in _ENGINES:
        _ENGINES[key] = PolicyEngine.from_config(config)
    return _ENGINES[key]


def decide(case: dict[str, Any]):
    config = config_from_dict({"version": 1, **case["config"]})
    facts = model_facts(case["model"], case.get("facts"))
    today = case.get("today", dt.date(2026, 11, 24))
    result = check_subjects([facts], config, today=today, engine=_engine(config))
    assert len(result.decisions) == 1
    return result.decisions[0]


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[name for name, _ in CASES])
def test_case(case: dict[str, Any]) -> None:
    decision = decide(case)
    expect = case["expect"]
    active = [f for f in decision.findings if not f.waived]
    got = {
        "decision": decision.decision,
        "deny": sorted({f.code for f in active if f.severity == "deny"}),
        "warn": sorted({f.code for f in active if f.severity == "warn"}),
        "info": sorted({f.code for f in active if f.severity == "info"}),
        "waived": sorted({f.code for f in decision.findings if f.waived}),
    }
    want = {
        "decision": expect["decision"],
        "deny": sorted(expect.get("deny", [])),
        "warn": sorted(expect.get("warn", [])),
        "info": sorted(expect.get("info", [])),
        "waived": sorted(expect.get("waived", [])),
    }
    messages = "\n".join(f"{f.severity} {f.code}: {f.message}" for f in decision.findings)
    assert got == want, messages
    if "count" in expect:  # how many findings (all codes, not only distinct codes)
        assert len(decision.findings) == expect["count"], messages
    if "message" in expect:
        assert any(expect["message"] in f.message for f in decision.findings), messages
    assert len(decision.exceptions_applied) == expect.get("applied", 0)


def test_every_builtin_code_has_a_case() -> None:
    from compliance.policy.findings import CODES

    covered: set[str] = set()
    for _, case in CASES:
        for key in ("deny", "warn", "info", "waived"):
            covered.update(case["expect"].get(key, []))
    # source-error and invalid-finding are covered in test_check.py / test_policy_engine.py
    missing = set(CODES) - covered - {"source-error", "invalid-finding"}
    assert not missing, f"codes without a policy case: {sorted(missing)}"


def test_cases_use_distinct_names() -> None:
    names = [name for name, _ in CASES]
    assert len(names) == len(set(names))
