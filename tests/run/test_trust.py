"""Issue 16: what a legal reviewer relies on. Policy and lock files are not model references;
closed-API models named on the command line are judged without a fetch."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest
from policy_cases.casedata import model_facts

import compliance.run.scan as pipeline
from compliance.cli.main import main
from compliance.errors import RepoNotFound
from compliance.refs import extract_paths


class FakeScanner:
    """Stands in for pipeline.Scanner: facts by repo id; records what was asked for."""

    known: ClassVar[dict] = {}
    scanned: ClassVar[list] = []

    def __init__(self, source, *, lineage: bool = True, workers: int = 8, **_: object):
        pass

    def scan(self, ids):
        out = []
        for mid in dict.fromkeys(ids):
            FakeScanner.scanned.append(str(mid))
            value = self.known.get(mid.repo_id)
            if value is None:
                out.append(pipeline.ScanOutcome(mid, None, RepoNotFound(mid.repo_id, "not found")))
            else:
                out.append(pipeline.ScanOutcome(mid, value))
        return out

    def forget(self, ids):  # the check decides a chunk at a time and then forgets it
        pass

    def reads_ahead(self, count):  # no child processes for a fake
        return False

    def close(self):
        pass


@pytest.fixture
def cli(monkeypatch, tmp_path: Path, capsys):
    names = ["llama-3.2-1b", "phi-3-mit", "llama-3.1-8b"]
    FakeScanner.known = {model_facts(n).model: model_facts(n) for n in names}
    FakeScanner.known["deepseek-ai/DeepSeek-R1-Distill-Llama-8B"] = replace(
        model_facts("llama-3.1-8b"), model="deepseek-ai/DeepSeek-R1-Distill-Llama-8B"
    )
    FakeScanner.scanned = []
    monkeypatch.setattr(pipeline, "Scanner", FakeScanner)
    monkeypatch.setattr(pipeline, "make_source", lambda spec, **kw: object())
    monkeypatch.chdir(tmp_path)

    def run(*args: str):
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


POLICY = """\
version: 1
organization: {domicile: US, monthly_active_users: 1000}
exceptions:
  - model: deepseek-ai/DeepSeek-R1-Distill-Llama-8B
    rules: [license-mismatch-with-base]
    reason: reviewed
    approved_by: legal@example.com
    expires: 2099-01-01
"""
APP = (
    "model_list:\n  - model_name: a\n    litellm_params:\n"
    "      model: huggingface/microsoft/Phi-3-mini-4k-instruct\n"
)


def _repo(root: Path, policy_name: str = "compliance.yaml") -> None:
    (root / "deploy").mkdir()
    (root / "deploy" / "litellm.yaml").write_text(APP)
    (root / policy_name).write_text(POLICY)
    (root / "compliance.lock").write_text(
        '{"schema": "compliance.lock/v1", "models": {"meta-llama/Llama-3.1-8B": {}}}\n'
    )
    (root / ".pre-commit-config.yaml").write_text(
        "repos:\n  - repo: local\n    hooks:\n      - id: x\n        entry: vllm serve"
        " meta-llama/Llama-3.2-1B-Instruct\n        language: system\n"
    )
    (root / "sub").mkdir()
    (root / "sub" / "compliance.yml").write_text(POLICY)


def test_refs_skip_policy_lock_and_precommit_files(tmp_path: Path) -> None:
    _repo(tmp_path)
    refs = extract_paths([str(tmp_path)])
    assert {Path(r.file).name for r in refs} == {"litellm.yaml"}
    # named explicitly, too
    assert extract_paths([str(tmp_path / "compliance.yaml")]) == []
    assert extract_paths([str(tmp_path / ".pre-commit-config.yaml")]) == []


def test_check_dot_does_not_name_the_policy_file(cli, tmp_path: Path) -> None:
    _repo(tmp_path)
    _code, out, _ = cli("check", ".", "--format", "json")
    data = json.loads(out)
    models = {d["model"] for d in data["decisions"]}
    assert models == {"microsoft/Phi-3-mini-4k-instruct"}
    assert "compliance.yaml" not in json.dumps(data["decisions"])
    assert data["summary"]["exceptions_applied"] == 0
    assert FakeScanner.scanned == ["microsoft/Phi-3-mini-4k-instruct"]


def test_a_config_named_by_config_is_not_a_reference(cli, tmp_path: Path) -> None:
    _repo(tmp_path, policy_name="org-policy.yaml")
    _code, out, _ = cli("check", ".", "--config", "org-policy.yaml", "--format", "json")
    data = json.loads(out)
    assert {d["model"] for d in data["decisions"]} == {"microsoft/Phi-3-mini-4k-instruct"}
    assert "org-policy.yaml" not in json.dumps(data["decisions"])
    # the exception names a model nobody uses: it applies to nothing and is listed as such
    assert data["summary"]["exceptions_applied"] == 0
    assert [e["model"] for e in data["summary"]["exceptions_not_checked"]] == [
        "deepseek-ai/DeepSeek-R1-Distill-Llama-8B"
    ]


@pytest.mark.parametrize("command", ["check", "explain", "scan"])
def test_closed_api_model_on_the_command_line_is_not_fetched(cli, command: str) -> None:
    args = {
        "check": ("check", "--model", "openai/gpt-4o", "--format", "json"),
        "explain": ("explain", "openai/gpt-4o", "--format", "json"),
        "scan": ("scan", "openai/gpt-4o", "--format", "json"),
    }[command]
    code, out, err = cli(*args)
    assert FakeScanner.scanned == []
    assert "proprietary" in out
    assert code in (0, 1), err


def test_closed_api_model_in_a_models_list_keeps_its_line(cli, tmp_path: Path) -> None:
    (tmp_path / "models.txt").write_text("# fleet\nanthropic/claude-3-5-sonnet\n")
    _code, out, _ = cli("check", "--models-from", "models.txt", "--format", "json")
    data = json.loads(out)
    (decision,) = data["decisions"]
    assert decision["kind"] == "closed-api"
    assert decision["locations"] == [{"file": "models.txt", "line": 2}]
    assert FakeScanner.scanned == []


def test_text_output_wraps_a_long_quote_and_keeps_its_last_words() -> None:
    import datetime as dt

    from compliance.facts.model import Evidence
    from compliance.policy.decision import CheckResult, DecidedFinding, Decision
    from compliance.report import render_check

    clause = (
        "With respect to any multimodal models included in Llama 3.2, the rights granted under"
        " Section 1(a) of the Llama 3.2 Community License Agreement are not being granted to you"
        " if you are an individual domiciled in, or a company with a principal place of business"
        " in, the European Union."
    )
    ev = Evidence("territory_restrictions", "USE_POLICY.md", 43, clause, model="meta-llama/x")
    finding = DecidedFinding("eu-restricted", "deny", "EU", (ev,))
    decision = Decision("meta-llama/x", None, "deny", (finding,))
    result = CheckResult((decision,), today=dt.date(2026, 1, 1))
    text = render_check(result, "text")
    assert "European Union." in text
    assert all(len(line) <= 100 for line in text.splitlines())
    joined = " ".join(line.strip() for line in text.splitlines())
    assert clause in joined
