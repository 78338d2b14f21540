"""A card's generic licence id beside a dated copy of the same terms: a version, not a conflict."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import CORPUS

from compliance.facts.normalize import _other_version
from compliance.facts.registry import load_registry


def test_dated_versions_of_the_same_terms_are_versions_not_conflicts():
    reg = load_registry()
    assert _other_version(reg.get("gemma-2025-03-24"), reg.get("gemma-2024-04-01"))
    assert not _other_version(reg.get("llama-3.1"), reg.get("llama-3.2"))
    assert not _other_version(reg.get("gemma-2025-03-24"), reg.get("gemma-prohibited-use-policy"))
    assert not _other_version(reg.get("qwen-license"), reg.get("qwen-research"))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus")
def test_gemma_card_with_a_dated_licence_file_is_governed_by_the_file(tmp_path, cli):
    # A repo the family catalogue does not place: `gemma` means the newest terms, and the dated
    # copy in the repo says which version governs.
    repo = tmp_path / "acme" / "chat-model"
    repo.mkdir(parents=True)
    (repo / "README.md").write_text("---\nlicense: gemma\npipeline_tag: text-generation\n---\n")
    shutil.copy(CORPUS / "licenses" / "gemma-2024-04-01" / "LICENSE.txt", repo / "LICENSE")
    code, out, err = cli(
        "scan", "acme/chat-model", "--source", f"mirror:{tmp_path}", "--format", "json"
    )
    assert code == 0, err
    (model,) = json.loads(out)["models"]
    assert model["license"]["key"] == "gemma-2024-04-01"
    assert [f["code"] for f in model["findings"]] == []
    assert any("gemma-2024-04-01, which governs" in n for n in model["notes"])


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus")
def test_gemma_2_card_and_its_dated_licence_file_agree(tmp_path, cli):
    # The catalogue places google/gemma-2-9b-it in Gemma 2, so the card's `gemma` already names
    # the 2024-04-01 terms its file carries: one licence, no conflict.
    repo = tmp_path / "google" / "gemma-2-9b-it"
    repo.mkdir(parents=True)
    (repo / "README.md").write_text("---\nlicense: gemma\npipeline_tag: text-generation\n---\n")
    shutil.copy(CORPUS / "licenses" / "gemma-2024-04-01" / "LICENSE.txt", repo / "LICENSE")
    code, out, err = cli(
        "scan", "google/gemma-2-9b-it", "--source", f"mirror:{tmp_path}", "--format", "json"
    )
    assert code == 0, err
    (model,) = json.loads(out)["models"]
    assert model["license"]["key"] == "gemma-2024-04-01"
    assert [f["code"] for f in model["findings"]] == []
    assert any("names no version" in n and "gemma-2" in n for n in model["notes"])
