"""Issue 16, item 9: the audit keeps expired exceptions apart from applied ones, shows the raw
reference beside the model it was mapped to, and says a hosted model's terms were not reviewed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from policy_cases.casedata import model_facts

from compliance.config import config_from_dict
from compliance.policy.decision import Location, Subject
from compliance.report import render_audit
from compliance.report.audit import build_audit
from compliance.run import check_subjects
from compliance.run.subjects import closed_api_subject

TODAY = dt.date(2026, 11, 24)


def _audit():
    llama = model_facts("llama-3.1-8b")
    phi = model_facts("phi-3-mit")
    config = config_from_dict(
        {
            "version": 1,
            "organization": {"domicile": "US", "monthly_active_users": 1000},
            "exceptions": [
                {
                    "model": phi.model,
                    "rules": ["license-class-denied"],
                    "reason": "old review",
                    "approved_by": "legal@example.com",
                    "expires": "2025-01-01",
                },
                {
                    "model": llama.model,
                    "rules": ["output-training-restricted"],
                    "reason": "current review",
                    "approved_by": "legal@example.com",
                    "expires": "2027-01-01",
                },
            ],
        }
    )
    subjects = [
        Subject(
            llama.model,
            llama.revision,
            facts=llama,
            locations=(Location("litellm.yaml", 4, raw="ollama/llama3.1:8b"),),
        ),
        Subject(phi.model, phi.revision, facts=phi, locations=(Location("app.py", 3),)),
        closed_api_subject("openai/gpt-4o", Location("litellm.yaml", 9)),
    ]
    result = check_subjects(subjects, config, today=TODAY)
    facts = {s.model: s.facts for s in subjects}
    return build_audit(
        result, facts, generated_at="2026-11-24T12:00:00+00:00", tool_version="t", exit_code=1
    )


def test_expired_exceptions_are_apart_from_applied_ones() -> None:
    report = _audit()
    phi = next(e for e in report.entries if e.model.startswith("microsoft/"))
    assert phi.exceptions == ()
    assert [x.reason for x in phi.expired_exceptions] == ["old review"]
    md = render_audit(report, "markdown")
    section = md.split("## microsoft/")[1].split("\n## ")[0]
    assert "### Exceptions expired" in section
    applied = section.split("### Exceptions applied")[1].split("###")[0]
    assert "old review" not in applied
    data = json.loads(render_audit(report, "json"))
    entry = next(m for m in data["models"] if m["model"].startswith("microsoft/"))
    assert entry["exceptions_applied"] == []
    assert [x["reason"] for x in entry["exceptions_expired"]] == ["old review"]


@pytest.mark.parametrize("fmt", ["markdown", "html", "json"])
def test_raw_reference_is_shown_beside_the_model(fmt: str) -> None:
    out = render_audit(_audit(), fmt)
    assert "ollama/llama3.1:8b" in out


@pytest.mark.parametrize("fmt", ["markdown", "html", "json"])
def test_closed_api_model_says_its_terms_were_not_reviewed(fmt: str) -> None:
    out = render_audit(_audit(), fmt)
    assert "terms of service were not reviewed" in out
