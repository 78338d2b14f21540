"""Model references: every format on our own fixtures (tests/fixtures/refs), normalisation,
walking, error policy, and the `compliance refs` command."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from treepaths import TESTS

from compliance import refs as refs_pkg
from compliance.cli.main import main
from compliance.errors import ExitCode, InputError
from compliance.refs import MAX_BYTES, ModelRef, extract_file, extract_paths
from compliance.refs import ollama as ollama_mod
from compliance.refs.normalize import classify

FIX = TESTS / "fixtures" / "refs"

H, C, L, G, U, OLL = "hf-repo", "closed-api", "local-path", "gguf-file", "unresolved", "ollama-tag"

REAL_TABLE = ollama_mod._table
OLLAMA_TABLE = ollama_mod.parse_table(
    {
        "llama3.1": {
            "default": "meta-llama/Llama-3.1-8B-Instruct",
            "tags": {
                "8b": "meta-llama/Llama-3.1-8B-Instruct",
                "70b": "meta-llama/Llama-3.1-70B-Instruct",
            },
        },
        "llama3.2": {
            "default": "meta-llama/Llama-3.2-3B-Instruct",
            "tags": {"1b": "meta-llama/Llama-3.2-1B-Instruct"},
        },
        "mistral": "mistralai/Mistral-7B-Instruct-v0.3",
    }
)


@pytest.fixture(autouse=True)
def fixed_ollama_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ollama tags map through a table fixed here, not through the evolving registry file."""
    monkeypatch.setattr(ollama_mod, "_table", lambda: OLLAMA_TABLE)


def triples(path: Path) -> list[tuple[int, str, str, str | None]]:
    return [(r.line, r.model, r.kind, r.revision) for r in extract_file(path, path.name)]


# --- formats (our fixtures) ---------------------------------------------------------------------

