"""Property tests: the parsers raise nothing unexpected on arbitrary input.

"Expected" means a ComplianceError (one clear message, exit 2) where the parser may refuse its
input, and nothing at all where it must always answer (the card parser, licence detection).
A small run here (CI); `bench/fuzz.py` runs the same targets for 10,000+ cases.

Each target is `(name, strategy, function)`; the function raises AssertionError (or lets an
unexpected exception through) when the property breaks.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.errors import ComplianceError

# -- input generators -------------------------------------------------------------------------
YAML_BITS = [
    "version: 1\n",
    "version: 99\n",
    "version: '1'\n",
    "source: hub\n",
    "source: {mirror: m}\n",
    "organization:\n",
    "  domicile: DE\n",
    "  monthly_active_users: 1000\n",
    "  use: research\n",
    "policy:\n",
    "  allow_classes: [permissive]\n",
    "  unknown: warn\n",
    "  packs: [x.rego]\n",
    "exceptions:\n",
    "  - model: a/b\n",
    "    rules: [license-unknown]\n",
    "    expires: 2030-01-01\n",
    "    revision: " + "a" * 40 + "\n",
    "license: apache-2.0\n",
    "license: [mit, other]\n",
    "license_name: llama3\n",
    "license_link: LICENSE\n",
    "base_model: meta-llama/Llama-3.1-8B\n",
    "base_model:\n  - a/b\n  - c/d\n",
    "tags: [a, b]\n",
    "model: meta-llama/Llama-3.1-8B\n",
    "model_list:\n",
    "  - model_name: x\n",
    "    litellm_params:\n",
    "      model: huggingface/a/b\n",
    "services:\n",
    "  vllm:\n",
    "    command: --model Qwen/Qwen2.5-7B\n",
    "    image: vllm\n",
    "x: &a [1, 2]\n",
    "y: *a\n",
    "z: *missing\n",
    "<<: *a\n",
    "a: !!python/object:os.system\n",
    "a: !reset []\n",
    "[",
    "]",
    "{",
    "}",
    "- ",
    ": ",
    "'",
    '"',
    "&",
    "*",
    "!",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "\t",
    "  ",
    "\n",
    "#",
    "a: 2024-13-45\n",
    "a: 1e999\n",
    "a: 0x\n",
    "key: value\n",
    "key: value\n",
    "\ufeff",
    "\x00",
    "\x07",
    "é",
    "\u2028",
    "\ud7ff",
]

yamlish = st.lists(st.sampled_from(YAML_BITS), max_size=40).map("".join)
texty = st.one_of(
    yamlish, st.text(max_size=400), st.text(alphabet="[]{}:-&*!|>'\"\n #", max_size=200)
)
json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30)
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=15), inner, max_size=6)
    ),
    max_leaves=30,
)
KEYS = [
    "version",
    "source",
    "organization",
    "policy",
    "exceptions",
    "model",
    "rules",
    "expires",
    "revision",
    "reason",
    "approved_by",
    "domicile",
    "monthly_active_users",
    "use",
    "allow_classes",
    "unknown",
    "packs",
    "mirror",
    "schema",
    "models",
    "license_files",
    "license_key",
    "decision",
    "sha",
    "siblings",
    "rfilename",
    "cardData",
    "gated",
    "tags",
]
keyed_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=6),
    ),
    max_leaves=25,
)
any_json = st.one_of(json_value, keyed_value)

LICENCE_WORDS = [
    "license",
    "licence",
    "permission",
    "granted",
    "copyright",
    "llama",
    "meta",
    "commercial",
    "use",
    "users",
    "monthly",
    "active",
    "700",
    "million",
    "distribute",
    "attribution",
    "built",
    "with",
    "gemma",
    "prohibited",
    "research",
    "only",
    "non-commercial",
    "MIT",
    "Apache",
    "2.0",
    "warranty",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "you",
    "shall",
    "not",
]
licence_text = st.one_of(
    st.lists(st.sampled_from(LICENCE_WORDS), max_size=300).map(" ".join),
    st.text(max_size=500),
)

REF_NAMES = [
    "compliance.yaml",
    "litellm-config.yaml",
    "docker-compose.yml",
    "values.yaml",
    "deployment.yaml",
    "config.json",
    "adapter_config.json",
    ".env",
    "Modelfile",
    "app.py",
    "run.sh",
    "Dockerfile",
    "mergekit_config.yml",
    "train.ps1",
]
PY_BITS = [
    "from transformers import AutoModel\n",
    "AutoModel.from_pretrained('meta-llama/Llama-3.1-8B')\n",
    "pipeline('text-generation', model=MODEL)\n",
    "MODEL = 'Qwen/Qwen2.5-7B'\n",
    "hf_hub_download(repo_id='a/b', filename='x')\n",
    "def f(:\n",
    "'''",
    "\\",
    "(((",
    "\n",
    "vllm serve mistralai/Mistral-7B-v0.3 --port 8000\n",
    "FROM llama3.1:8b\n",
    "ADAPTER ./x\n",
    "MODEL_ID=google/gemma-2-9b-it\n",
    "--model ${MODEL:-a/b}\n",
    '{"_name_or_path": "a/b"}\n',
]
ref_content = st.one_of(
    yamlish, st.lists(st.sampled_from(PY_BITS), max_size=30).map("".join), st.text(max_size=300)
)


# -- targets ----------------------------------------------------------------------------------
def _expect(func: Callable[[], Any], allowed: tuple[type[BaseException], ...] = ()) -> Any:
    try:
        return func()
    except ComplianceError as exc:
        if not isinstance(exc, allowed):
            raise AssertionError(f"{type(exc).__name__} not allowed here: {exc}") from exc
        assert str(exc), "an error must say something"
        return None


def t_safe_yaml(text: str) -> None:
    from compliance.errors import InputError
    from compliance.safeyaml import load_yaml

    _expect(lambda: load_yaml(text, source="f.yaml"), (InputError,))
    _expect(
        lambda: load_yaml(text.encode("utf-8", "surrogatepass"), source="f.yaml"), (InputError,)
    )


def t_config_text(text: str) -> None:
    from compliance.config import config_from_text
    from compliance.errors import ConfigError

    _expect(lambda: config_from_text(text, Path("compliance.yaml")), (ConfigError,))


def t_config_dict(data: Any) -> None:
    from compliance.config import config_from_dict
    from compliance.errors import ConfigError

    if isinstance(data, dict):
        _expect(lambda: config_from_dict(data, Path("compliance.yaml")), (ConfigError,))


def t_card(text: str) -> None:
    from compliance.sources.card import first_heading, parse_card

    for candidate in (text, f"---\n{text}\n---\n# body\n"):
        card = parse_card(candidate)
        assert isinstance(card.data, dict)
        first_heading(candidate)


def t_detect(text: str) -> None:
    from compliance.facts.detect import detect_bytes, detect_text

    detect_text(text, "LICENSE")
    detect_bytes(text.encode("utf-8", "surrogatepass"), "LICENSE")


_REF_DIR: Path | None = None


def t_refs(case: tuple[str, str]) -> None:
    from compliance.errors import InputError
    from compliance.refs import extract_file

    global _REF_DIR
    if _REF_DIR is None:
        _REF_DIR = Path(tempfile.mkdtemp(prefix="compliance-fuzz-"))
    name, content = case
    path = _REF_DIR / name
    path.write_bytes(content.encode("utf-8", "surrogatepass"))
    refs = _expect(lambda: extract_file(path, name), (InputError,))
    for ref in refs or []:
        assert ref.file == name and ref.line >= 1


def t_lock(data: Any) -> None:
    from compliance.errors import InputError
    from compliance.policy.lock import lock_from_json

    lock = _expect(lambda: lock_from_json(data, Path("compliance.lock")), (InputError,))
    if lock is not None:
        again = lock_from_json(json.loads(lock.dumps()), Path("compliance.lock"))
        assert again.to_json() == lock.to_json()


def t_model_id(text: str) -> None:
    from compliance.errors import UsageError
    from compliance.modelid import is_valid_repo_id, parse_model_id

    mid = _expect(lambda: parse_model_id(text), (UsageError,))
    if mid is not None:
        assert is_valid_repo_id(mid.repo_id)
        for part in mid.repo_id.split("/"):
            assert part not in (".", "..") and "\\" not in part and "\n" not in part
        assert ".." not in (mid.revision or "")


def t_hub_info(data: Any) -> None:
    from compliance.errors import SourceError
    from compliance.sources.hub import _ModelInfo

    info = _expect(lambda: _ModelInfo.parse("a/b", data), (SourceError,))
    if info is not None:
        assert isinstance(info.card_data, dict)
        json.dumps(info.card_data)  # cacheable


def t_repo_file(data: bytes) -> None:
    from compliance.sources.reading import repo_file_from_bytes

    for name in ("LICENSE", "README.md", "config.json"):
        entry = repo_file_from_bytes(name, data)
        assert (entry.text is None) == (entry.skipped is not None)


TARGETS: list[tuple[str, st.SearchStrategy[Any], Callable[[Any], None]]] = [
    ("safe_yaml", texty, t_safe_yaml),
    ("config_text", texty, t_config_text),
    ("config_dict", keyed_value, t_config_dict),
    ("card", texty, t_card),
    ("detect", licence_text, t_detect),
    ("refs", st.tuples(st.sampled_from(REF_NAMES), ref_content), t_refs),
    ("lock", any_json, t_lock),
    ("model_id", st.one_of(st.text(max_size=60), st.from_regex(r"[a-z./@-]{1,30}")), t_model_id),
    ("hub_info", any_json, t_hub_info),
    ("repo_file", st.binary(max_size=2000), t_repo_file),
]


@pytest.mark.parametrize(("name", "strategy", "func"), TARGETS, ids=[t[0] for t in TARGETS])
def test_parser_never_raises_unexpectedly(name, strategy, func):
    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(strategy)
    def run(value: Any) -> None:
        func(value)

    run()
