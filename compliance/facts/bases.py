"""Declared bases: every base model a repo states, read from its snapshot. Pure.

`declared_bases(snapshot)` reads the card's front matter (`base_model`, `base_model_relation`,
a mis-typed key that ends in `base_model`), the Hub tags `base_model:<id>` /
`base_model:<relation>:<id>`, `adapter_config.json`, `config.json` `_name_or_path`, mergekit
configs (a `mergekit_config.yml` or a mergekit YAML block in the card) and, only when none of
those names a base, a labelled line of the card body ("Finetuned from model: X", "Base model:
X", "quantized version of [X](hf url)"). compliance.facts.lineage combines the bases' terms;
docs/lineage.md explains every decision.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..modelid import is_valid_repo_id
from ..sources.card import Card, parse_card
from ..sources.interface import Snapshot
from .model import BaseModelRef

_RELATION_SYNONYMS = {
    "finetune": "finetune",
    "fine-tune": "finetune",
    "fine_tune": "finetune",
    "finetuned": "finetune",
    "fine-tuned": "finetune",
    "adapter": "adapter",
    "adapters": "adapter",
    "lora": "adapter",
    "quantized": "quantized",
    "quantised": "quantized",
    "quantization": "quantized",
    "quantisation": "quantized",
    "merge": "merge",
    "merged": "merge",
    "merges": "merge",
}
# How much a relation says: an unstated relation says nothing, "finetune" is the Hub's default.
_SPECIFICITY = {None: 0, "finetune": 1, "quantized": 2, "adapter": 2, "merge": 2}
# How a relation was established: stated outright > implied by the structure > inferred.
_STATED, _STRUCTURAL, _INFERRED = 3, 2, 1
# Where a base was stated, most authoritative first (BaseModelRef.source keeps the first).
_SOURCE_ORDER = ("card", "tag", "adapter_config", "mergekit", "config", "card-body")

_HF_URL = re.compile(
    r"https?://(?:www\.)?(?:huggingface\.co|hf\.co)/(?!datasets/|spaces/|papers/|collections/|"
    r"blog/|docs/|api/|models\b)([A-Za-z0-9][\w.-]*)/([A-Za-z0-9][\w.-]*)"
)
_BARE_ID = re.compile(r"(?<![\w./:-])([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)(?![\w/-])")
_HF_CACHE_DIR = re.compile(r"models--([^/\\]+?)--([^/\\]+)")
_FENCE_MARKERS = ("```", "~~~")
# Labelled lines of the card body (HF's default card template, Unsloth's, TheBloke's...).
_LABEL = re.compile(
    r"(?i)(?:^|[\s|*>-])(finetuned from model(?:\s*\[optional\])?|fine-tuned from(?: model)?|"
    r"base[ _-]?model|original model)[\s*]*[:|][\s*]*(.+)$"
)
# Prose that names the model this one derives from, followed by a Hub link or id.
MAX_LABEL_LINE = 2000
_PROSE = re.compile(
    r"(?i)\b(quanti[sz]ed version of|quanti[sz]ation of|quants of|"
    r"gguf (?:\(quanti[sz]ed\) )?version of|converted to mlx format from|"
    r"fine-?tuned? (?:version )?of|fine-?tuned (?:on|from)|based on|built on|"
    r"(?:franken)?merge of|fork of)\s+"
)
_QUANT_PROSE = re.compile(
    r"(?i)\b(quanti[sz]ed version of|quanti[sz]ation of|quants of|"
    r"gguf (?:\(quanti[sz]ed\) )?version of)"
)
# A low-bit conversion named in the repo id ("-4bit", "8-bit"): with MLX, a quantisation.
_BITS = re.compile(r"(?i)(?<![a-z0-9])[2-8]-?bits?(?![a-z0-9])")
# Placeholders left in example configs: not a model anyone can read, so not a base.
_PLACEHOLDER_WORDS = frozenset(
    {"path", "paths", "to", "your", "my", "previous", "model", "models", "local", "here", "dir"}
)
# ... of which one must say "fill me in": `models/base` or `local/model` may be a real folder
_PLACEHOLDER_MARKS = frozenset({"path", "paths", "your", "my", "previous", "here"})
_PLACEHOLDER = re.compile(
    r"[<>{}$]|(?:^|[/\\])[A-Z][A-Z0-9]*_[A-Z0-9_]+(?:$|[/\\])|(?i:path[/_-]to|your[_-]?model)"
)
_LORA_BEFORE = re.compile(r"(?i)\b(q?lora|peft|adapter)\b[\s-]*$")
_LORA_TAGS = frozenset({"lora", "qlora", "peft", "adapter", "dora"})
_QUANT_TAGS = frozenset(
    {
        "gguf", "ggml", "quantized", "quantization", "quantised", "awq", "gptq", "exl2",
        "exl3", "bnb", "bitsandbytes", "4-bit", "8-bit", "4bit", "8bit", "int4", "int8",
        "fp8", "nvfp4", "fp4", "w4a16", "w8a8", "w4a8", "compressed-tensors", "hqq", "aqlm",
    }
)  # fmt: skip
_MERGE_TAGS = frozenset({"merge", "mergekit"})
_ADAPTER_LIBRARIES = frozenset({"peft", "adapter-transformers"})
_QUANT_LIBRARIES = frozenset({"gguf", "ggml"})


@dataclass
class _Candidate:
    model: str
    relation: str | None
    strength: int  # _STATED | _STRUCTURAL | _INFERRED (0 when no relation)
    source: str
    order: int


def _relation(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return _RELATION_SYNONYMS.get(value.strip().lower())


def clean_base_id(raw: str) -> str:
    """A declared base as a Hub id where it plainly is one: URL prefixes, quotes, stray
    punctuation and `/tree/<rev>` suffixes removed; anything else is returned as written."""
    text, previous = raw, None
    while text != previous:
        previous = text
        text = text.strip().strip("\"'`").rstrip(",;")
    url = _HF_URL.match(text)
    if url:
        return f"{url.group(1)}/{url.group(2)}"
    return text


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _card_text(snapshot: Snapshot) -> str:
    card = snapshot.card
    return card.text if card is not None and card.text is not None else ""


def _card_body(text: str, card: Card | None = None) -> str:
    """The card text after its front matter (the whole text when there is none); `card` is the
    text already parsed, when the caller has it (a huge front matter is parsed once)."""
    card = card if card is not None else (parse_card(text) if text else None)
    if card is None:
        return ""
    lines = text.lstrip("\ufeff").splitlines()
    start = card.body_start - 1 if card.front_matter_lines else 0
    return "\n".join(lines[start:])


def _mentioned_ids(text: str) -> dict[str, str]:
    """Hub ids the card text names (lower-cased -> as written): links and bare org/name."""
    out: dict[str, str] = {}
    for m in _HF_URL.finditer(text):
        ident = f"{m.group(1)}/{m.group(2)}".rstrip(".")
        if is_valid_repo_id(ident):
            out.setdefault(ident.lower(), ident)
    for m in _BARE_ID.finditer(text):
        ident = m.group(1).rstrip(".")
        if is_valid_repo_id(ident):
            out.setdefault(ident.lower(), ident)
    return out


def _resolve_local(name: str, mentioned: dict[str, str]) -> str | None:
    """A local path / folder name in a mergekit or adapter config, as the Hub id it copies,
    when that is certain: an HF cache folder `models--org--name`, or `org_name` / `name`
    whose Hub id `org/name` the card itself names."""
    cache = _HF_CACHE_DIR.search(name)
    if cache:
        ident = f"{cache.group(1)}/{cache.group(2)}"
        if is_valid_repo_id(ident):
            return ident
    base = re.split(r"[/\\]+", name.strip().rstrip("/\\"))[-1]
    if not base:
        return None
    found: list[str] = []
    for i, ch in enumerate(base):
        if ch == "_":
            guess = f"{base[:i]}/{base[i + 1 :]}".lower()
            if guess in mentioned:
                found.append(mentioned[guess])
    if not found:
        found = [ident for key, ident in mentioned.items() if key.split("/", 1)[1] == base.lower()]
    unique = sorted(set(found))
    return unique[0] if len(unique) == 1 else None


def _is_local_path(text: str) -> bool:
    return (
        text.startswith(("/", "./", "../", "~", "\\"))
        or "\\" in text
        or bool(re.match(r"^[A-Za-z]:[/\\]", text))
    )


def is_placeholder(name: str) -> bool:
    """`previous/model/path`, `LOCAL_PATH/x`, `/path/to/your/model`, `<base-model>`: a name an
    example config leaves for the reader to fill in."""
    text = name.strip()
    if _PLACEHOLDER.search(text):
        return True
    parts = [p.strip("._-") for p in re.split(r"[/\\]+", text.lower()) if p]
    return (
        len(parts) > 1
        and all(p in _PLACEHOLDER_WORDS for p in parts)
        and any(p in _PLACEHOLDER_MARKS for p in parts)
    )


def _mergekit_models(doc: object) -> list[str]:
    """Every model a mergekit config names: models[].model, base_model, slices[].sources[].model
    (a `model+lora` entry names both)."""
    names: list[str] = []

    def add(value: object) -> None:
        if isinstance(value, dict):
            value = value.get("model")
        if isinstance(value, dict):  # mergekit's long form: {model: {path: ...}}
            value = value.get("path") or value.get("model")
        if isinstance(value, str) and value.strip():
            names.extend(part for part in value.split("+") if part.strip())

    def walk(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                if isinstance(item, dict) and ("model" in item or "sources" in item):
                    if "model" in item:
                        add(item)
                    walk(item.get("sources"))
                else:
                    walk(item)
        elif isinstance(node, dict):
            for key in ("models", "slices", "sources"):
                walk(node.get(key))
            if "base_model" in node:
                add(node["base_model"])
            if "model" in node and "sources" not in node:
                add(node)

    walk(doc)
    return names


def _looks_like_mergekit(doc: object) -> bool:
    if isinstance(doc, dict):
        return (
            "merge_method" in doc
            or "slices" in doc
            or (isinstance(doc.get("models"), list) and bool(_mergekit_models(doc)))
        )
    if isinstance(doc, list):  # a bare slice list: [{model:, layer_range:}]
        return (
            bool(doc)
            and all(isinstance(i, dict) and "model" in i for i in doc)
            and any("layer_range" in i for i in doc if isinstance(i, dict))
        )
    return False


def _yaml_docs(text: str) -> list[object]:
    """Every document of a (mergekit) YAML text; [] when it is not readable YAML."""
    from ..errors import ComplianceError
    from ..safeyaml import YamlLimits, load_yaml_all
    from ..sources.card import CARD_YAML_LIMITS_KW

    try:
        limits = YamlLimits(**CARD_YAML_LIMITS_KW)
        docs = load_yaml_all(text.replace("\t", "  "), source="mergekit config", limits=limits)
    except ComplianceError:
        return []
    return [d for d in docs if d is not None]


def _fenced_blocks(body: str) -> list[tuple[str, tuple[int, int]]]:
    """(content, (opening line, closing line) 0-based) of each fenced code block: a line that
    starts with ``` or ~~~ opens one, the next line that is that marker alone closes it; an
    opener never closed is not a block. Linear in the text: the next closing line of each
    marker is precomputed (a card of a thousand unclosed fences must not rescan the rest of
    the card once per fence)."""
    lines = body.split("\n")
    next_close: dict[str, list[int]] = {}
    for marker in _FENCE_MARKERS:
        following, upcoming = [-1] * (len(lines) + 1), -1
        for i in range(len(lines) - 1, -1, -1):
            following[i] = upcoming
            if lines[i].rstrip() == marker:
                upcoming = i
        next_close[marker] = following
    out: list[tuple[str, tuple[int, int]]] = []
    i = 0
    while i < len(lines):
        opened = next((m for m in _FENCE_MARKERS if lines[i].startswith(m)), None)
        close = next_close[opened][i] if opened is not None else -1
        if close < 0:
            i += 1
            continue
        content = "\n".join(lines[i + 1 : close])
        out.append((content + "\n" if close > i + 1 else "", (i, close)))
        i = close + 1
    return out


def _without_fenced_blocks(body: str) -> str:
    """The body with every fenced code block (fences included) removed."""
    blocks = _fenced_blocks(body)
    if not blocks:
        return body
    lines = body.split("\n")
    dropped = {n for _, (first, last) in blocks for n in range(first, last + 1)}
    return "\n".join(line for n, line in enumerate(lines) if n not in dropped)


def _labelled_bases(body: str) -> list[tuple[str, str | None]]:
    """(id, relation) from labelled lines and derivation prose of the card body."""
    prose_free = _without_fenced_blocks(body)
    out: list[tuple[str, str | None]] = []
    for line in prose_free.splitlines():
        # One character class between label and value (no backtracking between two `\s*`),
        # and labelled lines are short: a 400 KB line is not one.
        m = _LABEL.search(line) if len(line) <= MAX_LABEL_LINE else None
        if m:
            value = m.group(2).strip().strip("*|").strip()
            url = _HF_URL.search(value)
            if url:
                out.append((f"{url.group(1)}/{url.group(2)}", None))
            else:
                token = value.strip("`[]()").strip()
                if is_valid_repo_id(token):
                    out.append((token, None))
    for m in _PROSE.finditer(prose_free):
        window = prose_free[m.end() : m.end() + 200].split("\n\n", 1)[0]
        # the derivation names its base right away: a link or an id before the sentence ends
        head = re.split(r"(?<=[.!?])\s", window, maxsplit=1)[0]
        url = _HF_URL.search(head)
        ident = f"{url.group(1)}/{url.group(2)}" if url else None
        if ident is None:
            tok = re.match(r"\s*[`\[]?([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)", head)
            ident = tok.group(1) if tok and is_valid_repo_id(tok.group(1)) else None
        if ident is not None and url is not None and url.start() > 120:
            ident = None
        if ident is not None:
            relation = _prose_relation(m.group(1))
            before = prose_free[max(0, m.start() - 24) : m.start()]
            if relation == "finetune" and _LORA_BEFORE.search(before):
                relation = "adapter"  # "a LoRA fine-tuned version of X"
            out.append((ident.rstrip("."), relation))
            if relation == "merge":  # "a merge of [A](url) and [B](url)": every linked part
                for more in _HF_URL.finditer(head):
                    out.append((f"{more.group(1)}/{more.group(2)}".rstrip("."), relation))
    return out


