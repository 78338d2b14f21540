"""Report formats over a fixed check result: golden files, schema and spdx-tools validation."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from test_report_helpers import (
    GENERATED_AT,
    LOOKUP,
    SARIF_SCHEMA,
    assert_golden,
    sample,
    sample_audit,
)

from compliance.report.audit import (
    build_audit,
    classify_duty,
    fact_rows,
)
from compliance.report.github import annotation, escape_data, escape_property, render_github
from compliance.report.html import render_html
from compliance.report.json_report import audit_json, render_json
from compliance.report.markdown import render_markdown
from compliance.report.sarif import failed_run, render_sarif
from compliance.report.spdx import build_document, render_spdx, validate

# -- golden files: one per format ---------------------------------------------------------------


def test_markdown_golden() -> None:
    assert_golden("audit.md", render_markdown(sample_audit()))


def test_html_golden() -> None:
    assert_golden("audit.html", render_html(sample_audit()))


def test_json_golden() -> None:
    assert_golden("audit.json", render_json(sample_audit()))


def test_spdx_golden() -> None:
    assert_golden("audit.spdx.json", render_spdx(sample_audit()))


def test_sarif_golden() -> None:
    result, facts = sample()
    text = json.dumps(render_sarif(result, facts, tool_version="0.0.0-test"), indent=2) + "\n"
    assert_golden("check.sarif", text)


def test_github_golden() -> None:
    result, _ = sample()
    assert_golden("check.github.txt", render_github(result))


# -- formatters are pure ------------------------------------------------------------------------


def test_formatters_do_not_mutate_their_input() -> None:
    result, facts = sample()
    before_result, before_facts = copy.deepcopy(result), copy.deepcopy(facts)
    report = build_audit(result, facts, generated_at=GENERATED_AT, tool_version="t", lookup=LOOKUP)
    before_report = copy.deepcopy(report)
    for render in (render_markdown, render_html, render_json, render_spdx):
        render(report)
    render_sarif(result, facts, tool_version="t")
    render_github(result)
    assert result == before_result
    assert facts == before_facts
    assert report == before_report
    assert render_markdown(report) == render_markdown(report)  # deterministic


# -- the same truth in every audit format -------------------------------------------------------


def test_audit_formats_say_the_same_thing() -> None:
    report = sample_audit()
    md, html, data = render_markdown(report), render_html(report), audit_json(report)
    assert data["schema"] == "compliance.audit/v1"
    assert data["summary"] == {"models": 5, "allow": 2, "warn": 1, "deny": 2}
    for entry in data["models"]:
        assert entry["model"] in md and entry["model"] in html
        assert entry["decision"] in ("allow", "warn", "deny")
    llama = data["models"][0]
    # evidence as file:line and the quoted clause, in every format
    assert "`USE_POLICY.md:40`" in md and "<code>USE_POLICY.md:40</code>" in html
    assert "European Union" in md and "European Union" in html
    kinds = [o["kind"] for o in llama["obligations"]]
    assert kinds == ["notice", "name-prefix", "use-policy", "license-copy"]
    assert llama["obligations"][1]["value"] == "Llama"
    assert "Built with Llama" in md and "Built with Llama" in html
    gemma = data["models"][2]
    assert gemma["findings"][0]["waived"] is True
    assert gemma["exceptions_applied"][0]["waived"] == ["license-class-denied"]
    assert gemma["exceptions_applied"][0]["approved_by"] == "legal@example.com"
    assert gemma["exceptions_applied"][0]["expires"] == "2027-06-30"
    assert "LEGAL-42" in md and "LEGAL-42" in html
    deepseek = data["models"][1]
    assert [line["model"] for line in deepseek["lineage"]] == [
        "meta-llama/Llama-3.1-8B",
        "meta-llama/Llama-3.1-8B-base",
    ]
    assert deepseek["revision"] in md and "2026-11-24T11:59:01+00:00" in md


def test_markdown_table_cells_are_escaped() -> None:
    from compliance.report.markdown import cell

    assert cell("a|b\nc") == "a\\|b c"


def test_html_is_self_contained_and_escaped() -> None:
    html = render_html(sample_audit())
    assert "<style>" in html and "@media print" in html
    assert "<script" not in html and "<link" not in html and "src=" not in html
    assert "product&#39;s legal screen" in html  # autoescaped


def test_every_evidence_is_in_the_facts_table() -> None:
    _, facts = sample()
    for f in facts.values():
        rows = fact_rows(f)
        shown = [ev for row in rows for ev in row.evidence]
        assert sorted(shown, key=repr) == sorted(f.evidence, key=repr)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ('Display "Built with Llama" on a related website', "notice", "Built with Llama"),
        ('Models trained on it must have names beginning with "Llama"', "name-prefix", "Llama"),
        ("Ship a copy of this Agreement with the Llama Materials", "license-copy", None),
        ("Give recipients a copy of this Agreement", "license-copy", None),
        (
            "Pass on the Section 3.2 use restrictions as an enforceable provision",
            "use-policy",
            None,
        ),
        ("Keep the model weights encrypted at rest", "other", None),
    ],
)
def test_classify_duty(text: str, kind: str, value: str | None) -> None:
    duty = classify_duty(text)
    assert (duty.kind, duty.value) == (kind, value)
    assert duty.text == text  # the licence's wording is kept


# -- SARIF --------------------------------------------------------------------------------------


def test_sarif_structure() -> None:
    result, facts = sample()
    log = render_sarif(result, facts, tool_version="t")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    for rule in rules:
        assert rule["help"]["text"] and rule["shortDescription"]["text"]
    findings = [f for d in result.decisions for f in d.findings]
    assert len(run["results"]) == len(findings)  # one result per finding
    by_rule = {r["ruleId"]: r for r in run["results"]}
    eu = by_rule["eu-restricted"]
    assert eu["level"] == "error" and rules[eu["ruleIndex"]]["id"] == "eu-restricted"
    loc = eu["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "litellm-config.yaml"
    assert loc["region"]["startLine"] == 9
    assert by_rule["license-mismatch-with-base"]["level"] == "warning"
    assert (
        by_rule["license-mismatch-with-base"]["relatedLocations"][0]["physicalLocation"][
            "artifactLocation"
        ]["uri"]
        == "docker-compose.yaml"
    )
    assert by_rule["attribution-required"]["level"] == "note"


def test_sarif_model_named_on_command_line_points_at_model_card() -> None:
    from compliance.policy.decision import CheckResult, DecidedFinding, Decision

    result = CheckResult(
        (
            Decision(
                "org/model",
                None,
                "deny",
                (DecidedFinding("license-unknown", "deny", "no licence"),),
            ),
        )
    )
    res = render_sarif(result, tool_version="t")["runs"][0]["results"][0]
    loc = res["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "README.md"
    assert "region" not in loc["physicalLocation"]
    assert loc["logicalLocations"][0]["name"] == "org/model"


def test_sarif_waived_finding_is_suppressed_with_the_exception() -> None:
    result, _ = sample()
    results = render_sarif(result, tool_version="t")["runs"][0]["results"]
    waived = [r for r in results if r["ruleId"] == "license-class-denied"]
    assert len(waived) == 1
    (suppression,) = waived[0]["suppressions"]
    assert suppression["kind"] == "external"
    assert (
        "LEGAL-42" in suppression["justification"]
        and "legal@example.com" in suppression["justification"]
    )
    assert all("suppressions" not in r for r in results if r["ruleId"] != "license-class-denied")


def _sarif_validator():  # type: ignore[no-untyped-def]
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.skipif(not SARIF_SCHEMA.exists(), reason="../shared/schemas is absent")
def test_sarif_validates_against_the_schema() -> None:
    result, facts = sample()
    validator = _sarif_validator()
    for log in (
        render_sarif(result, facts, tool_version="0.1.0"),
        failed_run("boom", tool_version="0.1.0"),
    ):
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


# -- GitHub workflow commands -------------------------------------------------------------------


def test_github_escaping() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = annotation("error", "m: 1, 2", file="dir/a,b:c.yaml", line=3, title="x")
    assert line == "::error file=dir/a%2Cb%3Ac.yaml,line=3,title=x::m: 1, 2"
    assert annotation("notice", "hi") == "::notice::hi"


def test_github_one_annotation_per_finding_and_place() -> None:
    result, _ = sample()
    lines = render_github(result).splitlines()
    assert sum(1 for x in lines if "license-mismatch-with-base" in x) == 2  # two places
    assert all("\n" not in x for x in lines)
    assert lines[-1].startswith("::notice title=compliance check::")
    waived = [x for x in lines if "title=license-class-denied" in x]
    assert len(waived) == 1 and waived[0].startswith("::notice ") and "LEGAL-42" in waived[0]
    assert any(
        x.startswith("::error file=litellm-config.yaml,line=9,title=eu-restricted::") for x in lines
    )


# -- SPDX ---------------------------------------------------------------------------------------


def test_spdx_passes_spdx_tools_validation() -> None:
    document = build_document(sample_audit())
    assert validate(document) == []
    data = json.loads(render_spdx(sample_audit()))
    assert data["spdxVersion"] == "SPDX-2.3"
    packages = {p["name"]: p for p in data["packages"]}
    llama = packages["meta-llama/Llama-3.2-11B-Vision-Instruct"]
    assert llama["versionInfo"] == "a" * 40
    assert llama["supplier"] == "Organization: Meta"
    assert llama["downloadLocation"] == f"https://huggingface.co/{llama['name']}/tree/{'a' * 40}"
    assert llama["licenseConcluded"] == "LicenseRef-scancode-llama-3.2-license-2024"
    assert "700,000,000" in llama["comment"]
    deepseek = packages["deepseek-ai/DeepSeek-R1-Distill-Llama-8B"]
    assert deepseek["licenseDeclared"] == "MIT"
    assert deepseek["licenseConcluded"] == "LicenseRef-scancode-llama-3.1-license-2024"
    gemma = packages["google/gemma-2-9b-it"]
    assert gemma["downloadLocation"] == "NOASSERTION"  # no pinned revision
    missing = packages["acme/missing-model"]
    assert missing["licenseConcluded"] == "NOASSERTION" and missing["supplier"] == "NOASSERTION"
    refs = {x["licenseId"]: x for x in data["hasExtractedLicensingInfos"]}
    assert set(refs) == {
        "LicenseRef-scancode-llama-3.2-license-2024",
        "LicenseRef-scancode-llama-3.1-license-2024",
        "LicenseRef-compliance-gemma-2024-04-01",
    }
    assert refs["LicenseRef-compliance-gemma-2024-04-01"]["extractedText"].startswith(
        "See https://"
    )


def test_spdx_round_trips_through_the_spdx_tools_parser(tmp_path: Path) -> None:
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    path = tmp_path / "audit.spdx.json"
    path.write_text(render_spdx(sample_audit()), encoding="utf-8")
    document = parse_file(str(path))
    assert validate_full_spdx_document(document) == []
    assert len(document.packages) == 5


# -- HTML in a browser --------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "audit.html"
    page.write_text(render_html(sample_audit()), encoding="utf-8")
    shot = tmp_path / "audit.png"
    assert CHROMIUM is not None
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,2400",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    keep = os.environ.get("COMPLIANCE_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
