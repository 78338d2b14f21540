"""`check_subjects` and `compliance check` / `compliance explain`: decisions, exit codes, output."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest
from policy_cases.casedata import model_facts

import compliance.run.scan as pipeline
from compliance.cli.main import main
from compliance.config import config_from_dict
from compliance.errors import GatedRepo, RepoNotFound
from compliance.facts.model import Finding
from compliance.modelid import ModelId
from compliance.policy.decision import SCHEMA, Location, Subject
from compliance.report import render_check
from compliance.run import check_subjects
from compliance.run.subjects import closed_api_facts

TODAY = dt.date(2026, 11, 24)
EU = {"version": 1, "organization": {"domicile": "DE", "monthly_active_users": 5_000_000}}


def eu_config(**extra):
    return config_from_dict({**EU, **extra})


# -- the core --------------------------------------------------------------------------------


def test_decisions_and_summary() -> None:
    facts = [model_facts(n) for n in ("llama-3.2-11b-vision", "llama-3.2-1b", "phi-3-mit")]
    result = check_subjects(facts, eu_config(), today=TODAY)
    assert [(d.model, d.decision, d.codes) for d in result.decisions] == [
        ("meta-llama/Llama-3.2-11B-Vision-Instruct", "deny", ("eu-restricted",)),
        ("meta-llama/Llama-3.2-1B-Instruct", "allow", ()),
        ("microsoft/Phi-3-mini-4k-instruct", "allow", ()),
    ]
    s = result.summary
    assert (s["models"], s["deny"], s["warn"], s["allow"]) == (3, 1, 0, 2)
    assert result.exit_code() == 1
    assert result.exit_code("warn") == 1


def test_exit_codes() -> None:
    config = eu_config(
        organization={"domicile": "US", "monthly_active_users": 1, "trains_on_outputs": True}
    )
    warn_only = check_subjects([model_facts("llama-3.1-8b")], config, today=TODAY)
    assert warn_only.decisions[0].decision == "warn"
    assert warn_only.exit_code("deny") == 0
    assert warn_only.exit_code("warn") == 1
    clean = check_subjects([model_facts("phi-3-mit")], config, today=TODAY)
    assert clean.exit_code("warn") == 0
    with pytest.raises(ValueError):
        clean.exit_code("info")


def test_source_error_is_deny_and_exit_3() -> None:
    subject = Subject("org/gated", error=GatedRepo("org/gated", "access requires approval"))
    result = check_subjects([subject, model_facts("phi-3-mit")], eu_config(), today=TODAY)
    d = result.decisions[0]
    assert d.decision == "deny"
    assert d.source_error
    assert [(f.code, f.severity) for f in d.findings] == [("source-error", "deny")]
    assert "(gated): access requires approval" in d.findings[0].message
    assert result.exit_code() == 3
    assert result.exit_code("warn") == 3
    assert result.summary["source_errors"] == 1


def test_exceptions_for_an_unreadable_model_are_not_called_unused() -> None:
    config = eu_config(
        exceptions=[
            {
                "model": "org/gated",
                "rules": ["eu-restricted"],
                "reason": "r",
                "approved_by": "a",
                "expires": "2027-01-01",
            },
        ]
    )
    subject = Subject("org/gated", error=GatedRepo("org/gated", "access requires approval"))
    d = check_subjects([subject], config, today=TODAY).decisions[0]
    assert [f.code for f in d.findings] == ["source-error"]
    expired = check_subjects([subject], config, today=dt.date(2027, 1, 2)).decisions[0]
    assert [f.code for f in expired.findings] == ["source-error", "exception-expired"]


def test_a_subject_with_nothing_known_is_never_allowed() -> None:
    result = check_subjects([Subject("org/ghost")], eu_config(), today=TODAY)
    assert result.decisions[0].decision == "deny"
    assert result.exit_code() == 3


def test_scan_outcomes_are_accepted() -> None:
    ok = pipeline.ScanOutcome(ModelId("microsoft/Phi-3-mini-4k-instruct"), model_facts("phi-3-mit"))
    bad = pipeline.ScanOutcome(ModelId("org/missing"), None, RepoNotFound("org/missing", "404"))
    result = check_subjects([ok, bad], eu_config(), today=TODAY)
    assert [(d.model, d.decision) for d in result.decisions] == [
        ("microsoft/Phi-3-mini-4k-instruct", "allow"),
        ("org/missing", "deny"),
    ]


def test_preset_unknown_findings_follow_policy_unknown() -> None:
    subject = Subject(
        "./models/x.gguf",
        findings=(Finding("license-unknown", "unknown", "a GGUF file"),),
        locations=(Location("app.yaml", 3),),
        kind="gguf-file",
    )
    deny = check_subjects([subject], eu_config(), today=TODAY).decisions[0]
    warn = check_subjects([subject], eu_config(policy={"unknown": "warn"}), today=TODAY).decisions[
        0
    ]
    assert (deny.decision, warn.decision) == ("deny", "warn")


def test_closed_api_models_are_proprietary() -> None:
    facts = closed_api_facts("openai/gpt-4o")
    denied = check_subjects([facts], eu_config(), today=TODAY).decisions[0]
    assert denied.codes == ("license-class-denied",)
    allowed = check_subjects(
        [facts],
        eu_config(policy={"allow_classes": ["permissive", "restricted", "proprietary"]}),
        today=TODAY,
    ).decisions[0]
    assert allowed.decision == "allow"


def test_json_shape() -> None:
    config = config_from_dict(
        {
            "version": 1,
            "organization": {"domicile": "US", "monthly_active_users": 800_000_000},
            "exceptions": [
                {
                    "model": "meta-llama/Llama-3.1-8B-Instruct",
                    "rules": ["mau-cap-exceeded"],
                    "reason": "signed agreement with Meta, ref 2026-114",
                    "approved_by": "legal@example.com",
                    "expires": "2027-06-30",
                },
                {
                    "model": "org/not-in-this-run",
                    "rules": ["eu-restricted"],
                    "reason": "r",
                    "approved_by": "a",
                    "expires": "2027-06-30",
                },
            ],
        }
    )
    result = check_subjects([model_facts("llama-3.1-8b")], config, today=TODAY)
    data = json.loads(json.dumps(result.to_json()))
    assert data["schema"] == SCHEMA == "compliance.check/v1"
    (d,) = data["decisions"]
    assert d["model"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert d["revision"] == "0e9e39f249a16976918f6564b8830bc894c89659"
    assert d["decision"] == "allow"
    assert [(f["code"], f["severity"], f["waived"]) for f in d["findings"]] == [
        ("attribution-required", "info", False),
        ("mau-cap-exceeded", "deny", True),
    ]
    waived = d["findings"][1]
    assert waived["waived_by"]["approved_by"] == "legal@example.com"
    assert waived["rule"] == "compliance.scale"
    assert set(waived) == {"code", "severity", "message", "evidence", "rule", "waived", "waived_by"}
    (applied,) = d["exceptions_applied"]
    assert applied["waived"] == ["mau-cap-exceeded"]
    assert applied["expires"] == "2027-06-30"
    assert applied["reason"] == "signed agreement with Meta, ref 2026-114"
    s = data["summary"]
    assert (s["models"], s["allow"], s["exceptions_applied"]) == (1, 1, 1)
    assert [e["model"] for e in s["exceptions_not_checked"]] == ["org/not-in-this-run"]


def test_evidence_is_attached_to_policy_findings() -> None:
    from compliance.facts.model import Evidence

    ev = Evidence("mau_cap", "LICENSE", 12, "greater than 700 million monthly active users")
    other = Evidence("gated", "README.md", 3, "extra_gated_prompt")
    facts = replace(model_facts("llama-3.1-8b"), evidence=(ev, other))
    config = eu_config(organization={"domicile": "US", "monthly_active_users": 800_000_000})
    d = check_subjects([facts], config, today=TODAY).decisions[0]
    (mau,) = [f for f in d.findings if f.code == "mau-cap-exceeded"]
    assert mau.evidence == (ev,)


def test_text_output() -> None:
    facts = model_facts("llama-3.2-11b-vision")
    subject = Subject(
        facts.model,
        facts=facts,
        locations=(Location("deploy/litellm.yaml", 4), Location("app/main.py", 12)),
    )
    result = check_subjects([subject, model_facts("phi-3-mit")], eu_config(), today=TODAY)
    text = render_check(result, "text")
    lines = text.splitlines()
    assert lines[0] == (
        "deploy/litellm.yaml:4: meta-llama/Llama-3.2-11B-Vision-Instruct: deny (eu-restricted)"
    )
    assert (
        lines[1] == "app/main.py:12: meta-llama/Llama-3.2-11B-Vision-Instruct: deny (eu-restricted)"
    )
    assert lines[2].startswith("  deny   eu-restricted: the use policy of llama-3.2 excludes EU")
    # info findings only with -v (issue 17 item 4)
    assert lines[3] == "microsoft/Phi-3-mini-4k-instruct: allow"
    assert lines[-3].startswith("note: --today 2026-11-24 was used")  # `today` was given
    assert lines[-1] == "summary: 2 models; 1 deny, 0 warn, 1 allow"
    assert "attribution-required" not in text


# -- the CLI ---------------------------------------------------------------------------------


class FakeScanner:
    """Stands in for pipeline.Scanner: facts by repo id, or a SourceError."""

    known: ClassVar[dict] = {}
    scanned: ClassVar[list] = []

    def __init__(
        self,
        source,
        *,
        lineage: bool = True,
        workers: int = 8,
        progress=None,
        min_confidence=None,
        links=None,
    ):
        assert lineage

    def scan(self, ids):
        out = []
        for mid in dict.fromkeys(ids):
            FakeScanner.scanned.append(str(mid))
            value = self.known.get(mid.repo_id)
            if isinstance(value, Exception):
                out.append(pipeline.ScanOutcome(mid, None, value))
            elif value is None:
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
    names = ["llama-3.2-11b-vision", "llama-3.2-1b", "phi-3-mit", "llama-3.1-8b"]
    FakeScanner.known = {model_facts(n).model: model_facts(n) for n in names}
    FakeScanner.known["meta-llama/Llama-3.2-3B-Instruct"] = replace(
        model_facts("llama-3.2-1b"), model="meta-llama/Llama-3.2-3B-Instruct"
    )
    FakeScanner.known["org/gated"] = GatedRepo("org/gated", "access requires approval")
    FakeScanner.scanned = []
    monkeypatch.setattr(pipeline, "Scanner", FakeScanner)
    monkeypatch.setattr(pipeline, "make_source", lambda spec, **kw: object())
    monkeypatch.chdir(tmp_path)
    (tmp_path / "compliance.yaml").write_text(
        "version: 1\norganization:\n  domicile: DE\n  monthly_active_users: 5000000\n"
    )

    def run(*args: str):
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


LITELLM = """\
model_list:
  - model_name: vision
    litellm_params:
      model: huggingface/meta-llama/Llama-3.2-11B-Vision-Instruct
  - model_name: small
    litellm_params:
      model: huggingface/microsoft/Phi-3-mini-4k-instruct
  - model_name: gpt
    litellm_params:
      model: openai/gpt-4o
  - model_name: local
    litellm_params:
      model: ollama/llama3.2
  - model_name: env
    litellm_params:
      model: os.environ/MODEL_NAME