def _prose_relation(phrase: str) -> str:
    low = phrase.lower()
    if _QUANT_PROSE.match(low):
        return "quantized"
    return "merge" if low.startswith(("merge", "frankenmerge")) else "finetune"


def _infer_relation(snapshot: Snapshot, body: str, model: str) -> str:
    """The relation when none is stated, as the Hub infers it: adapter files or a PEFT library
    make an adapter, and so do lora/qlora tags unless the repo ships whole weights (a LoRA
    merged in); an MLX low-bit conversion is a quantisation; then what the card's own prose
    says of this base ("fine-tuned version of X", "quantized version of X"); then GGUF files, a
    quantization config or `quantized_by` make a quantisation; then tags (gguf/quantisation,
    merge); otherwise a fine-tune."""
    card = snapshot.card_data
    siblings = [s.lower() for s in snapshot.siblings]
    tags = {t.strip().lower() for t in snapshot.tags} | {
        t.strip().lower() for t in _strings(card.get("tags"))
    }
    library = str(card.get("library_name") or snapshot.library_name or "").strip().lower()
    if _is_adapter_repo(siblings, library):
        return "adapter"
    if tags & _LORA_TAGS and not _full_weights(body, library, siblings):
        return "adapter"  # lora/qlora tags say more than "fine-tuned ... using LoRA" prose
    config = _json_file(snapshot, "config.json")
    if (library == "mlx" or "mlx" in tags) and (
        _BITS.search(snapshot.model)
        or tags & _QUANT_TAGS
        or (isinstance(config, dict) and isinstance(config.get("quantization"), dict))
    ):
        return "quantized"  # an MLX low-bit conversion
    prose = {ident.lower(): rel for ident, rel in _labelled_bases(body) if rel}
    if model.lower() in prose:
        return prose[model.lower()]
    if (
        library in _QUANT_LIBRARIES
        or any(s.endswith(".gguf") for s in siblings)
        or (isinstance(config, dict) and isinstance(config.get("quantization_config"), dict))
        or card.get("quantized_by")
    ):
        return "quantized"
    if tags & _QUANT_TAGS or _QUANT_PROSE.search(body):
        return "quantized"
    if tags & _MERGE_TAGS:
        return "merge"
    return "finetune"


