"""A line-preserving document tree (built from YAML or JSON) and the walker that finds models in
it by key, by position (LiteLLM `litellm_params.model`, Kubernetes `env` name/value pairs,
compose `environment`), and inside command lines (`command`, `args`, `cmd`, `entrypoint`).

The rules live here once and serve every structured format; a format module only builds the tree
and says which dialect it saw (litellm, mergekit, localai ...), which changes a few rules.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from . import argv
from .model import ModelRef
from .normalize import Classified, classify


@dataclass
class Node:
    kind: str  # "map" | "seq" | "scalar"
    line: int  # 1-based
    value: str | None = None  # scalar text; None for null
    is_str: bool = False  # a string scalar (not a number, bool or null)
    items: list[Node] = field(default_factory=list)  # seq
    pairs: list[tuple[str, Node, Node]] = field(default_factory=list)  # map: key, key node, value
    start: int = 0  # character offsets of a scalar in the source (for command lines)
    end: int = 0

    def get(self, key: str) -> Node | None:
        """The value a loader keeps for `key`: the last one (duplicates, merge keys)."""
        for k, _kn, v in reversed(self.pairs):
            if k.lower() == key:
                return v
        return None

    def str_value(self, key: str) -> str | None:
        v = self.get(key)
        return v.value if v is not None and v.kind == "scalar" and v.is_str else None


# --- keys --------------------------------------------------------------------------------------

_NOT_MODEL = {
    "model_type",
    "model_types",
    "hub_model_id",
    "served_model_name",
    "served_model_names",
    "model_revision",
    "hub_model_revision",
    "model_max_length",
    "model_len",
    "max_model_len",
    "output_model",
    "model_config",
    "model_kwargs",
    "model_args",
    "model_init_kwargs",
    "model_quantization_config",
    "model_quantization_config_kwargs",
    "model_class",
    "model_format",
    "model_list",
    "model_info",
    "model_alias",
    "model_aliases",
    "model_group_alias",
    "models_dir",
    "model_dir",
    "model_cache_dir",
    "model_dtype",
    "store_model_in_db",
    "lora_model_dir",
    "model_file",
    "model_tag",
    "model_version",
}
_STRONG = {
    "model_name_or_path",
    "base_model",
    "base_model_name_or_path",
    "name_or_path",
    "pretrained_model_name_or_path",
    "model_id",
    "modelid",
    "model_path",
    "modelpath",
    "modelurl",
    "model_url",
    "model_repo",
    "hf_repo",
    "hf_repo_id",
    "repo_id",
    "llm_hf_repo_id",
    "embedding_hf_model_name",
    "llm_model",
    "embedding_model",
    "embed_model",
    "rerank_model",
    "reranker_model",
    "reranker",
    "draft_model",
    "speculative_model",
    "teacher_model",
    "reward_model",
    "ref_model",
    "reference_model",
    "critic_model",
    "policy_model",
    "judge_model",
    "base_model_config",
    "adapter_name_or_path",
    "lora_name_or_path",
    "peft_model_id",
    "vision_model",
    "chat_model",
    "completion_model",
    "generation_model",
    "model_checkpoint",
    "base_model_id",
    "hf_model",
    "hf_model_id",
    "huggingface_model",
    "model_repo_id",
    "model_source",
    "mmproj",
}
_STRONG_RE = re.compile(
    r"^(?:[a-z0-9]+_)*(?:model|model_id|model_name|model_path|model_repo|repo_id|hf_repo|"
    r"model_name_or_path)$"
)
_WEAK = {"model", "model_name", "models"}
_NOT_PREFIX = (
    "hub_",
    "served_",
    "output_",
    "save_",
    "export_",
    "push_",
    "max_",
    "num_",
    "is_",
    "use_",
    "enable_",
    "disable_",
    "store_",
    "allow_",
    "new_",  # outputs of a fine-tune: `NEW_MODEL = "me/my-finetune"`
    "finetuned_",
    "fine_tuned_",
    "merged_",
    "trained_",
    "upload_",
    "target_repo",
)
_REVISION_KEY = re.compile(r"^(?:[a-z0-9]+_)*revision$")

SKIP_KEYS = {
    "datasets",
    "dataset",
    "dataset_mixture",
    "dataset_mixer",
    "dataset_mixer_list",
    "train_dataset",
    "eval_dataset",
    "test_datasets",
    "pretraining_dataset",
    "dataset_name",
    "dataset_path",
    "dataset_id",
    "labels",
    "annotations",
    "matchlabels",
    "selector",
    "nodeselector",
    "affinity",
    "tolerations",
    "image",
    "images",
    "chat_template",
    "chat_template_jinja",
    "templates",
    "prompt_template",
    "special_tokens",
    "tokenizer",
    "tokenizer_config",
    "tokenizer_name",
    "tokenizer_name_or_path",
    "tokenizer_type",
    "tokenizer_path",
    "tokenizer_id",
    "usage",
    "description",
    "system_prompt",
    "prompts",
    "volumes",
    "volumemounts",
    "ports",
    "healthcheck",
    "livenessprobe",
    "readinessprobe",
    "startupprobe",
    "resources",
    "fallbacks",
    "context_window_fallbacks",
    "model_group_alias",
    "litellm_settings",
    "router_settings",
    "general_settings",
    "model_info",
    "hub_model_id",
    "output_dir",
    "callbacks",
    "securitycontext",
    "podsecuritycontext",
    "serviceaccount",
    "imagepullsecrets",
    "readme",
    "license",
    "links",
    "urls",
    "repository_url",
    "homepage",
}
COMMAND_KEYS = (
    "entrypoint",
    "command",
    "args",
    "cmd",
    "extraargs",
    "extracmdargs",
    "extra_args",
    "server_args",
    "serverargs",
    "launch_args",
    "containerargs",
    "run",
)
_COMMAND_SET = set(COMMAND_KEYS)
ENV_KEYS = {
    "environment",
    "env",
    "envs",
    "env_vars",
    "envvars",
    "extraenv",
    "extra_env",
    "variables",
    "vars",
}
CLOSED_SECTIONS = {
    "openai",
    "azopenai",
    "azure_openai",
    "azureopenai",
    "azure",
    "gemini",
    "anthropic",
    "bedrock",
    "vertex",
    "vertexai",
    "vertex_ai",
    "cohere",
    "groq",
    "xai",
    "perplexity",
    "google_genai",
    "googlegenai",
}
BARE_OK = {"litellm", "mergekit", "localai"}
_VAR_USE = re.compile(
    r"^\$(?:\(([A-Za-z_][A-Za-z0-9_]*)\)|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$"
)
_ENV_ITEM = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*=(.*)$")


@functools.lru_cache(maxsize=4096)
def key_strength(key: str) -> str | None:
    """ "strong" for keys that always name a model, "weak" for `model`-like keys that also name
    devices or aliases elsewhere, None otherwise."""
    k = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key.strip()).lower().replace("-", "_").lstrip("_")
    if k in _NOT_MODEL or "tokenizer" in k or "dataset" in k:
        return None
    if k in _WEAK:
        return "weak"
    if k in _STRONG:
        return "strong"
    if k.startswith(_NOT_PREFIX):
        return None
    if _STRONG_RE.match(k):
        return "strong"
    return None


# --- walking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ctx:
    dialect: str = "yaml"  # litellm | mergekit | localai | compose | kubernetes | yaml | json
    provider: str | None = None  # "closed" | "ollama" from an enclosing section
    st: bool = False  # sentence-transformers backend: a bare name is sentence-transformers/<name>
    in_model: bool = False  # inside a mapping that a model key opened


@dataclass
class Found:
    line: int
    raw: str
    result: Classified


class Walker:
    def __init__(self, source: str, dialect: str) -> None:
        self.source = source
        self.dialect = dialect
        self.found: list[Found] = []
        self._done: set[int] = set()
        self._env: list[dict[str, Node]] = [{}]  # env vars of enclosing containers / jobs

    # emission
    def emit(
        self,
        raw: str,
        line: int,
        ctx: Ctx,
        *,
        strength: str = "strong",
        context: str = "generic",
        api_base: str | None = None,
        revision: str | None = None,
        ollama_hint: bool = False,
    ) -> Found | None:
        if ctx.st and context == "generic":
            context = "st"
        if self.dialect == "mergekit" and "+" in raw and "://" not in raw:
            # mergekit `base+lora`: the model with a LoRA applied; both are models
            first: Found | None = None
            for part in raw.split("+"):
                f = self.emit(
                    part, line, ctx, strength=strength, context=context, revision=revision
                )
                first = first or f
            return first
        provider = "ollama" if ollama_hint else ctx.provider
        result = classify(raw, context, api_base=api_base, provider_section=provider)
        if result is None:
            return None
        if (
            result.bare
            and result.kind == "unresolved"
            and (strength == "weak" or self.dialect not in BARE_OK)
        ):
            # a single word such as `llama3` or `model_a`: reported only where the format makes
            # it a model name (LiteLLM, mergekit, LocalAI); elsewhere it is an alias or a label
            return None
        if revision and result.revision is None and result.kind == "hf-repo":
            result = replace(result, revision=revision)
        found = Found(line, raw.strip().strip("\"'"), result)
        self.found.append(found)
        return found

    def walk(self, node: Node, ctx: Ctx) -> None:
        if id(node) in self._done:
            return
        if node.kind == "map":
            self._map(node, ctx)
        elif node.kind == "seq":
            self._seq(node, ctx)
        elif node.kind == "scalar" and node.is_str and node.value:
            self._command_string(node, ctx)

    def _map(self, node: Node, ctx: Ctx) -> None:
        env = _env_values(node)
        if env:
            self._env.append({**self._env[-1], **env})
        try:
            self._map_body(node, ctx)
        finally:
            if env:
                self._env.pop()

    def _map_body(self, node: Node, ctx: Ctx) -> None:
        pairs = node.pairs
        keys = {k.lower(): v for k, _kn, v in pairs}
        # LocalAI: `backend: sentencetransformers` makes bare names sentence-transformers ids
        backend = node.str_value("backend")
        if backend and "sentence" in backend.lower():
            ctx = replace(ctx, st=True)
        # a mapping with `type: huggingface` (Helm LoRA adapters, model sources)
        hf_typed = (node.str_value("type") or node.str_value("source") or "").lower() in (
            "huggingface",
            "hf",
            "hub",
        )
        # Kubernetes env entry `- name: MODEL_ID\n  value: org/name`
        env_name = node.str_value("name")
        if env_name and "value" in keys and key_strength(env_name) is not None:
            v = keys["value"]
            if v.kind == "scalar" and v.is_str and v.value:
                self.emit(
                    v.value,
                    v.line,
                    ctx,
                    strength=key_strength(env_name) or "weak",
                    ollama_hint="ollama" in env_name.lower(),
                )
        if "litellm_params" in keys and self.dialect == "litellm":
            self._litellm(keys["litellm_params"], ctx)
        self._commands(node, ctx)

        direct: list[Found] = []
        for key, _kn, value in pairs:
            k = key.lower()
            if k in SKIP_KEYS or k == "litellm_params":
                continue
            if k == "template" and self.dialect != "kubernetes" and "spec" not in keys:
                continue  # prompt templates (LocalAI, Ollama-style); Kubernetes pod templates stay
            if k == "model_name" and self.dialect == "litellm":
                continue  # an alias the proxy exposes, not a model
            child_ctx = ctx
            if k in CLOSED_SECTIONS:
                child_ctx = replace(ctx, provider="closed")
            elif k == "ollama":
                child_ctx = replace(ctx, provider="ollama")
            strength = key_strength(key)
            if strength is None and hf_typed and k in ("repository", "repo", "repo_id", "name"):
                strength = "strong" if k != "name" else "weak"
            if strength is None and ctx.in_model and k in ("name", "id", "path", "repo"):
                strength = "weak"
            if strength == "weak" and self.dialect in ("mergekit", "localai"):
                strength = "strong"
            if strength is not None:
                direct.extend(self._model_value(value, child_ctx, strength, key))
                continue
            if (
                value.kind == "scalar"
                and value.is_str
                and value.value
                and value.value.lower().startswith(("huggingface://", "hf://"))
            ):
                found = self.emit(value.value, value.line, child_ctx)  # LocalAI download uri
                if found:
                    direct.append(found)
                continue
            if k in ENV_KEYS and value.kind == "seq":
                self._env_list(value, child_ctx)
                continue
            self.walk(value, child_ctx)
        # sibling revision: `model_name_or_path` + `model_revision`, compose `REVISION=`
        rev = _sibling_revision(node)
        if rev:
            _apply_revision(direct, rev)

    def _model_value(self, value: Node, ctx: Ctx, strength: str, key: str) -> list[Found]:
        hint = "ollama" in key.lower()
        out: list[Found | None] = []
        if value.kind == "scalar":
            if value.is_str and value.value:
                out.append(
                    self.emit(value.value, value.line, ctx, strength=strength, ollama_hint=hint)
                )
        elif value.kind == "seq":
            for item in value.items:
                if item.kind == "scalar" and item.is_str and item.value:
                    out.append(
                        self.emit(item.value, item.line, ctx, strength=strength, ollama_hint=hint)
                    )
                else:
                    self.walk(item, replace(ctx, in_model=True))
        else:
            self.walk(value, replace(ctx, in_model=True))
        return [f for f in out if f is not None]

    def _env_list(self, seq: Node, ctx: Ctx) -> None:
        direct: list[Found] = []
        rev: str | None = None
        for item in seq.items:
            if item.kind == "scalar" and item.is_str and item.value:
                m = _ENV_ITEM.match(item.value)
                if not m:
                    continue
                name, val = m.group(1), m.group(2).strip()
                if _REVISION_KEY.match(name.lower()) and val:
                    rev = val
                elif key_strength(name) is not None and val:
                    found = self.emit(
                        val,
                        item.line,
                        ctx,
                        strength=key_strength(name) or "weak",
                        ollama_hint="ollama" in name.lower(),
                    )
                    if found:
                        direct.append(found)
            else:
                self.walk(item, ctx)
        if rev:
            _apply_revision(direct, rev)

    def _litellm(self, params: Node, ctx: Ctx) -> None:
        if params.kind != "map":
            return
        self._done.add(id(params))
        api_base = params.str_value("api_base") or params.str_value("base_url")
        rev = _sibling_revision(params)
        # every `model` value: a duplicated key deploys the last one and names the others
        for key, _kn, model in params.pairs:
            if key.lower() != "model":
                continue
            if model.kind != "scalar" or not model.is_str or not model.value:
                continue
            found = self.emit(model.value, model.line, ctx, context="litellm", api_base=api_base)
            if found and rev and found.result.kind == "hf-repo" and found.result.revision is None:
                found.result = replace(found.result, revision=rev)

    def _commands(self, node: Node, ctx: Ctx) -> None:
        """`entrypoint` + `command` (compose), `command` + `args` (Kubernetes), `cmd`
        (llama-swap), `extraArgs` (Helm): one command line, tokens keep their lines."""
        tokens: list[argv.Token] = []
        present = {k.lower(): v for k, _kn, v in node.pairs if k.lower() in _COMMAND_SET}
        if not present:
            return
        for key in COMMAND_KEYS:
            v = present.get(key)
            if v is not None:
                if v.kind == "seq" and all(i.kind == "scalar" for i in v.items):
                    for item in v.items:
                        if item.value:
                            tokens.extend(argv.tokenize(item.value, item.line, comment_chars=""))
                    self._done.add(id(v))
                elif v.kind == "scalar" and v.is_str and v.value:
                    tokens.extend(self._scalar_tokens(v))
                    self._done.add(id(v))
        if tokens:
            self._emit_hits(argv.scan(tokens), ctx)

    def _scalar_tokens(self, node: Node) -> list[argv.Token]:
        raw = self.source[node.start : node.end] if node.end > node.start else (node.value or "")
        if "\n" not in raw:  # quoted single-line scalars: tokenise the value (no escapes left)
            return argv.tokenize(node.value or "", node.line, comment_chars="")
        return argv.tokenize(raw, node.line)

    def _command_string(self, node: Node, ctx: Ctx) -> None:
        if node.value and argv.LOOKS_LIKE_COMMAND.search(node.value):
            self._emit_hits(argv.scan(self._scalar_tokens(node)), ctx)

    def _seq(self, node: Node, ctx: Ctx) -> None:
        scalars = [i for i in node.items if i.kind == "scalar" and i.is_str and i.value]
        if scalars and len(scalars) == len(node.items):
            joined = " ".join(i.value or "" for i in scalars)
            if argv.LOOKS_LIKE_COMMAND.search(joined):
                tokens: list[argv.Token] = []
                for item in scalars:
                    tokens.extend(argv.tokenize(item.value or "", item.line, comment_chars=""))
                self._emit_hits(argv.scan(tokens), ctx)
            return
        for item in node.items:
            self.walk(item, ctx)

    def _emit_hits(self, hits: list[argv.Hit], ctx: Ctx) -> None:
        env = self._env[-1]
        for h in hits:
            m = _VAR_USE.match(h.raw)
            name = (m.group(1) or m.group(2) or m.group(3)) if m else None
            if env and name and name in env:
                # `--model $(MODEL)` with `env: [{name: MODEL, value: org/x}]` in the same container
                v = env[name]
                self.emit(v.value or "", v.line, ctx, context=h.ctx, revision=h.revision)
                continue
            strength = "weak" if h.flag in argv.WEAK_FLAGS else "strong"
            self.emit(h.raw, h.line, ctx, strength=strength, context=h.ctx, revision=h.revision)

    def refs(self, display: str, fmt: str) -> Iterator[ModelRef]:
        seen: set[tuple[int, str, str]] = set()
        for f in sorted(self.found, key=lambda f: f.line):
            r = f.result
            key = (f.line, r.model, r.kind)
            if key in seen:
                continue
            seen.add(key)
            yield ModelRef(display, f.line, f.raw, r.kind, r.model, r.revision, r.note, fmt)


def _env_values(node: Node) -> dict[str, Node]:
    """Environment variables a container (compose service, Kubernetes container) defines."""
    out: dict[str, Node] = {}
    for k, _kn, v in node.pairs:
        if k.lower() not in ENV_KEYS:
            continue
        if v.kind == "map":
            for name, _n, val in v.pairs:
                if val.kind == "scalar" and val.is_str and val.value:
                    out[name] = val
        elif v.kind == "seq":
            for item in v.items:
                if item.kind == "map":
                    ename = item.str_value("name")
                    evalue = item.get("value")
                    if (
                        ename
                        and evalue is not None
                        and evalue.kind == "scalar"
                        and evalue.is_str
                        and evalue.value
                    ):
                        out[ename] = evalue
                elif item.kind == "scalar" and item.value:
                    m = _ENV_ITEM.match(item.value)
                    if m and m.group(2).strip():
                        out[m.group(1)] = Node(
                            "scalar", item.line, value=m.group(2).strip(), is_str=True
                        )
    return out


def _apply_revision(found: list[Found], rev: str) -> None:
    for f in found:
        if f.result.kind == "hf-repo" and f.result.revision is None:
            f.result = replace(f.result, revision=rev)


def _sibling_revision(node: Node) -> str | None:
    for k, _kn, v in node.pairs:
        kl = k.lower().replace("-", "_")
        if (
            _REVISION_KEY.match(kl)
            and "tokenizer" not in kl
            and "code" not in kl
            and not kl.startswith("hub_")
            and v.kind == "scalar"
            and v.is_str
            and v.value
        ):
            return v.value
    return None


def detect_dialect(root: Node | None, default: str) -> str:
    """Name the flavour of a YAML/JSON document from its top-level keys."""
    if root is None or root.kind != "map":
        return default
    keys = {k.lower() for k, _kn, _v in root.pairs}
    if "model_list" in keys:
        return "litellm"
    if "merge_method" in keys or "slices" in keys:
        return "mergekit"
    if "parameters" in keys and ("backend" in keys or "name" in keys) and "models" not in keys:
        return "localai"
    if "services" in keys:
        return "compose"
    if "apiversion" in keys and "kind" in keys:
        return "kubernetes"
    if "base_model_name_or_path" in keys and "peft_type" in keys:
        return "peft"
    if "_name_or_path" in keys or "architectures" in keys:
        return "hf-config"
    if "models" in keys and ("macros" in keys or "groups" in keys or "healthchecktimeout" in keys):
        return "llama-swap"
    if "base_model" in keys and ("datasets" in keys or "adapter" in keys):
        return "axolotl"
    if "model_name_or_path" in keys:
        return "trainer"
    return default
