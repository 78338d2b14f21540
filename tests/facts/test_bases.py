"""declared_bases: every place a repo states its base models."""

from __future__ import annotations

import json

import pytest

from compliance.facts.bases import clean_base_id, declared_bases
from compliance.facts.model import BaseModelRef
from compliance.sources.card import parse_card
from compliance.sources.interface import RepoFile, Snapshot


def snap(
    card: str = "",
    *,
    model: str = "acme/child",
    tags: tuple[str, ...] = (),
    files: dict[str, str] | None = None,
    siblings: tuple[str, ...] = (),
    library: str | None = None,
) -> Snapshot:
    repo_files = [RepoFile("README.md", card, None, len(card))] if card else []
    for name, text in (files or {}).items():
        repo_files.append(RepoFile(name, text, None, len(text)))
    data = parse_card(card).data if card else {}
    return Snapshot(
        model=model,
        revision=None,
        source="mirror",
        digest="d",
        card_data=data,
        tags=tags or tuple(str(t) for t in data.get("tags") or ()),
        siblings=siblings or tuple(repo_files_names(repo_files)),
        files=tuple(repo_files),
        library_name=library,
    )


def repo_files_names(files: list[RepoFile]) -> list[str]:
    return [f.path for f in files]


def bases(s: Snapshot) -> list[tuple[str, str | None, str]]:
    return [(b.model, b.relation, b.source) for b in declared_bases(s)]


def test_card_string_with_stated_relation():
    s = snap("---\nbase_model: org/base\nbase_model_relation: quantized\n---\n")
    assert declared_bases(s) == (BaseModelRef("org/base", "quantized", "card"),)


def test_card_list_means_merge_unless_relation_says_otherwise():
    s = snap("---\nbase_model:\n- a/one\n- b/two\n- c/three\n---\n")
    assert bases(s) == [
        ("a/one", "merge", "card"),
        ("b/two", "merge", "card"),
        ("c/three", "merge", "card"),
    ]
    s = snap("---\nbase_model: [a/one, b/two]\nbase_model_relation: finetune\n---\n")
    assert bases(s) == [("a/one", "finetune", "card"), ("b/two", "finetune", "card")]


def test_single_item_list_is_not_a_merge():
    s = snap("---\nbase_model:\n- a/one\n---\n")
    assert bases(s) == [("a/one", "finetune", "card")]


@pytest.mark.parametrize("relation", ["finetune", "adapter", "quantized", "merge"])
def test_tag_with_relation(relation):
    s = snap("---\nlicense: mit\n---\n", tags=(f"base_model:{relation}:org/base",))
    assert bases(s) == [("org/base", relation, "tag")]


def test_tag_without_relation_and_card_dedupe_keeps_most_specific_relation():
    s = snap(
        "---\nbase_model: Org/Base\n---\n",
        tags=("base_model:org/base", "base_model:adapter:ORG/BASE", "license:mit"),
    )
    assert bases(s) == [("Org/Base", "adapter", "card")]


def test_adapter_config_base():
    cfg = json.dumps({"base_model_name_or_path": "google/gemma-2-9b-it", "peft_type": "LORA"})
    s = snap("---\nlicense: apache-2.0\n---\n", files={"adapter_config.json": cfg})
    assert bases(s) == [("google/gemma-2-9b-it", "adapter", "adapter_config")]


def test_adapter_config_hf_cache_path_resolves_to_its_repo():
    path = "/root/.cache/huggingface/hub/models--meta-llama--Llama-3.2-1B/snapshots/abc"
    s = snap("", files={"adapter_config.json": json.dumps({"base_model_name_or_path": path})})
    assert bases(s) == [("meta-llama/Llama-3.2-1B", "adapter", "adapter_config")]


def test_card_relation_beats_adapter_file_for_the_same_base():
    cfg = json.dumps({"base_model_name_or_path": "org/base"})
    s = snap("---\nbase_model: org/base\n---\n", files={"adapter_config.json": cfg})
    assert bases(s) == [("org/base", "adapter", "card")]


def test_config_json_name_or_path_only_when_a_hub_repo():
    hub = json.dumps({"_name_or_path": "Qwen/Qwen2.5-7B-Instruct"})
    assert bases(snap("", files={"config.json": hub})) == [
        ("Qwen/Qwen2.5-7B-Instruct", "finetune", "config")
    ]
    for local in ("/content/drive/llama", "./out/checkpoint-500", "C:\\models\\x", "outputs"):
        cfg = json.dumps({"_name_or_path": local})
        assert bases(snap("", files={"config.json": cfg})) == [], local


def test_config_json_quantization_config_makes_a_quantisation():
    cfg = json.dumps({"_name_or_path": "org/base", "quantization_config": {"bits": 4}})
    assert bases(snap("", files={"config.json": cfg})) == [("org/base", "quantized", "config")]


MERGEKIT = """\
slices:
  - sources:
      - model: psmathur/orca_mini_v3_13b
        layer_range: [0, 40]
      - model: garage-bAInd/Platypus2-13B+lora-org/some-lora
        layer_range: [0, 40]
merge_method: slerp
base_model: psmathur/orca_mini_v3_13b
"""


