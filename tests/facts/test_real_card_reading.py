"""Issue 16, item 5: lineage and licence reading from shapes seen on real cards (small
fixtures written here, modelled on cards outside the corpus)."""

from __future__ import annotations

from typing import Any

import pytest
from test_bases import bases, snap
from test_normalize import reg as reg

from compliance.facts.normalize import normalize
from compliance.facts.registry import Registry
from compliance.sources.interface import RepoFile, Snapshot


def test_bibtex_licence_field_is_not_the_models_licence(reg: Registry) -> None:
    readme = (
        "---\ntags: [demo]\n---\n# Model\n\nTrained with a library; cite it:\n\n"
        "```bibtex\n@misc{lib2024,\n  title = {A library},\n  license = {plain},\n}\n```\n\n"
        "@software{tool,\n  author = {X},\n  license = {plain}\n}\n"
    )
    s = Snapshot(
        model="acme/m",
        revision="a" * 40,
        source="hub",
        digest="d",
        card_data={"tags": ["demo"]},
        tags=(),
        siblings=("README.md",),
        files=(RepoFile("README.md", readme, "x", len(readme)),),
    )
    facts = normalize(s, reg)
    assert facts.license.key == "unknown"


@pytest.mark.parametrize(
    "path", ["previous/model/path", "LOCAL_PATH/merged", "/path/to/your/model", "<base-model>"]
)
def test_placeholder_paths_in_a_merge_config_are_not_bases(path: str) -> None:
    card = (
        "---\nlicense: mit\n---\n# Merge\n\n```yaml\nmodels:\n  - model: org/a\n"
        f"  - model: {path}\nmerge_method: slerp\nbase_model: org/a\n```\n"
    )
    assert [b[0] for b in bases(snap(card))] == ["org/a"]


@pytest.mark.parametrize(
    ("body", "want"),
    [
        (
            "A frankenmerge of [Orca-2-13b](https://huggingface.co/microsoft/Orca-2-13b) and"
            " [Nous-Hermes](https://huggingface.co/NousResearch/Nous-Hermes-Llama2-13b).",
            [
                ("microsoft/Orca-2-13b", "merge", "card-body"),
                ("NousResearch/Nous-Hermes-Llama2-13b", "merge", "card-body"),
            ],
        ),
        (
            "This is a fork of https://huggingface.co/briaai/RMBG-1.4 with a new head.",
            [("briaai/RMBG-1.4", "finetune", "card-body")],
        ),
    ],
)
def test_bases_named_only_in_prose_links(body: str, want: list[Any]) -> None:
    assert bases(snap(f"---\nlicense: mit\n---\n# Model\n\n{body}\n")) == want


def test_lora_tags_win_over_fine_tuned_prose() -> None:
    card = (
        "---\nbase_model: org/base\ntags: [qlora, text-generation]\n---\n"
        "# Model\n\nThis model was fine-tuned from org/base using LoRA.\n"
    )
    assert bases(snap(card)) == [("org/base", "adapter", "card")]


def test_mlx_4bit_conversion_is_a_quantisation() -> None:
    card = (
        "---\nbase_model: org/base\nlibrary_name: mlx\ntags: [mlx]\n---\n"
        "# mlx-community/base-4bit\n\nThe Model [mlx-community/base-4bit] was converted to MLX"
        " format from [org/base](https://huggingface.co/org/base) using mlx-lm.\n"
    )
    s = snap(card, model="mlx-community/base-4bit", library="mlx")
    assert bases(s) == [("org/base", "quantized", "card")]


def test_gguf_quantized_version_of_is_a_quantisation() -> None:
    card = (
        "---\nlicense: mit\n---\n# Model\n\nGGUF (quantized) version of"
        " [org/base](https://huggingface.co/org/base).\n"
    )
    assert bases(snap(card)) == [("org/base", "quantized", "card-body")]


def test_two_adapters_bases_are_not_a_merge() -> None:
    card = "---\nbase_model: [org/base-a, org/base-b]\nlibrary_name: peft\n---\n# Adapters\n"
    files = {"a/adapter_config.json": "{}", "b/adapter_config.json": "{}"}
    s = snap(card, files=files, library="peft")
    assert bases(s) == [("org/base-a", "adapter", "card"), ("org/base-b", "adapter", "card")]


def test_a_local_folder_that_is_not_a_placeholder_is_kept() -> None:
    card = (
        "---\nlicense: mit\n---\n# Merge\n\n```yaml\nmodels:\n  - model: org/a\n"
        "  - model: models/base\nmerge_method: slerp\nbase_model: org/a\n```\n"
    )
    assert [b[0] for b in bases(snap(card))] == ["org/a", "models/base"]
