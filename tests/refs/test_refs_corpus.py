"""The extractor against the 41 real config files in ../shared/corpus/configs.

The expected references were read by hand from each file (line, model, kind). Ollama library
tags are checked by their tag (`ollama:<tag>`), because the Hub base they map to comes from
registry/ollama.yaml, which is tested on its own in test_refs.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from treepaths import REPO

from compliance.modelid import is_valid_repo_id
from compliance.refs import extract_file, extract_paths

CORPUS = REPO.parent / "shared" / "corpus"
CONFIGS = CORPUS / "configs"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is absent"),
]

H, C, L, G, U = "hf-repo", "closed-api", "local-path", "gguf-file", "unresolved"
OLL = "ollama"  # an Ollama tag: (line, tag, OLL)

EXPECTED: dict[str, list[tuple[int, str, str]]] = {
    "01-litellm-proxy/litellm_config.yaml": [
        (4, "openai/gpt-5.4-mini", C),
        (9, "openai/gpt-4o", C),
        (14, "openai/gpt-4o-mini", C),
        (19, "anthropic/claude-sonnet-4-20250514", C),
    ],
    "02-litellm-proxy/litellm_config.yaml": [
        (12, "deepseek-r1:32b", OLL),
        (17, "deepseek-v2:16b", OLL),
        (22, "deepseek-r1:70b", OLL),
        (27, "llama3.3:latest", OLL),
        (33, "nomic-embed-text", OLL),
        # openai/ + api_base: an OpenAI-compatible server (Speaches) fronting Hub models
        (39, "deepdml/faster-whisper-large-v3-turbo-ct2", H),
        (46, "speaches-ai/Kokoro-82M-v1.0-ONNX", H),
        (53, "openai/gpt-4o", C),  # GitHub Models endpoint: still OpenAI's model
    ],
    "03-litellm-proxy/litellm_config.yaml": [
        (13, "openai/gpt-oss-120b", H),  # openrouter/openai/gpt-oss-120b:free
        (22, "zai-org/GLM-4.5-Air", H),  # openrouter/z-ai/glm-4.5-air:free
        (31, "google/gemma-4-31b-it", H),
        (47, "Qwen3.5-4B-UD-Q4_K_XL [Thinking · General]", U),  # a served label, not an id
        (54, "Qwen3.5-4B-UD-Q4_K_XL [Instruct · General]", U),
        (61, "gemini/gemini-3.1-flash-lite-preview", C),
        (66, "gemini/gemini-3-flash-preview", C),
        (71, "gemini/gemini-2.5-flash", C),
        (76, "gemini/gemini-2.5-flash-lite", C),
        (81, "gemini/gemma-4-31b-it", C),  # Google's API, not the weights
        (86, "gemini/gemma-4-26b-a4b-it", C),
        # lines 37-42 and 89-98 are commented out
    ],
    "04-litellm-proxy/litellm_config.yaml": [
        (17, "qwen38-27b-heretic", U),  # hosted_vllm/ served name without an org
    ],
    "05-litellm-proxy/litellm-config.yaml": [
        (13, "Qwen/Qwen2.5-3B-Instruct", H),
        (25, "Qwen/Qwen2.5-3B-Instruct", H),
        (31, "Qwen/Qwen2.5-3B-Instruct", H),
    ],
    "06-litellm-proxy/config.yaml": [
        (8, "os.environ/VLLM_MODEL_ID", U),
    ],
    "07-vllm-compose/docker-compose.yml": [
        (32, "Qwen/Qwen2.5-VL-3B-Instruct", H),  # entrypoint [vllm, serve] + command[0]
        (128, "Qwen/Qwen2.5-3B-Instruct", H),  # LITELLM_MODEL_ID=openai/${VLLM_MODEL:-...}
    ],
    "12-vllm-helm-values/values-09-lora-helm.yaml": [
        (13, "meta-llama/Llama-3.1-8B-Instruct", H),  # modelURL
        (82, "nvidia/llama-3.1-nemoguard-8b-topic-control", H),  # adapterSource type huggingface
        # repository: vllm/vllm-openai (line 11) is a Docker image
    ],
    "13-sglang-k8s/k8s-sglang-service.yaml": [
        (35, "meta-llama/Llama-3.1-8B-Instruct", H),  # args: [--model-path, ...]
        # labels model: meta-llama-31-8b-instruct (line 22) and nvidia.com/gpu are not models
    ],
    "14-sglang-compose/compose.yaml": [
        (20, "meta-llama/Llama-3.1-8B-Instruct", H),
    ],
    "20-tgi-helm-values/values.yaml": [
        (121, "Intel/neural-chat-7b-v3-3", H),
    ],
    "24-tei-compose/docker-compose.yml": [
        (8, "jinaai/jina-embeddings-v2-base-en", H),
    ],
    "25-tei-helm-values/values.yaml": [
        (24, "BAAI/bge-reranker-base", H),
    ],
    "26-ollama-modelfile/Modelfile": [
        (1, "mistral:instruct", OLL),
    ],
    "27-ollama-modelfile/Modelfile": [
        (1, "igorls/gemma-4-12B-it-heretic-GGUF", H),
    ],
    "28-ollama-modelfile/Modelfile": [
        (3, "BAAI/bge-reranker-v2-m3", H),  # hf.co/...; line 1 is a comment
    ],
    "29-ollama-modelfile/Modelfile": [
        (1, "/home/adminn/Desktop/LLAMA3/quantize/models/Publisher/Repository/llama3-8B.gguf", G),
    ],
    "30-ollama-modelfile/Modelfile": [
        (1, "./experiments/2024-06-28/unsloth.Q5_K_M.gguf", G),
    ],
    "31-hf-config-json/config.json": [(2, "lmsys/vicuna-7b-v1.3", H)],
    "32-hf-config-json/config.json": [(2, "TinyLlama/TinyLlama-1.1B-Chat-v1.0", H)],
    "33-peft-adapter-config/adapter_config.json": [(6, "google/gemma-2-9b-it", H)],
    "34-peft-adapter-config/adapter_config.json": [(4, "/root/autodl-tmp/models/glm-4-9b-chat", L)],
    "35-peft-adapter-config/adapter_config.json": [(6, "nvidia/Cosmos-Reason2-2B", H)],
    "36-peft-adapter-config/adapter_config.json": [(4, "unsloth/Llama-3.2-1B-Instruct", H)],
    "37-axolotl-yaml/instruct-dpo-lora-8b.yml": [
        (1, "meta-llama/Meta-Llama-3-8B-Instruct", H),
        # datasets[].path fozziethebeat/alpaca_messages_2k_dpo_test is a dataset
    ],
    "38-axolotl-yaml/gpt-oss-20b-sft-lora-singlegpu.yaml": [
        (1, "openai/gpt-oss-20b", H),  # an open-weight Hub repo, not OpenAI's API
        # attn_implementation: kernels-community/vllm-flash-attn3 is a kernel, not a model
    ],
    "39-llamafactory-yaml/llama3_lora_sft_awq.yaml": [
        (2, "TechxGenus/Meta-Llama-3-8B-Instruct-AWQ", H),
    ],
    "40-llamafactory-yaml/qwen3_lora_sft.yaml": [
        (4, "Qwen/Qwen3-4B-Instruct-2507", H),
        (5, "saves/qwen3-4b/lora/sft", L),  # adapter_name_or_path: a local adapter
    ],
    "41-trl-recipe-yaml/config_full.yaml": [
        (2, "mistralai/Mistral-7B-v0.1", H),  # revision main from model_revision
    ],
    "42-trl-recipe-yaml/config_qlora.yaml": [
        (2, "alignment-handbook/zephyr-7b-sft-qlora", H),
    ],
    "44-mergekit-yaml/bio-merge.yml": [
        (2, "mistralai/Mistral-7B-Instruct-v0.2", H),
        (6, "BioMistral/BioMistral-7B", H),
        (11, "mistralai/Mistral-7B-v0.1", H),
    ],
    "45-mergekit-yaml/gradient-slerp.yml": [
        (3, "psmathur/orca_mini_v3_13b", H),
        (5, "garage-bAInd/Platypus2-13B", H),
        (12, "psmathur/orca_mini_v3_13b", H),
    ],
    "46-mergekit-yaml/arcee_fusion.yml": [
        (2, "model_a", U),
        (3, "model_b", U),
        (5, "model_a", U),
    ],
    "47-mergekit-yaml/mergekit_config.yml": [
        (
            2,
            "D:/Uni/Masterarbeit Code/jakob_finetuning/finetuned_models/"
            "meta_llama_full_colab_remerge_2",
            L,
        ),
        (6, "VAGOsolutions/Llama-3.1-SauerkrautLM-8b-Instruct", H),  # Hub cache snapshot folder
        (11, "unsloth/Meta-Llama-3.1-8B-Instruct", H),
    ],
    "48-localai-model-yaml/text-to-text.yaml": [
        (4, "NousResearch/Hermes-2-Pro-Mistral-7B-GGUF", H),  # huggingface://org/repo/file.gguf
        # "model": "gpt-4" on line 47 is inside the `usage:` example text
    ],
    "49-localai-model-yaml/embeddings.yaml": [
        (5, "sentence-transformers/all-MiniLM-L6-v2", H),  # backend: sentencetransformers
    ],
    "50-llama-swap-config/config.yaml": [
        # -m <models dir>/<org>/<repo>-GGUF/<file>.gguf: the LM Studio / Hub download layout
        (23, "lmstudio-community/gpt-oss-20b-GGUF", H),
        (33, "lmstudio-community/gpt-oss-20b-GGUF", H),
        (43, "lmstudio-community/Qwen3-Coder-30B-A3B-Instruct-GGUF", H),
        (56, "lmstudio-community/Qwen3-Coder-30B-A3B-Instruct-GGUF", H),
        (69, "unsloth/Qwen3-Coder-30B-A3B-Instruct-GGUF", H),
        (81, "unsloth/Devstral-Small-2-24B-Instruct-2512-GGUF", H),
        (93, "lmstudio-community/NVIDIA-Nemotron-3-Nano-30B-A3B-GGUF", H),
        (101, "lmstudio-community/NVIDIA-Nemotron-3-Nano-30B-A3B-GGUF", H),
        (107, "unsloth/Devstral-Small-2-24B-Instruct-2512-GGUF", H),
        (118, "unsloth/Devstral-Small-2-24B-Instruct-2512-GGUF", H),
        (129, "lmstudio-community/Qwen2.5-Coder-7B-Instruct-GGUF", H),
        (135, "lmstudio-community/Qwen2.5-Coder-1.5B-Instruct-GGUF", H),
        (141, "lmstudio-community/Ministral-3-14B-Reasoning-2512-GGUF", H),
        (142, "lmstudio-community/Ministral-3-14B-Reasoning-2512-GGUF", H),  # --mmproj
        (150, "C:\\Users\\Ismael\\apps\\whispercpp\\models\\ggml-small.bin", L),
    ],
    "53-dotenv/.env.example": [
        (123, "Qwen/Qwen2.5-VL-3B-Instruct", H),  # examples in comments (106, 121, 122) ignored
    ],
    "54-app-settings-yaml/settings.yaml": [
        (66, "cross-encoder/ms-marco-MiniLM-L-2-v2", H),
        (80, "lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF", H),
        (94, "nomic-ai/nomic-embed-text-v1.5", H),
        (128, "gpt-3.5-turbo", C),
        (132, "llama3.1", OLL),
        (133, "nomic-embed-text", OLL),
        (146, "text-embedding-ada-002", C),
        (147, "gpt-35-turbo", C),
        (151, "models/gemini-pro", C),  # Google's API naming, not a Hub repo
        (152, "models/embedding-001", C),
    ],
    "58-negative-hf-config-json/config.json": [],
    "59-negative-pyproject/pyproject.toml": [],
}

# revisions the files pin
REVISIONS = {
    ("41-trl-recipe-yaml/config_full.yaml", 2): "main",
    ("24-tei-compose/docker-compose.yml", 8): "refs/heads/main",
    ("47-mergekit-yaml/mergekit_config.yml", 6): "221e5f92f9dc5fedaf4556b1be6b20642638643c",
}


def _actual(rel: str) -> list[tuple[int, str, str]]:
    out = []
    for r in extract_file(CONFIGS / rel, rel):
        if r.kind == "ollama-tag" or (r.kind == U and r.note and "Ollama tag" in r.note):
            tag = r.raw.split("/", 1)[1] if r.raw.startswith(("ollama/", "ollama_chat/")) else r.raw
            out.append((r.line, tag, OLL))
        else:
            out.append((r.line, r.model, r.kind))
    return sorted(out)


def test_every_corpus_file_has_an_expectation() -> None:
    files = {
        f"{d.name}/{f.name}"
        for d in CONFIGS.iterdir()
        if d.is_dir()
        for f in d.iterdir()
        if f.name != "SOURCE.txt"
    }
    assert files == set(EXPECTED)


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_corpus_file(rel: str) -> None:
    assert _actual(rel) == sorted(EXPECTED[rel])


def test_corpus_revisions() -> None:
    for (rel, line), rev in REVISIONS.items():
        refs = [r for r in extract_file(CONFIGS / rel, rel) if r.line == line]
        assert [r.revision for r in refs] == [rev], rel


def test_corpus_hub_ids_are_valid_and_recall_is_complete() -> None:
    refs = extract_paths([str(CONFIGS)])
    hub = [r for r in refs if r.kind == H]
    assert all(is_valid_repo_id(r.model) for r in hub)
    expected = {
        (rel, line, model)
        for rel, items in EXPECTED.items()
        for line, model, kind in items
        if kind == H
    }
    found = {(str(Path(r.file).relative_to(CONFIGS)), r.line, r.model) for r in hub}
    assert expected - found == set()
    assert found - expected == set()
    assert len(expected) == 58


def test_negative_examples_yield_no_hub_repo() -> None:
    for rel in ("58-negative-hf-config-json/config.json", "59-negative-pyproject/pyproject.toml"):
        assert [r for r in extract_file(CONFIGS / rel, rel) if r.kind == H] == []


def test_ollama_tags_map_through_the_registry_or_stay_unresolved() -> None:
    refs = extract_file(CONFIGS / "26-ollama-modelfile/Modelfile", "Modelfile")
    assert len(refs) == 1
    ref = refs[0]
    assert ref.raw == "mistral:instruct"
    if ref.kind == "ollama-tag":
        assert is_valid_repo_id(ref.model)
    else:
        assert (ref.kind, ref.model) == (U, "mistral:instruct")
