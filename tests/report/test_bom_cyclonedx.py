"""`audit --format cyclonedx`: golden file, schema validation with cyclonedx-python-lib's
validator, licence ids, lineage, evidence and the compliance properties."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_report_helpers import assert_golden, sample_audit

from compliance.report.cyclonedx import render_cyclonedx
from compliance.report.licenseids import spdx_id


def validate(text: str, version: str = "1.6") -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.from_version(version)).validate_str(text)
    assert error is None, str(error)


def components(text: str) -> dict[str, dict[str, Any]]:
    data = json.loads(text)
    return {f"{c.get('group', '')}/{c['name']}".lstrip("/"): c for c in data["components"]}


def props(component: dict[str, Any], name: str) -> list[str]:
    return [p["value"] for p in component.get("properties", []) if p["name"] == name]


def test_cyclonedx_golden_validates() -> None:
    text = render_cyclonedx(sample_audit())
    validate(text)
    assert_golden("audit.cdx.json", text)
    data = json.loads(text)
    assert data["bomFormat"] == "CycloneDX" and data["specVersion"] == "1.6"


def test_cyclonedx_1_7_validates() -> None:
    text = render_cyclonedx(sample_audit(), "1.7")
    validate(text, "1.7")
    assert json.loads(text)["specVersion"] == "1.7"


def test_cyclonedx_unknown_spec_version_is_refused() -> None:
    with pytest.raises(ValueError):
        render_cyclonedx(sample_audit(), "1.2")


def test_models_are_ml_components_with_huggingface_purls() -> None:
    comps = components(render_cyclonedx(sample_audit()))
    llama = comps["meta-llama/Llama-3.2-11B-Vision-Instruct"]
    assert llama["type"] == "machine-learning-model"
    assert llama["purl"] == "pkg:huggingface/meta-llama/Llama-3.2-11B-Vision-Instruct@" + "a" * 40
    assert llama["version"] == "a" * 40
    assert llama["supplier"]["name"] == "Meta"
    assert "purl" not in comps["google/gemma-2-9b-it"]  # no pinned revision, no purl


def test_no_licence_id_is_outside_the_spdx_list() -> None:
    """The AI-BOM complaint: "llama3.2", "other" or a LicenseRef written as a licence id."""
    text = render_cyclonedx(sample_audit())

    def ids(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["license"]["id"]] if "id" in node.get("license", {}) else []
            return found + [i for v in node.values() for i in ids(v)]
        if isinstance(node, list):
            return [i for v in node for i in ids(v)]
        return []

    found = ids(json.loads(text))
    assert found, "the sample has SPDX-listed licences (MIT)"
    assert all(spdx_id(i) == i for i in found), found
    llama = components(text)["meta-llama/Llama-3.2-11B-Vision-Instruct"]
    names = [x["license"] for x in llama["licenses"]]
    assert all("id" not in n for n in names)
    assert {n["name"] for n in names} == {"Llama 3.2 Community License Agreement"}
    assert {n["url"] for n in names} == {"https://www.llama.com/llama3_2/license/"}


def test_derivative_shows_declared_concluded_and_ancestors() -> None:
    distill = components(render_cyclonedx(sample_audit()))[
        "deepseek-ai/DeepSeek-R1-Distill-Llama-8B"
    ]
    by_ack = {x["license"]["acknowledgement"]: x["license"] for x in distill["licenses"]}
    assert by_ack["declared"] == {"acknowledgement": "declared", "id": "MIT"}
    assert by_ack["concluded"]["name"] == "Llama 3.1 Community License Agreement"
    (base,) = distill["pedigree"]["ancestors"]
    assert base["name"] == "meta-llama/Llama-3.1-8B"
    assert base["purl"] == "pkg:huggingface/meta-llama/Llama-3.1-8B@" + "b" * 40
    assert base["licenses"][0]["license"]["name"] == "Llama 3.1 Community License Agreement"
    (grand,) = base["pedigree"]["ancestors"]  # an unreadable ancestor is listed, with its error
    assert props(grand, "compliance:error") == ["not found"]
    assert "licenses" not in grand


def test_facts_and_decision_are_namespaced_properties() -> None:
    llama = components(render_cyclonedx(sample_audit()))["meta-llama/Llama-3.2-11B-Vision-Instruct"]
    assert props(llama, "compliance:mau_cap") == ["700000000"]
    assert props(llama, "compliance:eu_restricted") == ["true"]
    assert props(llama, "compliance:decision") == ["deny"]
    assert props(llama, "compliance:declared_license") == ["llama3.2"]
    assert any(v.startswith("deny eu-restricted") for v in props(llama, "compliance:finding"))
    assert all(p["name"].startswith("compliance:") for p in llama["properties"])


def test_evidence_names_files_lines_and_licence_hashes() -> None:
    llama = components(render_cyclonedx(sample_audit()))["meta-llama/Llama-3.2-11B-Vision-Instruct"]
    occurrences = llama["evidence"]["occurrences"]
    assert any(o["location"] == "LICENSE.txt" and o.get("line") for o in occurrences)
    evidence_refs = [r for r in llama["externalReferences"] if r["type"] == "evidence"]
    assert evidence_refs
    for ref in evidence_refs:
        assert ref["url"].startswith("https://huggingface.co/meta-llama/")
        assert ref["hashes"][0]["alg"] == "SHA-256" and len(ref["hashes"][0]["content"]) == 64


def test_model_card_is_added_and_validates() -> None:
    text = render_cyclonedx(sample_audit())
    llama = components(text)["meta-llama/Llama-3.2-11B-Vision-Instruct"]
    card = llama["modelCard"]
    assert card["properties"][0] == {"name": "compliance:multimodal", "value": "true"}
    validate(text)


def test_hostile_strings_stay_data() -> None:
    """A licence name with JSON/markup characters is carried as a string and still validates."""
    import dataclasses

    report = sample_audit()
    entry = report.entries[0]
    odd = dataclasses.replace(
        entry.license, name='Evil "}]\n<script>', spdx=None, url="javascript:x"
    )
    report = dataclasses.replace(report, entries=(dataclasses.replace(entry, license=odd),))
    text = render_cyclonedx(report)
    validate(text)
    (comp,) = json.loads(text)["components"]
    concluded = [x for x in comp["licenses"] if x["license"]["acknowledgement"] == "concluded"]
    assert concluded[0]["license"]["name"] == 'Evil "}]\n<script>'
    assert "url" not in concluded[0]["license"]  # only http(s) links


def test_ancestor_licences_are_named_from_the_registry_lookup() -> None:
    """An ancestor whose licence is not the one that governs still gets its name and URL."""
    import dataclasses

    from compliance.report.audit import LicenseView

    report = sample_audit()
    entries = tuple(
        dataclasses.replace(e, license=LicenseView(key="mit", spdx="MIT"))
        if e.model.startswith("deepseek-ai/")
        else e
        for e in report.entries
    )
    text = render_cyclonedx(dataclasses.replace(report, entries=entries))
    validate(text)
    distill = components(text)["deepseek-ai/DeepSeek-R1-Distill-Llama-8B"]
    (base,) = distill["pedigree"]["ancestors"]
    assert base["licenses"][0]["license"] == {
        "acknowledgement": "concluded",
        "name": "Llama 3.1 Community License Agreement",
        "url": "https://www.llama.com/llama3_1/license/",
    }