def test_mergekit_file_slices_base_model_and_lora_suffix():
    s = snap("", files={"mergekit_config.yml": MERGEKIT})
    assert bases(s) == [
        ("psmathur/orca_mini_v3_13b", "merge", "mergekit"),
        ("garage-bAInd/Platypus2-13B", "merge", "mergekit"),
        ("lora-org/some-lora", "merge", "mergekit"),
    ]


def test_mergekit_models_in_card_body_with_local_names_resolved_by_the_cards_links():
    card = """---
license: other
---
Merged from https://huggingface.co/WizardLM/WizardCoder-33B-V1.1 and
[this](https://huggingface.co/deepseek-ai/deepseek-coder-33b-instruct).

```yaml
models:
  - model: WizardLM_WizardCoder-33B-V1.1
  - model: /home/me/Models/mystery_model
merge_method: ties
base_model: deepseek-ai_deepseek-coder-33b-instruct
```
"""
    assert bases(snap(card)) == [
        ("WizardLM/WizardCoder-33B-V1.1", "merge", "mergekit"),
        ("deepseek-ai/deepseek-coder-33b-instruct", "merge", "mergekit"),
        ("/home/me/Models/mystery_model", "merge", "mergekit"),  # unresolved: kept, reported
    ]


def test_unresolved_local_merge_names_dropped_when_the_card_lists_the_bases():
    card = """---
base_model: [a/one, b/two]
---
```yaml
models:
  - model: IntermediateV9
  - model: b/two
merge_method: dare_ties
```
"""
    assert bases(snap(card)) == [("a/one", "merge", "card"), ("b/two", "merge", "card")]


def test_self_reference_and_empty_values_are_ignored():
    s = snap(
        "---\nbase_model:\n- acme/child\n- ''\n- org/base\n---\n",
        tags=("base_model:finetune:ACME/child",),
    )
    assert bases(s) == [("org/base", "finetune", "card")]


def test_invalid_card_id_is_kept_as_declared():
    s = snap("---\nbase_model: distilbert-base-uncased\n---\n")
    assert bases(s) == [("distilbert-base-uncased", "finetune", "card")]


def test_urls_and_stray_punctuation_are_cleaned():
    assert clean_base_id(" https://huggingface.co/org/name/tree/main ") == "org/name"
    assert clean_base_id("'org/name',") == "org/name"
    assert clean_base_id("org/name") == "org/name"


def test_broken_yaml_key_ending_in_base_model_is_recovered():
    s = snap("---\nfine-tuned on base_model: microsoft/Florence-2-large\nlibrary_name: peft\n---\n")
    assert bases(s) == [("microsoft/Florence-2-large", "adapter", "card")]


def test_body_labelled_line_only_when_nothing_structured():
    body = "# Model\n- **Finetuned from model :** unsloth/llama-3.2-1b\n"
    assert bases(snap("---\n---\n" + body)) == [("unsloth/llama-3.2-1b", "finetune", "card-body")]
    # A lone opening rule followed by prose is no front matter (Unsloth's template) ...
    assert bases(snap("---\n\n" + body)) == [("unsloth/llama-3.2-1b", "finetune", "card-body")]
    # ... but one followed by metadata that never closes is unreadable metadata (issue 14).
    assert bases(snap("---\nlicense: mit\n" + body)) == []
    with_card = "---\nbase_model: org/real\n---\n" + body
    assert bases(snap(with_card)) == [("org/real", "finetune", "card")]


def test_body_prose_with_hub_link_and_quantized_wording():
    card = (
        "---\nlicense: openrail\n---\nThis is a quantized version of "
        "[FLUX.1-dev](https://huggingface.co/black-forest-labs/FLUX.1-dev) using Nunchaku.\n"
    )
    assert bases(snap(card)) == [("black-forest-labs/FLUX.1-dev", "quantized", "card-body")]


def test_body_ignores_non_hub_links_code_and_architecture_mentions():
    card = """---
license: bigcode-openrail-m
---
Same architecture as [StarCoder](https://huggingface.co/bigcode/starcoder).
**Base Model:** [Gemma Terms of Use](https://ai.google.dev/gemma/terms)
```python
base_model: org/in-code
```
"""
    assert bases(snap(card)) == []


@pytest.mark.parametrize(
    ("kwargs", "relation"),
    [
        ({"tags": ("lora", "base_model:org/base")}, "adapter"),
        ({"tags": ("gguf", "base_model:org/base")}, "quantized"),
        ({"tags": ("mergekit", "base_model:org/base")}, "merge"),
        ({"tags": ("base_model:org/base",), "library": "peft"}, "adapter"),
        ({"tags": ("base_model:org/base",), "siblings": ("model-Q4_K_M.gguf",)}, "quantized"),
        ({"tags": ("base_model:org/base",)}, "finetune"),
    ],
)
def test_relation_inferred_like_the_hub_when_not_stated(kwargs, relation):
    assert bases(snap("---\nlicense: mit\n---\n", **kwargs)) == [("org/base", relation, "tag")]


def test_no_card_no_files_no_bases():
    assert declared_bases(snap("")) == ()
