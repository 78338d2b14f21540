"""Lineage: the base models a model declares, and the terms it inherits from them.

A fine-tune, adapter, quantisation or merge is bound by its bases' licences whatever its own
card says. Two pure functions (docs/lineage.md explains every decision):

- `declared_bases(snapshot)`: every base the repo states, from the card's front matter
  (`base_model`, `base_model_relation`, a mis-typed key that ends in `base_model`), the Hub tags
  `base_model:<id>` / `base_model:<relation>:<id>`, `adapter_config.json`, `config.json`
  `_name_or_path`, mergekit configs (a `mergekit_config.yml` or a mergekit YAML block in the card)
  and, only when none of those names a base, a labelled line of the card body
  ("Finetuned from model: X", "Base model: X", "quantized version of [X](hf url)").
- `apply_lineage(facts, load)`: reads each base through `load` (the only I/O), recursively,
  cycle safe, and combines the terms along the chain: the strictest wins, and unknown is never
  permissive.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import SourceError
from ..modelid import ModelId, is_valid_repo_id
from ..sources.interface import Snapshot
from .card import parse_card
from .model import (
    CLASS_STRICTNESS,
    COMMERCIAL_STRICTNESS,
    OUTPUT_TRAINING_STRICTNESS,
    UNKNOWN,
    BaseModelRef,
    Evidence,
    Finding,
    LineageNode,
    ModelFacts,
    Terms,
)

DEFAULT_MAX_DEPTH = 8

# ---------------------------------------------------------------------------------------------
# declared_bases
# ---------------------------------------------------------------------------------------------

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
_FENCED = re.compile(r"^(```|~~~)[^\n]*\n(.*?)^\1\s*$", re.S | re.M)
# Labelled lines of the card body (HF's default card template, Unsloth's, TheBloke's...).
_LABEL = re.compile(
    r"(?i)(?:^|[\s|*>-])(finetuned from model(?:\s*\[optional\])?|fine-tuned from(?: model)?|"
    r"base[ _-]?model|original model)\s*\**\s*[:|]\s*\**\s*(.+)$"
)
# Prose that names the model this one derives from, followed by a Hub link or id.
_PROSE = re.compile(
    r"(?i)\b(quanti[sz]ed version of|quanti[sz]ation of|quants of|gguf version of|"
    r"fine-?tuned? (?:version )?of|fine-?tuned (?:on|from)|based on|built on|merge of)\s+"
)
_QUANT_PROSE = re.compile(
    r"(?i)\b(quanti[sz]ed version of|quanti[sz]ation of|quants of|gguf version of)"
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

# Legacy canonical ids without an org, which the Hub moved into orgs (and redirects).
LEGACY_IDS = {
    "albert-base-v2": "albert/albert-base-v2",
    "bert-base-cased": "google-bert/bert-base-cased",
    "bert-base-uncased": "google-bert/bert-base-uncased",
    "bert-large-cased": "google-bert/bert-large-cased",
    "bert-large-uncased": "google-bert/bert-large-uncased",
    "bert-base-multilingual-cased": "google-bert/bert-base-multilingual-cased",
    "bert-base-multilingual-uncased": "google-bert/bert-base-multilingual-uncased",
    "distilbert-base-uncased": "distilbert/distilbert-base-uncased",
    "distilbert-base-cased": "distilbert/distilbert-base-cased",
    "distilbert-base-multilingual-cased": "distilbert/distilbert-base-multilingual-cased",
    "distilroberta-base": "distilbert/distilroberta-base",
    "distilgpt2": "distilbert/distilgpt2",
    "gpt2": "openai-community/gpt2",
    "gpt2-medium": "openai-community/gpt2-medium",
    "gpt2-large": "openai-community/gpt2-large",
    "gpt2-xl": "openai-community/gpt2-xl",
    "roberta-base": "FacebookAI/roberta-base",
    "roberta-large": "FacebookAI/roberta-large",
    "xlm-roberta-base": "FacebookAI/xlm-roberta-base",
    "xlm-roberta-large": "FacebookAI/xlm-roberta-large",
    "t5-small": "google-t5/t5-small",
    "t5-base": "google-t5/t5-base",
    "t5-large": "google-t5/t5-large",
}


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


def _card_body(text: str) -> str:
    """The card text after its front matter (the whole text when there is none)."""
    card = parse_card(text) if text else None
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
    from .card import CARD_YAML_LIMITS_KW

    try:
        limits = YamlLimits(**CARD_YAML_LIMITS_KW)
        docs = load_yaml_all(text.replace("\t", "  "), source="mergekit config", limits=limits)
    except ComplianceError:
        return []
    return [d for d in docs if d is not None]


def _labelled_bases(body: str) -> list[tuple[str, str | None]]:
    """(id, relation) from labelled lines and derivation prose of the card body."""
    prose_free = _FENCED.sub("", body)
    out: list[tuple[str, str | None]] = []
    for line in prose_free.splitlines():
        m = _LABEL.search(line)
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
    return out


def _prose_relation(phrase: str) -> str:
    low = phrase.lower()
    if _QUANT_PROSE.match(low):
        return "quantized"
    return "merge" if low.startswith("merge") else "finetune"


def _infer_relation(snapshot: Snapshot, body: str, model: str) -> str:
    """The relation when none is stated, as the Hub infers it: adapter files or a PEFT library
    make an adapter; then what the card's own prose says of this base ("fine-tuned version of
    X", "quantized version of X"); then GGUF files, a quantization config or `quantized_by` make
    a quantisation; then tags (lora, gguf/quantisation, merge); otherwise a fine-tune."""
    card = snapshot.card_data
    siblings = [s.lower() for s in snapshot.siblings]
    tags = {t.strip().lower() for t in snapshot.tags} | {
        t.strip().lower() for t in _strings(card.get("tags"))
    }
    library = str(card.get("library_name") or snapshot.library_name or "").strip().lower()
    if "adapter_config.json" in siblings or library in _ADAPTER_LIBRARIES:
        return "adapter"
    prose = {ident.lower(): rel for ident, rel in _labelled_bases(body) if rel}
    if model.lower() in prose:
        return prose[model.lower()]
    config = _json_file(snapshot, "config.json")
    if (
        library in _QUANT_LIBRARIES
        or any(s.endswith(".gguf") for s in siblings)
        or (isinstance(config, dict) and isinstance(config.get("quantization_config"), dict))
        or card.get("quantized_by")
    ):
        return "quantized"
    if tags & _LORA_TAGS:
        return "adapter"
    if tags & _QUANT_TAGS or _QUANT_PROSE.search(body):
        return "quantized"
    if tags & _MERGE_TAGS:
        return "merge"
    return "finetune"


def _json_file(snapshot: Snapshot, name: str) -> object:
    for f in snapshot.files:
        if f.path.lower() == name and f.text is not None:
            try:
                return json.loads(f.text)
            except ValueError:
                return None
    return None


def declared_bases(snapshot: Snapshot) -> tuple[BaseModelRef, ...]:
    """Every base model the repo states, deduplicated (case-insensitively), self-references
    dropped, each with its relation and where it was stated (docs/lineage.md)."""
    card = snapshot.card_data
    text = _card_text(snapshot)
    body = _card_body(text)
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
    keys = ["base_model"] + [
        k for k in card if isinstance(k, str) and k != "base_model"
        and k.strip().lower().replace("-", "_").endswith("base_model")
    ]  # fmt: skip
    for key in keys:
        raw = card.get(key)
        names = [n for n in _strings(raw) if clean_base_id(n) and clean_base_id(n).lower() != me]
        if stated is not None:
            relation, strength = stated, _STATED
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
    mergekit_texts += [m.group(2) for m in _FENCED.finditer(body)]
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

    return _dedupe(found, lambda model: _infer_relation(snapshot, body, model))


def _add_resolving(
    name: str,
    relation: str,
    source: str,
    mentioned: dict[str, str],
    add: Callable[[str, str | None, int, str], None],
    local: list[_Candidate],
) -> None:
    name = name.strip()
    if not name:
        return
    if is_valid_repo_id(name) and not _is_local_path(name):
        add(name, relation, _STRUCTURAL, source)
        return
    resolved = _resolve_local(name, mentioned)
    if resolved is not None:
        add(resolved, relation, _STRUCTURAL, source)
    else:
        local.append(_Candidate(name, relation, _STRUCTURAL, source, 0))


def _dedupe(found: list[_Candidate], infer: Callable[[str], str]) -> tuple[BaseModelRef, ...]:
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
    for cand in sorted(merged.values(), key=lambda c: c.order):
        relation = cand.relation if cand.relation is not None else infer(cand.model)
        out.append(BaseModelRef(cand.model, relation, cand.source))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# apply_lineage
# ---------------------------------------------------------------------------------------------

# Licence classes whose licence imposes its own terms on derivatives (a custom agreement that
# must travel with the weights); two different ones in one merge need a legal review.
_CUSTOM_TERMS_CLASSES = frozenset({"restricted", "open-rail"})
_SHARE_ALIKE = re.compile(r"(?i)(^|[-_.])(sa|gpl|agpl|lgpl|copyleft)([-_.\d]|$)")

# Terms fields that lineage combines and that can be inherited (field, JSON name, evidence key).
_FIELDS = (
    ("license_class", "class", "license"),
    ("commercial_use", "commercial_use", "commercial_use"),
    ("mau_cap", "mau_cap", "mau_cap"),
    ("revenue_cap", "revenue_cap", "revenue_cap"),
    ("territory_restrictions", "territory_restrictions", "territory"),
    ("eu_restricted", "eu_restricted", "eu_restricted"),
    ("output_training", "output_training", "output_training"),
    ("attribution", "attribution", "attribution"),
    ("acceptable_use_policy", "acceptable_use_policy", "acceptable_use_policy"),
    ("non_commercial", "non_commercial", "non_commercial"),
    ("research_only", "research_only", "research_only"),
    ("origin_country", "origin_country", "publisher"),
)

UNKNOWN_TERMS = Terms()  # what an unreadable base contributes: every field unknown


def is_share_alike(terms: Terms) -> bool:
    return terms.license_class == "copyleft" or bool(
        terms.license_key != UNKNOWN and _SHARE_ALIKE.search(terms.license_key)
    )


def _tri(values: Iterable[bool | None]) -> bool | None:
    """True if any is true; else unknown if any is unknown; else false."""
    vals = list(values)
    if any(v is True for v in vals):
        return True
    if any(v is None for v in vals):
        return None
    return False


def _union(groups: Iterable[Iterable[Any]]) -> tuple[Any, ...]:
    out: list[Any] = []
    for group in groups:
        for item in group:
            if item not in out:
                out.append(item)
    return tuple(out)


def _min_cap(values: Iterable[int | None]) -> int | None:
    caps = [v for v in values if v is not None]
    return min(caps) if caps else None


def _governing(candidates: list[Terms]) -> Terms:
    """The strictest class; on a tie the upstream terms (earlier in the list) with a known key."""
    best = candidates[0]
    for t in candidates[1:]:
        a = CLASS_STRICTNESS.get(t.license_class, 99)
        b = CLASS_STRICTNESS.get(best.license_class, 99)
        if a > b or (a == b and best.license_key == UNKNOWN and t.license_key != UNKNOWN):
            best = t
    return best


def combine_terms(own: Terms, parents: list[Terms], *, reuploader: bool = False) -> Terms:
    """The strictest combination of a model's own terms with its parents' (effective) terms.

    Class: the strictest (unknown is the strictest of all); key, SPDX id and acceptable-use
    policy follow the governing (strictest) terms, upstream first on a tie. Caps: the lowest.
    Territories, attribution: the union. Commercial use and output training: the strictest.
    eu_restricted / non_commercial / research_only: true if any is, unknown if any is unknown.
    Origin: a re-uploader's origin is its (first) base's.
    """
    everything = [*parents, own]  # upstream first: a tie goes to the base's licence
    gov = _governing(everything)
    aup = gov.acceptable_use_policy
    if aup is None:
        ranked = sorted(everything, key=lambda t: -CLASS_STRICTNESS.get(t.license_class, 99))
        aup = next((t.acceptable_use_policy for t in ranked if t.acceptable_use_policy), None)
    origin = own.origin_country
    if reuploader and parents:
        origin = parents[0].origin_country
    return Terms(
        license_key=gov.license_key,
        license_class=gov.license_class,
        spdx=gov.spdx,
        commercial_use=max(
            (t.commercial_use for t in everything),
            key=lambda v: COMMERCIAL_STRICTNESS.get(v, COMMERCIAL_STRICTNESS[UNKNOWN]),
        ),
        mau_cap=_min_cap(t.mau_cap for t in everything),
        revenue_cap=_min_cap(t.revenue_cap for t in everything),
        territory_restrictions=_union(t.territory_restrictions for t in [own, *parents]),
        eu_restricted=_tri(t.eu_restricted for t in everything),
        output_training=max(
            (t.output_training for t in everything),
            key=lambda v: OUTPUT_TRAINING_STRICTNESS.get(v, OUTPUT_TRAINING_STRICTNESS[UNKNOWN]),
        ),
        attribution=_union(t.attribution for t in [own, *parents]),
        acceptable_use_policy=aup,
        non_commercial=_tri(t.non_commercial for t in everything),
        research_only=_tri(t.research_only for t in everything),
        origin_country=origin,
    )


def _looser(child: Terms, base: Terms) -> list[str]:
    """How the child's own terms are more permissive than its base's (empty when not)."""
    out = []
    if (
        base.license_class != UNKNOWN
        and child.license_class != UNKNOWN
        and (CLASS_STRICTNESS[child.license_class] < CLASS_STRICTNESS.get(base.license_class, 99))
    ):
        out.append(f"class {child.license_class} < {base.license_class}")
    if (
        base.commercial_use != UNKNOWN
        and child.commercial_use != UNKNOWN
        and (
            COMMERCIAL_STRICTNESS[child.commercial_use] < COMMERCIAL_STRICTNESS[base.commercial_use]
        )
    ):
        out.append(f"commercial use {child.commercial_use} vs {base.commercial_use}")
    return out


def _describe(terms: Terms) -> str:
    key = terms.license_key if terms.license_key != UNKNOWN else "unknown licence"
    return f"{key} [{terms.license_class}]"


def merge_conflict(parents: list[tuple[str, Terms]]) -> tuple[str, str] | None:
    """(severity, reason) when merged parents' terms conflict, else None (docs/lineage.md).

    deny: a share-alike parent (copyleft, CC *-SA) merged with a parent under a different,
    non-permissive licence: share-alike requires the whole merge under its own terms, which the
    other licence's extra restrictions make impossible.
    warn: two different custom licences (restricted / open-rail classes), each requiring its own
    agreement, notices and use policy on derivatives: both apply, and a lawyer must confirm they
    can be honoured together. A non-commercial or research-only parent is not a conflict: the
    strictest combination already carries it.
    """
    known = [(m, t) for m, t in parents if t.license_key != UNKNOWN]
    for i, (ma, ta) in enumerate(known):
        for mb, tb in known[i + 1 :]:
            if ta.license_key.lower() == tb.license_key.lower():
                continue
            for (m1, t1), (m2, t2) in (((ma, ta), (mb, tb)), ((mb, tb), (ma, ta))):
                if is_share_alike(t1) and t2.license_class != "permissive":
                    return (
                        "deny",
                        f"{m1} is under share-alike {_describe(t1)}, which requires the merge "
                        f"under those terms alone, but {m2} is under {_describe(t2)}",
                    )
    customs = [(m, t) for m, t in known if t.license_class in _CUSTOM_TERMS_CLASSES]
    keys = {t.license_key.lower() for _, t in customs}
    if len(keys) > 1:
        listed = ", ".join(f"{m} ({_describe(t)})" for m, t in customs)
        return (
            "warn",
            f"parents under different custom licences that each impose their own terms on "
            f"derivatives: {listed}; all apply to the merge, review that they can be honoured "
            f"together",
        )
    return None


@dataclass
class _Reached:
    """An ancestor whose own facts were read."""

    model: str
    terms: Terms
    evidence: tuple[Evidence, ...]


@dataclass
class _Walk:
    load: Callable[[ModelId], ModelFacts]
    max_depth: int
    root: str
    loaded: dict[str, ModelFacts | SourceError] = field(default_factory=dict)
    built: dict[str, tuple[LineageNode, Terms | None]] = field(default_factory=dict)
    reached: dict[str, _Reached] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unavailable: set[str] = field(default_factory=set)

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def _unavailable(self, model: str, declared_by: str, why: str) -> None:
        key = model.lower()
        if key in self.unavailable:
            return
        self.unavailable.add(key)
        self.findings.append(
            Finding(
                "base-unavailable",
                "deny",
                f"base model {model} (declared by {declared_by}) could not be read: {why}; "
                f"its terms are unknown, and unknown is not permissive",
            )
        )

    def _fetch(self, ident: str) -> ModelFacts | SourceError:
        key = ident.lower()
        if key not in self.loaded:
            try:
                self.loaded[key] = self.load(ModelId(ident))
            except SourceError as exc:
                self.loaded[key] = exc
        return self.loaded[key]

    def node(
        self, raw: str, relation: str | None, depth: int, path: tuple[str, ...], declared_by: str
    ) -> tuple[LineageNode, Terms | None]:
        """The lineage subtree of one base, and its effective terms (None: adds nothing)."""
        ident = raw
        if not is_valid_repo_id(raw):
            legacy = LEGACY_IDS.get(raw.strip().lower())
            if legacy is None:
                why = "not a valid Hub model id (org/name)"
                self._note(f"lineage: base {raw!r} declared by {declared_by} is {why}")
                self._unavailable(raw, declared_by, why)
                return LineageNode(raw, relation, error=f"invalid-id: {why}"), UNKNOWN_TERMS
            self._note(
                f"lineage: base {raw!r} declared by {declared_by} is a legacy id; "
                f"read as {legacy}, where the Hub redirects it"
            )
            ident = legacy
        key = ident.lower()
        if key in path:
            chain = " -> ".join([*path, key])
            self._note(f"lineage: cycle {chain}; {ident} is already in the chain")
            return LineageNode(ident, relation, error=f"cycle: {ident} is its own ancestor"), None
        if depth > self.max_depth:
            why = f"lineage deeper than {self.max_depth} levels was not followed"
            self._unavailable(ident, declared_by, why)
            return LineageNode(ident, relation, error=f"depth-limit: {why}"), UNKNOWN_TERMS
        if key in self.built:
            node, terms = self.built[key]
            return replace(node, relation=relation), terms
        got = self._fetch(ident)
        if isinstance(got, SourceError):
            why = f"{got.kind}: {got.cause}"
            self._unavailable(ident, declared_by, why)
            result: tuple[LineageNode, Terms | None] = (
                LineageNode(ident, relation, error=why),
                UNKNOWN_TERMS,
            )
            self.built[key] = result
            return result
        own = got.own_terms()
        self.reached.setdefault(key, _Reached(got.model, own, got.evidence))
        children = [
            self.node(b.model, b.relation, depth + 1, (*path, key), got.model)
            for b in got.base_models
        ]
        parent_terms = [t for _, t in children if t is not None]
        effective = combine_terms(own, parent_terms, reuploader=got.publisher.reuploader)
        self._check_merge(got.model, got.base_models, children)
        node = LineageNode(
            got.model,
            relation,
            revision=got.revision,
            license_key=got.license.key,
            license_class=got.license.license_class,
            parents=tuple(n for n, _ in children),
        )
        self.built[key] = (node, effective)
        return node, effective

    def _check_merge(
        self,
        model: str,
        bases: tuple[BaseModelRef, ...],
        children: list[tuple[LineageNode, Terms | None]],
    ) -> None:
        if len(children) < 2:
            return
        parents = [(n.model, t) for (n, t) in children if t is not None and n.error is None]
        conflict = merge_conflict(parents)
        if conflict is None:
            return
        severity, reason = conflict
        message = f"{model} merges {len(bases)} bases whose terms conflict: {reason}"
        if all(f.message != message for f in self.findings):
            self.findings.append(Finding("license-incompatible-merge", severity, message))


def _ancestor_evidence(reached: _Reached, fact: str, prefix: str) -> list[Evidence]:
    """The ancestor's own evidence for a fact, else the evidence of its licence."""
    own = [e for e in reached.evidence if e.model is None]
    specific = [e for e in own if e.fact == prefix or e.fact.startswith(prefix + ".")]
    chosen = specific or [e for e in own if e.fact.startswith("license")]
    return [Evidence(fact, e.file, e.line, e.quote, model=reached.model) for e in chosen]