EXPECTED: dict[str, list[tuple[int, str, str, str | None]]] = {
    "serve.sh": [
        (5, "mistralai/Mistral-7B-Instruct-v0.3", H, None),  # export MODEL_ID=; used on line 14
        (6, "Qwen/Qwen2.5-0.5B-Instruct", H, None),  # ${DRAFT_MODEL:-...}
        (9, "meta-llama/Llama-3.1-8B-Instruct", H, "0e9e39f249a16976918f6564b8830bc894c89659"),
        (13, "Qwen/Qwen2.5-7B-Instruct", H, "main"),
        (15, "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", H, None),  # SGLang --model-path
        (16, "HuggingFaceH4/zephyr-7b-beta", H, None),  # TGI --model-id=
        (17, "BAAI/bge-large-en-v1.5", H, None),  # TEI --model-id
        (18, "bartowski/Llama-3.2-3B-Instruct-GGUF", H, None),  # -hf ...:Q4_K_M
        (19, "./models/tinyllama-1.1b-chat.Q8_0.gguf", G, None),
        (20, "meta-llama/Llama-3.1-8B-Instruct", OLL, None),  # ollama run llama3.1:8b
        (21, "google/gemma-2-2b-it", H, None),  # huggingface-cli download
        (22, "$UNSET_MODEL", U, None),
    ],
    "serve.ps1": [
        (2, "microsoft/Phi-3-mini-4k-instruct", H, "refs/pr/1"),  # $env:VLLM_MODEL, backticks
        (8, "ibm-granite/granite-3.1-8b-instruct", H, None),
    ],
    "app.py": [
        (11, "meta-llama/Llama-3.2-1B-Instruct", H, None),
        (12, "BAAI/bge-small-en-v1.5", H, None),  # os.getenv default, used by SentenceTransformer
        (16, "Qwen/Qwen2.5-1.5B-Instruct", H, "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"),
        (19, "distilbert/distilbert-base-uncased-finetuned-sst-2-english", H, None),
        (20, "facebook/bart-large-cnn", H, None),  # pipeline(task, model) positional
        (21, "sentence-transformers/all-MiniLM-L6-v2", H, None),
        (23, "TheBloke/Mistral-7B-Instruct-v0.2-GGUF", H, None),
        (26, "gpt-4o-mini", C, None),
        (27, "openai-community/gpt2", H, None),
    ],
    "app.env": [
        (2, "meta-llama/Llama-3.1-70B-Instruct", H, None),
        (3, "intfloat/multilingual-e5-large", H, None),
        (4, "gpt-4o", C, None),
        (5, "meta-llama/Llama-3.2-3B-Instruct", OLL, None),  # OLLAMA_MODEL=llama3.2:3b -> default
    ],
    "docker-compose.yaml": [
        (4, "NousResearch/Hermes-3-Llama-3.1-8B", H, "v1.0"),
        (10, "sentence-transformers/all-mpnet-base-v2", H, None),
        (14, "mixedbread-ai/mxbai-rerank-large-v1", H, None),
        (17, "${MODEL_ID}", U, None),
    ],
    "k8s-deployment.yaml": [
        (17, "microsoft/Phi-3.5-mini-instruct", H, None),  # the --tokenizer value is not counted
        (22, "/models/draft", L, None),
        (35, "Alibaba-NLP/gte-large-en-v1.5", H, None),
    ],
    "litellm.yaml": [
        (4, "meta-llama/Llama-3.3-70B-Instruct", H, None),
        (7, "Qwen/Qwen2.5-Coder-32B-Instruct", H, None),
        (11, "mistralai/Mixtral-8x7B-Instruct-v0.1", H, None),
        (14, "meta-llama/Llama-3.1-8B-Instruct", OLL, None),
        (17, "azure/my-gpt4o-deployment", C, None),
        (20, "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0", C, None),
        (23, "vertex_ai/gemini-1.5-pro", C, None),
        (26, "gpt-4o", C, None),
        (29, "bartowski/Qwen2.5-7B-Instruct-GGUF", H, None),
        (32, "microsoft/phi-4", H, None),
    ],
    "llama-swap.yaml": [
        (5, "unsloth/Qwen3-8B-GGUF", H, None),
        (6, "unsloth/Qwen3-0.6B-GGUF", H, None),
        (8, "microsoft/Phi-3-mini-4k-instruct-gguf", H, None),
    ],
    "localai.yaml": [
        (4, "phi-2.Q8_0.gguf", G, None),
        (7, "TheBloke/phi-2-GGUF", H, None),
    ],
    "mergekit.yaml": [
        (3, "NousResearch/Hermes-2-Pro-Llama-3-8B", H, None),
        (3, "grimjim/Llama-3-Instruct-abliteration-LoRA-8B", H, None),
        (5, "./local-merge", L, None),
        (6, "meta-llama/Meta-Llama-3-8B", H, None),
    ],
    "peft-adapter.json": [
        (2, "mistralai/Mistral-7B-v0.1", H, "26bca36bde8333b5d7f72e9ed20ccda6a618af24"),
        (5, "openai/clip-vit-large-patch14", H, None),
    ],
    "Dockerfile": [
        (2, "Qwen/Qwen2-VL-7B-Instruct", H, None),
        (3, "openai/whisper-large-v3", H, None),
        (4, "Qwen/Qwen2-VL-7B-Instruct", H, None),  # CMD exec form
    ],
    "tokenizer_config.json": [],
    "helm/values.yaml": [
        (5, "mistralai/Mistral-Nemo-Instruct-2407", H, "04d8a90549d23fc6bd7f642064003592df51e9b3"),
        (7, "ibm-fms/llama3-8b-accelerator", H, None),
    ],
    "helm/templates/deployment.yaml": [
        (14, "Qwen/Qwen2.5-Coder-7B-Instruct", H, None),
        (17, "google/gemma-2-9b-it", H, None),
    ],
    "tgi-docker.sh": [
        (1, "HuggingFaceH4/zephyr-7b-beta", H, None),  # model=...; used as --model-id $model
        (4, "predibase/customer_support", H, None),  # --lora-adapters a,b
        (4, "predibase/magicoder", H, None),
        (6, "Qwen/Qwen2.5-7B-Instruct", H, None),  # MODEL_NAME=chat is an alias: dropped
        (7, "jashing/tinyllama-colorist-lora", H, None),  # --lora-modules name=repo
        (8, "Qwen/Qwen2.5-0.5B-Instruct", H, None),  # --speculative-config JSON
    ],
    "k8s-envref.yaml": [
        (12, "tiiuae/falcon-7b-instruct", H, None),  # --model-id $(MODEL) -> env value line
    ],
    "helm/camel-values.yaml": [
        (4, "meta-llama/Llama-3.2-1B-Instruct", H, None),  # modelURL
        (7, "BAAI/bge-m3", H, None),  # embeddingModelName; baseModel/modelName aliases dropped
    ],
    "skypilot.yaml": [
        (3, "Qwen/Qwen2.5-Math-7B-Instruct", H, None),  # envs: HF_MODEL
        (
            4,
            "mistralai/Mistral-Small-24B-Instruct-2501",
            H,
            None,
        ),  # BASE, used by `vllm serve $BASE`
        (7, "EleutherAI/pythia-160m", H, None),  # --model_args pretrained=
    ],
    "modelfiles/Modelfile.hub": [
        (1, "bartowski/Llama-3.2-1B-Instruct-GGUF", H, None),
        (2, "./adapters/lora.gguf", G, None),
    ],
    "modelfiles/Modelfile.library": [(2, "meta-llama/Llama-3.1-8B-Instruct", OLL, None)],
    "modelfiles/Modelfile.unknown": [(1, "some-unknown-model:7b", U, None)],
    "modelfiles/Modelfile.dir": [(1, "/models/llama", L, None)],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(name: str) -> None:
    assert sorted(triples(FIX / name)) == sorted(EXPECTED[name])


def test_every_fixture_has_an_expectation() -> None:
    files = {p.relative_to(FIX).as_posix() for p in FIX.rglob("*") if p.is_file()}
    assert files == set(EXPECTED)


def test_not_models_are_not_reported() -> None:
    refs = extract_paths([str(FIX)])
    models = {r.model for r in refs} | {r.raw for r in refs}
    for wolf in (
        "vllm/vllm-openai",
        "vllm/vllm-openai:latest",
        "ghcr.io/huggingface/text-embeddings-inference:cpu-1.5",
        "tatsu-lab/alpaca",
        "yahma/alpaca-cleaned",
        "HuggingFaceH4/ultrachat_200k",
        "app.kubernetes.io/name",
        "nvidia.com/gpu",
        "example/worker",
        "https://github.com/example/rag",
        "llama-3-8b",
        "example-org/commented-out-model",
        "commented/out-model",
        "sglang.launch_server",
        "BAAI/bge-reranker-v2-m3",  # commented out in app.env
        "me/llama-finetuned",  # NEW_MODEL: the output of a fine-tune
        "me/llama-finetuned-hub",  # push_to_hub target
        "me/empty-repo",  # create_repo
        "org-unlisted/unused-default",  # an org/name string under a key that names no model
    ):
        assert wolf not in models, wolf


def test_refs_carry_raw_note_and_format() -> None:
    refs = extract_file(FIX / "litellm.yaml", "litellm.yaml")
    pinned = next(r for r in refs if r.line == 32)
    assert pinned == ModelRef(
        "litellm.yaml",
        32,
        "openai/${SERVED:-microsoft/phi-4}",
        H,
        "microsoft/phi-4",
        None,
        "resolved ${SERVED:-microsoft/phi-4} to its default; OpenAI-compatible server",
        "litellm",
    )
    sh = extract_file(FIX / "serve.sh", "serve.sh")
    assert {r.format for r in sh} == {"shell"}


# --- normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "ctx", "api_base", "kind", "model", "revision"),
    [
        ("openai/gpt-4o", "litellm", None, C, "openai/gpt-4o", None),
        ("gpt-4o", "litellm", None, C, "gpt-4o", None),
        (
            "anthropic/claude-3-5-sonnet-latest",
            "litellm",
            None,
            C,
            "anthropic/claude-3-5-sonnet-latest",
            None,
        ),
        ("gemini/gemini-1.5-pro", "litellm", None, C, "gemini/gemini-1.5-pro", None),
        (
            "openai/meta-llama/Llama-3.1-8B-Instruct",
            "litellm",
            "http://vllm:8000/v1",
            H,
            "meta-llama/Llama-3.1-8B-Instruct",
            None,
        ),
        ("openai/my-served-name", "litellm", "http://vllm:8000/v1", U, "my-served-name", None),
        ("openai/gpt-4o", "litellm", "https://api.openai.com/v1", C, "openai/gpt-4o", None),
        ("huggingface/org/model-7b", "litellm", None, H, "org/model-7b", None),
        ("hosted_vllm/org/model-7b", "litellm", "http://x", H, "org/model-7b", None),
        ("openrouter/openai/gpt-4o", "litellm", None, C, "openrouter/openai/gpt-4o", None),
        ("openrouter/qwen/qwen3-32b:free", "litellm", None, H, "Qwen/qwen3-32b", None),
        ("openrouter/unknownorg/some-model", "litellm", None, U, "unknownorg/some-model", None),
        ("hf.co/org/Model-Q8_0-GGUF:Q8_0", "cli", None, H, "org/Model-Q8_0-GGUF", None),
        ("TheBloke/Llama-2-7B-GPTQ", "generic", None, H, "TheBloke/Llama-2-7B-GPTQ", None),
        ("org/model-AWQ:latest", "generic", None, H, "org/model-AWQ", None),
        ("org/model@abc123", "generic", None, H, "org/model", "abc123"),
        ("https://huggingface.co/org/model/tree/v2.0", "generic", None, H, "org/model", "v2.0"),
        ("https://huggingface.co/datasets/org/data", "generic", None, None, None, None),
        ("https://github.com/org/repo", "generic", None, None, None, None),
        ("${MODEL:-org/model}", "generic", None, H, "org/model", None),
        ("${MODEL}", "generic", None, U, "${MODEL}", None),
        ("${MODEL:-}", "generic", None, U, "${MODEL:-}", None),
        ("os.environ/MODEL", "litellm", None, U, "os.environ/MODEL", None),
        ("/models/llama", "generic", None, L, "/models/llama", None),
        ("./checkpoints", "generic", None, L, "./checkpoints", None),
        ("outputs/run-1", "generic", None, L, "outputs/run-1", None),
        ("C:\\models\\x.gguf", "generic", None, G, "C:\\models\\x.gguf", None),
        (
            "/data/hub/models--org--name/snapshots/" + "a" * 40,
            "generic",
            None,
            H,
            "org/name",
            "a" * 40,
        ),
        (
            "/m/TheBloke/Llama-2-7B-GGUF/llama-2-7b.Q4_K_M.gguf",
            "cli",
            None,
            H,
            "TheBloke/Llama-2-7B-GGUF",
            None,
        ),
        ("nvidia.com/gpu", "generic", None, U, "nvidia.com/gpu", None),
        ("ghcr.io/org/image", "generic", None, L, "ghcr.io/org/image", None),
        ("models/gemini-1.5-flash", "generic", None, C, "models/gemini-1.5-flash", None),
        ("auto", "generic", None, None, None, None),
        ("bert-base-uncased", "generic", None, H, "google-bert/bert-base-uncased", None),
        ("all-MiniLM-L6-v2", "st", None, H, "sentence-transformers/all-MiniLM-L6-v2", None),
        ("mystery", "generic", None, U, "mystery", None),
        ("llama3.1:70b", "generic", None, OLL, "meta-llama/Llama-3.1-70B-Instruct", None),
        ("ollama/llama3.2:1b", "litellm", None, OLL, "meta-llama/Llama-3.2-1B-Instruct", None),
        ("ollama/unknown-model:7b", "litellm", None, U, "unknown-model:7b", None),
        ("hf.co/org/Model-GGUF:Q4_K_M", "ollama", None, H, "org/Model-GGUF", None),
        ("someuser/custom-model:latest", "ollama", None, U, "someuser/custom-model:latest", None),
        ("databricks/dolly-v2-12b", "generic", None, H, "databricks/dolly-v2-12b", None),
        ("databricks/dbrx-instruct", "litellm", None, C, "databricks/dbrx-instruct", None),
        ("groq/llama-3.1-8b-instant", "litellm", None, C, "groq/llama-3.1-8b-instant", None),
    ],
)
def test_classify(
    raw: str,
    ctx: str,
    api_base: str | None,
    kind: str | None,
    model: str | None,
    revision: str | None,
) -> None:
    result = classify(raw, ctx, api_base=api_base)
    if kind is None:
        assert result is None
        return
    assert result is not None
    assert (result.kind, result.model, result.revision) == (kind, model, revision)