"""


def test_cli_check_paths_text(cli, tmp_path: Path) -> None:
    Path("litellm.yaml").write_text(LITELLM)
    code, out, _ = cli("check", "litellm.yaml")
    assert code == 1
    lines = [line for line in out.splitlines() if not line.startswith(" ")]
    assert lines[:5] == [
        # deny first, then allow (issue 17 item 4)
        "litellm.yaml:4: meta-llama/Llama-3.2-11B-Vision-Instruct: deny (eu-restricted)",
        "litellm.yaml:10: openai/gpt-4o: deny (license-class-denied)",
        "litellm.yaml:16: os.environ/MODEL_NAME: deny (license-unknown)",
        "litellm.yaml:7: microsoft/Phi-3-mini-4k-instruct: allow",
        "litellm.yaml:13: meta-llama/Llama-3.2-3B-Instruct: allow",
    ]
    assert "environment variable not set here" in out
    assert lines[-1] == "summary: 5 models; 3 deny, 0 warn, 2 allow"
    assert FakeScanner.scanned == [
        "meta-llama/Llama-3.2-11B-Vision-Instruct",
        "microsoft/Phi-3-mini-4k-instruct",
        "meta-llama/Llama-3.2-3B-Instruct",
    ]


def test_cli_check_json_and_locations(cli) -> None:
    Path("litellm.yaml").write_text(LITELLM)
    Path("models.txt").write_text("# fleet\nmicrosoft/Phi-3-mini-4k-instruct\n\n")
    code, out, _ = cli(
        "check",
        "litellm.yaml",
        "--model",
        "meta-llama/Llama-3.2-1B-Instruct",
        "--models-from",
        "models.txt",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert data["schema"] == "compliance.check/v1"
    by_model = {d["model"]: d for d in data["decisions"]}
    assert by_model["microsoft/Phi-3-mini-4k-instruct"]["locations"] == [
        {"file": "models.txt", "line": 2},
        {"file": "litellm.yaml", "line": 7},
    ]
    assert by_model["meta-llama/Llama-3.2-1B-Instruct"]["locations"] == []
    assert by_model["os.environ/MODEL_NAME"]["kind"] == "unresolved"
    assert code == 1


def test_cli_fail_on_warn(cli) -> None:
    Path("compliance.yaml").write_text(
        "version: 1\norganization: {domicile: US, monthly_active_users: 1,"
        " trains_on_outputs: true}\n"
    )
    assert cli("check", "--model", "meta-llama/Llama-3.1-8B-Instruct")[0] == 0
    code, out, _ = cli("check", "--model", "meta-llama/Llama-3.1-8B-Instruct", "--fail-on", "warn")
    assert code == 1
    assert out.startswith(
        "meta-llama/Llama-3.1-8B-Instruct@0e9e39f249a1: warn (output-training-restricted)"
    )


def test_cli_source_error_prints_results_then_exits_3(cli) -> None:
    code, out, err = cli(
        "check", "--model", "org/gated", "--model", "microsoft/Phi-3-mini-4k-instruct"
    )
    assert code == 3
    assert "org/gated: deny (source-error)" in out
    assert "microsoft/Phi-3-mini-4k-instruct: allow" in out
    assert "org/gated: the model could not be read (gated): access requires approval" in err


def test_cli_exception_expiry_uses_today(cli) -> None:
    Path("compliance.yaml").write_text(
        "version: 1\norganization: {domicile: US, monthly_active_users: 800000000}\n"
        "exceptions:\n"
        "  - model: meta-llama/Llama-3.1-8B-Instruct\n"
        "    rules: [mau-cap-exceeded]\n"
        "    reason: signed agreement\n"
        "    approved_by: legal@example.com\n"
        "    expires: 2027-06-30\n"
    )
    code, out, _ = cli(
        "check", "--model", "meta-llama/Llama-3.1-8B-Instruct", "--today", "2027-06-30"
    )
    assert code == 0
    assert "waived mau-cap-exceeded" in out
    assert "by exception at compliance.yaml:4: signed agreement" in out
    code, out, _ = cli(
        "check", "--model", "meta-llama/Llama-3.1-8B-Instruct", "--today", "2027-07-01"
    )
    assert code == 1
    assert "(mau-cap-exceeded, exception-expired)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "nothing to check"),
        (("--model", "not a model"), "invalid model id"),
        (("--models-from", "bad.txt"), "bad.txt:2: invalid model id"),
        (("--model", "a/b", "--today", "tomorrow"), "--today must be YYYY-MM-DD"),
        (("no-such-file.yaml",), "no such file"),
    ],
)
def test_cli_usage_errors(cli, args, message: str) -> None:
    Path("bad.txt").write_text("a/b\nnot valid!\n")
    code, out, err = cli("check", *args)
    assert code == 2
    assert message in err
    assert out == ""


def test_cli_config_errors_exit_2(cli) -> None:
    Path("compliance.yaml").write_text("version: 7\n")
    code, _, err = cli("check", "--model", "a/b")
    assert code == 2
    assert "compliance.yaml:1: config version 7 is newer" in err


def test_cli_broken_pack_exit_2_names_file_line_col(cli) -> None:
    Path("packs").mkdir()
    Path("packs/acme.rego").write_text(
        "package compliance.acme\n\ndeny contains x if {\n  x :=\n}\n"
    )
    Path("compliance.yaml").write_text("version: 1\npolicy:\n  packs: [packs]\n")
    code, out, err = cli("check", "--model", "microsoft/Phi-3-mini-4k-instruct", "--format", "json")
    assert code == 2
    assert out == ""
    assert "packs/acme.rego:" in err and "policy does not compile" in err


def test_cli_explain(cli) -> None:
    code, out, _ = cli("explain", "meta-llama/Llama-3.2-11B-Vision-Instruct")
    assert code == 1  # a deny, as check
    assert out.startswith("meta-llama/Llama-3.2-11B-Vision-Instruct: deny (eu-restricted)\n")
    assert "  deny eu-restricted [compliance.territory]" in out
    assert "    why: the use policy of llama-3.2 excludes EU (scope: multimodal)" in out
    assert "domicile: DE (regions: DE, EEA, EU)" in out
    assert "rules checked that did not fire: license-unknown, license-class-denied" in out
    code, out, _ = cli("explain", "meta-llama/Llama-3.2-11B-Vision-Instruct", "--format", "json")
    data = json.loads(out)
    assert data["schema"] == "compliance.explain/v1"
    assert data["decision"]["codes"] == ["eu-restricted"]
    assert data["facts"]["multimodal"] is True
    assert data["policy_data"]["organization"]["regions"] == ["DE", "EEA", "EU"]


def test_cli_explain_source_error(cli) -> None:
    code, out, _ = cli("explain", "org/gated")
    assert code == 3
    assert "source-error" in out
