"""`audit --format spdx3`: SPDX 3.0.1 JSON-LD with the AI profile, validated against the
published SPDX 3.0.1 JSON schema (tests/schemas, see SOURCE.txt there)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from test_report_helpers import assert_golden, sample_audit

from compliance.report.licenseids import spdx_expression
from compliance.report.spdx3 import license_expression, render_spdx3

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "spdx-3.0.1.schema.json"


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    # jsonschema-rs: the pure-Python validator takes ~30 s per document on this schema
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def schema_errors(data: Any) -> list[str]:
    return [e.message for e in _validator().iter_errors(data)]


class Graph:
    def __init__(self, text: str) -> None:
        self.data = json.loads(text)
        self.nodes = self.data["@graph"]
        self.by_id = {n.get("spdxId"): n for n in self.nodes}

    def package(self, name: str) -> dict[str, Any]:
        (found,) = [n for n in self.nodes if n["type"] == "ai_AIPackage" and n["name"] == name]
        return found

    def related(self, source: dict[str, Any], kind: str) -> list[dict[str, Any]]:
        return [
            self.by_id[t]
            for n in self.nodes
            if n["type"] == "Relationship"
            and n["from"] == source["spdxId"]
            and n["relationshipType"] == kind
            for t in n["to"]
        ]

    def ancestors_of(self, target: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            self.by_id[n["from"]]
            for n in self.nodes
            if n["type"] == "Relationship"
            and n["relationshipType"] == "ancestorOf"
            and target["spdxId"] in n["to"]
        ]


def test_spdx3_golden_validates_against_the_published_schema() -> None:
    text = render_spdx3(sample_audit())
    assert schema_errors(json.loads(text)) == []
    assert_golden("audit.spdx3.json", text)
    data = json.loads(text)
    assert data["@context"] == "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    (doc,) = [n for n in data["@graph"] if n["type"] == "SpdxDocument"]
    assert "ai" in doc["profileConformance"]


def test_the_schema_check_can_fail() -> None:
    data = json.loads(render_spdx3(sample_audit()))
    rel = next(n for n in data["@graph"] if n["type"] == "Relationship")
    rel["relationshipType"] = "llama3.2"
    assert schema_errors(data)


def test_models_are_ai_packages_with_purls() -> None:
    graph = Graph(render_spdx3(sample_audit()))
    llama = graph.package("meta-llama/Llama-3.2-11B-Vision-Instruct")
    assert llama["software_packageUrl"] == (
        "pkg:huggingface/meta-llama/Llama-3.2-11B-Vision-Instruct@" + "a" * 40
    )
    assert llama["software_primaryPurpose"] == "model"
    assert graph.by_id[llama["suppliedBy"]]["name"] == "Meta"
    assert "700,000,000" in llama["comment"]


def test_derivative_has_declared_concluded_and_ancestors() -> None:
    graph = Graph(render_spdx3(sample_audit()))
    distill = graph.package("deepseek-ai/DeepSeek-R1-Distill-Llama-8B")
    (declared,) = graph.related(distill, "hasDeclaredLicense")
    (concluded,) = graph.related(distill, "hasConcludedLicense")
    assert declared["simplelicensing_licenseExpression"] == "MIT"
    assert (
        concluded["simplelicensing_licenseExpression"]
        == "LicenseRef-scancode-llama-3.1-license-2024"
    )
    assert concluded["simplelicensing_customIdToUri"][0]["value"] == (
        "https://www.llama.com/llama3_1/license/"
    )
    (base,) = graph.ancestors_of(distill)
    assert base["name"] == "meta-llama/Llama-3.1-8B"
    (base_licence,) = graph.related(base, "hasConcludedLicense")
    assert base_licence is concluded  # the same licence element, its own relationship
    (grand,) = graph.ancestors_of(base)
    assert grand["name"] == "meta-llama/Llama-3.1-8B-base"
    assert graph.related(grand, "hasConcludedLicense") == []  # unknown: no licence claimed


def test_no_expression_holds_a_non_spdx_id() -> None:
    graph = Graph(render_spdx3(sample_audit()))
    expressions = [
        n["simplelicensing_licenseExpression"]
        for n in graph.nodes
        if n["type"] == "simplelicensing_LicenseExpression"
    ]
    assert expressions
    for expr in expressions:
        assert expr.startswith("LicenseRef-") or spdx_expression(expr) == expr, expr


@pytest.mark.parametrize(
    ("spdx", "key", "expected"),
    [
        ("apache-2.0", "apache-2.0", "Apache-2.0"),
        (None, "llama3.2", "LicenseRef-compliance-llama3.2"),
        ("other", "other", "LicenseRef-compliance-other"),
        (None, "unknown", None),
        ("LicenseRef-scancode-x", "x", "LicenseRef-scancode-x"),
        ("Evil OR <x>", "evil key!", "LicenseRef-compliance-evil-key"),
    ],
)
def test_license_expression(spdx: str | None, key: str, expected: str | None) -> None:
    assert license_expression(spdx, key) == expected