def test_default_note_says_it_was_resolved() -> None:
    result = classify("${VLLM_MODEL:-Qwen/Qwen2.5-3B-Instruct}", "generic")
    assert result is not None
    assert result.note == "resolved ${VLLM_MODEL:-Qwen/Qwen2.5-3B-Instruct} to its default"


def test_ollama_registry_lookup_rules() -> None:
    table = ollama_mod.parse_table(
        {
            "deepseek-r1": {
                "default": "deepseek-ai/DeepSeek-R1-0528-Qwen3-8B",
                "tags": {
                    "8b": "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
                    "32b": "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B",
                },
                "note": "distills",
            },
            "mistral": "mistralai/Mistral-7B-Instruct-v0.3",
        }
    )
    assert ollama_mod.lookup("deepseek-r1:32b", table) == (
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B",
        "distills",
    )
    assert ollama_mod.lookup("deepseek-r1:32b-qwen-distill-q4_K_M", table) == (
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B",
        "distills",
    )
    assert ollama_mod.lookup("deepseek-r1", table) == (
        "deepseek-ai/DeepSeek-R1-0528-Qwen3-8B",
        "distills",
    )
    assert ollama_mod.lookup("deepseek-r1:latest", table) == (
        "deepseek-ai/DeepSeek-R1-0528-Qwen3-8B",
        "distills",
    )
    assert ollama_mod.lookup("mistral:instruct", table) == (
        "mistralai/Mistral-7B-Instruct-v0.3",
        None,
    )
    assert ollama_mod.lookup("phi3", table) is None


