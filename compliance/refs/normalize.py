"""Turn a model string as written in a config into (kind, model, revision, note).

One function, `classify`, with a context saying where the string was found, because the same
text means different things in different places: `openai/gpt-oss-20b` is a Hub repo as an axolotl
`base_model` but `openai/gpt-4o` in a LiteLLM config is OpenAI's API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..modelid import is_valid_repo_id

# Where a string was found. "generic": a config key that names a model; "litellm":
# litellm_params.model; "ollama": an Ollama tag position (Modelfile FROM, `ollama run`,
# the `ollama/` provider); "cli": a command-line flag such as --model; "st": a
# sentence-transformers loader (a bare name means sentence-transformers/<name>).
CONTEXTS = ("generic", "litellm", "ollama", "cli", "st")


@dataclass(frozen=True)
class Classified:
    kind: str
    model: str
    revision: str | None = None
    note: str | None = None
    bare: bool = False  # a single word we could not pin down (callers may drop it in weak spots)


_VAR_DEFAULT = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-|-|:=|=|:)([^}]*)\}")
_VAR_PLAIN = re.compile(
    r"\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$env:[A-Za-z_][A-Za-z0-9_]*"
    r"|%[A-Za-z_][A-Za-z0-9_]*%|^os\.environ/[A-Za-z_][A-Za-z0-9_]*$|\{\{[^}]*\}\}"
    r"|\$\([A-Za-z_][A-Za-z0-9_]*\)"
)
_HF_URL = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/(?!datasets/|spaces/|docs/)"
    r"([^/\s]+)/([^/\s:?#]+)(?:/(?:tree|resolve|blob)/([^/\s?#]+))?(?:[/?#].*)?(?::([^/\s]+))?$"
)
_HF_SCHEME = re.compile(r"^(?:huggingface|hf)://([^/\s]+)/([^/\s:@]+)(?:@([^/\s]+))?(?:/(.*))?$")
_CACHE_DIR = re.compile(r"models--([^/\\]+?)--([^/\\]+)(?:[/\\]snapshots[/\\]([0-9a-f]{40}))?")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(:\d+)?$", re.IGNORECASE)
_REVISION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$")
_MODEL_EXTS = (
    ".gguf",
    ".ggml",
    ".bin",
    ".safetensors",
    ".pt",
    ".pth",
    ".onnx",
    ".ckpt",
    ".llamafile",
)
_STOPWORDS = {
    "",
    "auto",
    "none",
    "null",
    "nil",
    "true",
    "false",
    "yes",
    "no",
    "default",
    "local",
    "custom",
    "model",
    "models",
    "base",
    "main",
    "latest",
    "ollama",
    "openai",
    "huggingface",
    "hf",
    "vllm",
    "llamacpp",
    "llama.cpp",
    "sentencetransformers",
    "transformers",
    "mock",
    "test",
    "dummy",
}

# Hosted proprietary models, written bare (after any provider prefix).
_CLOSED_NAME = re.compile(
    r"^(?:gpt-(?:3|35|4|5)|chatgpt|o[1-9](?:$|-(?:mini|pro|preview|deep))|text-embedding-|"
    r"text-davinci|davinci|babbage|curie|whisper-1$|tts-1|dall-e|gpt-image|gpt-realtime|"
    r"gpt-audio|omni-moderation|text-moderation|codex-|computer-use|claude|gemini|"
    r"models/(?:gemini|gemma|embedding|text-embedding|aqa|imagen|veo)|embedding-00|text-bison|chat-bison|textembedding-gecko|text-multilingual-embedding|"
    r"command(?:$|-)|embed-(?:english|multilingual)|rerank-(?:english|multilingual|v)|grok|"
    r"sonar|titan|nova-|amazon\.|anthropic\.|cohere\.|meta\.|ai21\.|"
    r"(?:mistral|codestral|pixtral|ministral|magistral|devstral)-[a-z0-9.-]*latest$|"
    r"mistral-(?:large|medium|tiny)|voyage-)",
    re.IGNORECASE,
)
# LiteLLM providers whose models are served by a closed API (the name is the vendor's).
_CLOSED_PROVIDERS = {
    "azure",
    "azure_ai",
    "azure_text",
    "anthropic",
    "gemini",
    "vertex_ai",
    "vertex_ai_beta",
    "palm",
    "bedrock",
    "bedrock_converse",
    "sagemaker",
    "sagemaker_chat",
    "cohere",
    "cohere_chat",
    "mistral",
    "codestral",
    "text-completion-codestral",
    "groq",
    "deepseek",
    "xai",
    "perplexity",
    "fireworks_ai",
    "ai21",
    "ai21_chat",
    "voyage",
    "databricks",
    "watsonx",
    "watsonx_text",
    "cerebras",
    "cloudflare",
    "replicate",
    "github",
    "dashscope",
    "moonshot",
    "volcengine",
    "predibase",
    "clarifai",
    "nlp_cloud",
    "aleph_alpha",
    "baseten",
    "snowflake",
    "friendliai",
}
# Providers that serve open-weight models under their Hub id.
_HUB_PROVIDERS = {
    "huggingface",
    "hosted_vllm",
    "vllm",
    "hf.co",
    "together_ai",
    "deepinfra",
    "nebius",
    "novita",
    "hyperbolic",
    "featherless_ai",
    "nscale",
    "lm_studio",
    "llamafile",
    "xinference",
    "sambanova",
    "nvidia_nim",
    "text-completion-openai",
    "openai_like",
    "custom_openai",
    "lambda_ai",
}
_OLLAMA_PROVIDERS = {"ollama", "ollama_chat"}
_ALL_PROVIDERS = (
    _CLOSED_PROVIDERS
    | _HUB_PROVIDERS
    | _OLLAMA_PROVIDERS
    | {"openai", "openrouter", "text-completion-openai"}
)
# OpenRouter slugs are lower-case and some orgs differ from the Hub's.
_OPENROUTER_ORGS = {
    "z-ai": "zai-org",
    "qwen": "Qwen",
    "deepseek": "deepseek-ai",
    "meta-llama": "meta-llama",
    "mistralai": "mistralai",
    "google": "google",
    "openai": "openai",
    "microsoft": "microsoft",
    "nvidia": "nvidia",
    "moonshotai": "moonshotai",
    "nousresearch": "NousResearch",
    "thudm": "THUDM",
    "minimax": "MiniMaxAI",
    "ibm-granite": "ibm-granite",
    "allenai": "allenai",
    "tngtech": "tngtech",
    "arcee-ai": "arcee-ai",
    "tencent": "tencent",
    "baidu": "baidu",
    "cognitivecomputations": "cognitivecomputations",
    "liquid": "LiquidAI",
}
_OPENROUTER_CLOSED_ORGS = {
    "anthropic",
    "x-ai",
    "amazon",
    "perplexity",
    "inflection",
    "cohere",
    "openrouter",
    "ai21",
    "inception",
    "reka",
    "writer",
}
_OPENROUTER_NAMES = {
    "z-ai/glm-4.5-air": "zai-org/GLM-4.5-Air",
    "z-ai/glm-4.5": "zai-org/GLM-4.5",
    "z-ai/glm-4.5v": "zai-org/GLM-4.5V",
    "z-ai/glm-4.6": "zai-org/GLM-4.6",
    "z-ai/glm-4.7": "zai-org/GLM-4.7",
    "meta-llama/llama-3.3-70b-instruct": "meta-llama/Llama-3.3-70B-Instruct",
    "meta-llama/llama-3.1-8b-instruct": "meta-llama/Llama-3.1-8B-Instruct",
    "meta-llama/llama-3.1-70b-instruct": "meta-llama/Llama-3.1-70B-Instruct",
    "meta-llama/llama-3.1-405b-instruct": "meta-llama/Llama-3.1-405B-Instruct",
    "deepseek/deepseek-r1": "deepseek-ai/DeepSeek-R1",
    "deepseek/deepseek-r1-0528": "deepseek-ai/DeepSeek-R1-0528",
    "deepseek/deepseek-chat": "deepseek-ai/DeepSeek-V3",
    "deepseek/deepseek-chat-v3-0324": "deepseek-ai/DeepSeek-V3-0324",
    "moonshotai/kimi-k2": "moonshotai/Kimi-K2-Instruct",
    "qwen/qwen3-coder": "Qwen/Qwen3-Coder-480B-A35B-Instruct",
}
# Legacy canonical ids the Hub still resolves (transformers accepts the bare name).
_CANONICAL = {
    "gpt2": "openai-community/gpt2",
    "gpt2-medium": "openai-community/gpt2-medium",
    "gpt2-large": "openai-community/gpt2-large",
    "gpt2-xl": "openai-community/gpt2-xl",
    "distilgpt2": "distilbert/distilgpt2",
    "bert-base-uncased": "google-bert/bert-base-uncased",
    "bert-base-cased": "google-bert/bert-base-cased",
    "bert-large-uncased": "google-bert/bert-large-uncased",
    "bert-large-cased": "google-bert/bert-large-cased",
    "bert-base-multilingual-cased": "google-bert/bert-base-multilingual-cased",
    "bert-base-multilingual-uncased": "google-bert/bert-base-multilingual-uncased",
    "roberta-base": "FacebookAI/roberta-base",
    "roberta-large": "FacebookAI/roberta-large",
    "xlm-roberta-base": "FacebookAI/xlm-roberta-base",
    "xlm-roberta-large": "FacebookAI/xlm-roberta-large",
    "distilbert-base-uncased": "distilbert/distilbert-base-uncased",
    "distilbert-base-cased": "distilbert/distilbert-base-cased",
    "distilroberta-base": "distilbert/distilroberta-base",
    "t5-small": "google-t5/t5-small",
    "t5-base": "google-t5/t5-base",
    "t5-large": "google-t5/t5-large",
    "albert-base-v2": "albert/albert-base-v2",
}
_ST_PREFIXES = (
    "all-minilm-",
    "all-mpnet-",
    "all-distilroberta-",
    "paraphrase-",
    "multi-qa-",
    "msmarco-",
    "distiluse-",
    "nli-",
    "stsb-",
    "gtr-t5-",
    "sentence-t5-",
    "clip-vit-",
)


def resolve_vars(text: str) -> tuple[str, str | None, bool]:
    """Replace `${VAR:-default}` by its default. Returns (text, note, still_unresolved)."""
    notes: list[str] = []

    def sub(m: re.Match[str]) -> str:
        default = m.group(3)
        if not default or default.startswith("?"):  # ${VAR:-} or ${VAR:?message}: no default
            return m.group(0)
        notes.append(f"resolved {m.group(0)} to its default")
        return default

    out = _VAR_DEFAULT.sub(sub, text)
    unresolved = bool(_VAR_PLAIN.search(out)) or "${" in out
    return out, ("; ".join(notes) or None), unresolved


def is_closed_name(name: str) -> bool:
    return bool(_CLOSED_NAME.match(name))


def looks_like_path(text: str) -> bool:
    return (
        text.startswith(("/", "./", "../", "~", ".\\", "..\\"))
        or bool(re.match(r"^[A-Za-z]:[\\/]", text))
        or "\\" in text
        or text.count("/") >= 2
        or text in (".", "..")
        or text.lower().endswith(_MODEL_EXTS)
    )


def _split_rev(text: str) -> tuple[str, str | None]:
    repo, sep, rev = text.partition("@")
    if sep and "/" in repo and _REVISION.match(rev) and ".." not in rev:
        return repo, rev
    return text, None


def _strip_tag(text: str) -> tuple[str, str | None]:
    """`org/name:Q4_K_M` -> (`org/name`, `Q4_K_M`); quantisation words inside the name stay."""
    if ":" in text and "://" not in text:
        base, _, tag = text.rpartition(":")
        if base and re.match(r"^[A-Za-z0-9._-]+$", tag):
            return base, tag
    return text, None


# `org/name` shapes that are relative folders, not Hub repos
_LOCAL_DIRS = {
    "models",
    "model",
    "checkpoints",
    "checkpoint",
    "ckpt",
    "ckpts",
    "outputs",
    "output",
    "out",
    "saves",
    "save",
    "data",
    "weights",
    "runs",
    "tmp",
    "temp",
    "cache",
    "local",
    "artifacts",
    "experiments",
    "results",
    "exports",
    "export",
    "merged",
    "adapters",
    "adapter",
    "lora",
    "loras",
    "pretrained",
    "finetuned",
    "trained",
    "work",
    "workspace",
    "storage",
    "volumes",
}


def hub_id_ok(text: str) -> bool:
    """A Hub repo id that is not a Docker registry host, a Kubernetes key, a domain or a
    relative folder such as `outputs/run1`."""
    if not is_valid_repo_id(text):
        return False
    org = text.split("/", 1)[0]
    return not _DOMAIN.match(org) and org.lower() not in _LOCAL_DIRS


def _from_path(path: str, note: str | None) -> Classified:
    m = _CACHE_DIR.search(path)
    if m and hub_id_ok(f"{m.group(1)}/{m.group(2)}"):
        return Classified(
            "hf-repo", f"{m.group(1)}/{m.group(2)}", m.group(3), _join(note, "Hub cache folder")
        )
    parts = [p for p in re.split(r"[\\/]+", path) if p]
    if path.lower().endswith(".gguf"):
        if len(parts) >= 3 and "gguf" in parts[-2].lower():
            repo = f"{parts[-3]}/{parts[-2]}"
            if hub_id_ok(repo):
                return Classified(
                    "hf-repo",
                    repo,
                    None,
                    _join(note, f"inferred from the download folder layout of {parts[-1]}"),
                )
        return Classified("gguf-file", path, None, note)
    return Classified("local-path", path, None, note)


def _join(a: str | None, b: str | None) -> str | None:
    return "; ".join(x for x in (a, b) if x) or None


def ollama_tag(tag: str, note: str | None = None) -> Classified:
    from .ollama import hub_base

    tag = tag.strip()
    if tag.startswith("library/"):
        tag = tag[len("library/") :]
    base = hub_base(tag)
    if base:
        return Classified("ollama-tag", base, None, _join(note, f"Ollama tag {tag}"))
    return Classified(
        "unresolved", tag, None, _join(note, "Ollama tag not in registry/ollama.yaml")
    )


def classify(
    raw: str,
    ctx: str = "generic",
    *,
    api_base: str | None = None,
    provider_section: str | None = None,
) -> Classified | None:
    """Return what `raw` names, or None when it is not a model at all (empty, a URL to a
    non-model page, a Docker image host...)."""
    text = raw.strip().strip("\"'").strip()
    text, note, unresolved = resolve_vars(text)
    text = text.strip()
    if unresolved:
        return Classified(
            "unresolved", text, None, _join(note, "environment variable not set here")
        )
    if text.lower() in _STOPWORDS or not text or len(text) > 300:
        return None
    if re.search(r"\s", text) and not looks_like_path(text):
        # a served-model label such as "Qwen3.5-4B [Thinking]": names a model we cannot pin
        first, _, rest = text.partition("/")
        if rest and first.lower() in _ALL_PROVIDERS:
            text = rest
        return Classified("unresolved", text, None, _join(note, "not a Hub id"), bare=True)

    # URLs and schemes
    m = _HF_URL.match(text)
    if m:
        repo = f"{m.group(1)}/{m.group(2)}"
        if hub_id_ok(repo):
            return Classified("hf-repo", repo, m.group(3), note)
    m = _HF_SCHEME.match(text)
    if m and hub_id_ok(f"{m.group(1)}/{m.group(2)}"):
        file_note = f"file {m.group(4)}" if m.group(4) else None
        return Classified(
            "hf-repo", f"{m.group(1)}/{m.group(2)}", m.group(3), _join(note, file_note)
        )
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
        if text.lower().startswith("ollama://"):
            return ollama_tag(text.split("://", 1)[1], note)
        if text.lower().split("?")[0].endswith(".gguf"):
            return Classified("gguf-file", text, None, note)
        return None  # GitHub and other web URLs are not models
    if text.lower().startswith(("ollama.com/", "registry.ollama.ai/")):
        return ollama_tag(text.split("/", 1)[1], note)

    if looks_like_path(text) and not text.lower().startswith(("hf.co/", "huggingface.co/")):
        # `openrouter/org/name` and `openai/org/name` have two slashes but are not paths
        first = text.split("/", 1)[0]
        if not (
            first in _HUB_PROVIDERS
            or first in _OLLAMA_PROVIDERS
            or first in _CLOSED_PROVIDERS
            or first in ("openai", "openrouter")
        ) or text.startswith(("/", "./", "../", "~")):
            return _from_path(text, note)

    # provider prefixes
    first, slash, rest = text.partition("/")
    lower_first = first.lower()
    if slash and lower_first in ("hf.co", "huggingface.co"):
        return _hub(rest, note)
    if slash and ctx in ("litellm", "generic", "cli"):
        if lower_first in _OLLAMA_PROVIDERS:
            return ollama_tag(rest, note)
        if lower_first == "openrouter":
            return _openrouter(rest, note)
        if (
            lower_first in _HUB_PROVIDERS
            and (ctx == "litellm" or "/" in rest)
            and (lower_first != "huggingface" or "/" in rest)
        ):
            return _hub(rest, _join(note, f"served through the {first} provider"))
        if lower_first in _CLOSED_PROVIDERS and (
            ctx == "litellm" or "/" in rest or is_closed_name(rest)
        ):
            return Classified("closed-api", text, None, note)
        if lower_first in ("openai", "text-completion-openai") and ctx == "litellm":
            return _openai_provider(rest, text, api_base, note)
        if lower_first == "openai" and is_closed_name(rest):
            return Classified("closed-api", text, None, note)
        if lower_first == "openai" and "/" in rest:
            # `openai/<org>/<name>`: LiteLLM syntax for an OpenAI-compatible server
            return _hub(rest, _join(note, "OpenAI-compatible server"))

    if provider_section in ("closed",) and not hub_id_ok(_split_rev(_strip_tag(text)[0])[0]):
        return Classified("closed-api", text, None, note)
    if ctx == "ollama" or (provider_section == "ollama" and "/" not in text):
        # `ollama run user/model` is an Ollama namespace, not a Hub repo
        return ollama_tag(text, note)
    if is_closed_name(text):
        return Classified("closed-api", text, None, note)
    return _hub(text, note, ctx=ctx)


def _hub(text: str, note: str | None, ctx: str = "generic") -> Classified:
    base, tag = _strip_tag(text)
    repo, rev = _split_rev(base)
    if hub_id_ok(repo):
        return Classified("hf-repo", repo, rev, note)
    if is_valid_repo_id(repo) and repo.split("/", 1)[0].lower() in _LOCAL_DIRS:
        return Classified("local-path", text, None, note)
    if "/" not in text:
        lower = text.lower()
        if lower in _CANONICAL:
            return Classified(
                "hf-repo", _CANONICAL[lower], None, _join(note, "legacy canonical id")
            )
        if ctx == "st" or lower.startswith(_ST_PREFIXES):
            name = base
            if hub_id_ok(f"sentence-transformers/{name}"):
                return Classified(
                    "hf-repo",
                    f"sentence-transformers/{name}",
                    None,
                    _join(note, "sentence-transformers resolves a bare name to its org"),
                )
        if tag is not None:  # name:tag is Ollama's syntax
            return ollama_tag(text, note)
        return Classified("unresolved", text, None, note, bare=True)
    return Classified("unresolved", text, None, _join(note, "not a valid Hub id"))


def _openrouter(rest: str, note: str | None) -> Classified:
    slug, _tag = _strip_tag(rest)
    slug = slug.lower()
    org, _, name = slug.partition("/")
    note = _join(note, f"OpenRouter model {rest}")
    if not name:
        return Classified("unresolved", rest, None, note)
    if org in _OPENROUTER_CLOSED_ORGS or is_closed_name(name):
        return Classified("closed-api", f"openrouter/{rest}", None, note)
    if slug in _OPENROUTER_NAMES:
        return Classified("hf-repo", _OPENROUTER_NAMES[slug], None, note)
    if org in _OPENROUTER_ORGS and hub_id_ok(f"{_OPENROUTER_ORGS[org]}/{name}"):
        return Classified("hf-repo", f"{_OPENROUTER_ORGS[org]}/{name}", None, note)
    return Classified("unresolved", rest, None, _join(note, "no known Hub org for this slug"))


def _openai_provider(rest: str, text: str, api_base: str | None, note: str | None) -> Classified:
    if is_closed_name(rest) or (api_base is None and "/" not in rest):
        return Classified("closed-api", text, None, note)
    base = (api_base or "").lower()
    if "api.openai.com" in base or "openai.azure.com" in base:
        return Classified("closed-api", text, None, note)
    hub = _hub(rest, _join(note, "OpenAI-compatible server"))
    if hub.kind == "hf-repo":
        return hub
    return Classified(
        "unresolved", rest, None, _join(note, "served-model name on an OpenAI-compatible server")
    )