_MERGED = re.compile(
    r"(?i)merged into|merge_and_unload|\(merged\)|merged (?:lora|weights|model|adapters?)"
    r"|AutoModelFor\w+\.from_pretrained"
)
_FULL_WEIGHTS = re.compile(r"(?:^|/)(?:model|pytorch_model)(?:-\d+-of-\d+)?\.(?:safetensors|bin)$")


def _full_weights(body: str, library: str, siblings: list[str]) -> bool:
    """The repo ships the whole model (a LoRA merged in), not an adapter: GGUF or full weight
    files, or a card that says the adapter was merged or loads it without PEFT."""
    if "peftmodel" in body.lower():
        return False
    return (
        library in _QUANT_LIBRARIES
        or any(s.endswith(".gguf") or _FULL_WEIGHTS.search(s) for s in siblings)
        or bool(_MERGED.search(body))
    )


def _is_adapter_repo(siblings: list[str], library: str) -> bool:
    """Adapter weights: an adapter_config.json (at the top or in a sub-folder) or a PEFT library."""
    return library in _ADAPTER_LIBRARIES or any(
        s == "adapter_config.json" or s.endswith("/adapter_config.json") for s in siblings
    )


def _json_file(snapshot: Snapshot, name: str) -> object:
    for f in snapshot.files:
        if f.path.lower() == name and f.text is not None:
            try:
                return json.loads(f.text)
            except ValueError:
                return None
    return None


