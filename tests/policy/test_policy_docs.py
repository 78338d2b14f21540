"""docs/codes.md documents every code once; the pack example in docs/policy.md works."""

from __future__ import annotations

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
    (block,) = re.findall(r"```rego\n(.*?)```", text, re.DOTALL)
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
