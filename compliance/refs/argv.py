"""Command lines: find the models that `vllm serve`, `--model`, `--model-path`, `--model-id`,
`-hf`, `ollama run` ... name, with the line of each token.

Shared by the shell / PowerShell / Dockerfile extractor and by YAML (`command:`, `args:`, `cmd:`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    text: str
    line: int


@dataclass(frozen=True)
class Hit:
    raw: str
    line: int
    ctx: str  # a normalize.CONTEXTS value
    revision: str | None = None
    flag: str = ""


# flags whose value is a model (Hub id, path, or served file)
MODEL_FLAGS = {
    "--model",
    "--model-path",
    "--model_path",
    "--model-id",
    "--model_id",
    "--model-name",
    "--model_name",
    "--model-name-or-path",
    "--model_name_or_path",
    "--base-model",
    "--base_model",
    "--pretrained-model-name-or-path",
    "--pretrained_model_name_or_path",
    "--hf-repo",
    "-hf",
    "-hfr",
    "--hf-model",
    "--hf-model-repo",
    "--speculative-model",
    "--speculative_model",
    "--draft-model",
    "--draft_model",
    "--model-draft",
    "-md",
    "--hf-repo-draft",
    "-hfd",
    "--mmproj",
    "-mm",
    "--embedding-model",
    "--reranker-model",
    "--model-url",
    "-mu",
    "--lora",
    "--model-repo",
    "--repo-id",
    "--repo_id",
    "--adapter",
    "--adapter-path",
    "--base-model-id",
}
MODEL_FLAGS |= {"--speculative-draft-model-path", "--speculative_draft_model_path"}
# flags that take a served name in some tools (KServe) and a Hub id in others: a bare word is
# an alias there and is dropped
WEAK_FLAGS = {"--model-name", "--model_name"}
# flags whose value is a list of adapters: `name=org/repo`, comma-separated, or JSON
LIST_FLAGS = {
    "--lora-modules",
    "--lora_modules",
    "--lora-adapters",
    "--lora_adapters",
    "--lora-paths",
    "--lora_paths",
}
# `--model_args pretrained=org/name,dtype=float16` (lm-evaluation-harness)
KV_FLAGS = {"--model_args", "--model-args"}
JSON_FLAGS = {"--speculative-config", "--speculative_config"}
REVISION_FLAGS = {"--revision", "--model-revision", "--model_revision"}
SEPARATORS = {";", "&&", "||", "|", "&"}
_PY = re.compile(r"(^|[\\/])(python[0-9.]*|py|uv|pythonw)(\.exe)?$", re.IGNORECASE)
_MODEL_FILE = re.compile(r"\.(gguf|ggml|bin|safetensors|onnx|llamafile)$", re.IGNORECASE)
_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|\'[^\']*\'|[^\s"\'\[\],]+')
# a string worth scanning as a command line
LOOKS_LIKE_COMMAND = re.compile(
    r"(?:^|\s)(?:--model(?:[-_](?:path|id|name|name-or-path|name_or_path))?|--hf-repo|-hfr?|-m|"
    r"--base[-_]model|--mmproj|--speculative[-_]model|--draft[-_]model)(?:[\s=]|$)"
    r"|\b(?:vllm|sglang)\s+serve\b|\bollama\s+(?:run|pull)\b|\b(?:huggingface-cli|hf)\s+download\b",
)


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def tokenize(text: str, first_line: int, comment_chars: str = "#") -> list[Token]:
    """Split `text` (one or more physical lines) into tokens with their line numbers.

    Quotes are removed, `[`, `]` and `,` (exec-form arrays) are dropped, comments end a line.
    """
    tokens: list[Token] = []
    for offset, physical in enumerate(text.splitlines()):
        for m in _TOKEN.finditer(physical):
            tok = m.group(0)
            if (
                comment_chars
                and tok[0] in comment_chars
                and (m.start() == 0 or physical[m.start() - 1].isspace())
            ):
                break
            tok = _unquote(tok)
            if tok in ("\\", "`", "^"):
                continue
            tokens.append(Token(tok, first_line + offset))
    return tokens


def scan(tokens: list[Token]) -> list[Hit]:
    """Return the model hits of one or more commands given as tokens."""
    hits: list[Hit] = []
    pending_rev: str | None = None
    serve_next = False  # the next positional after `vllm serve` / `sglang serve` is the model
    ollama_next = False
    download_next = False
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        text = tok.text
        low = text.lower()
        if text in SEPARATORS:
            serve_next = ollama_next = download_next = False
            i += 1
            continue
        base = re.split(r"[\\/]", low)[-1].removesuffix(".exe")
        nxt = tokens[i + 1].text.lower() if i + 1 < n else ""
        if base in ("vllm", "sglang") and nxt == "serve":
            serve_next = True
            i += 2
            continue
        if base == "ollama" and nxt in ("run", "pull"):
            ollama_next = True
            i += 2
            continue
        if base in ("huggingface-cli", "hf") and nxt == "download":
            download_next = True
            i += 2
            continue
        if text.startswith("-"):
            flag, eq, value = text.partition("=")
            flag_l = flag.lower()
            val_tok: Token | None = None
            if eq:
                val_tok = Token(value, tok.line)
            elif i + 1 < n and not tokens[i + 1].text.startswith("-"):
                val_tok = tokens[i + 1]
            if flag_l in REVISION_FLAGS and val_tok is not None:
                pending_rev = val_tok.text
                _attach_revision(hits, pending_rev)
                i += 1 if eq else 2
                continue
            if flag_l in MODEL_FLAGS and val_tok is not None and val_tok.text not in SEPARATORS:
                hits.append(Hit(val_tok.text, val_tok.line, "cli", None, flag_l))
                serve_next = False
                i += 1 if eq else 2
                continue
            if flag_l in JSON_FLAGS and val_tok is not None:
                model = _json_model(val_tok.text)
                if model:
                    hits.append(Hit(model, val_tok.line, "cli", None, flag_l))
                i += 1 if eq else 2
                continue
            if flag_l in KV_FLAGS and val_tok is not None:
                for part in val_tok.text.split(","):
                    name, _, model = part.partition("=")
                    if (
                        name.strip() in ("pretrained", "peft", "model", "model_id")
                        and model.strip()
                    ):
                        hits.append(Hit(model.strip(), val_tok.line, "cli", None, flag_l))
                i += 1 if eq else 2
                continue
            if flag_l in LIST_FLAGS:
                j = i + 1
                values = [Token(value, tok.line)] if eq else []
                while not eq and j < n and not tokens[j].text.startswith("-"):
                    values.append(tokens[j])
                    j += 1
                for vt in values:
                    for part in vt.text.split(","):
                        path = part.split("=", 1)[-1].strip()
                        if path and not path.startswith("{"):
                            hits.append(Hit(path, vt.line, "cli", None, flag_l))
                i = i + 1 if eq else j
                continue
            if flag == "-m" and val_tok is not None and _is_model_file_arg(tokens, i, val_tok):
                hits.append(Hit(val_tok.text, val_tok.line, "cli", None, "-m"))
                i += 1 if eq else 2
                continue
            i += 1
            continue
        if serve_next:
            hits.append(Hit(text, tok.line, "cli", None, "serve"))
            serve_next = False
        elif ollama_next:
            hits.append(Hit(text, tok.line, "ollama", None, "ollama"))
            ollama_next = False
        elif download_next:
            hits.append(Hit(text, tok.line, "cli", None, "download"))
            download_next = False
        i += 1
    if pending_rev:
        _attach_revision(hits, pending_rev)
    return hits


def _json_model(text: str) -> str | None:
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("model"), str):
        return str(data["model"])
    return None


def _attach_revision(hits: list[Hit], rev: str) -> None:
    for k in range(len(hits) - 1, -1, -1):
        if hits[k].revision is None and hits[k].flag not in (
            "--mmproj",
            "-mm",
            "--lora",
            *LIST_FLAGS,
            *JSON_FLAGS,
        ):
            h = hits[k]
            hits[k] = Hit(h.raw, h.line, h.ctx, rev, h.flag)
            return


def _is_model_file_arg(tokens: list[Token], i: int, value: Token) -> bool:
    """`-m` is llama.cpp's model path but Python's module flag: accept only file-like values
    that do not follow `python`."""
    if i > 0 and _PY.search(tokens[i - 1].text):
        return False
    v = value.text
    return bool(_MODEL_FILE.search(v)) or (
        ("/" in v or "\\" in v) and not v.startswith(("-", "http"))
    )