# At most this many bases are read per model (a 10,000-entry base_model list must not cost
# 10,000 Hub requests); the others are reported unread (compliance.facts.normalize).
MAX_BASES = 16


def declared_bases(snapshot: Snapshot) -> tuple[BaseModelRef, ...]:
    """Every base model the repo states (at most MAX_BASES), see declared_bases_counted."""
    return declared_bases_counted(snapshot)[0]


def declared_bases_counted(
    snapshot: Snapshot, parsed: Card | None = None
) -> tuple[tuple[BaseModelRef, ...], int]:
    """(the first MAX_BASES bases the repo states, how many distinct bases it states): each
    deduplicated (case-insensitively), self-references dropped, with its relation and where it
    was stated (docs/lineage.md)."""
    card = snapshot.card_data
    text = _card_text(snapshot)
    body = _card_body(text, parsed)
    me = snapshot.model.lower()
    found: list[_Candidate] = []

    def add(model: str, relation: str | None, strength: int, source: str) -> None:
        model = clean_base_id(model)
        if model and model.lower() != me:
            strength = strength if relation else 0
            found.append(_Candidate(model, relation, strength, source, len(found)))

    # 1. card front matter: base_model (string or list), base_model_relation, and a mis-typed
    #    key that still ends in "base_model" (e.g. "fine-tuned on base_model: org/name").
    stated = _relation(card.get("base_model_relation"))
    library = str(card.get("library_name") or snapshot.library_name or "").strip().lower()
    adapters = _is_adapter_repo([x.lower() for x in snapshot.siblings], library)
    keys = ["base_model"] + [
        k for k in card if isinstance(k, str) and k != "base_model"
        and k.strip().lower().replace("-", "_").endswith("base_model")
    ]  # fmt: skip
    for key in keys:
        raw = card.get(key)
        names = [n for n in _strings(raw) if clean_base_id(n) and clean_base_id(n).lower() != me]
        if stated is not None:
            relation, strength = stated, _STATED
        elif isinstance(raw, list) and len(names) > 1 and adapters:
            relation, strength = "adapter", _STRUCTURAL  # adapters for several bases
        elif isinstance(raw, list) and len(names) > 1:
            relation, strength = "merge", _STRUCTURAL  # a list means merge
        else:
            relation, strength = None, 0
        for name in names:
            add(name, relation, strength, "card")

    # 2. Hub tags: base_model:<id> and base_model:<relation>:<id>
    tags = list(snapshot.tags) or _strings(card.get("tags"))
    for tag in tags:
        if not isinstance(tag, str) or not tag.startswith("base_model:"):
            continue
        rest = tag[len("base_model:") :]
        head, sep, tail = rest.partition(":")
        rel = _relation(head) if sep else None
        if rel is not None:
            add(tail, rel, _STATED, "tag")
        else:
            add(rest, None, 0, "tag")
    card_or_tags = bool(found)

    # 3. adapter_config.json: base_model_name_or_path
    mentioned = _mentioned_ids(text)
    local: list[_Candidate] = []
    adapter = _json_file(snapshot, "adapter_config.json")
    if isinstance(adapter, dict):
        for name in _strings(adapter.get("base_model_name_or_path")):
            _add_resolving(name, "adapter", "adapter_config", mentioned, add, local)

    # 4. mergekit: mergekit_config.yml in the repo, and mergekit YAML blocks in the card body
    mergekit_texts = [
        f.text for f in snapshot.files
        if f.path.lower() in ("mergekit_config.yml", "mergekit_config.yaml") and f.text
    ]  # fmt: skip
    mergekit_texts += [content for content, _ in _fenced_blocks(body)]
    for chunk in mergekit_texts:
        for doc in _yaml_docs(chunk):
            if _looks_like_mergekit(doc):
                for name in _mergekit_models(doc):
                    _add_resolving(name, "merge", "mergekit", mentioned, add, local)

    # 5. config.json `_name_or_path`, when it names a Hub repo (not a local path)
    config = _json_file(snapshot, "config.json")
    if isinstance(config, dict):
        named = config.get("_name_or_path")
        if isinstance(named, str) and not _is_local_path(named) and is_valid_repo_id(named.strip()):
            add(named, None, 0, "config")

    # A local name in an adapter or mergekit config that nothing resolves is a parent we cannot
    # identify: kept as declared (lineage reports it) unless the card or tags list the bases.
    if not card_or_tags:
        for cand in local:
            add(cand.model, cand.relation, cand.strength, cand.source)

    # 6. the card body, only when nothing structured names a base
    if not found:
        for ident, _ in _labelled_bases(body):
            add(ident, None, 0, "card-body")

    return _dedupe(found, lambda model: _infer_relation(snapshot, body, model), MAX_BASES)


