"""Configs that deploy one model and name another: duplicate keys (the deployer's loader takes
the last value) and YAML merge keys are read as the deployer reads them, and every value of a
duplicated key is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.refs import extract_file

LLAMA = "meta-llama/Llama-2-7b-hf"
MISTRAL = "mistralai/Mistral-7B-v0.1"


def models(tmp_path: Path, name: str, text: str) -> set[tuple[int, str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return {(r.line, r.model) for r in extract_file(path)}


def test_litellm_duplicate_model_key_reports_both_values(tmp_path: Path) -> None:
    found = models(
        tmp_path,
        "litellm.yaml",
        "model_list:\n  - model_name: gpt\n    litellm_params:\n"
        f"      model: huggingface/{MISTRAL}\n      model: huggingface/{LLAMA}\n",
    )
    assert (5, LLAMA) in found  # the value LiteLLM deploys
    assert (4, MISTRAL) in found


def test_generic_yaml_duplicate_key_reports_both_values(tmp_path: Path) -> None:
    found = models(tmp_path, "app.yaml", f"serve:\n  model_id: {MISTRAL}\n  model_id: {LLAMA}\n")
    assert {(2, MISTRAL), (3, LLAMA)} <= found


def test_duplicate_command_key_reports_both(tmp_path: Path) -> None:
    found = models(
        tmp_path,
        "compose.yaml",
        "services:\n  llm:\n    image: vllm/vllm-openai\n"
        f"    command: --model {MISTRAL}\n    command: --model {LLAMA}\n",
    )
    assert {(4, MISTRAL), (5, LLAMA)} <= found


def test_json_duplicate_key_reports_both_values(tmp_path: Path) -> None:
    found = models(tmp_path, "cfg.json", f'{{"model": "{MISTRAL}",\n "model": "{LLAMA}"}}\n')
    assert {(1, MISTRAL), (2, LLAMA)} <= found


def test_merge_key_with_inline_mapping_is_resolved(tmp_path: Path) -> None:
    found = models(
        tmp_path,
        "app.yaml",
        f"defaults: &d\n  model: {MISTRAL}\napp:\n  <<: [*d, {{model: {LLAMA}}}]\n",
    )
    assert (4, LLAMA) in found
    assert (2, MISTRAL) in found


@pytest.mark.parametrize("merge", ["<<: *svc", "<<: [*svc]"], ids=["alias", "sequence"])
def test_merge_key_brings_a_command_into_a_service(tmp_path: Path, merge: str) -> None:
    found = models(
        tmp_path,
        "compose.yaml",
        f"x-svc: &svc\n  image: vllm/vllm-openai\n  command: [--model, {LLAMA}]\n"
        f"services:\n  llm:\n    {merge}\n",
    )
    assert (3, LLAMA) in found


def test_merge_into_litellm_params(tmp_path: Path) -> None:
    found = models(
        tmp_path,
        "litellm.yaml",
        f"x-base: &base\n  api_base: http://x\nmodel_list:\n  - model_name: gpt\n"
        f"    litellm_params:\n      <<: [*base, {{model: huggingface/{LLAMA}}}]\n",
    )
    assert (6, LLAMA) in found


def test_lookups_take_the_value_the_deployer_keeps(tmp_path: Path) -> None:
    from compliance.refs.yamlfile import parse

    (doc,) = parse(
        "defaults: &d\n  revision: aaa\n  api_base: http://first\n"
        "app:\n  <<: [*d, {revision: bbb}]\n  api_base: http://last\n  api_base: http://final\n",
        "x.yaml",
    )
    app = doc.get("app")
    assert app is not None
    assert app.str_value("revision") == "aaa"  # earlier merge sources win
    assert app.str_value("api_base") == "http://final"  # own keys win; the last duplicate
