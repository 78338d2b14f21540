"""action.yml, run as a runner would: each `run:` step of the composite with bash.

Inputs and `${{ github.* }}` are substituted, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY /
GITHUB_WORKSPACE point at temp files, the install step (pip) and `uses:` steps are skipped; the
tool comes from this checkout's venv through COMPLIANCE_PYTHON, as the install step would set it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from treepaths import REPO

EXAMPLES = REPO / "examples"
SARIF_SCHEMA = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
_EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def load_action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    return data


def substitute(text: str, context: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in context:
            raise AssertionError(f"action.yml uses ${{{{ {key} }}}}, which the test does not know")
        return context[key]

    return _EXPR.sub(one, text)


def run_action(
    workspace: Path, tmp: Path, inputs: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str, str]:
    """Run the action's run-steps; return (exit code, outputs, step summary, combined log)."""
    action = load_action()
    assert action["runs"]["using"] == "composite"
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values.update(inputs or {})
    context = {f"inputs.{k}": v for k, v in values.items()}
    context.update(
        {
            "github.action_path": str(REPO),
            "github.workspace": str(workspace),
            **{
                f"steps.check.outputs.{k}": ""
                for k in ("allow", "warn", "deny", "sarif-file", "bom-file")
            },
        }
    )
    output, summary, env_file = tmp / "output.txt", tmp / "summary.md", tmp / "env.txt"
    for f in (output, summary, env_file):
        f.write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ENV": str(env_file),
        "GITHUB_ACTIONS": "true",
        "RUNNER_TEMP": str(tmp),
        "COMPLIANCE_PYTHON": sys.executable,
    }
    code, log = 0, ""
    for step in action["runs"]["steps"]:
        if "uses" in step:
            if "upload-sarif" in step["uses"]:
                # runs even when check fails; `upload-sarif: false` turns it off (issue 17 item 16)
                assert step.get("if") == "always() && inputs.upload-sarif != 'false'"
            assert str(step.get("if", "")).startswith("always()"), (
                "an upload step must run even when check fails"
            )
            continue
        script = step["run"]
        if "pip install" in script:
            assert '"${{ github.action_path }}"' in script
            continue
        assert step.get("shell") == "bash"
        step_env = {k: substitute(str(v), context) for k, v in (step.get("env") or {}).items()}
        cwd = substitute(step.get("working-directory", "${{ github.workspace }}"), context)
        proc = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", substitute(script, context)],
            cwd=cwd,
            env={**env, **step_env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        log += proc.stdout + proc.stderr
        code = proc.returncode
        if code != 0:
            break
    outputs = dict(
        line.split("=", 1)
        for line in output.read_text(encoding="utf-8").splitlines()
        if "=" in line
    )
    return code, outputs, summary.read_text(encoding="utf-8"), log


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(EXAMPLES, ws)
    return ws


def test_action_declares_its_interface() -> None:
    action = load_action()
    inputs = action["inputs"]
    assert {k: inputs[k]["default"] for k in inputs} == {
        "paths": ".",
        "config": "compliance.yaml",
        "fail-on": "deny",
        "sarif-file": "compliance.sarif",
        "upload-sarif": "true",
        "bom-file": "",
    }
    assert set(action["outputs"]) >= {"allow", "warn", "deny", "bom-file"}
    uses = {s["uses"]: s for s in action["runs"]["steps"] if "uses" in s}
    assert set(uses) == {"github/codeql-action/upload-sarif@v3", "actions/upload-artifact@v4"}
    bom = uses["actions/upload-artifact@v4"]
    assert bom["if"] == "always() && inputs.bom-file != ''"
    assert bom["with"]["path"] == "${{ inputs.bom-file }}"
    # inputs reach the shell through env, never spliced into the script (injection)
    for step in action["runs"]["steps"]:
        assert "inputs." not in step.get("run", "")


def test_action_run_steps_as_a_runner(workspace: Path, tmp_path: Path) -> None:
    code, outputs, summary, log = run_action(
        workspace, tmp_path, {"paths": "litellm-config.yaml docker-compose.yaml"}
    )
    check = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-m",
                "compliance",
                "check",
                "litellm-config.yaml",
                "docker-compose.yaml",
                "--config",
                "compliance.yaml",
                "--format",
                "json",
            ],
            cwd=workspace,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    )
    counts = {k: str(check["summary"][k]) for k in ("allow", "warn", "deny")}
    assert {k: outputs[k] for k in counts} == counts
    assert outputs["total"] == str(len(check["decisions"]))
    # the job fails exactly when a decision reaches fail-on (deny by default)
    assert code == (1 if check["summary"]["deny"] else 0), log
    assert outputs["failed"] == ("true" if check["summary"]["deny"] else "false")
    # the summary table: one row per model and place, with file:line, decision and codes
    assert "| Model | File:line | Decision | Codes |" in summary
    for decision in check["decisions"]:
        for loc in decision["locations"]:
            assert f"`{loc['file']}:{loc['line']}`" in summary
        for c in decision["codes"]:
            assert c in summary
    sarif = json.loads((workspace / "compliance.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"][0]["results"]) == sum(len(d["findings"]) for d in check["decisions"])
    if SARIF_SCHEMA.exists():
        jsonschema = pytest.importorskip("jsonschema")
        jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