def _add_resolving(
    name: str,
    relation: str,
    source: str,
    mentioned: dict[str, str],
    add: Callable[[str, str | None, int, str], None],
    local: list[_Candidate],
) -> None:
    name = name.strip()
    if not name or is_placeholder(name):
        return
    if is_valid_repo_id(name) and not _is_local_path(name):
        add(name, relation, _STRUCTURAL, source)
        return
    resolved = _resolve_local(name, mentioned)
    if resolved is not None:
        add(resolved, relation, _STRUCTURAL, source)
    else:
        local.append(_Candidate(name, relation, _STRUCTURAL, source, 0))


def _dedupe(
    found: list[_Candidate], infer: Callable[[str], str], limit: int
) -> tuple[tuple[BaseModelRef, ...], int]:
    merged: dict[str, _Candidate] = {}
    for cand in found:
        key = cand.model.lower()
        seen = merged.get(key)
        if seen is None:
            merged[key] = replace(cand)
            continue
        if (cand.strength, _SPECIFICITY[cand.relation]) > (
            seen.strength,
            _SPECIFICITY[seen.relation],
        ):
            seen.relation, seen.strength = cand.relation, cand.strength
        if _SOURCE_ORDER.index(cand.source) < _SOURCE_ORDER.index(seen.source):
            seen.source = cand.source
    out: list[BaseModelRef] = []
    for cand in sorted(merged.values(), key=lambda c: c.order)[:limit]:
        relation = cand.relation if cand.relation is not None else infer(cand.model)
        out.append(BaseModelRef(cand.model, relation, cand.source))
    return tuple(out), len(merged)
