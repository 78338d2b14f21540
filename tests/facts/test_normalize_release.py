"""A generic card id (`license: gemma`, `license_name: qwen`) resolves to the licence version of
the model's release line (registry/families.yaml), found by the repo id or a declared base."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import yaml

from compliance.facts.model import ModelFacts
from compliance.facts.normalize import normalize
from compliance.facts.registry import Registry, load_registry
from compliance.sources.interface import RepoFile, Snapshot


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry()


def facts(
    reg: Registry, model: str, meta: dict[str, Any], files: dict[str, str] | None = None
) -> ModelFacts:
    readme = f"---\n{yaml.safe_dump(meta)}---\n# Model\n"
    repo_files = [
        RepoFile(path, text, hashlib.sha256(text.encode()).hexdigest(), len(text))
        for path, text in {"README.md": readme, **(files or {})}.items()
    ]
    snap = Snapshot(
        model=model,
        revision="a" * 40,
        source="hub",
        digest="d",
        card_data=meta,
        siblings=tuple(f.path for f in repo_files),
        files=tuple(repo_files),
        pipeline_tag="text-generation",
    )
    return normalize(snap, reg)


def test_gemma_2_with_the_generic_id_gets_the_gemma_2_terms(reg: Registry) -> None:
    f = facts(reg, "google/gemma-2-9b", {"license": "gemma"})
    assert f.license.key == "gemma-2024-04-01"
    assert f.license.source == "card" and f.license.declared == "gemma"
    assert any("names no version" in n and "gemma-2" in n for n in f.notes)
    assert f.commercial_use == "conditional"


def test_gemma_3_with_the_generic_id_keeps_the_current_terms(reg: Registry) -> None:
    f = facts(reg, "google/gemma-3-4b-it", {"license": "gemma"})
    assert f.license.key == "gemma-2025-03-24"
    assert not any("names no version" in n for n in f.notes)  # nothing re-pointed


def test_a_fine_tune_is_placed_by_its_declared_base(reg: Registry) -> None:
    f = facts(reg, "acme/support-bot", {"license": "gemma", "base_model": "google/gemma-2-2b-it"})
    assert f.license.key == "gemma-2024-04-01"
    f = facts(reg, "acme/support-bot", {"license": "gemma", "base_model": "google/gemma-7b-it"})
    assert f.license.key == "gemma-2024-02-21"


def test_qwen_licence_name_on_a_3b_model_is_the_research_licence(reg: Registry) -> None:
    meta = {"license": "other", "license_name": "qwen", "base_model": "Qwen/Qwen2.5-3B-Instruct"}
    f = facts(reg, "acme/qwen-helper", meta)
    assert f.license.key == "qwen-research"
    assert f.commercial_use == "no" and f.license.license_class == "research-only"
    # the 72B keeps the Qwen licence the name maps to anyway
    meta["base_model"] = "Qwen/Qwen2.5-72B-Instruct"
    assert facts(reg, "acme/qwen-helper", meta).license.key == "qwen-license"


def test_gemma_4_declared_as_gemma_keeps_the_gemma_terms(reg: Registry) -> None:
    # Gemma 4 is Apache-2.0: a card that still says `gemma` is not loosened to Apache
    f = facts(reg, "acme/gemma-4-E4B-it-transplant", {"license": "gemma"})
    assert f.license.key == "gemma-2025-03-24"
    assert any("gemma-4 (apache-2.0)" in n and "is kept" in n for n in f.notes)


def test_bases_from_different_lines_settle_nothing(reg: Registry) -> None:
    meta = {
        "license": "llama3",
        "base_model": ["meta-llama/Llama-3.3-70B-Instruct", "x/Llama-3.1-Swallow-70B-Instruct"],
    }
    f = facts(reg, "acme/lemonade-70b", meta)
    assert f.license.key == "llama-3"
    assert any("does not settle" in n for n in f.notes)


def test_a_model_outside_the_catalogue_keeps_the_ids_meaning(reg: Registry) -> None:
    f = facts(reg, "acme/support-bot", {"license": "gemma"})
    assert f.license.key == "gemma-2025-03-24"
    assert not any("family catalogue" in n for n in f.notes)
    # a specific id is never re-pointed, whatever the repo is
    f = facts(reg, "google/gemma-2-9b", {"license": "llama3.1"})
    assert f.license.key == "llama-3.1"


def test_a_quantisers_build_of_another_model_takes_the_bases_origin(reg: Registry) -> None:
    # RedHatAI (US) quantising Qwen (CN): the origin must not become US
    meta = {"license": "apache-2.0", "base_model": "Qwen/Qwen2.5-7B-Instruct"}
    f = facts(reg, "RedHatAI/Qwen2.5-7B-Instruct-quantized.w4a16", meta)
    assert f.publisher.reuploader and f.publisher.country is None
    # a model of its own (no base declared) keeps the org's country
    f = facts(reg, "RedHatAI/some-own-model", {"license": "apache-2.0"})
    assert not f.publisher.reuploader and f.publisher.country == "US"