def test_action_fail_on_never_passes_and_default_paths(workspace: Path, tmp_path: Path) -> None:
    code, outputs, summary, log = run_action(workspace, tmp_path, {"fail-on": "never"})
    assert code == 0, log
    assert outputs["failed"] == "false"
    assert int(outputs["total"]) >= 1  # `.` finds the example configs
    assert "**passed**" in summary and "| Model | File:line | Decision | Codes |" in summary
    assert "`./" not in summary  # paths as the repository names them


def test_action_tool_error_still_writes_a_valid_sarif(workspace: Path, tmp_path: Path) -> None:
    (workspace / "broken.yaml").write_text("version: 99\n", encoding="utf-8")
    code, outputs, summary, log = run_action(
        workspace, tmp_path, {"config": "broken.yaml", "sarif-file": "out/c.sarif"}
    )
    assert code == 2, log  # a config error is exit 2, and fails the job
    sarif = json.loads((workspace / "out" / "c.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False
    assert "could not decide" in summary
    assert outputs["failed"] == "true"


def test_action_annotates_lines_with_workflow_commands(workspace: Path, tmp_path: Path) -> None:
    """Without SARIF upload (forks, private repos without GHAS) the findings still point at the
    lines: the check step prints `::error file=...,line=...::` commands (issue 17 item 16)."""
    code, _outputs, _summary, log = run_action(
        workspace, tmp_path, {"paths": "litellm-config.yaml", "upload-sarif": "false"}
    )
    check = json.loads(
        subprocess.run(
            [sys.executable, "-m", "compliance", "check", "litellm-config.yaml",
             "--config", "compliance.yaml", "--format", "json"],
            cwd=workspace, capture_output=True, text=True, check=False,
        ).stdout
    )  # fmt: skip
    denied = [d for d in check["decisions"] if d["decision"] == "deny"]
    assert denied and code == 1
    for d in denied:
        for loc in d["locations"]:
            assert f"::error file={loc['file']},line={loc['line']},title=" in log, log


def test_action_writes_the_cyclonedx_bom_file(workspace: Path, tmp_path: Path) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    code, outputs, summary, log = run_action(
        workspace,
        tmp_path,
        {"paths": "litellm-config.yaml docker-compose.yaml", "bom-file": "out/ai-bom.cdx.json"},
    )
    bom = workspace / "out" / "ai-bom.cdx.json"
    assert outputs["bom-file"] == "out/ai-bom.cdx.json", log
    text = bom.read_text(encoding="utf-8")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    data = json.loads(text)
    assert int(outputs["total"]) == len(data["components"])
    assert "AI bill of materials" in summary
    assert code == (1 if int(outputs["deny"]) else 0), log


def test_action_without_bom_file_writes_none(workspace: Path, tmp_path: Path) -> None:
    _code, outputs, _summary, _log = run_action(workspace, tmp_path, {"fail-on": "never"})
    assert outputs["bom-file"] == ""
    assert not list(workspace.rglob("*.cdx.json"))