def test_missing_ollama_registry_leaves_tags_unresolved(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(ollama_mod, "_table", REAL_TABLE.__wrapped__)
    monkeypatch.setattr(ollama_mod, "registry_path", lambda: tmp_path / "absent.yaml")
    result = classify("llama3.1:8b", "ollama")
    assert result is not None
    assert (result.kind, result.model) == (U, "llama3.1:8b")


# --- files, directories, errors -----------------------------------------------------------------


def test_directory_walk_respects_gitignore_and_skips(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("ignored/\n*.local.yaml\n")
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "a.yaml").write_text("base_model: org/ignored-a\n")
    (tmp_path / "x.local.yaml").write_text("base_model: org/ignored-b\n")
    for skip in (".git", ".venv", "node_modules"):
        (tmp_path / skip).mkdir()
        (tmp_path / skip / "c.yaml").write_text("base_model: org/ignored-c\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("secret.yaml\n")
    (tmp_path / "sub" / "secret.yaml").write_text("base_model: org/ignored-d\n")
    (tmp_path / "sub" / "kept.yml").write_text("base_model: org/kept\n")
    (tmp_path / ".env").write_text("MODEL_ID=org/from-dotenv\n")
    (tmp_path / "notes.txt").write_text("base_model: org/not-a-config\n")
    refs = extract_paths([str(tmp_path)])
    assert sorted(
        (Path(r.file).relative_to(tmp_path).as_posix(), r.line, r.model) for r in refs
    ) == [
        (".env", 1, "org/from-dotenv"),
        ("sub/kept.yml", 1, "org/kept"),
    ]
    assert all(r.file.startswith(str(tmp_path)) for r in refs)


def test_file_is_named_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("conf").mkdir()
    Path("conf/a.yaml").write_text("model_id: org/a\n")
    # the same file reached twice is read once
    assert [r.file for r in extract_paths(["conf/a.yaml", "conf"])] == ["conf/a.yaml"]
    assert [r.file for r in extract_paths(["./conf"])] == ["./conf/a.yaml"]


def test_missing_path_is_an_input_error() -> None:
    with pytest.raises(InputError) as exc:
        extract_paths(["does/not/exist.yaml"])
    assert str(exc.value) == "does/not/exist.yaml: no such file or directory"


def test_binary_and_oversized_files_are_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "bin.yaml").write_bytes(b"model: org/x\n\0\0\0")
    (tmp_path / "big.yaml").write_text("model_id: org/big\n" + "#" * MAX_BYTES)
    with caplog.at_level(logging.WARNING, logger="compliance.refs"):
        assert extract_paths([str(tmp_path)]) == []
    messages = sorted(r.getMessage() for r in caplog.records)
    assert messages == [
        f"{tmp_path / 'big.yaml'}: skipped, larger than {MAX_BYTES} bytes",
        f"{tmp_path / 'bin.yaml'}: skipped, binary file",
    ]


def test_malformed_model_config_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "litellm.yaml"
    bad.write_text("model_list:\n  - model_name: a\n    litellm_params:\n      model: [unclosed\n")
    with pytest.raises(InputError) as exc:
        extract_file(bad, "litellm.yaml")
    assert exc.value.file == "litellm.yaml"
    assert exc.value.line == 5
    bad_json = tmp_path / "adapter_config.json"
    bad_json.write_text('{\n  "base_model_name_or_path": "org/x",\n}\n')
    with pytest.raises(InputError) as exc2:
        extract_file(bad_json, "adapter_config.json")
    assert (exc2.value.file, exc2.value.line) == ("adapter_config.json", 3)


def test_unrelated_malformed_file_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bad = tmp_path / "ci.yaml"
    bad.write_text("steps:\n  - run: [unclosed\n")
    with caplog.at_level(logging.WARNING, logger="compliance.refs"):
        assert extract_file(bad, "ci.yaml") == []
    assert [r.getMessage() for r in caplog.records] == [
        "ci.yaml: skipped, malformed and names no model"
    ]


def test_templated_yaml_outside_templates_dir_is_read_by_line(tmp_path: Path) -> None:
    f = tmp_path / "values.yaml"
    f.write_text("model: {{ .Values.model }}\nbase_model: org/real-model\n  bad: [\n")
    assert [(r.line, r.model, r.format) for r in extract_file(f, "values.yaml")] == [
        (2, "org/real-model", "yaml-template")
    ]


def test_choose_by_name_and_content(tmp_path: Path) -> None:
    script = tmp_path / "start"
    script.write_text("#!/bin/bash\nvllm serve org/from-shebang\n")
    assert [(r.line, r.model, r.format) for r in extract_file(script, "start")] == [
        (2, "org/from-shebang", "shell")
    ]
    assert refs_pkg.choose(Path("Modelfile")) == "modelfile"
    assert refs_pkg.choose(Path("x/.env.production")) == "dotenv"
    assert refs_pkg.choose(Path("config.json")) == "json"
    assert refs_pkg.choose(Path("tokenizer_config.json")) is None
    assert refs_pkg.choose(Path("pyproject.toml")) == "toml"  # issue 17 item 15
    assert refs_pkg.choose(Path("poetry.lock")) is None
    assert refs_pkg.choose(Path("run.ps1")) == "shell"
    assert refs_pkg.choose(Path("Dockerfile")) == "shell"


def test_extracting_fifty_files_finds_every_reference(tmp_path: Path) -> None:
    src = (FIX / "litellm.yaml").read_text()
    for i in range(50):
        (tmp_path / f"c{i}.yaml").write_text(src)
    refs = extract_paths([str(tmp_path)])  # its speed: bench/hook.py
    assert len(refs) == 50 * 10


# --- command ------------------------------------------------------------------------------------


def test_cli_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIX)
    assert main(["refs", "--format", "json", "modelfiles/Modelfile.hub", "app.env"]) == ExitCode.OK
    out = json.loads(capsys.readouterr().out)
    assert out["schema"] == "compliance.refs/v1"
    assert out["refs"][0] == {
        "file": "modelfiles/Modelfile.hub",
        "line": 1,
        "raw": "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q8_0",
        "kind": "hf-repo",
        "model": "bartowski/Llama-3.2-1B-Instruct-GGUF",
        "revision": None,
        "note": None,
        "format": "modelfile",
    }
    assert [(r["file"], r["line"], r["model"], r["kind"]) for r in out["refs"][1:]] == [
        ("modelfiles/Modelfile.hub", 2, "./adapters/lora.gguf", G),
        ("app.env", 2, "meta-llama/Llama-3.1-70B-Instruct", H),
        ("app.env", 3, "intfloat/multilingual-e5-large", H),
        ("app.env", 4, "gpt-4o", C),
        ("app.env", 5, "meta-llama/Llama-3.2-3B-Instruct", OLL),
    ]


