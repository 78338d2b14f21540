"""`compliance audit` and `check --format sarif|github` end to end, over the examples mirror."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from treepaths import REPO

SARIF_SCHEMA = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
CONFIGS = ("litellm-config.yaml", "docker-compose.yaml")


@pytest.fixture()
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ws = tmp_path / "examples"
    shutil.copytree(REPO / "examples", ws)
    monkeypatch.chdir(ws)
    return ws


def _check_json(cli) -> dict:  # type: ignore[no-untyped-def]
    code, out, _ = cli("check", *CONFIGS, "--config", "compliance.yaml", "--format", "json")
    data = json.loads(out)
    data["exit"] = code
    return data


@pytest.mark.parametrize("fmt", ["markdown", "html", "json", "spdx"])
def test_audit_exit_code_and_models_match_check(examples: Path, cli, fmt: str) -> None:  # type: ignore[no-untyped-def]
    check = _check_json(cli)
    code, out, err = cli("audit", *CONFIGS, "--config", "compliance.yaml", "--format", fmt)
    assert code == check["exit"], err
    models = [d["model"] for d in check["decisions"]]
    assert models
    for model in models:
        assert model in out


def test_audit_json_is_versioned_and_agrees_with_check(examples: Path, cli) -> None:  # type: ignore[no-untyped-def]
    check = _check_json(cli)
    code, out, _ = cli("audit", *CONFIGS, "--config", "compliance.yaml", "--format", "json")
    data = json.loads(out)
    assert data["schema"] == "compliance.audit/v1"
    assert data["exit_code"] == code
    assert [(m["model"], m["decision"]) for m in data["models"]] == [
        (d["model"], d["decision"]) for d in check["decisions"]
    ]
    for entry, decision in zip(data["models"], check["decisions"], strict=True):
        assert [f["code"] for f in entry["findings"]] == [f["code"] for f in decision["findings"]]
        # the audit adds `raw` (the reference as written) where it was mapped to another id
        assert [{"file": x["file"], "line": x["line"]} for x in entry["locations"]] == [
            {"file": loc["file"].removeprefix("./"), "line": loc["line"]}
            for loc in decision["locations"]
        ]
        if entry["facts"] is not None:
            assert entry["read_at"] == entry["facts"]["fetched_at"]
            assert entry["facts_table"], entry["model"]
    summary = {k: data["summary"][k] for k in ("allow", "warn", "deny")}
    assert summary == {k: check["summary"][k] for k in ("allow", "warn", "deny")}


def test_audit_spdx_validates_with_spdx_tools(examples: Path, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    target = tmp_path / "out" / "audit.spdx.json"
    _code, out, err = cli(
        "audit",
        *CONFIGS,
        "--model",
        "mistralai/Mistral-7B-v0.3",
        "--config",
        "compliance.yaml",
        "--format",
        "spdx",
        "--output",
        str(target),
    )
    assert out == "" and f"wrote {target}" in err
    document = parse_file(str(target))
    assert validate_full_spdx_document(document) == []
    names = {p.name for p in document.packages}
    assert "mistralai/Mistral-7B-v0.3" in names


def test_audit_html_is_one_self_contained_file(examples: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _code, out, _ = cli("audit", *CONFIGS, "--config", "compliance.yaml", "--format", "html")
    assert out.startswith("<!DOCTYPE html>") and "@media print" in out
    assert "<script" not in out and "<link" not in out


def test_audit_markdown_sections(examples: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _code, out, _ = cli(
        "audit", "litellm-config.yaml", "--config", "compliance.yaml", "--format", "markdown"
    )
    assert "| Model | Revision | Licence | Decision |" in out
    for heading in (
        "### Findings",
        "### Facts",
        "### Lineage",
        "### Obligations",
        "### Exceptions applied",
    ):
        assert heading in out
    assert "`README.md:2`" in out  # evidence as file:line with the quoted clause
    assert "Named at: `litellm-config.yaml:" in out


def test_audit_needs_something_to_audit(examples: Path, cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("audit", "--format", "json")
    assert code == 2 and "nothing to audit" in err


def test_audit_no_progress_when_stderr_is_not_a_tty(examples: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _code, _, err = cli("audit", *CONFIGS, "--config", "compliance.yaml", "--format", "json")
    assert "read " not in err and "\r" not in err


def test_progress_counter_counts_reads_past_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    from compliance.cli import progress

    buffer = io.StringIO()
    monkeypatch.setattr(progress.sys, "stderr", buffer)
    counter = progress.Counter(True)
    for i in range(7):
        counter.model_read(f"m/{i}")
    counter.close()
    text = buffer.getvalue()  # issue 17 item 6: "[done/total] ..." (the total grows as read)
    assert "[5/5]" not in text and "[6/6] read 6 models" in text and "[7/7] read 7" in text
    assert text.endswith("\r\033[K")
    silent = io.StringIO()
    monkeypatch.setattr(progress.sys, "stderr", silent)
    off = progress.Counter(False)
    for i in range(7):
        off.model_read(f"m/{i}")
    off.close()
    assert off.count == 7 and silent.getvalue() == ""


def test_run_audit_reports_each_model_read_to_its_progress(examples: Path) -> None:
    from compliance.config import load_config
    from compliance.run import CheckRequest, run_audit

    class Seen:
        def __init__(self) -> None:
            self.models: list[str] = []

        def model_read(self, model: str) -> None:
            self.models.append(model)

    seen = Seen()
    config = load_config(Path("compliance.yaml"))
    report = run_audit(CheckRequest(paths=CONFIGS, config=config), progress=seen)
    read = {m.split("@", 1)[0] for m in seen.models}
    scanned = {e.model for e in report.entries if e.source in ("mirror", "hub", "cache")}
    assert scanned and scanned <= read
    assert len(seen.models) == len(set(seen.models))  # each model once, bases included


# -- check --format sarif | github ----------------------------------------------------------------


def test_check_sarif_end_to_end(examples: Path, cli) -> None:  # type: ignore[no-untyped-def]
    check = _check_json(cli)
    code, out, _ = cli("check", *CONFIGS, "--config", "compliance.yaml", "--format", "sarif")
    assert code == check["exit"]
    log = json.loads(out)
    results = log["runs"][0]["results"]
    assert len(results) == sum(len(d["findings"]) for d in check["decisions"])
    for result in results:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri in CONFIGS or uri in ("compliance.yaml", "README.md")
    if SARIF_SCHEMA.exists():
        import jsonschema

        jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


def test_check_sarif_model_from_command_line(examples: Path, cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli(
        "check",
        "--model",
        "acme/does-not-exist",
        "--config",
        "compliance.yaml",
        "--format",
        "sarif",
    )
    assert code == 3  # the model could not be read: results printed, exit 3
    (result,) = json.loads(out)["runs"][0]["results"]
    assert result["ruleId"] == "source-error" and result["level"] == "error"
    loc = result["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "README.md"
    assert loc["logicalLocations"][0]["name"] == "acme/does-not-exist"


def test_check_github_end_to_end(examples: Path, cli) -> None:  # type: ignore[no-untyped-def]
    check = _check_json(cli)
    code, out, _ = cli("check", *CONFIGS, "--config", "compliance.yaml", "--format", "github")
    assert code == check["exit"]
    lines = out.splitlines()
    expected = sum(len(d["findings"]) * max(1, len(d["locations"])) for d in check["decisions"])
    assert len(lines) == expected + 1  # + the closing count notice
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    denied = [d for d in check["decisions"] if d["decision"] == "deny"]
    for d in denied:
        loc = d["locations"][0]
        assert any(f"file={loc['file']},line={loc['line']}" in line for line in lines)


def test_audit_help_golden(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "report"))
    from test_report_helpers import assert_golden

    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = cli("audit", "--help")
    assert code == 0
    assert_golden("audit-help.txt", out)


def test_audit_reports_unreadable_models_and_exits_3(examples: Path, cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(
        "audit", "--model", "acme/does-not-exist", "--config", "compliance.yaml", "--format", "json"
    )
    assert code == 3
    (entry,) = json.loads(out)["models"]
    assert entry["decision"] == "deny" and entry["facts"] is None
    assert [f["code"] for f in entry["findings"]] == ["source-error"]
    assert "acme/does-not-exist: the model could not be read (not-found): not in the mirror" in err
