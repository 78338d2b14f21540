"""docs/codes.md documents every code once; the pack example in docs/policy.md works."""

from __future__ import annotations

import json
import re
from pathlib import Path

from policy_cases.casedata import model_facts
from treepaths import REPO

from compliance.config import config_from_dict
from compliance.policy.findings import CODES
from compliance.run import check_subjects

DOCS = REPO / "docs"


def test_every_code_is_documented_once() -> None:
    text = (DOCS / "codes.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## ([a-z-]+)$", text, re.MULTILINE)
    rows = re.findall(r"^\| `([a-z-]+)` \|", text, re.MULTILINE)
    assert sorted(sections) == sorted(CODES)
    assert sorted(rows) == sorted(CODES)
    assert len(sections) == len(set(sections))


def test_codes_table_severity_matches_findings_py() -> None:
    text = (DOCS / "codes.md").read_text(encoding="utf-8")
    for code, severity in re.findall(r"^\| `([a-z-]+)` \| ([a-z]+)", text, re.MULTILINE):
        expected = CODES[code].severity
        if code in ("license-conflict", "license-incompatible-merge"):
            continue  # "as reported" by the facts stage
        assert severity == expected, code


def test_pack_example_in_policy_md(tmp_path: Path) -> None:
    text = (DOCS / "policy.md").read_text(encoding="utf-8")
    block, _tests = re.findall(r"```rego\n(.*?)```", text, re.DOTALL)
    pack = tmp_path / "acme.rego"
    pack.write_text(block, encoding="utf-8")
    config = config_from_dict(
        {
            "organization": {"domicile": "US", "monthly_active_users": 1},
            "policy": {"packs": [str(pack)]},
        }
    )
    d = check_subjects([model_facts("gemma-2-9b")], config).decisions[0]
    assert d.codes == ("acme-no-gemma",)
    assert any(
        f.message == "Gemma is not approved at ACME (google/gemma-2-9b-it)" for f in d.findings
    )
    # the registry's keys are dated (gemma-2025-03-24): the documented rule must still fire
    dated = model_facts(
        "gemma-2-9b",
        {"license": {"declared": "gemma", "key": "gemma-2025-03-24", "class": "restricted"}},
    )
    d = check_subjects([dated], config).decisions[0]
    assert d.codes == ("acme-no-gemma",)


def test_license_family_is_in_the_policy_input() -> None:
    from compliance.policy.engine import builtin_input, policy_input

    dated = model_facts(
        "gemma-2-9b",
        {"license": {"declared": "gemma", "key": "gemma-2025-03-24", "class": "restricted"}},
    )
    assert policy_input(dated)["effective"]["license_family"] == "gemma"
    assert builtin_input(dated)["effective"]["license_family"] == "gemma"


def test_every_input_field_is_documented() -> None:
    from compliance.policy.engine import policy_input

    text = (DOCS / "policy.md").read_text(encoding="utf-8")
    data = policy_input(model_facts("llama-3.1-8b"))
    for key, value in data.items():
        if isinstance(value, dict):
            for sub in value:
                assert f"`{key}.{sub}`" in text, f"{key}.{sub}"
        else:
            assert f"`{key}`" in text, key


def _docs_pack(tmp_path: Path) -> Path:
    text = (DOCS / "policy.md").read_text(encoding="utf-8")
    pack_text, test_text = re.findall(r"```rego\n(.*?)```", text, re.DOTALL)
    pack = tmp_path / "acme"
    pack.mkdir()
    (pack / "acme.rego").write_text(pack_text, encoding="utf-8")
    (pack / "acme_test.rego").write_text(test_text, encoding="utf-8")
    return pack


def test_policy_test_runs_the_docs_pack_tests(tmp_path: Path, cli) -> None:
    pack = _docs_pack(tmp_path)
    code, out, err = cli("policy", "test", str(pack))
    assert code == 0, out + err
    assert "PASS" in out and "test_gemma_family_is_denied" in out
    assert "2 tests, 2 passed, 0 failed" in out


def test_policy_test_failing_and_broken_packs(tmp_path: Path, cli) -> None:
    pack = _docs_pack(tmp_path)
    (pack / "more_test.rego").write_text(
        "package compliance.more_test\n\nimport rego.v1\n\nimport data.compliance.acme\n\n"
        'test_wrong if acme.is_gemma({"license_family": "llama"})\n',
        encoding="utf-8",
    )
    code, out, _ = cli("policy", "test", str(pack), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["schema"] == "compliance.policy-test/v1"
    assert data["failed"] == 1
    assert [t["rule"] for t in data["tests"] if not t["passed"]] == ["test_wrong"]
    (pack / "more_test.rego").write_text("package compliance.more_test\n\ntest_x if {\n")
    code, _, err = cli("policy", "test", str(pack))
    assert code == 2
    assert "does not compile" in err


def test_policy_test_builtin(cli) -> None:
    code, out, _ = cli("policy", "test", "--builtin")
    assert code == 0, out
    assert " 0 failed" in out