def test_cli_text(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIX)
    assert main(["refs", "docker-compose.yaml"]) == ExitCode.OK
    assert capsys.readouterr().out.splitlines() == [
        "docker-compose.yaml:4: NousResearch/Hermes-3-Llama-3.1-8B@v1.0 (hf-repo)",
        "docker-compose.yaml:10: sentence-transformers/all-mpnet-base-v2 (hf-repo)",
        "docker-compose.yaml:14: mixedbread-ai/mxbai-rerank-large-v1 (hf-repo)",
        "docker-compose.yaml:17: ${MODEL_ID} (unresolved)",
    ]


def test_cli_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["refs", str(tmp_path / "missing.yaml")]) == ExitCode.USAGE
    assert (
        capsys.readouterr().err.strip()
        == f"compliance: error: {tmp_path / 'missing.yaml'}: no such file or directory"
    )
    assert main(["refs"]) == ExitCode.USAGE


def test_pre_commit_hook_definition() -> None:
    import re

    import yaml

    hooks = yaml.safe_load((FIX.parent.parent.parent / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["compliance"]
    hook = hooks[0]
    assert hook["entry"] == "compliance check"
    assert hook["pass_filenames"] is True
    assert hook["language"] == "python"
    files = re.compile(hook["files"])
    exclude = re.compile(hook["exclude"])

    def selected(name: str) -> bool:  # what pre-commit does with `files` and `exclude`
        return bool(files.search(name)) and not exclude.search(name)

    for name in (
        "litellm_config.yaml",
        "deploy/values.yml",
        "config.json",
        "adapter_config.json",
        ".env",
        ".env.production",
        "prod.env",
        "Modelfile",
        "ollama/Modelfile.llama",
        "serve.sh",
        "run.ps1",
        "Dockerfile",
        "app.py",
        "docker-compose.yml",
        "pyproject.toml",  # issue 17 item 15: TOML, notebooks and Makefiles are read
        "nb/explore.ipynb",
        "Makefile",
    ):
        assert selected(name), name
    for name in (
        "README.md",
        "poetry.lock",
        "image.png",
        "tokenizer_config.json",
        "x/.pre-commit-config.yaml",
    ):
        assert not selected(name), name