def _inherited_evidence(own: Terms, effective: Terms, reached: list[_Reached]) -> list[Evidence]:
    out: list[Evidence] = []
    for attr, json_name, prefix in _FIELDS:
        mine, eff = getattr(own, attr), getattr(effective, attr)
        if mine == eff:
            continue
        fact = f"effective.{json_name}"
        for anc in reached:
            theirs = getattr(anc.terms, attr)
            if isinstance(eff, tuple):
                supplies = any(item in eff and item not in mine for item in theirs)
            elif attr == "license_class":
                supplies = theirs == eff and anc.terms.license_key == effective.license_key
            else:
                supplies = theirs == eff and theirs is not None
            if supplies:
                for ev in _ancestor_evidence(anc, fact, prefix):
                    if ev not in out:
                        out.append(ev)
                if not isinstance(eff, tuple):
                    break  # the first (nearest) ancestor that holds the value
    return out


def apply_lineage(
    facts: ModelFacts, load: Callable[[ModelId], ModelFacts], *, max_depth: int = DEFAULT_MAX_DEPTH
) -> ModelFacts:
    """Read `facts`' bases through `load` (recursively, to `max_depth`, cycle safe) and return
    the facts with `lineage` (one tree per base), `effective` (the strictest combination along
    the chain), inherited evidence (model=<ancestor>), findings and notes added.

    `load(ModelId)` returns a model's own facts (no lineage) or raises SourceError; it is the
    only I/O. A base that cannot be read (missing, gated, invalid id, beyond max_depth)
    contributes unknown terms and a `base-unavailable` finding.
    """
    walk = _Walk(load, max_depth, facts.model)
    root = facts.model.lower()
    built = [walk.node(b.model, b.relation, 1, (root,), facts.model) for b in facts.base_models]
    own = facts.own_terms()
    parent_terms = [t for _, t in built if t is not None]
    effective = combine_terms(own, parent_terms, reuploader=facts.publisher.reuploader)
    walk._check_merge(facts.model, facts.base_models, built)

    mismatches: list[Finding] = []
    for (node, terms), ref in zip(built, facts.base_models, strict=True):
        if terms is None or node.error is not None:
            continue
        how = _looser(own, terms)
        if how:
            ev = [e for e in facts.evidence if e.model is None and e.fact.startswith("license")]
            anc = walk.reached.get(node.model.lower())
            if anc is not None:
                ev += _ancestor_evidence(anc, "license.base", "license")
            mismatches.append(
                Finding(
                    "license-mismatch-with-base",
                    "warn",
                    f"{facts.model} declares {_describe(own)}, more permissive than its base "
                    f"{node.model} ({ref.relation or 'base'}), which is bound by "
                    f"{_describe(terms)} ({'; '.join(how)}); the base's terms govern",
                    tuple(ev),
                )
            )
    inherited = _inherited_evidence(own, effective, list(walk.reached.values()))
    new_evidence = [e for e in inherited if e not in facts.evidence]
    new_notes = [n for n in walk.notes if n not in facts.notes]
    return replace(
        facts,
        lineage=tuple(n for n, _ in built),
        effective=effective,
        evidence=facts.evidence + tuple(new_evidence),
        findings=facts.findings + tuple(mismatches) + tuple(walk.findings),
        notes=facts.notes + tuple(new_notes),
    )
